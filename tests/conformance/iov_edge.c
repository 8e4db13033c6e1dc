/* readv/writev/preadv/pwritev argument edge cases: counts, lengths, zero-length vectors. */
#include "common.h"
#include <sys/uio.h>

int main(int argc, char **argv) {
  init(argc, argv);
  static char buf[8192];
  static struct iovec many[1100];
  for (int i = 0; i < 1100; i++) {
    many[i].iov_base = buf + i;
    many[i].iov_len = 1;
  }
  int zero = T(open("/dev/zero", O_RDONLY));
  int null = T(open("/dev/null", O_WRONLY));
  int file = T(open(fx("file.txt"), O_RDONLY));
  T(readv(zero, many, 0));
  T(readv(zero, many, 1024));
  T(readv(zero, many, 1025));
  T(syscall(SYS_readv, zero, many, -1));
  T(writev(null, many, 1024));
  T(writev(null, many, 1025));
  T(syscall(SYS_readv, zero, NULL, 0));
  T(syscall(SYS_writev, null, BADPTR, 0));
  struct iovec z[3] = {{BADPTR, 0}, {buf, 4}, {NULL, 0}};
  T(readv(zero, z, 3));
  T(writev(null, z, 3));
  T(readv(file, z, 3));
  SAY("read: %.4s", buf);
  /* total length overflowing ssize_t */
  struct iovec big[2] = {{buf, (size_t)1 << 62}, {buf, (size_t)1 << 62}};
  T(writev(null, big, 2));
  struct iovec neg[1] = {{buf, (size_t)-1}};
  T(writev(null, neg, 1));
  T(readv(zero, neg, 1));
  /* a huge but valid-looking length to /dev/null is fine */
  struct iovec hugeok[1] = {{buf, (size_t)1 << 40}};
  T(writev(null, hugeok, 1));
  /* positional variants: negative offsets, devices, files */
  struct iovec two[2] = {{buf, 3}, {buf + 10, 3}};
  T(preadv(file, two, 2, 0));
  SAY("preadv: %.3s %.3s", buf, buf + 10);
  T(preadv(file, two, 2, -1));
  T(pwritev(null, two, 2, -1));
  T(preadv(file, two, 2, 9998));
  T(preadv(file, two, 2, 10000));
  T(pwritev(file, two, 2, 0));
  T(preadv(null, two, 2, 0));
  T(syscall(SYS_preadv2, file, two, 2, 0L, 0L, 0));
  T(syscall(SYS_preadv2, file, two, 2, -1L, 0L, 0));
  T(lseek(file, 0, SEEK_CUR));
  return 0;
}
