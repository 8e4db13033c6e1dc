/* fcntl: F_DUPFD(_CLOEXEC), F_GETFD/F_SETFD, F_GETFL/F_SETFL, errors. */
#include "common.h"

#define FL(fd) printf("F_GETFL(%s) = %#o\n", #fd, fcntl(fd, F_GETFL))

int main(int argc, char **argv) {
  init(argc, argv);
  int r = T(open(fx("file.txt"), O_RDONLY));
  int w = T(open("/dev/null", O_WRONLY));
  int rw = T(open("/dev/null", O_RDWR | O_APPEND | O_NONBLOCK));
  int p = T(open(fx("file.txt"), O_PATH));
  FL(r);
  FL(w);
  FL(rw);
  FL(p);
  T(fcntl(r, F_GETFD));
  T(fcntl(r, F_SETFD, FD_CLOEXEC));
  T(fcntl(r, F_GETFD));
  T(fcntl(r, F_SETFD, 0xff)); /* only FD_CLOEXEC is kept */
  T(fcntl(r, F_GETFD));
  T(fcntl(r, F_SETFD, 0));
  T(fcntl(r, F_GETFD));
  /* F_SETFL changes only O_APPEND, O_ASYNC, O_DIRECT, O_NOATIME, O_NONBLOCK */
  T(fcntl(r, F_SETFL, O_NONBLOCK | O_APPEND));
  FL(r);
  T(fcntl(r, F_SETFL, O_RDWR | O_CREAT | O_EXCL | O_TRUNC));
  FL(r);
  T(fcntl(rw, F_SETFL, 0));
  FL(rw);
  T(fcntl(p, F_SETFL, O_NONBLOCK));
  /* dup */
  T(fcntl(r, F_DUPFD, 0));
  T(fcntl(r, F_DUPFD, 30));
  T(fcntl(30, F_GETFD));
  T(fcntl(r, F_DUPFD_CLOEXEC, 30));
  T(fcntl(31, F_GETFD));
  FL(31);
  T(fcntl(r, F_DUPFD, -5));
  T(fcntl(p, F_DUPFD, 40));
  T(fcntl(p, F_GETFD));
  /* errors */
  T(fcntl(-1, F_GETFD));
  T(fcntl(999, F_GETFL));
  T(fcntl(999, F_SETFD, 1));
  T(fcntl(r, 12345));
  T(fcntl(r, -1));
  return 0;
}
