/* sendfile(2): file -> file, file -> pipe, file -> socket; the offset
 * pointer (moved, file position untouched) vs the file position; counts past
 * EOF; errors. */
#include "common.h"
#include <sys/sendfile.h>
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
  snprintf(base, sizeof base, "/tmp/splice_sendfile-%d", (int)getpid());
  int in = mk("in", "hello, sendfile world");
  int out = mk("out", NULL);
  T(sendfile(out, in, NULL, 5));
  T(lseek(in, 0, SEEK_CUR));
  T(lseek(out, 0, SEEK_CUR));
  off_t off = 7;
  T(sendfile(out, in, &off, 8));
  printf("off = %ld\n", (long)off);
  T(lseek(in, 0, SEEK_CUR));
  T(sendfile(out, in, NULL, 1000));
  T(sendfile(out, in, NULL, 1000));
  off = 100;
  T(sendfile(out, in, &off, 10));
  printf("off = %ld\n", (long)off);
  show("out", out);
  /* To a pipe and a socket. */
  int p[2];
  pipe(p);
  off = 0;
  T(sendfile(p[1], in, &off, 5));
  char buf[64] = {0};
  T(read(p[0], buf, sizeof buf));
  printf("pipe got \"%s\"\n", buf);
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  off = 7;
  T(sendfile(sv[0], in, &off, 8));
  memset(buf, 0, sizeof buf);
  T(read(sv[1], buf, sizeof buf));
  printf("socket got \"%s\"\n", buf);
  /* Errors. */
  T(sendfile(out, p[0], NULL, 5));
  T(sendfile(p[0], in, NULL, 5));
  T(sendfile(-1, in, NULL, 5));
  T(sendfile(out, -1, NULL, 5));
  int wo = open("/dev/null", O_WRONLY);
  T(sendfile(out, wo, NULL, 5));
  off = -1;
  T(sendfile(out, in, &off, 5));
  T(sendfile(out, in, BADPTR, 5));
  T(sendfile(out, in, NULL, 0));
  int app = mk("app", "x");
  fcntl(app, F_SETFL, O_APPEND);
  off = 0;
  T(sendfile(app, in, &off, 3));
  write(sv[1], "abc", 3);
  T(sendfile(p[1], sv[0], NULL, 5));
  T(sendfile(out, sv[0], NULL, 5));
  int z = open("/dev/zero", O_RDONLY);
  T(sendfile(out, z, NULL, 4));
  T(lseek(out, 0, SEEK_CUR));
  return 0;
}
