/* dup, dup2, dup3: numbering, shared offsets, cloexec, errors. */
#include "common.h"

int main(int argc, char **argv) {
  init(argc, argv);
  char buf[8];
  int fd = T(open(fx("file.txt"), O_RDONLY));
  int d = T(dup(fd));
  T(read(fd, buf, 8));
  T(lseek(d, 0, SEEK_CUR)); /* the offset is shared */
  T(fcntl(d, F_GETFD));
  T(dup2(fd, 10));
  T(lseek(10, 0, SEEK_CUR));
  T(dup2(fd, fd)); /* same fd: returns it */
  T(dup2(12, 12)); /* same but not open */
  T(dup2(fd, d)); /* replaces an open fd */
  T(dup2(-1, 5));
  T(dup2(fd, -1));
  T(dup2(fd, INT_MAX));
  T(dup3(fd, fd, 0));
  T(dup3(fd, 11, O_CLOEXEC));
  T(fcntl(11, F_GETFD));
  T(dup3(fd, 12, 0));
  T(fcntl(12, F_GETFD));
  T(dup3(fd, 13, O_NONBLOCK));
  T(dup3(fd, 13, 0x1234));
  T(dup3(fd, -1, 0));
  T(dup3(99, 13, 0));
  T(fcntl(13, F_GETFD));
  /* dup of a cloexec fd is not cloexec */
  int dd = T(dup(11));
  T(fcntl(dd, F_GETFD));
  /* O_CLOEXEC on open */
  int c = T(open("/dev/null", O_RDONLY | O_CLOEXEC));
  T(fcntl(c, F_GETFD));
  T(dup2(c, 20));
  T(fcntl(20, F_GETFD));
  /* status flags are shared between duplicates */
  T(fcntl(fd, F_SETFL, O_NONBLOCK));
  T(fcntl(10, F_GETFL) & O_NONBLOCK);
  T(close(fd));
  T(read(10, buf, 1)); /* still open through the duplicate */
  T(dup(1000));
  return 0;
}
