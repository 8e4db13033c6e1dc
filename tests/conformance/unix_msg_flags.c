/* recv flags on AF_UNIX sockets: MSG_PEEK (stream and datagram),
 * MSG_DONTWAIT, MSG_WAITALL across several writes from a child (and its
 * early end at EOF), MSG_TRUNC on datagrams; sendmsg/recvmsg with several
 * iovecs; MSG_OOB on datagrams. */
#include "unix_common.h"

int main(int argc, char **argv) {
  init(argc, argv);
  struct sockaddr_un a;
  socklen_t al = uabs(&a, "mf");
  int l = xlisten(SOCK_STREAM, &a, al, 1);
  int c = xconnect(SOCK_STREAM, &a, al);
  int s = accept(l, NULL, NULL);
  char buf[64] = {0};
  T(recv(s, buf, sizeof buf, MSG_DONTWAIT));
  T(send(c, "abcdef", 6, 0));
  T(recv(s, buf, 3, MSG_PEEK));
  T(recv(s, buf, sizeof buf, MSG_PEEK));
  T(recv(s, buf, 2, 0));
  T(recv(s, buf, sizeof buf, 0));
  printf("%.4s\n", buf);
  /* MSG_WAITALL gathers writes made over time. */
  pid_t p = fork();
  if (p == 0) {
    for (int i = 0; i < 4; i++) {
      usleep(20000);
      write(c, "12345", 5);
    }
    _exit(0);
  }
  T(recv(s, buf, 20, MSG_WAITALL));
  waitpid(p, NULL, 0);
  T(send(c, "xyz", 3, 0));
  shutdown(c, SHUT_WR);
  T(recv(s, buf, 20, MSG_WAITALL));
  T(recv(s, buf, 20, MSG_WAITALL));
  /* iovecs both ways */
  int sv[2];
  T(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
  struct iovec out[3] = {{"ab", 2}, {"", 0}, {"cdef", 4}};
  struct msghdr m = {0};
  m.msg_iov = out;
  m.msg_iovlen = 3;
  T(sendmsg(sv[0], &m, 0));
  char x[3] = {0}, y[8] = {0};
  struct iovec in[2] = {{x, 3}, {y, 8}};
  m.msg_iov = in;
  m.msg_iovlen = 2;
  T(recvmsg(sv[1], &m, 0));
  printf("%.3s|%s\n", x, y);
  /* Datagrams: MSG_PEEK keeps the message, MSG_TRUNC gives its length. */
  int d[2];
  T(socketpair(AF_UNIX, SOCK_DGRAM, 0, d));
  T(send(d[0], "0123456789", 10, 0));
  T(recv(d[1], buf, 4, MSG_PEEK));
  T(recv(d[1], buf, 4, MSG_PEEK | MSG_TRUNC));
  T(recv(d[1], buf, 4, MSG_TRUNC));
  T(recv(d[1], buf, 4, MSG_DONTWAIT));
  T(send(d[0], "0123456789", 10, 0));
  T(recv(d[1], NULL, 0, MSG_TRUNC));
  /* MSG_OOB on datagrams (stream OOB data depends on CONFIG_AF_UNIX_OOB). */
  T(send(d[0], "o", 1, MSG_OOB));
  return 0;
}
