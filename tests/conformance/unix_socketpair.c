/* AF_UNIX socketpair(2): stream round trips both ways, a large transfer through a
 * fork, nonblocking EAGAIN, shutdown semantics, SEQPACKET/DGRAM boundaries and
 * truncation, MSG_PEEK, sendmsg/recvmsg with iovecs, socket options, names,
 * SIGPIPE vs MSG_NOSIGNAL, poll readiness, FIONREAD, SCM_RIGHTS, argument errors. */
#include "common.h"
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/epoll.h>
#include <sys/time.h>
#include <sys/wait.h>

static void show(const char *what, long r) {
  if (r < 0)
    printf("%s: -1 %s\n", what, errname(errno));
  else
    printf("%s: %ld\n", what, r);
}

static int pair(int type, int sv[2]) {
  if (socketpair(AF_UNIX, type, 0, sv)) {
    printf("FAIL socketpair %d: %s\n", type, errname(errno));
    exit(1);
  }
  return 0;
}

static const char *pollbits(short r) {
  static char b[128];
  b[0] = 0;
  if (r & POLLIN) strcat(b, "IN ");
  if (r & POLLOUT) strcat(b, "OUT ");
  if (r & POLLHUP) strcat(b, "HUP ");
  if (r & POLLRDHUP) strcat(b, "RDHUP ");
  if (r & POLLERR) strcat(b, "ERR ");
  if (r & POLLNVAL) strcat(b, "NVAL ");
  return b;
}

static void pollshow(const char *what, int fd) {
  struct pollfd p = {fd, POLLIN | POLLOUT | POLLRDHUP, 0};
  int r = poll(&p, 1, 0);
  printf("poll %s: %d %s\n", what, r, pollbits(p.revents));
}

static volatile sig_atomic_t got_pipe;
static void on_pipe(int s) { (void)s; got_pipe++; }

static void stream_basic(void) {
  int sv[2];
  char b[64];
  pair(SOCK_STREAM, sv);
  show("write a->b", write(sv[0], "hello", 5));
  show("write b->a", write(sv[1], "world!", 6));
  show("read b", read(sv[1], b, sizeof b));
  show("read a", read(sv[0], b, sizeof b));
  /* Two writes are read as one stream. */
  write(sv[0], "abc", 3);
  write(sv[0], "def", 3);
  memset(b, 0, sizeof b);
  show("read coalesced", read(sv[1], b, sizeof b));
  printf("data %s\n", b);
  /* MSG_PEEK then a real read. */
  send(sv[0], "peekme", 6, 0);
  memset(b, 0, sizeof b);
  show("peek", recv(sv[1], b, 4, MSG_PEEK));
  printf("peeked %s\n", b);
  show("recv", recv(sv[1], b, sizeof b, 0));
  /* Nonblocking. */
  show("recv DONTWAIT empty", recv(sv[1], b, sizeof b, MSG_DONTWAIT));
  int fl = fcntl(sv[1], F_GETFL);
  printf("O_RDWR %d\n", (fl & O_ACCMODE) == O_RDWR);
  fcntl(sv[1], F_SETFL, fl | O_NONBLOCK);
  show("read nonblock empty", read(sv[1], b, sizeof b));
  /* FIONREAD. */
  write(sv[0], "12345", 5);
  int n = -1;
  ioctl(sv[1], FIONREAD, &n);
  printf("FIONREAD %d\n", n);
  read(sv[1], b, sizeof b);
  /* Fill the buffer without blocking. */
  int w;
  fcntl(sv[0], F_SETFL, O_NONBLOCK);
  static char big[65536];
  long total = 0;
  while ((w = write(sv[0], big, sizeof big)) > 0) total += w;
  printf("filled: %s, total > 64k %d\n", errname(errno), total > 65536);
  pollshow("full writer", sv[0]);
  close(sv[0]);
  close(sv[1]);
}

