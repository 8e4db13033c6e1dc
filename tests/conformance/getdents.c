/* getdents64: names and types of a fixture directory and of a big host directory. */
#include "common.h"
#include <dirent.h>

struct ent {
  char name[256];
  unsigned char type;
};
static struct ent ents[4096];

static int cmp(const void *a, const void *b) {
  return strcmp(((const struct ent *)a)->name, ((const struct ent *)b)->name);
}

/* Reads the whole directory with buffers of bufsize bytes; returns the entry count. */
static int list(int fd, size_t bufsize, int *calls) {
  static char buf[65536];
  int n = 0;
  *calls = 0;
  for (;;) {
    long r = syscall(SYS_getdents64, fd, buf, bufsize);
    (*calls)++;
    if (r < 0) {
      SAY("getdents64 = -1 %s", errname(errno));
      return n;
    }
    if (r == 0)
      return n;
    for (long off = 0; off < r;) {
      struct dirent64 *d = (struct dirent64 *)(buf + off);
      if (n < 4096) {
        strcpy(ents[n].name, d->d_name);
        ents[n].type = d->d_type;
        n++;
      }
      if (d->d_reclen % 8 != 0 || d->d_reclen < 20)
        SAY("FAIL: bad d_reclen %d", d->d_reclen);
      off += d->d_reclen;
    }
  }
}

static void dump(const char *path, size_t bufsize, int print) {
  int fd = open(path, O_RDONLY | O_DIRECTORY);
  if (fd < 0) {
    SAY("open %s: %s", path, errname(errno));
    return;
  }
  int calls;
  int n = list(fd, bufsize, &calls);
  qsort(ents, n, sizeof ents[0], cmp);
  SAY("entries: %d (buffer %zu, more than one call: %d)", n, bufsize, calls > 2);
  unsigned long h = 0;
  for (int i = 0; i < n; i++) {
    h = h * 131 + sum(ents[i].name, strlen(ents[i].name)) + ents[i].type;
    if (print)
      SAY("  %s type %d", ents[i].name, ents[i].type);
  }
  SAY("hash: %lu", h);
  /* Rewind and read again: same count. */
  T(lseek(fd, 0, SEEK_SET));
  int n2 = list(fd, bufsize, &calls);
  CHECK(n2 == n);
  close(fd);
}

int main(int argc, char **argv) {
  init(argc, argv);
  dump(fixture_dir, 65536, 1);
  dump(fx("dir"), 65536, 1);
  dump(fx("dir/sub"), 65536, 1);
  dump(fx("dir"), 32, 0);
  dump("/usr/include/linux", 65536, 1);
  dump("/usr/include/linux", 1024, 0);
  dump("/usr/include/linux", 280, 0);

  char buf[512];
  int fd = T(open(fx("dir"), O_RDONLY | O_DIRECTORY));
  T(syscall(SYS_getdents64, fd, buf, 0));
  T(syscall(SYS_getdents64, fd, buf, 10));
  T(syscall(SYS_getdents64, fd, (void *)1, sizeof buf));
  T(syscall(SYS_getdents64, fd, buf, sizeof buf) > 0);
  T(syscall(SYS_getdents64, fd, buf, sizeof buf));
  T(syscall(SYS_getdents64, fd, buf, sizeof buf));
  close(fd);
  fd = T(open(fx("file.txt"), O_RDONLY));
  T(syscall(SYS_getdents64, fd, buf, sizeof buf));
  close(fd);
  fd = T(open(fx("dir"), O_PATH));
  T(syscall(SYS_getdents64, fd, buf, sizeof buf));
  close(fd);
  T(syscall(SYS_getdents64, 999, buf, sizeof buf));
  return 0;
}
