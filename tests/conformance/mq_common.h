/* Shared helpers of the POSIX message queue tests (mq_*.c).
 *
 * Natively the queues live in the host's IPC namespace, and the static and dynamic
 * builds of a program run at the same time: every queue name carries the pid (never
 * printed), and every program unlinks its queues before it exits.
 */
#ifndef MQ_COMMON_H
#define MQ_COMMON_H
#include "common.h"
#include <mqueue.h>
#include <signal.h>
#include <time.h>

/* "/systests_mq_<tag>_<pid>" (8 rotating buffers). */
static inline const char *qname(const char *tag) {
  static char bufs[8][96];
  static int i;
  char *b = bufs[i++ % 8];
  snprintf(b, 96, "/systests_mq_%s_%d", tag, (int)getpid());
  return b;
}

/* Raw syscalls (glibc's wrappers strip the leading '/' and check names). */
static inline long sys_mq_open(const char *name, int oflag, int mode, struct mq_attr *a) {
  return syscall(SYS_mq_open, name, oflag, mode, a);
}

static inline void show_attr(const char *label, mqd_t q) {
  struct mq_attr a;
  if (mq_getattr(q, &a) != 0) {
    printf("%s: mq_getattr %s\n", label, errname(errno));
    return;
  }
  printf("%s: flags=%#lx maxmsg=%ld msgsize=%ld curmsgs=%ld\n", label, a.mq_flags,
         a.mq_maxmsg, a.mq_msgsize, a.mq_curmsgs);
}

/* An absolute CLOCK_REALTIME time `ms` milliseconds from now (negative: in the past). */
static inline struct timespec abs_ms(long ms) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  long ns = ts.tv_nsec + (ms % 1000) * 1000000L;
  ts.tv_sec += ms / 1000 + (ns >= 1000000000L ? 1 : 0) - (ns < 0 ? 1 : 0);
  ts.tv_nsec = (ns + 1000000000L) % 1000000000L;
  return ts;
}
#endif