static void stream_fork(void) {
  int sv[2];
  pair(SOCK_STREAM | SOCK_CLOEXEC, sv);
  printf("cloexec %d\n", fcntl(sv[0], F_GETFD) & FD_CLOEXEC);
  const long N = 4 << 20;
  pid_t pid = fork();
  if (pid == 0) {
    close(sv[0]);
    static char buf[100000];
    long sent = 0;
    unsigned char c = 0;
    while (sent < N) {
      long n = N - sent < (long)sizeof buf ? N - sent : (long)sizeof buf;
      for (long i = 0; i < n; i++) buf[i] = c++;
      long off = 0;
      while (off < n) {
        long w = write(sv[1], buf + off, n - off);
        if (w <= 0) _exit(2);
        off += w;
      }
      sent += n;
    }
    char reply[8];
    if (read(sv[1], reply, sizeof reply) != 2) _exit(3);
    _exit(reply[0] == 'o' ? 0 : 4);
  }
  close(sv[1]);
  static char buf[70000];
  long got = 0, bad = 0;
  unsigned char c = 0;
  for (;;) {
    long n = read(sv[0], buf, sizeof buf);
    if (n <= 0) break;
    for (long i = 0; i < n; i++)
      if ((unsigned char)buf[i] != c++) bad++;
    got += n;
    if (got == N) break;
  }
  printf("fork transfer got %ld bad %ld\n", got, bad);
  write(sv[0], "ok", 2);
  int st;
  waitpid(pid, &st, 0);
  printf("child status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
  show("read after child exit", read(sv[0], buf, sizeof buf));
  pollshow("peer gone", sv[0]);
  close(sv[0]);
}

static void stream_shutdown(void) {
  int sv[2];
  char b[16];
  pair(SOCK_STREAM, sv);
  write(sv[0], "xy", 2);
  show("shutdown WR", shutdown(sv[0], SHUT_WR));
  pollshow("after peer SHUT_WR", sv[1]);
  show("read data", read(sv[1], b, sizeof b));
  show("read EOF", read(sv[1], b, sizeof b));
  show("send after SHUT_WR NOSIGNAL", send(sv[0], "z", 1, MSG_NOSIGNAL));
  show("other way still works", write(sv[1], "ok", 2));
  show("read it", read(sv[0], b, sizeof b));
  show("shutdown RD", shutdown(sv[0], SHUT_RD));
  show("peer send after SHUT_RD", send(sv[1], "q", 1, MSG_NOSIGNAL));
  show("read after own SHUT_RD", read(sv[0], b, sizeof b));
  pollshow("both shut", sv[0]);
  show("shutdown bad", shutdown(sv[0], 3));
  close(sv[0]);
  close(sv[1]);
  /* SIGPIPE vs MSG_NOSIGNAL. */
  signal(SIGPIPE, on_pipe);
  pair(SOCK_STREAM, sv);
  close(sv[1]);
  got_pipe = 0;
  show("write to closed peer", write(sv[0], "a", 1));
  printf("sigpipe %d\n", got_pipe);
  show("send NOSIGNAL", send(sv[0], "a", 1, MSG_NOSIGNAL));
  printf("sigpipe %d\n", got_pipe);
  close(sv[0]);
  /* Closing with unread data: ECONNRESET for the peer. */
  pair(SOCK_STREAM, sv);
  write(sv[0], "unread", 6);
  close(sv[1]);
  pollshow("reset", sv[0]);
  show("read after reset", read(sv[0], b, sizeof b));
  show("read again", read(sv[0], b, sizeof b));
  close(sv[0]);
  signal(SIGPIPE, SIG_DFL);
}

static void messages(int type, const char *name) {
  int sv[2];
  char b[64];
  printf("-- %s\n", name);
  pair(type, sv);
  send(sv[0], "first", 5, 0);
  send(sv[0], "second!", 7, 0);
  send(sv[0], "", 0, 0);
  send(sv[0], "third message", 13, 0);
  int n = -1;
  ioctl(sv[1], FIONREAD, &n);
  printf("FIONREAD %d\n", n);
  show("read 1", read(sv[1], b, sizeof b));
  show("recv 2 truncated", recv(sv[1], b, 3, 0));
  show("recv empty msg", recv(sv[1], b, sizeof b, 0));
  show("peek 3", recv(sv[1], b, 5, MSG_PEEK | MSG_TRUNC));
  struct iovec iov[2] = {{b, 4}, {b + 10, 3}};
  struct msghdr m = {0};
  m.msg_iov = iov;
  m.msg_iovlen = 2;
  show("recvmsg 3", recvmsg(sv[1], &m, 0));
  printf("msg_flags TRUNC %d data %.4s%.3s\n", !!(m.msg_flags & MSG_TRUNC), b, b + 10);
  show("recv DONTWAIT", recv(sv[1], b, sizeof b, MSG_DONTWAIT));
  /* sendmsg with iovecs is one message. */
  struct iovec out[3] = {{"ab", 2}, {"", 0}, {"cde", 3}};
  struct msghdr sm = {0};
  sm.msg_iov = out;
  sm.msg_iovlen = 3;
  show("sendmsg iov", sendmsg(sv[0], &sm, 0));
  memset(b, 0, sizeof b);
  show("recv it", recv(sv[1], b, sizeof b, 0));
  printf("data %s\n", b);
  static char huge[300000];
  show("send too big", send(sv[0], huge, sizeof huge, 0));
  show("shutdown WR", shutdown(sv[0], SHUT_WR));
  pollshow("peer after SHUT_WR", sv[1]);
  show("send after SHUT_WR", send(sv[0], "x", 1, MSG_NOSIGNAL));
  close(sv[0]);
  pollshow("peer closed", sv[1]);
  show("recv after close", recv(sv[1], b, sizeof b, MSG_DONTWAIT));
  show("send to closed", send(sv[1], "x", 1, MSG_NOSIGNAL));
  show("send to closed again", send(sv[1], "x", 1, MSG_NOSIGNAL));
  close(sv[1]);
}

static void options(void) {
  int sv[2];
  pair(SOCK_STREAM, sv);
  int v;
  socklen_t l = sizeof v;
  getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &l);
  printf("SO_TYPE %d len %d\n", v, l);
  getsockopt(sv[0], SOL_SOCKET, SO_DOMAIN, &v, &l);
  printf("SO_DOMAIN %d\n", v);
  getsockopt(sv[0], SOL_SOCKET, SO_PROTOCOL, &v, &l);
  printf("SO_PROTOCOL %d\n", v);
  getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &v, &l);
  printf("SO_ERROR %d\n", v);
  v = 65536;
  show("set SNDBUF", setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof v));
  getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, &l);
  printf("SO_SNDBUF %d\n", v);
  v = 1;
  setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
  getsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, &l);
  printf("SO_RCVBUF min %d\n", v);
  setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
  getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, &l);
  printf("SO_SNDBUF min %d\n", v);
  v = 1;
  show("set PASSCRED", setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &v, sizeof v));
  v = 0;
  getsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &v, &l);
  printf("SO_PASSCRED %d\n", v);
  show("set short", setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &v, 2));
  struct ucred c;
  socklen_t cl = sizeof c;
  show("PEERCRED", getsockopt(sv[1], SOL_SOCKET, SO_PEERCRED, &c, &cl));
  printf("peercred len %d pid ok %d uid ok %d gid ok %d\n", cl, c.pid == getpid(),
         c.uid == geteuid(), c.gid == getegid());
  char small[2];
  l = 2;
  getsockopt(sv[0], SOL_SOCKET, SO_TYPE, small, &l);
  printf("short optlen -> %d\n", l);
  l = sizeof v;
  show("IPPROTO_TCP opt", getsockopt(sv[0], 6 /* IPPROTO_TCP */, 1, &v, &l));
  struct sockaddr_un a;
  socklen_t al = sizeof a;
  memset(&a, 0xff, sizeof a);
  show("getsockname", getsockname(sv[0], (struct sockaddr *)&a, &al));
  printf("name len %d family %d\n", al, a.sun_family);
  al = sizeof a;
  show("getpeername", getpeername(sv[0], (struct sockaddr *)&a, &al));
  printf("peer len %d\n", al);
  struct stat st;
  fstat(sv[0], &st);
  printf("S_ISSOCK %d mode %o\n", S_ISSOCK(st.st_mode), st.st_mode & 0777);
  /* sendto with an address on a connected stream. */
  show("sendto addr", sendto(sv[0], "x", 1, 0, (struct sockaddr *)&a, sizeof(sa_family_t) + 2));
  show("sendto NULL addr", sendto(sv[0], "x", 1, 0, NULL, 0));
  al = sizeof a;
  char b[4];
  show("recvfrom", recvfrom(sv[1], b, sizeof b, 0, (struct sockaddr *)&a, &al));
  printf("recvfrom addrlen %d\n", al);
  show("connect", connect(sv[0], (struct sockaddr *)&a, sizeof(sa_family_t)));
  show("listen", listen(sv[0], 1));
  close(sv[0]);
  close(sv[1]);
}

