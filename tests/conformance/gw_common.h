/* Helpers of the gw_* programs: argv[1] is an empty, writable, host-backed
 * directory (natively a scratch dir; in the sandbox a --volume of one). */
#include "common.h"
#include <dirent.h>
#include <sys/wait.h>

static inline void gw_init(int argc, char **argv) {
  init(argc, argv);
  umask(022);
  if (chdir(fixture_dir) != 0) {
    printf("FAIL chdir %s\n", errname(errno));
    exit(1);
  }
}

static inline void put(const char *name, const char *data) {
  int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || write(fd, data, strlen(data)) != (ssize_t)strlen(data))
    printf("FAIL put %s\n", name);
  close(fd);
}

static inline void show(const char *name) {
  char buf[256] = {0};
  int fd = open(name, O_RDONLY);
  if (fd < 0) {
    printf("%s: open %s\n", name, errname(errno));
    return;
  }
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  printf("%s: %zd [%s]\n", name, n, n > 0 ? buf : "");
}

static inline void st(const char *name) {
  struct stat s;
  if (lstat(name, &s) != 0) {
    printf("lstat %s = -1 %s\n", name, errname(errno));
    return;
  }
  printf("%s: mode %o nlink %lu uid %u gid %u size %ld\n", name, s.st_mode,
         (unsigned long)s.st_nlink, s.st_uid, s.st_gid, (long)s.st_size);
}

/* The sorted names of directory `d`. */
static inline void ls(const char *d) {
  DIR *dir = opendir(d);
  if (!dir) {
    printf("ls %s: %s\n", d, errname(errno));
    return;
  }
  char names[256][64];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(dir)) && n < 256)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
      snprintf(names[n++], 64, "%s", e->d_name);
  closedir(dir);
  qsort(names, n, 64, (int (*)(const void *, const void *))strcmp);
  printf("ls %s:", d);
  for (int i = 0; i < n; i++)
    printf(" %s", names[i]);
  printf("\n");
}
