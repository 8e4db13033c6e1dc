/* shutdown(2) on connected AF_UNIX sockets: SHUT_WR gives the peer EOF after
 * the queued data, writing afterwards is EPIPE with SIGPIPE unless
 * MSG_NOSIGNAL; SHUT_RD; SHUT_RDWR; poll bits; shutdown of unconnected and
 * listening sockets; EINVAL for a bad how. */
#include "unix_common.h"

static volatile sig_atomic_t pipes;
static void on_pipe(int s) { (void)s; pipes++; }

int main(int argc, char **argv) {
  init(argc, argv);
  signal(SIGPIPE, on_pipe);
  struct sockaddr_un a;
  socklen_t al = upath(&a, "sh");
  int l = xlisten(SOCK_STREAM, &a, al, 2);
  int c = xconnect(SOCK_STREAM, &a, al);
  int s = accept(l, NULL, NULL);
  char buf[16];
  T(write(c, "last", 4));
  T(shutdown(c, SHUT_WR));
  pollshow("c after SHUT_WR", c);
  pollshow("s after peer SHUT_WR", s);
  T(read(s, buf, sizeof buf));
  T(read(s, buf, sizeof buf));
  T(write(c, "x", 1));
  printf("pipes %d\n", (int)pipes);
  T(send(c, "x", 1, MSG_NOSIGNAL));
  printf("pipes %d\n", (int)pipes);
  /* The other direction still works. */
  T(write(s, "back", 4));
  T(read(c, buf, sizeof buf));
  T(shutdown(c, SHUT_RD));
  pollshow("c after SHUT_RD too", c);
  T(read(c, buf, sizeof buf));
  T(write(s, "y", 1));
  printf("pipes %d\n", (int)pipes);
  T(shutdown(c, 3));
  T(shutdown(c, -1));
  /* Seqpacket. */
  int sv[2];
  T(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
  T(shutdown(sv[0], SHUT_RDWR));
  pollshow("seqpacket after SHUT_RDWR", sv[0]);
  pollshow("seqpacket peer", sv[1]);
  T(send(sv[0], "z", 1, 0));
  printf("pipes %d\n", (int)pipes);
  T(recv(sv[1], buf, sizeof buf, 0));
  /* Unconnected and listening sockets. */
  int u = xsock(SOCK_STREAM);
  pollshow("unconnected", u);
  T(shutdown(u, SHUT_RDWR));
  pollshow("unconnected after shutdown", u);
  T(shutdown(l, SHUT_RD));
  int c2 = xsock(SOCK_STREAM);
  T(connect(c2, (struct sockaddr *)&a, al));
  /* Datagram. */
  int d[2];
  T(socketpair(AF_UNIX, SOCK_DGRAM, 0, d));
  T(shutdown(d[1], SHUT_RD));
  T(send(d[0], "q", 1, 0));
  T(recv(d[1], buf, sizeof buf, 0));
  T(shutdown(d[0], SHUT_WR));
  T(send(d[0], "q", 1, 0));
  printf("pipes %d\n", (int)pipes);
  unlink(a.sun_path);
  return 0;
}