static void rights(void) {
  int sv[2], p[2];
  pair(SOCK_STREAM, sv);
  if (pipe(p)) return;
  char cbuf[CMSG_SPACE(2 * sizeof(int))];
  memset(cbuf, 0, sizeof cbuf);
  struct iovec iov = {"F", 1};
  struct msghdr m = {0};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = cbuf;
  m.msg_controllen = CMSG_SPACE(sizeof(int));
  struct cmsghdr *c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &p[1], sizeof(int));
  show("sendmsg SCM_RIGHTS", sendmsg(sv[0], &m, 0));
  send(sv[0], "after", 5, 0);
  char data[16];
  char rbuf[CMSG_SPACE(4 * sizeof(int))];
  struct iovec riov = {data, sizeof data};
  struct msghdr r = {0};
  r.msg_iov = &riov;
  r.msg_iovlen = 1;
  r.msg_control = rbuf;
  r.msg_controllen = sizeof rbuf;
  show("recvmsg", recvmsg(sv[1], &r, MSG_CMSG_CLOEXEC));
  printf("controllen %zu flags %#x\n", (size_t)r.msg_controllen, r.msg_flags);
  struct cmsghdr *rc = CMSG_FIRSTHDR(&r);
  if (rc && rc->cmsg_type == SCM_RIGHTS) {
    int fd;
    memcpy(&fd, CMSG_DATA(rc), sizeof fd);
    printf("cmsg len %zu cloexec %d\n", (size_t)rc->cmsg_len, fcntl(fd, F_GETFD) & FD_CLOEXEC);
    write(fd, "via passed fd", 13);
    close(fd);
    char pb[32] = {0};
    show("pipe read", read(p[0], pb, sizeof pb));
    printf("pipe got %s\n", pb);
  }
  show("rest", recv(sv[1], data, sizeof data, 0));
  /* Control buffer too small: MSG_CTRUNC, the file is dropped. */
  m.msg_controllen = CMSG_SPACE(sizeof(int));
  sendmsg(sv[0], &m, 0);
  r.msg_controllen = sizeof(struct cmsghdr) - 1;
  show("recvmsg small ctl", recvmsg(sv[1], &r, 0));
  printf("controllen %zu CTRUNC %d\n", (size_t)r.msg_controllen, !!(r.msg_flags & MSG_CTRUNC));
  /* Bad cmsg length and bad fd. */
  c->cmsg_len = 4;
  show("bad cmsg_len", sendmsg(sv[0], &m, 0));
  c->cmsg_len = CMSG_LEN(sizeof(int));
  int bad = 999;
  memcpy(CMSG_DATA(c), &bad, sizeof bad);
  show("bad fd", sendmsg(sv[0], &m, 0));
  close(p[0]);
  close(p[1]);
  close(sv[0]);
  close(sv[1]);
}

