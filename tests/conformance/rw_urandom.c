/* /dev/urandom and /dev/random: reads return the requested length of varying data. */
#include "common.h"
#include <sys/uio.h>

static int all_zero(const unsigned char *b, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (b[i])
      return 0;
  return 1;
}

int main(int argc, char **argv) {
  init(argc, argv);
  static unsigned char a[65536], b[65536];
  const char *devs[] = {"/dev/urandom", "/dev/random"};
  for (int d = 0; d < 2; d++) {
    SAY("== %s", devs[d]);
    int fd = T(open(devs[d], O_RDONLY));
    T(read(fd, a, 1));
    T(read(fd, a, 16));
    T(read(fd, a, sizeof a));
    T(read(fd, b, sizeof b));
    CHECK(!all_zero(a, sizeof a));
    CHECK(memcmp(a, b, sizeof a) != 0);
    T(pread(fd, a, 32, 0));
    struct iovec iov[2] = {{a, 10}, {b, 20}};
    T(readv(fd, iov, 2));
    T(read(fd, a, 0));
    T(lseek(fd, 0, SEEK_CUR));
    T(close(fd));
    fd = T(open(devs[d], O_WRONLY));
    /* Writing mixes the data into the pool (allowed for anyone). */
    T(write(fd, "some entropy", 12));
    T(close(fd));
  }
  return 0;
}
