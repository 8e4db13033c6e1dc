/* Sandbox-only escape probe. Arguments:
 *   PATH           open+read PATH: "PATH: <first bytes>" or "PATH: ERRNO"; directories are
 *                  listed ("PATH: [names]")
 *   fd:PATH:REST   open PATH, then open "/proc/self/fd/<fd>/REST"
 *   at2:DIR:REST   openat2(DIR fd, REST) with no resolve flags and with RESOLVE_BENEATH
 *   race:SECS:PATH open+read PATH in a loop for SECS seconds; print how often it opened,
 *                  and any content that is not "INSIDE" (an escape).
 * Static, so it runs in a rootfs that holds nothing else. */
#include "common.h"
#include <dirent.h>
#include <linux/openat2.h>
#include <time.h>

static void report(const char *label, int fd) {
  if (fd < 0) {
    SAY("%s: %s", label, errname(errno));
    return;
  }
  struct stat st;
  fstat(fd, &st);
  if (S_ISDIR(st.st_mode)) {
    static char buf[65536];
    long r;
    printf("%s: [", label);
    while ((r = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0)
      for (long off = 0; off < r;) {
        struct dirent64 *d = (struct dirent64 *)(buf + off);
        printf(" %s", d->d_name);
        off += d->d_reclen;
      }
    printf(" ]\n");
  } else {
    char buf[128] = {0};
    ssize_t n = read(fd, buf, sizeof buf - 1);
    for (ssize_t i = 0; i < n; i++)
      if (buf[i] == '\n')
        buf[i] = ' ';
    SAY("%s: %s", label, n >= 0 ? buf : errname(errno));
  }
  close(fd);
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  static char outbuf[BUFSIZ];
  setvbuf(stdout, outbuf, _IOLBF, sizeof outbuf);
  for (int i = 1; i < argc; i++) {
    char *a = argv[i];
    if (strncmp(a, "fd:", 3) == 0) {
      char *path = a + 3, *rest = strchr(path, ':');
      *rest++ = 0;
      int fd = open(path, O_RDONLY);
      char p[512];
      snprintf(p, sizeof p, "/proc/self/fd/%d/%s", fd, rest);
      char label[600];
      snprintf(label, sizeof label, "fd:%s:%s", path, rest);
      report(label, open(p, O_RDONLY));
      close(fd);
    } else if (strncmp(a, "at2:", 4) == 0) {
      char *dir = a + 4, *rest = strchr(dir, ':');
      *rest++ = 0;
      int dfd = open(dir, O_RDONLY | O_DIRECTORY);
      char label[600];
      struct open_how how = {.flags = O_RDONLY};
      snprintf(label, sizeof label, "at2:%s:%s", dir, rest);
      report(label, syscall(SYS_openat2, dfd, rest, &how, sizeof how));
      how.resolve = RESOLVE_BENEATH;
      snprintf(label, sizeof label, "at2-beneath:%s:%s", dir, rest);
      report(label, syscall(SYS_openat2, dfd, rest, &how, sizeof how));
      how.resolve = RESOLVE_IN_ROOT;
      snprintf(label, sizeof label, "at2-in-root:%s:%s", dir, rest);
      report(label, syscall(SYS_openat2, dfd, rest, &how, sizeof how));
      close(dfd);
    } else if (strncmp(a, "race:", 5) == 0) {
      double secs = atof(a + 5);
      char *path = strchr(a + 5, ':') + 1;
      long opened = 0, failed = 0, escaped = 0;
      double end = now() + secs;
      while (now() < end) {
        int fd = open(path, O_RDONLY);
        if (fd < 0) {
          failed++;
          continue;
        }
        char buf[64] = {0};
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        opened++;
        if (n > 0 && strncmp(buf, "INSIDE", 6) != 0) {
          if (escaped++ < 3)
            SAY("race: read %s", buf);
        }
      }
      SAY("race: opened %d failed %d escaped %ld", opened > 0, failed > 0, escaped);
    } else {
      report(a, open(a, O_RDONLY));
    }
  }
  return 0;
}