static void mmsg(void) {
  int sv[2];
  pair(SOCK_DGRAM, sv);
  struct iovec out[3] = {{"one", 3}, {"two!", 4}, {"three", 5}};
  struct mmsghdr sm[3];
  memset(sm, 0, sizeof sm);
  for (int i = 0; i < 3; i++) {
    sm[i].msg_hdr.msg_iov = &out[i];
    sm[i].msg_hdr.msg_iovlen = 1;
  }
  show("sendmmsg", sendmmsg(sv[0], sm, 3, 0));
  printf("msg_len %u %u %u\n", sm[0].msg_len, sm[1].msg_len, sm[2].msg_len);
  char b[4][8];
  struct iovec in[4];
  struct mmsghdr rm[4];
  memset(rm, 0, sizeof rm);
  for (int i = 0; i < 4; i++) {
    in[i].iov_base = b[i];
    in[i].iov_len = 4;
    rm[i].msg_hdr.msg_iov = &in[i];
    rm[i].msg_hdr.msg_iovlen = 1;
  }
  show("recvmmsg WAITFORONE", recvmmsg(sv[1], rm, 4, MSG_WAITFORONE, NULL));
  printf("lens %u %u %u trunc3 %d\n", rm[0].msg_len, rm[1].msg_len, rm[2].msg_len,
         !!(rm[2].msg_hdr.msg_flags & MSG_TRUNC));
  show("recvmmsg DONTWAIT empty", recvmmsg(sv[1], rm, 4, MSG_DONTWAIT, NULL));
  close(sv[0]);
  close(sv[1]);
}

