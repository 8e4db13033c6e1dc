/* read/write/pread/pwrite/readv/writev/preadv/pwritev on /dev/null. */
#include "common.h"
#include <sys/uio.h>

int main(int argc, char **argv) {
  init(argc, argv);
  char buf[64];
  memset(buf, 'x', sizeof buf);
  int fd = T(open("/dev/null", O_RDWR));
  T(read(fd, buf, sizeof buf));
  T(read(fd, buf, 0));
  T(write(fd, buf, sizeof buf));
  T(write(fd, buf, 0));
  volatile size_t big = 1 << 20;
  T(write(fd, buf, big)); /* /dev/null never touches the buffer */
  T(pread(fd, buf, 10, 0));
  T(pread(fd, buf, 10, 1000000));
  T(pwrite(fd, buf, 10, 123));
  T(pread(fd, buf, 10, -1));
  T(pwrite(fd, buf, 10, -1));
  struct iovec iov[3] = {{buf, 5}, {buf + 5, 0}, {buf + 10, 7}};
  T(readv(fd, iov, 3));
  T(writev(fd, iov, 3));
  T(preadv(fd, iov, 3, 0));
  T(pwritev(fd, iov, 3, 4096));
  T(syscall(SYS_preadv, fd, iov, 3, -1L, 0L));
  T(lseek(fd, 0, SEEK_CUR));
  T(lseek(fd, 12345, SEEK_SET));
  T(lseek(fd, 0, SEEK_END));
  CHECK(buf[0] == 'x' && buf[63] == 'x');
  T(close(fd));

  fd = T(open("/dev/null", O_RDONLY));
  T(write(fd, buf, 1));
  T(read(fd, buf, 1));
  T(close(fd));
  fd = T(open("/dev/null", O_WRONLY));
  T(read(fd, buf, 1));
  T(write(fd, buf, 1));
  T(writev(fd, iov, 3));
  T(readv(fd, iov, 3));
  T(close(fd));
  return 0;
}
