/* The lowest free descriptor is always the one allocated. */
#include "common.h"

int main(int argc, char **argv) {
  init(argc, argv);
  int a = T(open("/dev/null", O_RDONLY));
  int b = T(open("/dev/null", O_RDONLY));
  int c = T(open("/dev/zero", O_RDONLY));
  T(close(b));
  T(open("/dev/null", O_RDONLY));
  T(close(a));
  T(close(c));
  T(dup(0));
  T(dup(0));
  T(dup(0));
  T(dup2(0, 50));
  T(dup(0));
  T(fcntl(0, F_DUPFD, 50));
  T(fcntl(0, F_DUPFD, 50));
  T(fcntl(0, F_DUPFD, 0));
  T(fcntl(0, F_DUPFD, -1));
  T(fcntl(0, F_DUPFD, INT_MAX));
  T(fcntl(0, F_DUPFD_CLOEXEC, 100));
  T(fcntl(100, F_GETFD));
  /* closing stdin makes 0 the lowest free fd */
  T(close(0));
  T(open("/dev/null", O_RDONLY));
  /* many descriptors */
  int last = -1;
  for (int i = 0; i < 200; i++)
    last = open("/dev/null", O_RDONLY);
  SAY("200th open: %d", last);
  for (int i = 3; i <= last; i++)
    close(i);
  T(open("/dev/null", O_RDONLY));
  return 0;
}
