/* ioctl: FIONREAD on files, FIOCLEX/FIONCLEX, ENOTTY for terminal ioctls on non-ttys. */
#include "common.h"
#include <sys/ioctl.h>
#include <termios.h>

int main(int argc, char **argv) {
  init(argc, argv);
  int n = -1;
  int fd = T(open(fx("file.txt"), O_RDONLY));
  T(ioctl(fd, FIONREAD, &n));
  SAY("FIONREAD: %d", n);
  T(lseek(fd, 9000, SEEK_SET));
  T(ioctl(fd, FIONREAD, &n));
  SAY("FIONREAD: %d", n);
  T(lseek(fd, 20000, SEEK_SET));
  T(ioctl(fd, FIONREAD, &n));
  SAY("FIONREAD: %d", n);
  T(ioctl(fd, FIONREAD, BADPTR));
  T(fcntl(fd, F_GETFD));
  T(ioctl(fd, FIOCLEX));
  T(fcntl(fd, F_GETFD));
  T(ioctl(fd, FIONCLEX));
  T(fcntl(fd, F_GETFD));
  struct termios t;
  struct winsize ws;
  T(ioctl(fd, TCGETS, &t));
  T(ioctl(fd, TIOCGWINSZ, &ws));
  T(ioctl(fd, TIOCGPGRP, &n));
  T(isatty(fd));
  T(ioctl(fd, 0x12345678, &n));
  T(ioctl(fd, FIONBIO, &(int){1}));
  T(fcntl(fd, F_GETFL) & O_NONBLOCK);
  T(ioctl(fd, FIONBIO, &(int){0}));
  T(fcntl(fd, F_GETFL) & O_NONBLOCK);
  T(ioctl(fd, FIOASYNC, &(int){0}));
  T(close(fd));

  fd = T(open("/dev/null", O_RDWR));
  T(ioctl(fd, TCGETS, &t));
  T(ioctl(fd, TIOCGWINSZ, &ws));
  T(isatty(fd));
  T(ioctl(fd, FIOCLEX));
  T(fcntl(fd, F_GETFD));
  T(close(fd));

  fd = T(open(fx("dir"), O_RDONLY | O_DIRECTORY));
  T(ioctl(fd, TCGETS, &t));
  T(ioctl(fd, FIOCLEX));
  T(fcntl(fd, F_GETFD));
  T(close(fd));

  fd = T(open(fx("small.txt"), O_PATH));
  T(ioctl(fd, FIOCLEX));
  T(ioctl(fd, FIONREAD, &n));
  T(close(fd));

  T(ioctl(-1, FIONREAD, &n));
  T(ioctl(77, FIOCLEX));
  /* stdout is a pipe in both runs: not a terminal */
  T(ioctl(1, TCGETS, &t));
  T(isatty(1));
  return 0;
}
