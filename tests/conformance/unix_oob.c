/* MSG_OOB on AF_UNIX stream sockets (CONFIG_AF_UNIX_OOB, on by default):
 * the last byte of an OOB send is out of band, normal reads stop at the mark
 * and skip the byte, recv(MSG_OOB) takes it (EINVAL when there is none),
 * MSG_PEEK, SIOCATMARK, POLLPRI, recvmsg's MSG_OOB flag, SO_OOBINLINE,
 * EOPNOTSUPP for empty sends and other socket types. */
#include "unix_common.h"

static void pri(const char *what, int fd) {
  struct pollfd p = {fd, POLLIN | POLLPRI, 0};
  poll(&p, 1, 0);
  printf("%s: in %d pri %d\n", what, !!(p.revents & POLLIN), !!(p.revents & POLLPRI));
}

static void mark(const char *what, int fd) {
  int m = -1;
  if (ioctl(fd, SIOCATMARK, &m) < 0)
    printf("%s: SIOCATMARK %s\n", what, errname(errno));
  else
    printf("%s: atmark %d\n", what, m);
}

int main(int argc, char **argv) {
  init(argc, argv);
  int sv[2];
  char b[16];
  T(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
  T(recv(sv[1], b, 1, MSG_OOB));
  T(send(sv[0], "", 0, MSG_OOB));
  T(send(sv[0], "abc", 3, MSG_OOB));
  T(send(sv[0], "de", 2, 0));
  pri("after oob", sv[1]);
  mark("start", sv[1]);
  T(recv(sv[1], b, sizeof b, MSG_PEEK));
  T(recv(sv[1], b, sizeof b, 0));
  printf("got %.2s\n", b);
  mark("at oob", sv[1]);
  T(recv(sv[1], b, 1, MSG_OOB | MSG_PEEK));
  printf("oob peek %c\n", b[0]);
  T(recv(sv[1], b, 1, MSG_OOB));
  printf("oob %c\n", b[0]);
  T(recv(sv[1], b, 1, MSG_OOB));
  pri("after oob read", sv[1]);
  T(recv(sv[1], b, sizeof b, 0));
  printf("got %.2s\n", b);
  /* Unread OOB byte: a normal read skips it. */
  T(send(sv[0], "xy", 2, MSG_OOB));
  T(send(sv[0], "z", 1, 0));
  T(recv(sv[1], b, sizeof b, 0));
  T(recv(sv[1], b, sizeof b, 0));
  printf("got %c\n", b[0]);
  T(recv(sv[1], b, 1, MSG_OOB));
  /* recvmsg reports MSG_OOB. */
  T(send(sv[0], "q", 1, MSG_OOB));
  struct iovec iov = {b, 4};
  struct msghdr m = {0};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  T(recvmsg(sv[1], &m, MSG_OOB));
  printf("flags oob %d\n", !!(m.msg_flags & MSG_OOB));
  /* SO_OOBINLINE: the byte stays in the data. */
  int on = 1;
  T(setsockopt(sv[1], SOL_SOCKET, SO_OOBINLINE, &on, sizeof on));
  T(send(sv[0], "12", 2, MSG_OOB));
  T(recv(sv[1], b, 1, MSG_OOB));
  T(recv(sv[1], b, sizeof b, 0));
  T(recv(sv[1], b, sizeof b, 0));
  printf("inline %c\n", b[0]);
  /* Other types. */
  int d[2];
  T(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, d));
  T(send(d[0], "x", 1, MSG_OOB));
  T(recv(d[1], b, 1, MSG_OOB | MSG_DONTWAIT));
  return 0;
}
