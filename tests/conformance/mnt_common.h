/* Shared set-up of the mount tests (mnt_*.c).
 *
 * mount(2) natively as root changes the host, so every mount test first moves itself
 * into a private mount namespace (the same calls work in the sandbox), then mounts a
 * tmpfs on a fresh directory under /tmp and works only below it. The namespace dies with
 * the process; mnt_done() removes the directory.
 */
#ifndef MNT_COMMON_H
#define MNT_COMMON_H
#include "common.h"
#include <sched.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#define pivot_root(a, b) syscall(SYS_pivot_root, a, b)
#include <sys/wait.h>

static char mnt_base[64];

/* Print the failure and exit: a set-up step that must work. */
#define MUST(expr)                                                             \
  do {                                                                         \
    if ((long)(expr) == -1) {                                                  \
      printf("FAIL %s: %s\n", #expr, errname(errno));                          \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

/* Private namespace and a tmpfs at mnt_base; chdir there. */
__attribute__((unused)) static void mnt_setup(void) {
  MUST(unshare(CLONE_NEWNS));
  MUST(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
  strcpy(mnt_base, "/tmp/mnt_test_XXXXXX");
  if (!mkdtemp(mnt_base)) {
    printf("FAIL mkdtemp: %s\n", errname(errno));
    exit(1);
  }
  MUST(mount("base", mnt_base, "tmpfs", 0, "mode=755"));
  MUST(chdir(mnt_base));
}

/* Leave the base tree and remove its directory. */
__attribute__((unused)) static void mnt_done(void) {
  if (chdir("/") != 0) return;
  umount2(mnt_base, MNT_DETACH);
  rmdir(mnt_base);
}

/* The mountinfo line of the mount at `path` (absolute), fields 4 (root), 5 (mount point
 * relative to mnt_base), 6 (options), optional fields, fs type, source, super options. */
static int mountinfo_of(const char *path, char *out, size_t outlen) {
  FILE *f = fopen("/proc/self/mountinfo", "r");
  if (!f) return -1;
  char line[4096];
  int found = -1;
  while (fgets(line, sizeof line, f)) {
    char root[512], mp[512], opts[256], rest[1024];
    int id, parent;
    unsigned ma, mi;
    if (sscanf(line, "%d %d %u:%u %511s %511s %255s %1023[^\n]", &id, &parent, &ma, &mi,
               root, mp, opts, rest) != 8)
      continue;
    if (strcmp(mp, path) != 0) continue;
    const char *rel = mp;
    size_t bl = strlen(mnt_base);
    if (strncmp(mp, mnt_base, bl) == 0) rel = mp[bl] ? mp + bl : "/";
    char *dash = strstr(rest, "- ");
    /* Optional fields without their peer-group numbers. */
    char optional[256] = "";
    for (char *tok = rest; dash && tok < dash;) {
      char *end = strchr(tok, ' ');
      if (!end || end > dash) break;
      char *colon = memchr(tok, ':', end - tok);
      size_t n = colon ? (size_t)(colon - tok) : (size_t)(end - tok);
      strncat(optional, tok, n < 64 ? n : 64);
      strcat(optional, colon ? ":N " : " ");
      tok = end + 1;
    }
    snprintf(out, outlen, "root=%s mp=%s opts=%s %s%s", root, rel, opts, optional,
             dash ? dash : rest);
    found = 0; /* the last one wins: mounts stack */
  }
  fclose(f);
  return found;
}

__attribute__((unused)) static void show_mount(const char *label, const char *path) {
  char buf[4096];
  if (mountinfo_of(path, buf, sizeof buf) == 0)
    printf("%s: %s\n", label, buf);
  else
    printf("%s: not mounted\n", label);
}

__attribute__((unused)) static int write_file(const char *path, const char *s) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return -1;
  ssize_t n = write(fd, s, strlen(s));
  close(fd);
  return n < 0 ? -1 : 0;
}

__attribute__((unused)) static int exists(const char *path) {
  struct stat st;
  return lstat(path, &st) == 0;
}
#endif
