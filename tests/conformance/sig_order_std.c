/* Several different pending standard signals are delivered lowest number first when
 * they are unblocked together (each handler blocks all signals, so the handlers run
 * one after another). */
#include "proc.h"

static int order[32], n;
static void handler(int sig) { order[n++] = sig; }

int main(int argc, char **argv) {
  init(argc, argv);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sigfillset(&sa.sa_mask);
  int sigs[] = {SIGTERM, SIGUSR2, SIGHUP, SIGALRM, SIGUSR1, SIGWINCH, SIGINT, SIGCHLD, SIGPIPE};
  int ns = sizeof sigs / sizeof sigs[0];
  sigset_t set;
  sigemptyset(&set);
  for (int i = 0; i < ns; i++) {
    sigaction(sigs[i], &sa, NULL);
    sigaddset(&set, sigs[i]);
  }
  sigprocmask(SIG_BLOCK, &set, NULL);
  for (int i = 0; i < ns; i++) kill(getpid(), sigs[i]);
  sigset_t p;
  sigpending(&p);
  int np = 0;
  for (int s = 1; s < 32; s++) np += sigismember(&p, s);
  SAY("pending count %d", np);
  sigprocmask(SIG_UNBLOCK, &set, NULL);
  SAY("delivered %d:", n);
  for (int i = 0; i < n; i++) SAY("  %s", signame(order[i]));
  return 0;
}
