/* tee(2) copies pipe data without consuming it; vmsplice(2) moves user
 * memory into a pipe and pipe data into user memory. */
#include "common.h"
#include <sys/uio.h>

int main(int argc, char **argv) {
  (void)argc; (void)argv;
  int p[2], q[2];
  pipe(p);
  pipe(q);
  write(p[1], "teedata", 7);
  T(tee(p[0], q[1], 3, 0));
  T(tee(p[0], q[1], 100, 0));
  char buf[64] = {0};
  T(read(q[0], buf, sizeof buf));
  printf("q: \"%s\"\n", buf);
  memset(buf, 0, sizeof buf);
  T(read(p[0], buf, sizeof buf));
  printf("p: \"%s\"\n", buf);
  T(tee(p[0], q[1], 10, SPLICE_F_NONBLOCK));
  /* Errors. */
  T(tee(p[0], p[1], 10, SPLICE_F_NONBLOCK));
  T(tee(p[1], q[1], 10, 0));
  T(tee(p[0], q[0], 10, 0));
  int f = open("/dev/null", O_RDWR);
  T(tee(f, q[1], 10, 0));
  T(tee(p[0], f, 10, 0));
  T(tee(-1, q[1], 10, 0));
  T(tee(p[0], q[1], 10, 0x40));
  T(tee(p[0], q[1], 0, 0));
  close(p[1]);
  T(tee(p[0], q[1], 10, 0));

  /* vmsplice. */
  int r[2];
  pipe(r);
  char a[] = "vm", b[] = "splice";
  struct iovec iov[2] = {{a, 2}, {b, 6}};
  T(vmsplice(r[1], iov, 2, 0));
  char o1[3] = {0}, o2[16] = {0};
  struct iovec rd[2] = {{o1, 2}, {o2, 15}};
  T(vmsplice(r[0], rd, 2, 0));
  printf("got \"%s\" \"%s\"\n", o1, o2);
  T(vmsplice(r[0], rd, 2, SPLICE_F_NONBLOCK));
  T(vmsplice(r[1], iov, 0, 0));
  T(vmsplice(r[1], iov, 2, 0x80));
  T(vmsplice(-1, iov, 2, 0));
  T(vmsplice(f, iov, 2, 0));
  struct iovec bad = {BADPTR, 4};
  T(vmsplice(r[1], &bad, 1, 0));
  T(vmsplice(r[1], BADPTR, 1, 0));
  T(vmsplice(r[1], iov, 1025, 0));
  /* Full pipe. */
  fcntl(r[1], F_SETPIPE_SZ, 4096);
  static char big[4096] __attribute__((aligned(4096)));
  memset(big, 'y', sizeof big);
  /* An empty one-page pipe (page-aligned data: Linux fills by pages). */
  close(r[0]);
  close(r[1]);
  pipe(r);
  fcntl(r[1], F_SETPIPE_SZ, 4096);
  struct iovec bi = {big, sizeof big};
  T(vmsplice(r[1], &bi, 1, 0));
  T(vmsplice(r[1], &bi, 1, SPLICE_F_NONBLOCK));
  return 0;
}
