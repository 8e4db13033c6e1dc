/* SCM_CREDENTIALS and SO_PASSCRED: a receiver with SO_PASSCRED gets the
 * sender's pid/uid/gid even when none were sent; sending one's own
 * credentials works; a bad length is EINVAL; SO_PASSCRED on an unbound
 * datagram sender autobinds it; credentials before the rights in recvmsg. */
#include "unix_common.h"

/* Receive one message; print whether creds came and whether they are ours. */
static void rcv(int s, const char *what) {
  char buf[16];
  struct iovec iov = {buf, sizeof buf};
  char ctl[256];
  struct msghdr m = {0};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = ctl;
  m.msg_controllen = sizeof ctl;
  long n = recvmsg(s, &m, 0);
  if (n < 0) {
    printf("%s: recvmsg %s\n", what, errname(errno));
    return;
  }
  printf("%s: n=%ld flags=%d:", what, n, m.msg_flags);
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
    if (c->cmsg_type == SCM_CREDENTIALS) {
      struct ucred u;
      memcpy(&u, CMSG_DATA(c), sizeof u);
      printf(" creds(len %zu pid %s uid %s gid %s)", (size_t)c->cmsg_len,
             u.pid == getpid() ? "self" : u.pid == 0 ? "0" : "other",
             u.uid == getuid() ? "self" : "other", u.gid == getgid() ? "self" : "other");
    } else if (c->cmsg_type == SCM_RIGHTS) {
      printf(" rights(%zu)", (size_t)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int)));
      close(*(int *)CMSG_DATA(c));
    }
  }
  printf("\n");
}

static long send_creds(int s, pid_t pid, int withfd) {
  char byte = 'c';
  struct iovec iov = {&byte, 1};
  char ctl[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int))];
  memset(ctl, 0, sizeof ctl);
  struct msghdr m = {0};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = ctl;
  m.msg_controllen = CMSG_SPACE(sizeof(struct ucred)) + (withfd ? CMSG_SPACE(sizeof(int)) : 0);
  struct cmsghdr *c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_CREDENTIALS;
  c->cmsg_len = CMSG_LEN(sizeof(struct ucred));
  struct ucred u = {pid, getuid(), getgid()};
  memcpy(CMSG_DATA(c), &u, sizeof u);
  if (withfd) {
    c = CMSG_NXTHDR(&m, c);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    int fd = 0;
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
  }
  return sendmsg(s, &m, 0);
}

int main(int argc, char **argv) {
  init(argc, argv);
  int on = 1;
  for (int type = SOCK_STREAM; type <= SOCK_DGRAM; type++) {
    printf("type %d\n", type);
    int sv[2];
    T(socketpair(AF_UNIX, type, 0, sv));
    T(send(sv[0], "a", 1, 0));
    rcv(sv[1], "no passcred");
    T(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on));
    T(send(sv[0], "b", 1, 0));
    rcv(sv[1], "passcred");
    T(write(sv[0], "w", 1));
    rcv(sv[1], "write");
    T(send_creds(sv[0], getpid(), 0));
    rcv(sv[1], "explicit own");
    T(send_creds(sv[0], getpid(), 1));
    rcv(sv[1], "creds+rights");
    close(sv[0]);
    close(sv[1]);
  }
  /* A child's credentials through a named dgram socket. */
  struct sockaddr_un a, got;
  socklen_t al = upath(&a, "cred");
  int r = xsock(SOCK_DGRAM);
  T(bind(r, (struct sockaddr *)&a, al));
  T(setsockopt(r, SOL_SOCKET, SO_PASSCRED, &on, sizeof on));
  pid_t p = fork();
  if (p == 0) {
    int s = xsock(SOCK_DGRAM);
    sendto(s, "k", 1, 0, (struct sockaddr *)&a, al);
    _exit(0);
  }
  waitpid(p, NULL, 0);
  rcv(r, "from child");
  /* SO_PASSCRED on an unbound sender: it gets an autobind name. */
  int s = xsock(SOCK_DGRAM);
  T(setsockopt(s, SOL_SOCKET, SO_PASSCRED, &on, sizeof on));
  socklen_t glen = sizeof got;
  T(getsockname(s, (struct sockaddr *)&got, &glen));
  printf("before len %d\n", glen);
  T(sendto(s, "k", 1, 0, (struct sockaddr *)&a, al));
  glen = sizeof got;
  T(getsockname(s, (struct sockaddr *)&got, &glen));
  printf("after len %d abstract %d\n", glen, got.sun_path[0] == 0);
  rcv(r, "autobound");
  /* Bad SCM_CREDENTIALS length. */
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  char byte = 'x';
  struct iovec iov = {&byte, 1};
  char ctl[CMSG_SPACE(8)];
  memset(ctl, 0, sizeof ctl);
  struct msghdr m = {0};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = ctl;
  m.msg_controllen = sizeof ctl;
  struct cmsghdr *c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_CREDENTIALS;
  c->cmsg_len = CMSG_LEN(8);
  T(sendmsg(sv[0], &m, 0));
  unlink(a.sun_path);
  return 0;
}
