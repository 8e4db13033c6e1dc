/* sched_* policy calls: ranges, get/set of policies and params, errnos.
 * Real-time policies are set only briefly on this process itself. */
#include "common.h"
#include <sched.h>
#include <sys/resource.h>
#include <sys/wait.h>

#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif

struct sched_attr {
  uint32_t size, sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime, sched_deadline, sched_period;
  uint32_t sched_util_min, sched_util_max;
};

static void show(const char *what, long r) {
  if (r < 0)
    printf("%s: -1 %s\n", what, errname(errno));
  else
    printf("%s: %ld\n", what, r);
  errno = 0;
}

static int getattr(pid_t pid, struct sched_attr *a, unsigned size) {
  return syscall(SYS_sched_getattr, pid, a, size, 0);
}
static int setattr(pid_t pid, struct sched_attr *a) { return syscall(SYS_sched_setattr, pid, a, 0); }

int main(void) {
  /* Start from nice 0 whatever the nice value inherited from the host. */
  setpriority(PRIO_PROCESS, 0, 0);
  int pols[] = {SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_IDLE, 6, 4, 7, 8, -1};
  for (unsigned i = 0; i < sizeof pols / sizeof *pols; i++) {
    char b[64];
    snprintf(b, sizeof b, "max(%d)", pols[i]);
    show(b, sched_get_priority_max(pols[i]));
    snprintf(b, sizeof b, "min(%d)", pols[i]);
    show(b, sched_get_priority_min(pols[i]));
  }
  show("getscheduler self", sched_getscheduler(0));
  show("getscheduler pid", sched_getscheduler(getpid()));
  show("getscheduler -1", sched_getscheduler(-1));
  show("getscheduler missing", sched_getscheduler(4000000));
  struct sched_param sp = {.sched_priority = 5};
  show("getparam", sched_getparam(0, &sp));
  printf("prio: %d\n", sp.sched_priority);
  show("getparam null", syscall(SYS_sched_getparam, 0, NULL));
  show("getparam -1", sched_getparam(-1, &sp));
  show("getparam efault", syscall(SYS_sched_getparam, 0, (void *)8));

  sp.sched_priority = 1;
  show("set other prio 1", sched_setscheduler(0, SCHED_OTHER, &sp));
  sp.sched_priority = 0;
  show("set fifo prio 0", sched_setscheduler(0, SCHED_FIFO, &sp));
  sp.sched_priority = 100;
  show("set fifo prio 100", sched_setscheduler(0, SCHED_FIFO, &sp));
  sp.sched_priority = -1;
  show("set rr prio -1", sched_setscheduler(0, SCHED_RR, &sp));
  sp.sched_priority = 0;
  show("set policy 4", sched_setscheduler(0, 4, &sp));
  show("set policy -1", sched_setscheduler(0, -1, &sp));
  show("set deadline", sched_setscheduler(0, 6, &sp));
  show("set null", syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL));
  show("set efault", syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, (void *)8));
  show("set missing", sched_setscheduler(4000000, SCHED_OTHER, &sp));

  show("set batch", sched_setscheduler(0, SCHED_BATCH, &sp));
  show("get", sched_getscheduler(0));
  show("set idle", sched_setscheduler(0, SCHED_IDLE, &sp));
  show("get", sched_getscheduler(0));
  show("set other|reset", sched_setscheduler(0, SCHED_OTHER | SCHED_RESET_ON_FORK, &sp));
  show("get", sched_getscheduler(0));
  sp.sched_priority = 10;
  show("set rr 10", sched_setscheduler(0, SCHED_RR, &sp));
  show("get", sched_getscheduler(0));
  sp.sched_priority = 0;
  sched_getparam(0, &sp);
  printf("prio: %d\n", sp.sched_priority);
  struct timespec ts;
  show("rr interval", sched_rr_get_interval(0, &ts));
  printf("rr 100ms: %d\n", ts.tv_sec == 0 && ts.tv_nsec == 100000000);
  sp.sched_priority = 20;
  show("setparam 20", sched_setparam(0, &sp));
  sched_getparam(0, &sp);
  printf("prio: %d\n", sp.sched_priority);
  sp.sched_priority = 0;
  show("setparam 0 while rr", sched_setparam(0, &sp));
  /* The child of a reset-on-fork RR task starts as SCHED_OTHER. */
  pid_t c = fork();
  if (c == 0) {
    printf("child policy: %d\n", sched_getscheduler(0));
    fflush(stdout);
    _exit(0);
  }
  waitpid(c, NULL, 0);
  sp.sched_priority = 0;
  show("back to other", sched_setscheduler(0, SCHED_OTHER, &sp));
  show("get", sched_getscheduler(0));
  show("rr interval -1", sched_rr_get_interval(-1, &ts));
  show("rr interval other", sched_rr_get_interval(0, &ts));

  /* sched_getattr / sched_setattr. */
  struct sched_attr a;
  memset(&a, 0xff, sizeof a);
  show("getattr", getattr(0, &a, sizeof a));
  printf("attr size %u policy %u flags %llu nice %d prio %u\n", a.size, a.sched_policy,
         (unsigned long long)a.sched_flags, a.sched_nice, a.sched_priority);
  memset(&a, 0xff, sizeof a);
  show("getattr 48", getattr(0, &a, 48));
  printf("attr size %u\n", a.size);
  show("getattr 47", getattr(0, &a, 47));
  show("getattr flags", syscall(SYS_sched_getattr, 0, &a, sizeof a, 1));
  show("getattr null", syscall(SYS_sched_getattr, 0, NULL, sizeof a, 0));
  show("getattr -1", getattr(-1, &a, sizeof a));
  memset(&a, 0, sizeof a);
  a.size = sizeof a;
  a.sched_policy = SCHED_OTHER;
  a.sched_nice = 5;
  show("setattr nice 5", setattr(0, &a));
  show("getpriority", syscall(SYS_getpriority, PRIO_PROCESS, 0));
  a.sched_nice = 100;
  show("setattr nice 100", setattr(0, &a));
  show("getpriority", syscall(SYS_getpriority, PRIO_PROCESS, 0));
  a.sched_nice = 0;
  a.size = 20;
  show("setattr size 20", setattr(0, &a));
  printf("size written back: %u\n", a.size);
  a.size = 0;
  show("setattr size 0", setattr(0, &a));
  a.size = sizeof a;
  a.sched_flags = 0x1000;
  show("setattr bad flag", setattr(0, &a));
  a.sched_flags = 0;
  show("setattr flags arg", syscall(SYS_sched_setattr, 0, &a, 1));
  a.sched_policy = 0x80000000u;
  show("setattr neg policy", setattr(0, &a));
  a.sched_policy = SCHED_OTHER;
  char big[128];
  memset(big, 0, sizeof big);
  memcpy(big, &a, sizeof a);
  ((struct sched_attr *)big)->size = sizeof big;
  show("setattr big zero tail", setattr(0, (struct sched_attr *)big));
  big[100] = 1;
  show("setattr big nonzero tail", setattr(0, (struct sched_attr *)big));
  printf("size written back: %u\n", ((struct sched_attr *)big)->size);
  return 0;
}
