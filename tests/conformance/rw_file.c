/* Reads of a regular (read-only opened) host file with every read flavour. */
#include "common.h"
#include <sys/uio.h>

int main(int argc, char **argv) {
  init(argc, argv);
  static char buf[20000];
  int fd = T(open(fx("file.txt"), O_RDONLY));
  T(read(fd, buf, 100));
  int good = 1;
  for (int i = 0; i < 100; i++)
    good &= buf[i] == (char)pattern_byte(i);
  CHECK(good);
  SAY("first bytes: %.20s", buf);
  T(lseek(fd, 0, SEEK_CUR));
  T(read(fd, buf, sizeof buf)); /* rest of the file: 9900 */
  SAY("sum: %lu", sum(buf, 9900));
  T(read(fd, buf, sizeof buf)); /* EOF */
  T(pread(fd, buf, 10, 4090));
  SAY("pread@4090: %.10s", buf);
  T(pread(fd, buf, 100, 9995));
  T(pread(fd, buf, 100, 10000));
  T(pread(fd, buf, 100, 1L << 40));
  T(pread(fd, buf, 100, -5));
  T(lseek(fd, 0, SEEK_CUR)); /* pread does not move the offset */
  T(lseek(fd, 4000, SEEK_SET));
  struct iovec iov[3] = {{buf, 50}, {buf + 1000, 0}, {buf + 2000, 150}};
  T(readv(fd, iov, 3));
  SAY("readv: %.10s %.10s", buf, buf + 2000);
  T(lseek(fd, 0, SEEK_CUR));
  T(preadv(fd, iov, 3, 8192));
  SAY("preadv: %.10s %.10s", buf, buf + 2000);
  T(preadv(fd, iov, 3, 9990));
  T(lseek(fd, 0, SEEK_CUR));
  /* Reads that cross page boundaries of the page cache, one byte at a time. */
  T(lseek(fd, 4094, SEEK_SET));
  for (int i = 0; i < 4; i++)
    T(read(fd, buf + i, 1));
  SAY("bytes 4094..4097: %.4s", buf);
  /* Write access on an O_RDONLY fd. */
  T(write(fd, buf, 1));
  T(pwrite(fd, buf, 1, 0));
  T(writev(fd, iov, 3));
  T(pwritev(fd, iov, 3, 0));
  T(close(fd));

  /* Small and empty files. */
  fd = T(open(fx("small.txt"), O_RDONLY));
  memset(buf, 0, 100);
  T(read(fd, buf, 100));
  SAY("small: %s", buf);
  T(read(fd, buf, 100));
  T(close(fd));
  fd = T(open(fx("empty"), O_RDONLY));
  T(read(fd, buf, 100));
  T(pread(fd, buf, 100, 0));
  T(close(fd));
  /* A directory cannot be read(). */
  fd = T(open(fx("dir"), O_RDONLY | O_DIRECTORY));
  T(read(fd, buf, 100));
  T(pread(fd, buf, 100, 0));
  T(close(fd));
  /* Reading through a symlink. */
  fd = T(open(fx("link_rel"), O_RDONLY));
  T(read(fd, buf, 5));
  SAY("via link: %.5s", buf);
  T(close(fd));
  return 0;
}
