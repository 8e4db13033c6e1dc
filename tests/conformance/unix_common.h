/* Helpers of the unix_* conformance programs: socket names that native and
 * sandboxed runs can both use (/tmp, unique per process but of fixed length,
 * so address lengths print the same), and SCM_RIGHTS send/receive. */
#ifndef UNIX_COMMON_H
#define UNIX_COMMON_H
#include "common.h"
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>

#define SUNLEN(n) ((socklen_t)(offsetof(struct sockaddr_un, sun_path) + (n)))

/* A path name "/tmp/ut<8 digits>.<name>" (removed first); returns the
 * address length including the NUL. */
static inline socklen_t upath(struct sockaddr_un *a, const char *name) {
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  snprintf(a->sun_path, sizeof a->sun_path, "/tmp/ut%08d.%s", (int)getpid(), name);
  unlink(a->sun_path);
  return SUNLEN(strlen(a->sun_path) + 1);
}

/* An abstract name "\0ut<8 digits>.<name>"; returns its exact length. */
static inline socklen_t uabs(struct sockaddr_un *a, const char *name) {
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  snprintf(a->sun_path + 1, sizeof a->sun_path - 1, "ut%08d.%s", (int)getpid(), name);
  return SUNLEN(1 + strlen(a->sun_path + 1));
}

static inline int xsock(int type) {
  int s = socket(AF_UNIX, type, 0);
  if (s < 0) {
    printf("FAIL socket: %s\n", errname(errno));
    exit(1);
  }
  return s;
}

/* A bound listening socket. */
static inline int xlisten(int type, const struct sockaddr_un *a, socklen_t len, int backlog) {
  int s = xsock(type);
  if (bind(s, (const struct sockaddr *)a, len) || listen(s, backlog)) {
    printf("FAIL bind/listen: %s\n", errname(errno));
    exit(1);
  }
  return s;
}

static inline int xconnect(int type, const struct sockaddr_un *a, socklen_t len) {
  int s = xsock(type);
  if (connect(s, (const struct sockaddr *)a, len)) {
    printf("FAIL connect: %s\n", errname(errno));
    exit(1);
  }
  return s;
}

/* Send one byte with n fds. */
static inline long sendfds(int s, const int *fds, int n) {
  char byte = 'F';
  struct iovec iov = {&byte, 1};
  char ctl[CMSG_SPACE(sizeof(int) * 256)];
  memset(ctl, 0, sizeof ctl);
  struct msghdr m = {0};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = ctl;
  m.msg_controllen = CMSG_SPACE(sizeof(int) * n);
  struct cmsghdr *c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int) * n);
  memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
  return sendmsg(s, &m, 0);
}

/* Receive one byte and up to max fds into fds (control space for `room`
 * fds); returns the number of fds, or -1; *mflags gets msg_flags. */
static inline int recvfds(int s, int *fds, int room, int flags, int *mflags) {
  char byte;
  struct iovec iov = {&byte, 1};
  char ctl[CMSG_SPACE(sizeof(int) * 256)];
  struct msghdr m = {0};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = room ? ctl : NULL;
  m.msg_controllen = room ? CMSG_SPACE(sizeof(int) * room) : 0;
  if (recvmsg(s, &m, flags) < 0)
    return -1;
  if (mflags)
    *mflags = m.msg_flags;
  int n = 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      memcpy(fds + n, CMSG_DATA(c), sizeof(int) * k);
      n += k;
    }
  }
  return n;
}

static inline const char *evbits(unsigned r) {
  static char b[128];
  b[0] = 0;
  if (r & POLLIN) strcat(b, "IN ");
  if (r & POLLOUT) strcat(b, "OUT ");
  if (r & POLLHUP) strcat(b, "HUP ");
  if (r & POLLRDHUP) strcat(b, "RDHUP ");
  if (r & POLLERR) strcat(b, "ERR ");
  return b[0] ? b : "none";
}

static inline void pollshow(const char *what, int fd) {
  struct pollfd p = {fd, POLLIN | POLLOUT | POLLRDHUP, 0};
  int r = poll(&p, 1, 0);
  printf("poll %s: %d %s\n", what, r, evbits(p.revents));
}
#endif
