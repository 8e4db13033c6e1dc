/* /dev/zero: reads fill with zeroes, writes are swallowed. */
#include "common.h"
#include <sys/uio.h>

int main(int argc, char **argv) {
  init(argc, argv);
  static char buf[3 * 4096 + 17];
  memset(buf, 0x5a, sizeof buf);
  int fd = T(open("/dev/zero", O_RDWR));
  T(read(fd, buf, 100));
  CHECK(buf[0] == 0 && buf[99] == 0 && buf[100] == 0x5a);
  T(read(fd, buf, sizeof buf));
  size_t nz = 0;
  for (size_t i = 0; i < sizeof buf; i++)
    nz += buf[i] != 0;
  SAY("nonzero after big read: %zu", nz);
  memset(buf, 0x5a, sizeof buf);
  T(pread(fd, buf, 50, 999));
  CHECK(buf[49] == 0 && buf[50] == 0x5a);
  struct iovec iov[2] = {{buf + 200, 3}, {buf + 300, 4}};
  memset(buf, 1, 400);
  T(readv(fd, iov, 2));
  CHECK(buf[199] == 1 && buf[200] == 0 && buf[202] == 0 && buf[203] == 1);
  CHECK(buf[299] == 1 && buf[303] == 0 && buf[304] == 1);
  memset(buf, 1, 400);
  T(preadv(fd, iov, 2, 77));
  CHECK(buf[200] == 0 && buf[303] == 0 && buf[304] == 1);
  T(write(fd, buf, 400));
  T(pwrite(fd, buf, 400, 5));
  T(writev(fd, iov, 2));
  T(pwritev(fd, iov, 2, 0));
  T(lseek(fd, 100, SEEK_SET));
  T(read(fd, buf, 0));
  T(close(fd));
  return 0;
}
