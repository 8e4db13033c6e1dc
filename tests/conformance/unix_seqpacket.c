/* AF_UNIX SOCK_SEQPACKET over a path and an abstract name: message
 * boundaries, MSG_EOR, truncation with MSG_TRUNC, zero-length messages,
 * ENOTCONN before connecting, EOF after the peer closes. */
#include "unix_common.h"

static void run(struct sockaddr_un *a, socklen_t len) {
  int l = xlisten(SOCK_SEQPACKET, a, len, 4);
  int c = xsock(SOCK_SEQPACKET);
  char buf[64];
  T(send(c, "x", 1, 0));
  T(recv(c, buf, 1, MSG_DONTWAIT));
  T(connect(c, (struct sockaddr *)a, len));
  int s = accept(l, NULL, NULL);
  T(send(c, "first", 5, MSG_EOR));
  T(send(c, "second!", 7, 0));
  T(send(c, "", 0, 0));
  T(send(c, "fourth-message", 14, 0));
  T(recv(s, buf, sizeof buf, 0));
  T(recv(s, buf, 3, 0));
  T(recv(s, buf, sizeof buf, 0));
  struct iovec iov = {buf, 4};
  struct msghdr m = {0};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  T(recvmsg(s, &m, MSG_PEEK | MSG_TRUNC));
  printf("flags trunc %d\n", !!(m.msg_flags & MSG_TRUNC));
  T(recvmsg(s, &m, 0));
  printf("flags trunc %d\n", !!(m.msg_flags & MSG_TRUNC));
  T(recv(s, buf, sizeof buf, MSG_DONTWAIT));
  /* Too big for the send buffer. */
  int sz = 8192;
  T(setsockopt(c, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz));
  static char big[65536];
  T(send(c, big, sizeof big, 0));
  close(c);
  T(recv(s, buf, sizeof buf, 0));
  T(send(s, "z", 1, MSG_NOSIGNAL));
  close(s);
  close(l);
}

int main(int argc, char **argv) {
  init(argc, argv);
  struct sockaddr_un a;
  SAY("path");
  socklen_t len = upath(&a, "sp");
  run(&a, len);
  unlink(a.sun_path);
  SAY("abstract");
  len = uabs(&a, "sp");
  run(&a, len);
  return 0;
}
