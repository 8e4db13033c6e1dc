/* Helpers of the ovl_* programs: they change files of a fixture tree on the host's
 * root file system (argv[1]), which in the sandbox is the lower layer of the in-memory
 * overlay. The harness (tests/tests/overlay.rs) builds the same tree for the native and
 * the sandboxed run:
 *
 *   f.txt "0123456789\n" 0644, g.txt "lower g\n" 0644, ro.txt "read only\n" 0444,
 *   big.bin (3*4096+100 bytes, ovl_pat()) 0644, dir/ {a "A\n", b "B\n", sub/ {c "C\n"}},
 *   dir2/ {x "X\n"}, empty/, link -> f.txt (directories 0755); f.txt has the
 *   extended attribute user.lower="L"
 *
 * ovl_reset() (call last) puts the tree back as it was, so a native run leaves the host
 * as it found it. */
#include "common.h"
#include <dirent.h>
#include <sys/time.h>

static char ovl_pat(size_t i) { return 'a' + (i * 7) % 26; }

/* "<fixture>/name" (8 rotating buffers). */
#define P(name) fx(name)

static int ovl_cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Print the sorted entries of a directory with their types. */
static void ovl_list(const char *name) {
  DIR *d = opendir(P(name));
  if (!d) {
    printf("list %s: %s\n", name, errname(errno));
    return;
  }
  char *names[256];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 256) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
      continue;
    char t = e->d_type == DT_DIR ? 'd' : e->d_type == DT_REG ? 'f' : e->d_type == DT_LNK ? 'l' : '?';
    char *s = malloc(300);
    snprintf(s, 300, "%s:%c", e->d_name, t);
    names[n++] = s;
  }
  closedir(d);
  qsort(names, n, sizeof names[0], ovl_cmp);
  printf("list %s:", name);
  for (int i = 0; i < n; i++) {
    printf(" %s", names[i]);
    free(names[i]);
  }
  printf("\n");
}

/* Print a file's content (up to 200 bytes, escaped newlines). */
static void ovl_cat(const char *name) {
  int fd = open(P(name), O_RDONLY);
  if (fd < 0) {
    printf("cat %s: %s\n", name, errname(errno));
    return;
  }
  char buf[201];
  ssize_t n = read(fd, buf, 200);
  close(fd);
  if (n < 0) {
    printf("cat %s: read %s\n", name, errname(errno));
    return;
  }
  printf("cat %s: \"", name);
  for (ssize_t i = 0; i < n; i++)
    if (buf[i] == '\n')
      printf("\\n");
    else
      putchar(buf[i]);
  printf("\"\n");
}

/* Print type, permissions, size and link count (not for directories: their link
 * counts differ on overlays). */
static void ovl_stat(const char *name) {
  struct stat s;
  if (lstat(P(name), &s) < 0) {
    printf("stat %s: %s\n", name, errname(errno));
    return;
  }
  if (S_ISDIR(s.st_mode))
    printf("stat %s: dir mode=%o\n", name, s.st_mode & 07777);
  else
    printf("stat %s: mode=%o size=%ld nlink=%lu\n", name, s.st_mode, (long)s.st_size,
           (unsigned long)s.st_nlink);
}

static void ovl_write(const char *name, const char *data, mode_t mode) {
  int fd = open(P(name), O_WRONLY | O_CREAT | O_TRUNC, mode);
  if (fd < 0 || write(fd, data, strlen(data)) != (ssize_t)strlen(data)) {
    printf("ovl_write %s: FAIL %s\n", name, errname(errno));
    exit(101);
  }
  close(fd);
  chmod(P(name), mode);
}

/* rm -rf of a path below the fixture (absolute path given). */
static void ovl_rm_abs(const char *path) {
  struct stat s;
  if (lstat(path, &s) < 0)
    return;
  if (S_ISDIR(s.st_mode)) {
    chmod(path, 0755);
    DIR *d = opendir(path);
    struct dirent *e;
    char names[256][256];
    int n = 0;
    while (d && (e = readdir(d)) && n < 256) {
      if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
        snprintf(names[n++], 256, "%s", e->d_name);
    }
    if (d)
      closedir(d);
    for (int i = 0; i < n; i++) {
      char sub[PATH_MAX];
      snprintf(sub, sizeof sub, "%s/%s", path, names[i]);
      ovl_rm_abs(sub);
    }
    rmdir(path);
  } else {
    unlink(path);
  }
}

static void ovl_reset(void) {
  DIR *d = opendir(fixture_dir);
  struct dirent *e;
  char names[256][256];
  int n = 0;
  while (d && (e = readdir(d)) && n < 256) {
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
      snprintf(names[n++], 256, "%s", e->d_name);
  }
  if (d)
    closedir(d);
  for (int i = 0; i < n; i++)
    ovl_rm_abs(P(names[i]));
  ovl_write("f.txt", "0123456789\n", 0644);
  ovl_write("g.txt", "lower g\n", 0644);
  ovl_write("ro.txt", "read only\n", 0444);
  static char big[3 * 4096 + 100];
  for (size_t i = 0; i < sizeof big; i++)
    big[i] = ovl_pat(i);
  int fd = open(P("big.bin"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || write(fd, big, sizeof big) != (ssize_t)sizeof big)
    printf("reset big.bin: FAIL\n");
  close(fd);
  mkdir(P("dir"), 0755);
  mkdir(P("dir/sub"), 0755);
  mkdir(P("dir2"), 0755);
  mkdir(P("empty"), 0755);
  chmod(P("dir"), 0755);
  chmod(P("dir/sub"), 0755);
  chmod(P("dir2"), 0755);
  chmod(P("empty"), 0755);
  ovl_write("dir/a", "A\n", 0644);
  ovl_write("dir/b", "B\n", 0644);
  ovl_write("dir/sub/c", "C\n", 0644);
  ovl_write("dir2/x", "X\n", 0644);
  if (symlink("f.txt", P("link")) < 0)
    printf("reset link: FAIL\n");
}
