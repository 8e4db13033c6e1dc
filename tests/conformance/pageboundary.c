/* Transfers whose buffer crosses from a usable page into an unmapped or read-only page:
 * partial transfers or EFAULT exactly as Linux does. */
#include "common.h"
#include <sys/uio.h>
#include <time.h>

int main(int argc, char **argv) {
  init(argc, argv);
  char *p = page_then_hole(); /* p[0..4095] mapped, p[4096..] not */
  char *edge = p + PAGE - 10;
  char *ro = pages(2);
  T(mprotect(ro + PAGE, PAGE, PROT_READ));
  char *redge = ro + PAGE - 10;
  int zero = T(open("/dev/zero", O_RDONLY));
  int null = T(open("/dev/null", O_WRONLY));
  int file = T(open(fx("file.txt"), O_RDONLY));
  int urnd = T(open("/dev/urandom", O_RDONLY));

  /* /dev/null: the buffer is never touched */
  T(write(null, edge, 20));
  T(write(null, p + PAGE, 20));
  /* /dev/zero into a straddling buffer: the mapped part is filled */
  memset(p, 'x', PAGE);
  T(read(zero, edge, 20));
  CHECK(edge[0] == 0 && edge[9] == 0 && p[PAGE - 11] == 'x');
  T(read(zero, redge, 20));
  T(read(zero, ro + PAGE, 20));
  T(read(zero, redge, 10));
  /* /dev/urandom */
  T(read(urnd, edge, 20));
  T(read(urnd, redge, 20));
  /* a regular file: partial read, the offset advances by what was read */
  T(read(file, edge, 20));
  SAY("got: %.10s", edge);
  T(lseek(file, 0, SEEK_CUR));
  T(read(file, edge, 10));
  T(lseek(file, 0, SEEK_CUR));
  T(read(file, p + PAGE, 10));
  T(lseek(file, 0, SEEK_CUR));
  T(pread(file, edge, 100, 4000));
  SAY("got: %.10s", edge);
  T(pread(file, redge, 100, 0));
  /* a bigger read that crosses many page-cache pages and then the hole */
  char *q = pages(4);
  munmap(q + 3 * PAGE, PAGE);
  int big = T(open(fx("big.bin"), O_RDONLY));
  T(pread(big, q + 100, 13000, 0));
  CHECK(q[100] == (char)pattern_byte(0) && q[3 * PAGE - 1] == (char)pattern_byte(3 * PAGE - 101));
  /* readv: the first iovec is complete, the second is unmapped */
  struct iovec iov[3] = {{p, 16}, {p + PAGE, 16}, {p + 100, 16}};
  T(readv(zero, iov, 3));
  T(lseek(file, 0, SEEK_SET));
  T(readv(file, iov, 3));
  T(lseek(file, 0, SEEK_CUR));
  T(preadv(file, iov, 3, 50));
  T(writev(null, iov, 3));
  /* iovec array itself straddling the hole */
  struct iovec *vp = (struct iovec *)(p + PAGE - sizeof(struct iovec));
  vp[0].iov_base = p;
  vp[0].iov_len = 8;
  T(readv(zero, vp, 1));
  T(readv(zero, vp, 2));
  /* stat buffer straddling: all or nothing */
  struct stat *sp = (struct stat *)(p + PAGE - sizeof(struct stat) / 2);
  T(fstat(file, sp));
  sp = (struct stat *)(p + PAGE - sizeof(struct stat));
  T(fstat(file, sp));
  /* clock_gettime into the last bytes */
  T(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, p + PAGE - 8));
  T(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, p + PAGE - 16));
  /* a path that ends exactly at the hole, with and without its NUL */
  const char *dn = "/dev/null";
  char *path = p + PAGE - strlen(dn) - 1;
  strcpy(path, dn);
  int fd = T(open(path, O_RDONLY));
  if (fd >= 0)
    close(fd);
  path = p + PAGE - strlen(dn);
  memcpy(path, dn, strlen(dn));
  T(open(path, O_RDONLY));
  /* getcwd: only the bytes of the path are written */
  T(chdir("/"));
  T(syscall(SYS_getcwd, p + PAGE - 2, 100));
  SAY("cwd: %s", p + PAGE - 2);
  T(syscall(SYS_getcwd, p + PAGE - 1, 100));
  T(chdir("/usr"));
  T(syscall(SYS_getcwd, p + PAGE - 3, 100));
  /* getrandom */
  T(syscall(SYS_getrandom, edge, 20, 0));
  /* writes to a read-only page fail, reads from it work */
  memset(ro, 'r', PAGE);
  T(write(null, redge, 20));
  T(pread(file, ro + PAGE, 1, 0));
  return 0;
}
