/* Sandbox-only: for each path argument print what open+read gives ("path: content" or
 * "path: ERRNO"); "ls:DIR" prints the sorted names of a directory. Static, so it can run
 * in a rootfs that holds nothing else. */
#include "common.h"
#include <dirent.h>

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv) {
  static char outbuf[BUFSIZ];
  setvbuf(stdout, outbuf, _IOLBF, sizeof outbuf);
  for (int i = 1; i < argc; i++) {
    if (strncmp(argv[i], "ls:", 3) == 0) {
      const char *dir = argv[i] + 3;
      int fd = open(dir, O_RDONLY | O_DIRECTORY);
      if (fd < 0) {
        SAY("%s: %s", argv[i], errname(errno));
        continue;
      }
      static char buf[65536];
      static char *names[1024];
      int n = 0;
      long r;
      while ((r = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0)
        for (long off = 0; off < r;) {
          struct dirent64 *d = (struct dirent64 *)(buf + off);
          if (n < 1024)
            names[n++] = strdup(d->d_name);
          off += d->d_reclen;
        }
      qsort(names, n, sizeof names[0], cmp);
      printf("%s:", argv[i]);
      for (int j = 0; j < n; j++)
        printf(" %s", names[j]);
      printf("\n");
      close(fd);
      continue;
    }
    int fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      SAY("%s: %s", argv[i], errname(errno));
      continue;
    }
    char buf[256];
    long n = read(fd, buf, sizeof buf - 1);
    if (n < 0) {
      SAY("%s: read %s", argv[i], errname(errno));
    } else {
      buf[n] = 0;
      if (n > 0 && buf[n - 1] == '\n')
        buf[n - 1] = 0;
      SAY("%s: \"%s\"", argv[i], buf);
    }
    close(fd);
  }
  char cwd[PATH_MAX];
  SAY("cwd: %s", getcwd(cwd, sizeof cwd) ? cwd : errname(errno));
  return 0;
}
