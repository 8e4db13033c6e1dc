/* Helpers of the pty_* conformance programs. */
#ifndef PTY_UTIL_H
#define PTY_UTIL_H
#include "common.h"
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>

/* A new pty pair: master and slave (opened with `sflags`, O_RDWR added). */
static inline int pty_pair(int *m, int *s, int sflags) {
  *m = posix_openpt(O_RDWR | O_NOCTTY);
  if (*m < 0 || grantpt(*m) || unlockpt(*m)) {
    printf("pty_pair: FAIL %s\n", errname(errno));
    return -1;
  }
  *s = open(ptsname(*m), O_RDWR | sflags);
  if (*s < 0) {
    printf("pty_pair slave: FAIL %s\n", errname(errno));
    return -1;
  }
  return 0;
}

/* Print `n` bytes with control characters escaped. */
static inline void pty_show(const char *label, const char *b, long n) {
  printf("%s: %ld \"", label, n);
  for (long i = 0; i < n; i++) {
    unsigned char c = b[i];
    if (c == '\n') printf("\\n");
    else if (c == '\r') printf("\\r");
    else if (c == '\b') printf("\\b");
    else if (c < 0x20 || c >= 0x7f) printf("\\x%02x", c);
    else putchar(c);
  }
  printf("\"\n");
}

/* Read what `fd` offers until it stays quiet for 200 ms (the first byte
 * may take up to 2 s): the ldisc of a native pty works asynchronously. */
static inline long pty_drain(int fd, char *buf, long size) {
  long got = 0;
  int wait = 2000;
  while (got < size) {
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, wait) <= 0 || !(p.revents & POLLIN)) break;
    long r = read(fd, buf + got, size - got);
    if (r <= 0) break;
    got += r;
    wait = 200;
  }
  return got;
}

/* Drain and show the master's output. */
static inline void pty_show_drain(const char *label, int fd) {
  char buf[1024];
  long n = pty_drain(fd, buf, sizeof buf);
  pty_show(label, buf, n);
}

/* Read from the slave with a poll first (so a missing line prints
 * "no input" instead of hanging). */
static inline void pty_show_read(const char *label, int fd) {
  char buf[1024];
  struct pollfd p = {fd, POLLIN, 0};
  if (poll(&p, 1, 2000) <= 0) {
    printf("%s: no input\n", label);
    return;
  }
  long n = read(fd, buf, sizeof buf);
  if (n < 0) {
    printf("%s: -1 %s\n", label, errname(errno));
    return;
  }
  pty_show(label, buf, n);
}

static inline void pty_write(int fd, const char *s) {
  long n = strlen(s);
  if (write(fd, s, n) != n) printf("write: FAIL %s\n", errname(errno));
}

/* Wait for a child and print how it ended. */
static inline void pty_reap(const char *label, pid_t pid) {
  int st;
  if (waitpid(pid, &st, 0) != pid) {
    printf("%s: waitpid FAIL %s\n", label, errname(errno));
    return;
  }
  if (WIFEXITED(st)) printf("%s: exit %d\n", label, WEXITSTATUS(st));
  else if (WIFSIGNALED(st)) printf("%s: signal %d\n", label, WTERMSIG(st));
}
#endif
