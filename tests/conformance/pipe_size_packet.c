/* Pipes: F_GETPIPE_SZ / F_SETPIPE_SZ (rounding, limits, EBUSY) and O_DIRECT
 * packet mode (one write per read, excess discarded). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void set(int fd, long size) {
  errno = 0;
  int r = fcntl(fd, F_SETPIPE_SZ, size);
  int e = errno;
  printf("F_SETPIPE_SZ %#lx -> %d %s\n", size, r, r < 0 ? strerror(e) : "");
}

int main(void) {
  int p[2];
  if (pipe(p)) return 1;
  printf("default size %d\n", fcntl(p[1], F_GETPIPE_SZ));
  long sizes[] = {0, 1, 4097, 100000, 1 << 20, (1 << 20) + 1, 0x7fffffffL, 0x80000001L};
  for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) set(p[1], sizes[i]);
  printf("size now %d\n", fcntl(p[0], F_GETPIPE_SZ));
  char big[8192];
  memset(big, 'x', sizeof big);
  set(p[1], 65536);
  printf("write 8192 -> %zd\n", write(p[1], big, sizeof big));
  set(p[1], 4096); /* less than what is buffered */
  errno = 0;
  printf("F_GETPIPE_SZ of a file: %d %s\n", fcntl(0 > 1 ? 0 : open("/", O_RDONLY), F_GETPIPE_SZ), strerror(errno));
  int q[2];
  if (pipe2(q, O_DIRECT)) return 1;
  write(q[1], "abc", 3);
  write(q[1], "de", 2);
  write(q[1], "fghij", 5);
  char b[16];
  printf("packet 1: %zd\n", read(q[0], b, sizeof b));
  printf("packet 2: %zd\n", read(q[0], b, sizeof b));
  printf("short read of packet 3: %zd\n", read(q[0], b, 2));
  fcntl(q[0], F_SETFL, O_NONBLOCK);
  errno = 0;
  printf("rest discarded: %zd %s\n", read(q[0], b, sizeof b), strerror(errno));
  printf("O_DIRECT in F_GETFL: %d\n", (fcntl(q[1], F_GETFL) & O_DIRECT) != 0);
  return 0;
}
