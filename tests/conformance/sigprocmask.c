/* rt_sigprocmask: block, unblock, setmask, read back; SIGKILL/SIGSTOP; errors. */
#include "common.h"
#include <signal.h>

#define BIT(s) (1UL << ((s) - 1))
#define PM(how, set, old, size) T(syscall(SYS_rt_sigprocmask, how, set, old, size))

int main(int argc, char **argv) {
  init(argc, argv);
  unsigned long set, old = 0xdead;
  PM(SIG_BLOCK, NULL, &old, 8);
  SAY("initial mask: %#lx", old);
  set = BIT(SIGUSR1) | BIT(SIGKILL) | BIT(SIGSTOP) | BIT(SIGRTMIN + 1) | BIT(64);
  PM(SIG_BLOCK, &set, &old, 8);
  SAY("old: %#lx", old);
  PM(SIG_BLOCK, NULL, &old, 8);
  SAY("now: %#lx", old);
  set = BIT(SIGUSR2);
  PM(SIG_BLOCK, &set, NULL, 8);
  PM(SIG_BLOCK, NULL, &old, 8);
  SAY("now: %#lx", old);
  set = BIT(SIGUSR1) | BIT(SIGHUP);
  PM(SIG_UNBLOCK, &set, &old, 8);
  SAY("old: %#lx", old);
  PM(SIG_BLOCK, NULL, &old, 8);
  SAY("now: %#lx", old);
  set = BIT(SIGTERM) | BIT(SIGKILL);
  PM(SIG_SETMASK, &set, &old, 8);
  SAY("old: %#lx", old);
  PM(SIG_SETMASK, NULL, &old, 8);
  SAY("now: %#lx", old);
  set = ~0UL;
  PM(SIG_SETMASK, &set, NULL, 8);
  PM(SIG_BLOCK, NULL, &old, 8);
  SAY("all blocked: %#lx", old);
  /* errors */
  PM(3, &set, NULL, 8);
  PM(-1, &set, NULL, 8);
  PM(3, NULL, &old, 8);
  PM(SIG_BLOCK, &set, NULL, 4);
  PM(SIG_BLOCK, &set, NULL, 16);
  PM(SIG_BLOCK, BADPTR, NULL, 8);
  PM(SIG_BLOCK, NULL, BADPTR, 8);
  PM(SIG_BLOCK, NULL, NULL, 8);
  set = 0;
  PM(SIG_SETMASK, &set, NULL, 8);
  PM(SIG_BLOCK, NULL, &old, 8);
  SAY("cleared: %#lx", old);
  /* libc */
  sigset_t s, o;
  sigemptyset(&s);
  sigaddset(&s, SIGALRM);
  T(sigprocmask(SIG_BLOCK, &s, NULL));
  T(sigprocmask(SIG_BLOCK, NULL, &o));
  CHECK(sigismember(&o, SIGALRM) && !sigismember(&o, SIGINT));
  sigset_t pend;
  T(sigpending(&pend));
  CHECK(sigisemptyset(&pend));
  T(syscall(SYS_rt_sigpending, &old, 8));
  SAY("pending: %#lx", old);
  T(syscall(SYS_rt_sigpending, &old, 16));
  T(syscall(SYS_rt_sigpending, BADPTR, 8));
  return 0;
}
