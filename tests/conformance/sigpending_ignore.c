/* Pending signals and ignoring: a blocked signal whose action is SIG_IGN is still
 * queued (it may be unignored before unblock); setting SIG_IGN while pending discards
 * it; SIGKILL and SIGSTOP cannot be blocked; a blocked default-ignored signal is
 * pending; SIG_SETMASK/SIG_UNBLOCK/bad how. */
#include "proc.h"

static volatile int hits;
static void handler(int sig) { (void)sig; hits++; }

int main(int argc, char **argv) {
  init(argc, argv);
  block1(SIG_BLOCK, SIGUSR1);
  signal(SIGUSR1, SIG_IGN);
  raise(SIGUSR1);
  SAY("ignored+blocked: pending %d", is_pending(SIGUSR1));
  signal(SIGUSR1, handler);
  block1(SIG_UNBLOCK, SIGUSR1);
  SAY("handler installed before unblock: hits %d", hits);
  block1(SIG_BLOCK, SIGUSR1);
  raise(SIGUSR1);
  SAY("pending again %d", is_pending(SIGUSR1));
  signal(SIGUSR1, SIG_IGN);
  SAY("after SIG_IGN: pending %d", is_pending(SIGUSR1));
  signal(SIGUSR1, handler);
  block1(SIG_UNBLOCK, SIGUSR1);
  SAY("after unblock: hits %d", hits);
  /* default-ignored signals queue while blocked, and setting SIG_DFL discards them */
  block1(SIG_BLOCK, SIGURG);
  raise(SIGURG);
  SAY("SIGURG blocked: pending %d", is_pending(SIGURG));
  signal(SIGURG, SIG_DFL);
  SAY("SIGURG after SIG_DFL: pending %d", is_pending(SIGURG));
  /* unblocked ignored signals are dropped immediately */
  signal(SIGUSR2, SIG_IGN);
  raise(SIGUSR2);
  SAY("ignored unblocked: pending %d", is_pending(SIGUSR2));
  /* SIGKILL/SIGSTOP are silently not blocked */
  sigset_t all, cur;
  sigfillset(&all);
  T(sigprocmask(SIG_SETMASK, &all, NULL));
  sigprocmask(SIG_SETMASK, NULL, &cur);
  SAY("after fill: KILL %d STOP %d TERM %d RTMAX %d", sigismember(&cur, SIGKILL), sigismember(&cur, SIGSTOP),
      sigismember(&cur, SIGTERM), sigismember(&cur, SIGRTMAX));
  sigemptyset(&all);
  T(sigprocmask(SIG_SETMASK, &all, NULL));
  T(sigprocmask(99, &all, NULL));
  T(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &all, NULL, 4));
  T(syscall(SYS_rt_sigpending, &cur, 4));
  T(syscall(SYS_rt_sigpending, &cur, 8));
  T(syscall(SYS_rt_sigpending, BADPTR, 8));
  /* several pending at once */
  sigset_t b;
  sigemptyset(&b);
  sigaddset(&b, SIGHUP);
  sigaddset(&b, SIGTERM);
  sigaddset(&b, SIGRTMIN + 4);
  sigprocmask(SIG_BLOCK, &b, NULL);
  raise(SIGHUP);
  raise(SIGRTMIN + 4);
  sigset_t p;
  sigpending(&p);
  SAY("pending: HUP %d TERM %d RTMIN+4 %d", sigismember(&p, SIGHUP), sigismember(&p, SIGTERM),
      sigismember(&p, SIGRTMIN + 4));
  signal(SIGHUP, SIG_IGN);
  signal(SIGRTMIN + 4, SIG_IGN);
  sigpending(&p);
  SAY("after ignoring: HUP %d RTMIN+4 %d", sigismember(&p, SIGHUP), sigismember(&p, SIGRTMIN + 4));
  return 0;
}
