/* truncate/ftruncate on host-backed files: grow, shrink, holes, errors. */
#include "gw_common.h"

int main(int argc, char **argv) {
  gw_init(argc, argv);
  put("f", "0123456789");
  T(truncate("f", 4));
  show("f");
  T(truncate("f", 8));
  char buf[16];
  int fd = open("f", O_RDWR);
  T(read(fd, buf, sizeof buf));
  SAY("%c%c%c%c %d %d %d %d", buf[0], buf[1], buf[2], buf[3], buf[4], buf[5], buf[6], buf[7]);
  T(ftruncate(fd, 100000));
  struct stat s;
  T(fstat(fd, &s));
  SAY("size %ld", (long)s.st_size);
  T(pread(fd, buf, 4, 99998));
  T(ftruncate(fd, 0));
  T(fstat(fd, &s));
  SAY("size %ld", (long)s.st_size);
  T(ftruncate(fd, -1));
  T(truncate("f", -1));
  T(truncate("missing", 0));
  mkdir("d", 0755);
  T(truncate("d", 0));
  int ro = open("f", O_RDONLY);
  T(ftruncate(ro, 0));
  T(ftruncate(12345, 0));
  /* Writing past the end after a shrink leaves a hole of zeros. */
  T(pwrite(fd, "Z", 1, 5));
  T(pread(fd, buf, 10, 0));
  SAY("%d %d %c", buf[0], buf[4], buf[5]);
  /* O_TRUNC on open. */
  close(fd);
  fd = T(open("f", O_WRONLY | O_TRUNC) >= 0);
  st("f");
  return 0;
}
