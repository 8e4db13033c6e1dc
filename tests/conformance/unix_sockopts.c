/* SOL_SOCKET options of AF_UNIX sockets: SO_TYPE, SO_DOMAIN, SO_PROTOCOL,
 * SO_ACCEPTCONN, SO_ERROR, SO_SNDBUF/SO_RCVBUF (doubled, minimum), SO_RCVTIMEO
 * and SO_SNDTIMEO (EAGAIN after the timeout, EDOM, EINVAL), SO_LINGER,
 * SO_REUSEADDR, SO_PASSCRED, SO_PEERSEC, unknown options and levels. */
#include "unix_common.h"
#include <sys/time.h>

static void geti(const char *what, int s, int opt) {
  int v = -7;
  socklen_t l = sizeof v;
  if (getsockopt(s, SOL_SOCKET, opt, &v, &l) < 0)
    printf("%s: %s\n", what, errname(errno));
  else
    printf("%s: %d (len %d)\n", what, v, l);
}

int main(int argc, char **argv) {
  init(argc, argv);
  struct sockaddr_un a;
  socklen_t al = uabs(&a, "so");
  int types[3] = {SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET};
  for (int i = 0; i < 3; i++) {
    int s = xsock(types[i]);
    geti("SO_TYPE", s, SO_TYPE);
    geti("SO_DOMAIN", s, SO_DOMAIN);
    geti("SO_PROTOCOL", s, SO_PROTOCOL);
    geti("SO_ACCEPTCONN", s, SO_ACCEPTCONN);
    close(s);
  }
  int l = xlisten(SOCK_STREAM, &a, al, 1);
  geti("listener SO_ACCEPTCONN", l, SO_ACCEPTCONN);
  geti("SO_ERROR", l, SO_ERROR);
  int s = xsock(SOCK_STREAM);
  int v = 10000;
  T(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof v));
  geti("SO_SNDBUF", s, SO_SNDBUF);
  v = 1;
  T(setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof v));
  geti("SO_RCVBUF min", s, SO_RCVBUF);
  v = 1;
  T(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, sizeof v));
  geti("SO_REUSEADDR", s, SO_REUSEADDR);
  T(setsockopt(s, SOL_SOCKET, SO_PASSCRED, &v, sizeof v));
  geti("SO_PASSCRED", s, SO_PASSCRED);
  T(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, 2));
  /* Linger. */
  struct linger lg = {1, 7}, lo;
  T(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
  socklen_t ll = sizeof lo;
  T(getsockopt(s, SOL_SOCKET, SO_LINGER, &lo, &ll));
  printf("linger %d %d len %d\n", lo.l_onoff, lo.l_linger, ll);
  lg.l_onoff = 0;
  T(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
  T(getsockopt(s, SOL_SOCKET, SO_LINGER, &lo, &ll));
  printf("linger %d %d\n", lo.l_onoff, lo.l_linger);
  T(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, 4));
  /* Timeouts. */
  struct timeval tv = {0, 200000}, to;
  socklen_t tl = sizeof to;
  T(getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &to, &tl));
  printf("rcvtimeo %ld %ld len %d\n", (long)to.tv_sec, (long)to.tv_usec, tl);
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  T(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
  T(getsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &to, &tl));
  printf("rcvtimeo %ld %ld\n", (long)to.tv_sec, (long)to.tv_usec);
  struct timeval t0, t1;
  gettimeofday(&t0, NULL);
  char buf[8];
  T(recv(sv[0], buf, 1, 0));
  gettimeofday(&t1, NULL);
  long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_usec - t0.tv_usec) / 1000;
  printf("waited >= 150ms: %d\n", ms >= 150);
  int one = 1;
  T(setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &one, sizeof one));
  T(setsockopt(sv[1], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv));
  static char big[100000];
  long n = send(sv[1], big, sizeof big, 0);
  printf("partial send ok %d\n", n > 0 && n < (long)sizeof big);
  T(send(sv[1], big, sizeof big, 0));
  tv.tv_usec = 1000000;
  T(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
  T(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, 8));
  /* Peer info. */
  char sec[64];
  socklen_t secl = sizeof sec;
  T(getsockopt(sv[0], SOL_SOCKET, SO_PEERSEC, sec, &secl));
  /* Unknown options and levels. */
  T(getsockopt(s, SOL_SOCKET, 9999, &v, &tl));
  T(setsockopt(s, SOL_SOCKET, 9999, &v, sizeof v));
  T(getsockopt(s, 6 /* SOL_TCP */, 1, &v, &tl));
  T(setsockopt(s, 6 /* SOL_TCP */, 1, &v, sizeof v));
  tl = -1;
  T(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &tl));
  return 0;
}
