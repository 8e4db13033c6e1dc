/* SCM_RIGHTS limits: 253 fds (SCM_MAX_FD) pass, 254 give EINVAL, a bad fd
 * EBADF; a short control buffer gives MSG_CTRUNC (the fds that fit are
 * installed, the rest closed); no control buffer at all; fds in flight on a
 * datagram socket; rights on a read(2) are dropped. */
#include "unix_common.h"

static int count_fds(void) {
  int n = 0;
  for (int i = 0; i < 1024; i++)
    if (fcntl(i, F_GETFD) >= 0)
      n++;
  return n;
}

int main(int argc, char **argv) {
  init(argc, argv);
  int sv[2];
  T(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
  int fds[300];
  int base = open("/", O_RDONLY);
  for (int i = 0; i < 254; i++)
    fds[i] = base;
  T(sendfds(sv[0], fds, 254));
  T(sendfds(sv[0], fds, 253));
  int before = count_fds();
  int got[300], mf;
  T(recvfds(sv[1], got, 253, 0, &mf));
  printf("ctrunc %d new fds %d\n", !!(mf & MSG_CTRUNC), count_fds() - before);
  for (int i = 0; i < 253; i++)
    close(got[i]);
  int bad = 999;
  T(sendfds(sv[0], &bad, 1));
  /* Short control buffer. */
  fds[0] = fds[1] = fds[2] = base;
  T(sendfds(sv[0], fds, 3));
  before = count_fds();
  T(recvfds(sv[1], got, 1, 0, &mf));
  printf("ctrunc %d new fds %d\n", !!(mf & MSG_CTRUNC), count_fds() - before);
  /* No control buffer at all. */
  T(sendfds(sv[0], fds, 2));
  before = count_fds();
  T(recvfds(sv[1], got, 0, 0, &mf));
  printf("ctrunc %d new fds %d\n", !!(mf & MSG_CTRUNC), count_fds() - before);
  /* read(2) drops the rights. */
  T(sendfds(sv[0], fds, 2));
  before = count_fds();
  char b;
  T(read(sv[1], &b, 1));
  printf("new fds %d\n", count_fds() - before);
  /* A datagram pair with a closed pipe end in flight. */
  int d[2], p[2];
  T(socketpair(AF_UNIX, SOCK_DGRAM, 0, d));
  pipe(p);
  T(sendfds(d[0], &p[0], 1));
  close(p[0]);
  T(write(p[1], "alive", 5));
  T(recvfds(d[1], got, 4, MSG_PEEK, &mf));
  close(got[0]);
  T(recvfds(d[1], got, 4, 0, &mf));
  char buf[8] = {0};
  T(read(got[0], buf, sizeof buf));
  printf("%s\n", buf);
  return 0;
}
