/* siginfo of SIGCHLD: CLD_EXITED with the exit code, CLD_KILLED with the signal,
 * si_pid of the child; SIGCHLD is blocked around fork and taken by sigsuspend. */
#include "proc.h"

static volatile int n;
static siginfo_t last;
static void handler(int sig, siginfo_t *si, void *uc) {
  (void)sig; (void)uc;
  n++;
  last = *si;
}

int main(int argc, char **argv) {
  init(argc, argv);
  no_core();
  block1(SIG_BLOCK, SIGCHLD);
  install(SIGCHLD, handler, 0);
  sigset_t s;
  sigemptyset(&s);
  struct { int kind, arg; } cases[] = {{0, 0}, {0, 7}, {0, 255}, {1, SIGTERM}, {1, SIGKILL}, {1, SIGUSR1}, {2, 0}};
  for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    pid_t p = fork();
    if (p == 0) {
      if (cases[i].kind == 0) _exit(cases[i].arg);
      if (cases[i].kind == 1) kill(getpid(), cases[i].arg);
      if (cases[i].kind == 2) abort();
      _exit(100);
    }
    n = 0;
    sigsuspend(&s);
    siginfo_t si = last;
    int r = n == 1 ? si.si_signo : -n;
    const char *st = si.si_code == CLD_EXITED ? "" : signame(si.si_status);
    char num[16];
    snprintf(num, sizeof num, "%d", si.si_status);
    SAY("case %u: %s %s status %s pid==child %d uid==getuid %d", i, signame(r), cldname(si.si_code),
        si.si_code == CLD_EXITED ? num : st, si.si_pid == p, si.si_uid == getuid());
    reap(p, "  wait");
  }
  return 0;
}
