/* fallocate on a host-backed file: allocation, KEEP_SIZE, punched holes, errors. */
#include "gw_common.h"
#include <linux/falloc.h>

int main(int argc, char **argv) {
  gw_init(argc, argv);
  int fd = open("f", O_RDWR | O_CREAT, 0644);
  struct stat s;
  T(fallocate(fd, 0, 0, 10000));
  T(fstat(fd, &s));
  SAY("size %ld", (long)s.st_size);
  T(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 50000));
  T(fstat(fd, &s));
  SAY("size %ld", (long)s.st_size);
  char buf[8192];
  memset(buf, 'q', sizeof buf);
  T(pwrite(fd, buf, sizeof buf, 0));
  T(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096));
  T(pread(fd, buf, 8192, 0));
  SAY("%d %d %c", buf[0], buf[4095], buf[4096]);
  T(fstat(fd, &s));
  SAY("size %ld", (long)s.st_size);
  T(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 4096));
  T(fallocate(fd, 0, -1, 10));
  T(fallocate(fd, 0, 0, 0));
  T(fallocate(fd, 0x8000, 0, 10));
  int ro = open("f", O_RDONLY);
  T(fallocate(ro, 0, 0, 10));
  int ap = open("f", O_WRONLY | O_APPEND);
  T(fallocate(ap, 0, 0, 10));
  int dir = open(".", O_RDONLY);
  T(fallocate(dir, 0, 0, 10));
  T(posix_fallocate(fd, 0, 20000) == 0);
  T(fstat(fd, &s));
  SAY("size %ld", (long)s.st_size);
  return 0;
}
