/* wait4 status of a child killed by every signal whose default action is fatal
 * (WIFSIGNALED, WTERMSIG; no core bit since RLIMIT_CORE is 0, as in the sandbox), and
 * of children that receive default-ignored signals and survive. */
#include "proc.h"

int main(int argc, char **argv) {
  init(argc, argv);
  no_core();
  int fatal[] = {SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGKILL, SIGUSR1, SIGSEGV,
                 SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGSTKFLT, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGIO,
                 SIGPWR, SIGSYS, SIGRTMIN, SIGRTMIN + 1, SIGRTMAX - 1, SIGRTMAX};
  for (unsigned i = 0; i < sizeof fatal / sizeof fatal[0]; i++) {
    pid_t p = fork();
    if (p == 0) {
      signal(fatal[i], SIG_DFL);
      kill(getpid(), fatal[i]);
      _exit(100);
    }
    char what[64];
    snprintf(what, sizeof what, "kill %s", signame(fatal[i]));
    reap(p, what);
  }
  /* sent by the parent instead of by the child itself */
  for (int s = 0; s < 3; s++) {
    int sig = s == 0 ? SIGTERM : s == 1 ? SIGKILL : SIGQUIT;
    int pf[2];
    if (pipe(pf)) return 1;
    pid_t p = fork();
    if (p == 0) {
      close(pf[0]);
      close(pf[1]);
      for (;;) pause();
    }
    close(pf[1]);
    char c;
    (void)!read(pf[0], &c, 1); /* EOF once the child closed its copy */
    close(pf[0]);
    kill(p, sig);
    char what[64];
    snprintf(what, sizeof what, "parent sends %s", signame(sig));
    reap(p, what);
  }
  int ignored[] = {SIGCHLD, SIGURG, SIGWINCH, SIGCONT};
  for (unsigned i = 0; i < sizeof ignored / sizeof ignored[0]; i++) {
    pid_t p = fork();
    if (p == 0) {
      kill(getpid(), ignored[i]);
      _exit(42);
    }
    char what[64];
    snprintf(what, sizeof what, "default-ignored %s", signame(ignored[i]));
    reap(p, what);
  }
  /* abort() even with a SIGABRT handler that returns */
  pid_t p = fork();
  if (p == 0) {
    signal(SIGABRT, SIG_IGN);
    abort();
  }
  reap(p, "abort with SIGABRT ignored");
  return 0;
}