static void on_alrm(int s) { (void)s; }

/* A blocking recv interrupted by a handler without SA_RESTART: EINTR; epoll
 * readiness follows the queue. */
static void blocking(void) {
  int sv[2];
  char b[8];
  pair(SOCK_STREAM, sv);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alrm;
  sigaction(SIGALRM, &sa, NULL);
  struct itimerval it = {{0, 0}, {0, 50000}};
  setitimer(ITIMER_REAL, &it, NULL);
  show("recv interrupted", recv(sv[0], b, sizeof b, 0));
  signal(SIGALRM, SIG_DFL);
  int ep = epoll_create1(0);
  struct epoll_event ev = {EPOLLIN, {.fd = sv[1]}};
  epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev);
  struct epoll_event out;
  show("epoll idle", epoll_wait(ep, &out, 1, 0));
  write(sv[0], "e", 1);
  show("epoll after write", epoll_wait(ep, &out, 1, 1000));
  printf("events %#x\n", out.events);
  close(ep);
  close(sv[0]);
  close(sv[1]);
}

static void errors(void) {
  int sv[2];
  show("AF_INET pair", socketpair(AF_INET, SOCK_STREAM, 0, sv));
  show("family 99", socketpair(99, SOCK_STREAM, 0, sv));
  show("bad type", socketpair(AF_UNIX, 9, 0, sv));
  show("bad flags", socketpair(AF_UNIX, SOCK_STREAM | 0x100000, 0, sv));
  show("bad proto", socketpair(AF_UNIX, SOCK_STREAM, 7, sv));
  int *volatile badp = (int *)8;
  show("EFAULT", socketpair(AF_UNIX, SOCK_STREAM, 0, badp));
  show("send on file", send(0 > 1 ? 0 : open("/", O_RDONLY), "x", 1, 0));
  show("send on bad fd", send(9999, "x", 1, 0));
  int fd = socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv);
  show("dgram pair", fd);
  printf("nonblock %d\n", !!(fcntl(sv[0], F_GETFL) & O_NONBLOCK));
  char b[4];
  show("dgram empty", recv(sv[0], b, sizeof b, 0));
  pollshow("dgram idle", sv[0]);
  close(sv[0]);
  close(sv[1]);
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  stream_basic();
  stream_fork();
  stream_shutdown();
  messages(SOCK_SEQPACKET, "SEQPACKET");
  messages(SOCK_DGRAM, "DGRAM");
  options();
  rights();
  mmsg();
  blocking();
  errors();
  return 0;
}
