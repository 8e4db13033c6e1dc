/* splice(2): file -> pipe -> file with and without offsets, pipe -> pipe,
 * SPLICE_F_NONBLOCK on an empty/full pipe, EOF, and the EINVAL/ESPIPE/EBADF
 * cases. */
#include "common.h"
#include <sys/socket.h>

static char base[64];

static int mk(const char *name, const char *data) {
  char p[128];
  snprintf(p, sizeof p, "%s-%s", base, name);
  int fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);
  unlink(p);
  if (data)
    write(fd, data, strlen(data));
  lseek(fd, 0, SEEK_SET);
  return fd;
}

static void show(const char *label, int fd) {
  char buf[128] = {0};
  long n = pread(fd, buf, sizeof buf - 1, 0);
  for (long i = 0; i < n; i++)
    if (buf[i] == 0)
      buf[i] = '.';
  printf("%s: %ld \"%s\"\n", label, n, buf);
}

int main(int argc, char **argv) {
  (void)argc; (void)argv;
  snprintf(base, sizeof base, "/tmp/splice_splice-%d", (int)getpid());
  int in = mk("in", "0123456789abcdefghij");
  int out = mk("out", NULL);
  int p[2], q[2];
  pipe(p);
  pipe(q);
  T(splice(in, NULL, p[1], NULL, 4, 0));
  T(lseek(in, 0, SEEK_CUR));
  loff_t off = 10;
  T(splice(in, &off, p[1], NULL, 3, 0));
  printf("off = %ld\n", (long)off);
  T(lseek(in, 0, SEEK_CUR));
  /* pipe -> pipe moves data. */
  T(splice(p[0], NULL, q[1], NULL, 2, 0));
  /* pipe -> file at the position, then at an offset. */
  T(splice(p[0], NULL, out, NULL, 3, 0));
  T(lseek(out, 0, SEEK_CUR));
  off = 20;
  T(splice(q[0], NULL, out, &off, 100, SPLICE_F_NONBLOCK));
  printf("off = %ld\n", (long)off);
  T(splice(p[0], NULL, out, NULL, 100, SPLICE_F_NONBLOCK));
  show("out", out);
  /* Empty pipe, non-blocking. */
  T(splice(p[0], NULL, out, NULL, 100, SPLICE_F_NONBLOCK));
  fcntl(p[0], F_SETFL, O_NONBLOCK);
  T(splice(p[0], NULL, out, NULL, 100, 0));
  fcntl(p[0], F_SETFL, 0);
  /* EOF of the input file; end of the pipe's writers. */
  off = 1000;
  T(splice(in, &off, p[1], NULL, 10, 0));
  T(splice(in, NULL, p[1], NULL, 100, 0));
  close(q[1]);
  T(splice(q[0], NULL, out, NULL, 10, 0));
  /* Full pipe, non-blocking. */
  int r[2];
  pipe(r);
  fcntl(r[1], F_SETPIPE_SZ, 4096);
  char big[8192];
  memset(big, 'x', sizeof big);
  int bigf = mk("big", NULL);
  write(bigf, big, sizeof big);
  off = 0;
  TOK(splice(bigf, &off, r[1], NULL, 8192, SPLICE_F_NONBLOCK));
  T(splice(bigf, &off, r[1], NULL, 8192, SPLICE_F_NONBLOCK));
  /* Errors. */
  T(splice(in, NULL, out, NULL, 5, 0));
  T(splice(p[0], NULL, p[1], NULL, 5, 0));
  off = 0;
  T(splice(p[0], &off, out, NULL, 5, 0));
  T(splice(in, NULL, p[1], &off, 5, 0));
  T(splice(in, NULL, p[0], NULL, 5, 0));
  T(splice(p[1], NULL, out, NULL, 5, 0));
  T(splice(-1, NULL, p[1], NULL, 5, 0));
  T(splice(in, NULL, -1, NULL, 5, 0));
  T(splice(in, NULL, p[1], NULL, 5, 0x100));
  T(splice(in, NULL, p[1], NULL, 0, 0));
  off = -1;
  T(splice(in, &off, p[1], NULL, 5, 0));
  T(splice(in, BADPTR, p[1], NULL, 5, 0));
  int app = mk("app", NULL);
  fcntl(app, F_SETFL, O_APPEND);
  T(splice(p[0], NULL, app, NULL, 5, SPLICE_F_NONBLOCK));
  /* A socket as input. */
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  write(sv[0], "sock", 4);
  int s[2];
  pipe(s);
  T(splice(sv[1], NULL, s[1], NULL, 10, 0));
  char buf[16] = {0};
  T(read(s[0], buf, sizeof buf));
  printf("got \"%s\"\n", buf);
  return 0;
}
