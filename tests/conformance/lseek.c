/* lseek: SEEK_SET/CUR/END/DATA/HOLE, errors, devices and directories. */
#include "common.h"

int main(int argc, char **argv) {
  init(argc, argv);
  char c;
  int fd = T(open(fx("file.txt"), O_RDONLY));
  T(lseek(fd, 100, SEEK_SET));
  T(lseek(fd, 10, SEEK_CUR));
  T(lseek(fd, -10, SEEK_CUR));
  T(lseek(fd, -200, SEEK_CUR));
  T(lseek(fd, 0, SEEK_CUR));
  T(lseek(fd, 0, SEEK_END));
  T(lseek(fd, -10, SEEK_END));
  T(read(fd, &c, 1));
  SAY("byte at 9990: %c", c);
  T(lseek(fd, -10001, SEEK_END));
  T(lseek(fd, 1000, SEEK_END));
  T(read(fd, &c, 1));
  T(lseek(fd, -1, SEEK_SET));
  T(lseek(fd, 0, 5));
  T(lseek(fd, 0, 99));
  T(lseek(fd, 0, -1));
  T(lseek(fd, 0, SEEK_DATA));
  T(lseek(fd, 5000, SEEK_DATA));
  T(lseek(fd, 0, SEEK_HOLE));
  T(lseek(fd, 10000, SEEK_DATA));
  T(lseek(fd, 20000, SEEK_HOLE));
  T(lseek(fd, 0, SEEK_CUR));
  T(close(fd));
  T(lseek(fd, 0, SEEK_SET));
  T(lseek(-1, 0, SEEK_SET));

  fd = T(open("/dev/null", O_RDONLY));
  T(lseek(fd, 100, SEEK_SET));
  T(lseek(fd, 100, SEEK_CUR));
  T(lseek(fd, -100, SEEK_END));
  T(close(fd));
  fd = T(open("/dev/zero", O_RDONLY));
  T(lseek(fd, 100, SEEK_SET));
  T(lseek(fd, 0, SEEK_CUR));
  T(close(fd));

  fd = T(open(fx("empty"), O_RDONLY));
  T(lseek(fd, 0, SEEK_END));
  T(lseek(fd, 0, SEEK_DATA));
  T(close(fd));

  fd = T(open(fx("dir"), O_RDONLY | O_DIRECTORY));
  T(lseek(fd, 0, SEEK_SET));
  T(lseek(fd, 0, SEEK_CUR));
  T(lseek(fd, -1, SEEK_SET));
  T(close(fd));
  return 0;
}
