/* SCM_RIGHTS with other fd kinds: an eventfd (its counter shared), a socket
 * (a socketpair end, used after the transfer), a regular file (offset
 * shared), an epoll fd, several in one message, and MSG_CMSG_CLOEXEC. */
#include "unix_common.h"
#include <sys/eventfd.h>

int main(int argc, char **argv) {
  init(argc, argv);
  struct sockaddr_un a;
  socklen_t al = uabs(&a, "kinds");
  int l = xlisten(SOCK_STREAM, &a, al, 1);
  int c = xconnect(SOCK_STREAM, &a, al);
  int s = accept(l, NULL, NULL);
  int fds[8], got[8];
  /* eventfd */
  int e = eventfd(5, 0);
  T(sendfds(c, &e, 1));
  T(recvfds(s, got, 8, 0, NULL));
  uint64_t v = 2;
  T(write(got[0], &v, 8));
  T(read(e, &v, 8));
  printf("eventfd %llu\n", (unsigned long long)v);
  /* a socket */
  int sv[2];
  T(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
  T(sendfds(c, &sv[1], 1));
  close(sv[1]);
  T(recvfds(s, got, 8, 0, NULL));
  T(send(got[0], "dg", 2, 0));
  char buf[64] = {0};
  T(recv(sv[0], buf, sizeof buf, 0));
  int type;
  socklen_t tl = sizeof type;
  T(getsockopt(got[0], SOL_SOCKET, SO_TYPE, &type, &tl));
  printf("type %d\n", type);
  /* a regular file: the offset is shared */
  char path[64];
  snprintf(path, sizeof path, "/tmp/ut%08d.file", (int)getpid());
  int f = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  T(write(f, "0123456789", 10));
  T(lseek(f, 2, SEEK_SET));
  T(sendfds(c, &f, 1));
  T(recvfds(s, got, 8, 0, NULL));
  T(read(got[0], buf, 3));
  T(lseek(f, 0, SEEK_CUR));
  unlink(path);
  T(read(got[0], buf, sizeof buf));
  /* an epoll fd, a pipe and the eventfd at once, with MSG_CMSG_CLOEXEC */
  int ep = epoll_create1(0);
  int p[2];
  pipe(p);
  struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 7};
  T(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
  fds[0] = ep;
  fds[1] = p[0];
  fds[2] = e;
  T(sendfds(c, fds, 3));
  close(ep);
  close(p[0]);
  int mf;
  T(recvfds(s, got, 8, MSG_CMSG_CLOEXEC, &mf));
  printf("cloexec %d %d %d\n", !!(fcntl(got[0], F_GETFD) & FD_CLOEXEC),
         !!(fcntl(got[1], F_GETFD) & FD_CLOEXEC), !!(fcntl(got[2], F_GETFD) & FD_CLOEXEC));
  write(p[1], "x", 1);
  struct epoll_event out;
  T(epoll_wait(got[0], &out, 1, 1000));
  printf("epoll data %u\n", out.data.u32);
  T(read(got[1], buf, 1));
  v = 3;
  T(write(e, &v, 8));
  T(read(got[2], &v, 8));
  printf("eventfd %llu\n", (unsigned long long)v);
  return 0;
}
