/* AF_UNIX SOCK_DGRAM errors: ECONNREFUSED once after the connected peer
 * closes (then ENOTCONN), ECONNREFUSED for a socket file nobody serves or a
 * closed abstract name, ENOENT for a missing path, EAGAIN when the receiver's
 * queue is full, EMSGSIZE. */
#include "unix_common.h"

int main(int argc, char **argv) {
  init(argc, argv);
  struct sockaddr_un a, n;
  socklen_t al = upath(&a, "ref");
  int r = xsock(SOCK_DGRAM);
  T(bind(r, (struct sockaddr *)&a, al));
  int c = xsock(SOCK_DGRAM);
  T(connect(c, (struct sockaddr *)&a, al));
  T(send(c, "hi", 2, 0));
  close(r);
  T(send(c, "hi", 2, 0));
  T(send(c, "hi", 2, 0));
  T(sendto(c, "hi", 2, 0, (struct sockaddr *)&a, al));
  T(connect(c, (struct sockaddr *)&a, al));
  unlink(a.sun_path);
  T(sendto(c, "hi", 2, 0, (struct sockaddr *)&a, al));
  socklen_t nl = uabs(&n, "gone");
  T(sendto(c, "hi", 2, 0, (struct sockaddr *)&n, nl));
  /* A full receive queue (net.unix.max_dgram_qlen) of an unconnected receiver. */
  int q = xsock(SOCK_DGRAM);
  T(bind(q, (struct sockaddr *)&n, nl));
  int s = xsock(SOCK_DGRAM);
  int i, sent = 0;
  for (i = 0; i < 1000; i++) {
    if (sendto(s, "m", 1, MSG_DONTWAIT, (struct sockaddr *)&n, nl) < 0)
      break;
    sent++;
  }
  printf("stopped with %s, sent > 0: %d\n", errname(errno), sent > 0);
  char buf[8];
  T(recv(q, buf, sizeof buf, 0));
  T(sendto(s, "m", 1, MSG_DONTWAIT, (struct sockaddr *)&n, nl));
  /* Larger than the send buffer. */
  int sz = 4096;
  T(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz));
  static char big[20000];
  T(sendto(s, big, sizeof big, 0, (struct sockaddr *)&n, nl));
  /* Datagram socketpair: the same after the peer closes. */
  int sv[2];
  T(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
  close(sv[1]);
  T(send(sv[0], "x", 1, 0));
  T(send(sv[0], "x", 1, 0));
  return 0;
}
