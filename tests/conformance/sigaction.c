/* rt_sigaction: set and read back, SIGKILL/SIGSTOP, bad signal numbers, sigsetsize. */
#include "common.h"
#include <signal.h>
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

struct kact {
  void *handler;
  unsigned long flags;
  void *restorer;
  unsigned long mask;
};

static void handler(int s) { (void)s; }
static void restorer(void) {}

static void show(const char *label, struct kact *a) {
  const char *h = a->handler == (void *)handler ? "handler"
                  : a->handler == SIG_DFL       ? "SIG_DFL"
                  : a->handler == SIG_IGN       ? "SIG_IGN"
                                                : "other";
  printf("%s: %s flags %#lx restorer_ok %d mask %#lx\n", label, h, a->flags,
         !(a->flags & SA_RESTORER) || a->restorer == (void *)restorer, a->mask);
}

#define SA(sig, act, old, size) T(syscall(SYS_rt_sigaction, sig, act, old, size))

int main(int argc, char **argv) {
  init(argc, argv);
  struct kact act, old;
  memset(&act, 0, sizeof act);
  memset(&old, 0, sizeof old);
  act.handler = (void *)handler;
  act.flags = SA_RESTORER | SA_SIGINFO | SA_RESTART | SA_ONSTACK;
  act.restorer = (void *)restorer;
  act.mask = (1UL << (SIGUSR2 - 1)) | (1UL << (SIGKILL - 1)) | (1UL << (SIGSTOP - 1)) | (1UL << 40);
  SA(SIGUSR1, &act, NULL, 8);
  SA(SIGUSR1, NULL, &old, 8);
  show("SIGUSR1", &old);
  /* setting returns the previous action */
  act.handler = SIG_IGN;
  act.flags = SA_RESTORER;
  act.mask = 0;
  SA(SIGUSR1, &act, &old, 8);
  show("SIGUSR1 previous", &old);
  SA(SIGUSR1, NULL, &old, 8);
  show("SIGUSR1 now", &old);
  /* flags round trip */
  act.handler = (void *)handler;
  act.flags = SA_RESTORER | SA_NODEFER | SA_RESETHAND | SA_NOCLDSTOP;
  SA(SIGCHLD, &act, NULL, 8);
  SA(SIGCHLD, NULL, &old, 8);
  show("SIGCHLD", &old);
  /* unknown flag bits */
  act.flags = SA_RESTORER | 0x00000400;
  SA(SIGUSR2, &act, NULL, 8);
  SA(SIGUSR2, NULL, &old, 8);
  show("SIGUSR2 with SA_UNSUPPORTED", &old);
  /* default dispositions of signals we never touched */
  SA(SIGTERM, NULL, &old, 8);
  show("SIGTERM", &old);
  SA(SIGRTMIN + 3, NULL, &old, 8);
  show("SIGRTMIN+3", &old);
  SA(SIGSEGV, NULL, &old, 8);
  show("SIGSEGV", &old);
  /* SIGKILL and SIGSTOP cannot be changed, but can be read */
  SA(SIGKILL, &act, NULL, 8);
  SA(SIGSTOP, &act, NULL, 8);
  act.handler = SIG_IGN;
  SA(SIGKILL, &act, NULL, 8);
  act.handler = SIG_DFL;
  SA(SIGSTOP, &act, NULL, 8);
  SA(SIGKILL, NULL, &old, 8);
  show("SIGKILL", &old);
  /* bad signal numbers and sizes */
  SA(0, NULL, &old, 8);
  SA(0, &act, NULL, 8);
  SA(65, NULL, &old, 8);
  SA(-1, NULL, &old, 8);
  SA(64, NULL, &old, 8);
  SA(SIGUSR1, NULL, &old, 4);
  SA(SIGUSR1, NULL, &old, 16);
  SA(SIGUSR1, NULL, &old, 0);
  SA(SIGUSR1, BADPTR, NULL, 8);
  SA(SIGUSR1, NULL, BADPTR, 8);
  SA(SIGUSR1, NULL, NULL, 8);
  /* the libc interface */
  struct sigaction sa, osa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  sigaddset(&sa.sa_mask, SIGINT);
  T(sigaction(SIGHUP, &sa, NULL));
  T(sigaction(SIGHUP, NULL, &osa));
  CHECK(osa.sa_handler == handler && sigismember(&osa.sa_mask, SIGINT) && !sigismember(&osa.sa_mask, SIGQUIT));
  T(sigaction(SIGKILL, &sa, NULL));
  T(sigaction(SIGSTOP, NULL, &osa));
  T(signal(SIGPIPE, SIG_IGN) == SIG_ERR);
  T(signal(SIGPIPE, SIG_DFL) == SIG_IGN);
  return 0;
}
