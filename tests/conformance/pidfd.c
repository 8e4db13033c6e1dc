/* pidfd_open, poll until exit, waitid(P_PIDFD), pidfd_send_signal,
 * CLONE_PIDFD via clone3 and clone, pidfd_getfd of a child's pipe. */
#include "common.h"
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#ifndef PIDFD_NONBLOCK
#define PIDFD_NONBLOCK O_NONBLOCK
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static int pidfd_open(pid_t pid, unsigned flags) { return syscall(SYS_pidfd_open, pid, flags); }
static int pidfd_send_signal(int fd, int sig, siginfo_t *info, unsigned flags) {
  return syscall(SYS_pidfd_send_signal, fd, sig, info, flags);
}
static int pidfd_getfd(int fd, int target, unsigned flags) {
  return syscall(SYS_pidfd_getfd, fd, target, flags);
}

static void show(const char *what, long r) {
  printf("%s: %s %s\n", what, r >= 0 ? "ok" : "-1", r >= 0 ? "" : errname(errno));
  errno = 0;
}

int main(void) {
  /* Argument errors. */
  show("open bad flags", pidfd_open(getpid(), 1));
  show("open pid 0", pidfd_open(0, 0));
  show("open -1", pidfd_open(-1, 0));
  show("open missing", pidfd_open(4000000, 0));
  int self = pidfd_open(getpid(), 0);
  show("open self", self);
  printf("cloexec: %d\n", (fcntl(self, F_GETFD) & FD_CLOEXEC) != 0);
  printf("flags rdwr: %d\n", (fcntl(self, F_GETFL) & O_ACCMODE) == O_RDWR);
  struct pollfd p = {self, POLLIN, 0};
  printf("self poll: %d revents %x\n", poll(&p, 1, 0), p.revents);
  show("signal 0 self", pidfd_send_signal(self, 0, NULL, 0));
  show("signal bad flags", pidfd_send_signal(self, 0, NULL, 8));
  show("signal bad sig", pidfd_send_signal(self, 100, NULL, 0));
  show("signal non-pidfd", pidfd_send_signal(0, 0, NULL, 0));
  show("getfd bad flags", pidfd_getfd(self, 0, 1));
  show("getfd bad target", pidfd_getfd(self, 999, 0));
  int dup0 = pidfd_getfd(self, 1, 0);
  show("getfd self stdout", dup0);
  printf("getfd cloexec: %d\n", (fcntl(dup0, F_GETFD) & FD_CLOEXEC) != 0);
  close(dup0);
  int nb = pidfd_open(getpid(), PIDFD_NONBLOCK);
  printf("nonblock flag: %d\n", (fcntl(nb, F_GETFL) & O_NONBLOCK) != 0);
  close(nb);

  /* A child that exits: poll until readable, then waitid(P_PIDFD). */
  int go[2];
  pipe(go);
  pid_t c = fork();
  if (c == 0) {
    char b;
    read(go[0], &b, 1);
    _exit(3);
  }
  int fd = pidfd_open(c, 0);
  show("open child", fd);
  p = (struct pollfd){fd, POLLIN, 0};
  printf("child running poll: %d\n", poll(&p, 1, 0));
  int nbfd = pidfd_open(c, PIDFD_NONBLOCK);
  siginfo_t si;
  memset(&si, 0, sizeof si);
  show("waitid nonblock running", waitid(P_PIDFD, nbfd, &si, WEXITED));
  write(go[1], "x", 1);
  p = (struct pollfd){fd, POLLIN, 0};
  int n = poll(&p, 1, 5000);
  printf("child exited poll: %d in=%d hup=%d\n", n, !!(p.revents & POLLIN), !!(p.revents & POLLHUP));
  show("signal zombie", pidfd_send_signal(fd, SIGTERM, NULL, 0));
  memset(&si, 0, sizeof si);
  int r = waitid(P_PIDFD, fd, &si, WEXITED);
  printf("waitid: %d pid ok %d code %d status %d\n", r, si.si_pid == c, si.si_code, si.si_status);
  p = (struct pollfd){fd, POLLIN, 0};
  n = poll(&p, 1, 0);
  printf("reaped poll: %d in=%d hup=%d\n", n, !!(p.revents & POLLIN), !!(p.revents & POLLHUP));
  show("signal reaped", pidfd_send_signal(fd, SIGTERM, NULL, 0));
  show("waitid reaped", waitid(P_PIDFD, fd, &si, WEXITED));
  show("waitid not pidfd", waitid(P_PIDFD, 0, &si, WEXITED));
  close(fd);
  close(nbfd);

  /* pidfd_send_signal SIGKILL to a sleeping child. */
  c = fork();
  if (c == 0) {
    for (;;) pause();
  }
  fd = pidfd_open(c, 0);
  show("kill child", pidfd_send_signal(fd, SIGKILL, NULL, 0));
  int st;
  waitpid(c, &st, 0);
  printf("killed: %d sig %d\n", WIFSIGNALED(st), WTERMSIG(st));
  close(fd);

  /* CLONE_PIDFD via clone3, and pidfd_getfd of the child's pipe. */
  int pp[2];
  pipe(pp);
  int cpidfd = -1;
  struct clone_args ca;
  memset(&ca, 0, sizeof ca);
  ca.flags = CLONE_PIDFD;
  ca.pidfd = (uint64_t)(uintptr_t)&cpidfd;
  ca.exit_signal = SIGCHLD;
  c = syscall(SYS_clone3, &ca, sizeof ca);
  if (c == 0) {
    /* Keep only a private copy of the write end at fd 100. */
    dup2(pp[1], 100);
    close(pp[1]);
    close(pp[0]);
    char b;
    read(go[0], &b, 1);
    _exit(0);
  }
  printf("clone3 pidfd: %d\n", cpidfd >= 0);
  printf("clone3 pidfd cloexec: %d\n", (fcntl(cpidfd, F_GETFD) & FD_CLOEXEC) != 0);
  close(pp[1]);
  /* Wait until the child has dup'ed its end to 100. */
  int got = -1;
  for (int i = 0; i < 500 && got < 0; i++) {
    got = pidfd_getfd(cpidfd, 100, 0);
    if (got < 0) usleep(10000);
  }
  printf("getfd child: %d\n", got >= 0);
  write(got, "hi", 2);
  char buf[4] = {0};
  printf("read via child fd: %zd %s\n", read(pp[0], buf, 2), buf);
  close(got);
  write(go[1], "x", 1);
  memset(&si, 0, sizeof si);
  r = waitid(P_PIDFD, cpidfd, &si, WEXITED);
  printf("clone3 waitid: %d code %d status %d\n", r, si.si_code, si.si_status);
  close(cpidfd);

  /* Legacy clone: CLONE_PIDFD with CLONE_PARENT_SETTID is EINVAL. */
  errno = 0;
  long lr = syscall(SYS_clone, CLONE_PIDFD | CLONE_PARENT_SETTID | SIGCHLD, 0, &cpidfd, 0, 0);
  show("clone pidfd+settid", lr);
  cpidfd = -1;
  c = syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, 0, &cpidfd, 0, 0);
  if (c == 0) _exit(9);
  printf("clone pidfd: %d\n", cpidfd >= 0);
  r = waitid(P_PIDFD, cpidfd, &si, WEXITED);
  printf("clone waitid: %d status %d\n", r, si.si_status);
  return 0;
}
