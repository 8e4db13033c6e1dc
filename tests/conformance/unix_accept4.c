/* accept/accept4 on AF_UNIX: SOCK_NONBLOCK and SOCK_CLOEXEC on the new fd
 * (not inherited from the listener), invalid flags, EAGAIN on a nonblocking
 * listener, EINVAL on sockets that do not listen, EOPNOTSUPP on datagram
 * sockets, ENOTSOCK/EBADF, socket(2) with SOCK_NONBLOCK|SOCK_CLOEXEC, and a
 * blocking accept woken by a connect from a child. */
#include "unix_common.h"

static void flags(const char *what, int fd) {
  printf("%s: nonblock %d cloexec %d\n", what, !!(fcntl(fd, F_GETFL) & O_NONBLOCK),
         !!(fcntl(fd, F_GETFD) & FD_CLOEXEC));
}

int main(int argc, char **argv) {
  init(argc, argv);
  struct sockaddr_un a;
  socklen_t al = uabs(&a, "acc");
  int l = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  flags("listener", l);
  T(accept(l, NULL, NULL));
  T(bind(l, (struct sockaddr *)&a, al));
  T(accept(l, NULL, NULL));
  T(listen(l, 8));
  T(accept(l, NULL, NULL));
  T(accept4(l, NULL, NULL, 0x1));
  for (int i = 0; i < 3; i++)
    xconnect(SOCK_STREAM, &a, al);
  int s1 = accept(l, NULL, NULL);
  flags("accept", s1);
  int s2 = accept4(l, NULL, NULL, SOCK_NONBLOCK);
  flags("accept4 NONBLOCK", s2);
  int s3 = accept4(l, NULL, NULL, SOCK_CLOEXEC);
  flags("accept4 CLOEXEC", s3);
  char buf[4];
  T(recv(s2, buf, 1, 0));
  int d = xsock(SOCK_DGRAM);
  T(listen(d, 1));
  T(accept(d, NULL, NULL));
  int sv[2];
  T(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
  T(listen(sv[0], 1));
  T(accept(sv[0], NULL, NULL));
  T(accept(0 + 100, NULL, NULL));
  int fd = open("/", O_RDONLY);
  T(accept(fd, NULL, NULL));
  T(listen(fd, 1));
  /* Unbound sockets cannot listen. */
  int u = xsock(SOCK_STREAM);
  T(listen(u, 1));
  /* Blocking accept. */
  struct sockaddr_un b;
  socklen_t bl = uabs(&b, "acc2");
  int l2 = xlisten(SOCK_STREAM, &b, bl, 1);
  pid_t p = fork();
  if (p == 0) {
    usleep(100000);
    int c = xconnect(SOCK_STREAM, &b, bl);
    write(c, "c", 1);
    _exit(0);
  }
  struct sockaddr_un got;
  socklen_t glen = sizeof got;
  int s = accept(l2, (struct sockaddr *)&got, &glen);
  printf("blocking accept ok %d addrlen %d\n", s >= 0, glen);
  T(read(s, buf, 1));
  waitpid(p, NULL, 0);
  /* A short address buffer: truncated, full length reported. */
  int c = xconnect(SOCK_STREAM, &b, bl);
  struct sockaddr_un tiny;
  glen = 1;
  s = accept(l2, (struct sockaddr *)&tiny, &glen);
  printf("tiny accept ok %d len %d\n", s >= 0, glen);
  close(c);
  glen = -1;
  c = xconnect(SOCK_STREAM, &b, bl);
  T(accept(l2, (struct sockaddr *)&tiny, &glen));
  return 0;
}
