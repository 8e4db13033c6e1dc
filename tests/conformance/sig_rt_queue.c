/* Queued realtime signals: while blocked, several sigqueue() of two rt signals are
 * all kept with their values; on unblock they are delivered lowest signal first and,
 * per signal, in sending order. Standard signals coalesce into one. */
#include "proc.h"

static int order_sig[64], order_val[64], nd;

static void handler(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  order_sig[nd] = sig;
  order_val[nd] = si->si_value.sival_int;
  nd++;
}

int main(int argc, char **argv) {
  init(argc, argv);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = handler;
  sa.sa_flags = SA_SIGINFO;
  sigfillset(&sa.sa_mask); /* one handler at a time: delivery order == log order */
  int sigs[] = {SIGRTMIN + 3, SIGRTMIN + 1, SIGUSR1, SIGUSR2, SIGRTMAX};
  sigset_t all;
  sigemptyset(&all);
  for (int i = 0; i < 5; i++) {
    sigaction(sigs[i], &sa, NULL);
    sigaddset(&all, sigs[i]);
  }
  sigprocmask(SIG_BLOCK, &all, NULL);
  for (int i = 0; i < 4; i++) {
    union sigval v;
    v.sival_int = 100 + i;
    sigqueue(getpid(), SIGRTMIN + 3, v);
    v.sival_int = 200 + i;
    sigqueue(getpid(), SIGRTMIN + 1, v);
    v.sival_int = 300 + i;
    sigqueue(getpid(), SIGUSR1, v);
    v.sival_int = 400 + i;
    sigqueue(getpid(), SIGRTMAX, v);
  }
  union sigval v = {.sival_int = 500};
  sigqueue(getpid(), SIGUSR2, v);
  sigset_t pend;
  sigpending(&pend);
  SAY("pending: rtmin+3 %d rtmin+1 %d usr1 %d usr2 %d rtmax %d delivered %d", sigismember(&pend, SIGRTMIN + 3),
      sigismember(&pend, SIGRTMIN + 1), sigismember(&pend, SIGUSR1), sigismember(&pend, SIGUSR2),
      sigismember(&pend, SIGRTMAX), nd);
  sigprocmask(SIG_UNBLOCK, &all, NULL);
  SAY("delivered %d", nd);
  for (int i = 0; i < nd; i++) SAY("  %s value %d", signame(order_sig[i]), order_val[i]);
  /* sigtimedwait takes queued rt signals one at a time in order too */
  sigprocmask(SIG_BLOCK, &all, NULL);
  for (int i = 0; i < 3; i++) {
    v.sival_int = 600 + i;
    sigqueue(getpid(), SIGRTMIN + 1, v);
  }
  struct timespec zero = {0, 0};
  siginfo_t si;
  int r;
  while ((r = sigtimedwait(&all, &si, &zero)) > 0) SAY("sigtimedwait: %s value %d", signame(r), si.si_value.sival_int);
  SAY("then: %d %s", r, errname(errno));
  return 0;
}
