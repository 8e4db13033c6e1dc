/* Readiness of AF_UNIX sockets for epoll, poll and select: a listener is
 * readable while connections wait, a connection readable with data and
 * writable while its peer's queue has room, hang-up bits after the peer
 * closes; a blocked epoll_wait is woken by a connect from a child. */
#include "unix_common.h"
#include <sys/select.h>

static void ep(const char *what, int e) {
  struct epoll_event out[4];
  int n = epoll_wait(e, out, 4, 0);
  printf("%s: %d", what, n);
  for (int i = 0; i < n; i++)
    printf(" [%u: %s]", out[i].data.u32, evbits(out[i].events));
  printf("\n");
}

int main(int argc, char **argv) {
  init(argc, argv);
  struct sockaddr_un a;
  socklen_t al = uabs(&a, "ep");
  int l = xlisten(SOCK_STREAM, &a, al, 4);
  int e = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP, .data.u32 = 1};
  epoll_ctl(e, EPOLL_CTL_ADD, l, &ev);
  ep("idle listener", e);
  pollshow("idle listener", l);
  int c = xconnect(SOCK_STREAM, &a, al);
  ep("listener with pending", e);
  int s = accept(l, NULL, NULL);
  ep("after accept", e);
  ev.data.u32 = 2;
  epoll_ctl(e, EPOLL_CTL_ADD, s, &ev);
  ev.data.u32 = 3;
  epoll_ctl(e, EPOLL_CTL_ADD, c, &ev);
  ep("connected, no data", e);
  write(c, "d", 1);
  ep("data for s", e);
  fd_set r, w;
  FD_ZERO(&r);
  FD_ZERO(&w);
  FD_SET(s, &r);
  FD_SET(c, &r);
  FD_SET(c, &w);
  struct timeval tv = {0, 0};
  int n = select(FD_SETSIZE, &r, &w, NULL, &tv);
  printf("select %d s-read %d c-read %d c-write %d\n", n, FD_ISSET(s, &r), FD_ISSET(c, &r), FD_ISSET(c, &w));
  char buf[8];
  read(s, buf, sizeof buf);
  /* Fill s's queue: c is no longer writable. */
  int nb = 1;
  ioctl(c, FIONBIO, &nb);
  static char big[4096];
  while (write(c, big, sizeof big) > 0)
    ;
  ep("c full", e);
  close(s);
  ep("s closed", e);
  /* epoll_wait woken by a connect. */
  ev.events = EPOLLIN;
  ev.data.u32 = 9;
  int e2 = epoll_create1(0);
  epoll_ctl(e2, EPOLL_CTL_ADD, l, &ev);
  pid_t p = fork();
  if (p == 0) {
    usleep(50000);
    xconnect(SOCK_STREAM, &a, al);
    _exit(0);
  }
  struct epoll_event out;
  T(epoll_wait(e2, &out, 1, 5000));
  printf("woken by %u\n", out.data.u32);
  waitpid(p, NULL, 0);
  /* Datagram sockets. */
  int d[2];
  socketpair(AF_UNIX, SOCK_DGRAM, 0, d);
  pollshow("dgram idle", d[0]);
  send(d[1], "x", 1, 0);
  pollshow("dgram with data", d[0]);
  int ud = xsock(SOCK_DGRAM);
  pollshow("dgram unbound", ud);
  int us = xsock(SOCK_SEQPACKET);
  pollshow("seqpacket unconnected", us);
  return 0;
}
