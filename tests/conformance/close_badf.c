/* close and EBADF everywhere. */
#include "common.h"
#include <sys/uio.h>
#include <sys/ioctl.h>

int main(int argc, char **argv) {
  init(argc, argv);
  char buf[16];
  struct stat st;
  struct iovec iov = {buf, sizeof buf};
  T(close(-1));
  T(close(3));
  T(close(1000));
  T(close(INT_MAX));
  T(syscall(SYS_close, 0x100000000L | 3)); /* upper bits of the fd are ignored */
  int fd = T(open("/dev/null", O_RDONLY));
  T(syscall(SYS_close, 0x100000000L | fd));
  T(close(fd));
  fd = T(open("/dev/null", O_RDONLY));
  T(close(fd));
  T(close(fd));
  T(read(fd, buf, 1));
  T(write(fd, buf, 1));
  T(pread(fd, buf, 1, 0));
  T(pwrite(fd, buf, 1, 0));
  T(readv(fd, &iov, 1));
  T(writev(fd, &iov, 1));
  T(lseek(fd, 0, SEEK_SET));
  T(fstat(fd, &st));
  T(fcntl(fd, F_GETFD));
  T(fcntl(fd, F_GETFL));
  T(dup(fd));
  T(dup2(fd, 10));
  T(ioctl(fd, FIONREAD, &st));
  T(fchdir(fd));
  T(syscall(SYS_getdents64, fd, buf, sizeof buf));
  T(read(-5, buf, 1));
  T(write(-1, buf, 1));
  T(write(INT_MAX, buf, 1));
  T(fstat(-100, &st));
  return 0;
}
