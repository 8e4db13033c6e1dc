/* SIGCHLD for stops and continues: without SA_NOCLDSTOP a stopped child sends SIGCHLD
 * with CLD_STOPPED and a continued one CLD_CONTINUED; with SA_NOCLDSTOP neither is
 * sent, while the exit still is. */
#include "proc.h"

static volatile int n, code, status;
static void handler(int sig, siginfo_t *si, void *uc) {
  (void)sig; (void)uc;
  n++;
  code = si->si_code;
  status = si->si_status;
}

static void round_(int flags, const char *what) {
  install(SIGCHLD, handler, flags | SA_RESTART);
  block1(SIG_BLOCK, SIGCHLD);
  sigset_t none;
  sigemptyset(&none);
  n = 0;
  pid_t p = fork();
  if (p == 0) {
    for (;;) pause();
  }
  int st;
  kill(p, SIGSTOP);
  waitpid(p, &st, WUNTRACED);
  if (!(flags & SA_NOCLDSTOP)) sigsuspend(&none);
  else {
    block1(SIG_UNBLOCK, SIGCHLD);
    block1(SIG_BLOCK, SIGCHLD);
  }
  SAY("%s: after stop n=%d %s status %s", what, n, n ? cldname(code) : "-", n ? signame(status) : "-");
  n = 0;
  kill(p, SIGCONT);
  waitpid(p, &st, WCONTINUED);
  if (!(flags & SA_NOCLDSTOP)) sigsuspend(&none);
  else {
    block1(SIG_UNBLOCK, SIGCHLD);
    block1(SIG_BLOCK, SIGCHLD);
  }
  SAY("%s: after continue n=%d %s status %s", what, n, n ? cldname(code) : "-", n ? signame(status) : "-");
  n = 0;
  kill(p, SIGTERM);
  sigsuspend(&none);
  SAY("%s: after kill n=%d %s status %s", what, n, cldname(code), signame(status));
  reap(p, "  child");
  block1(SIG_UNBLOCK, SIGCHLD);
}

int main(int argc, char **argv) {
  init(argc, argv);
  round_(0, "default");
  round_(SA_NOCLDSTOP, "SA_NOCLDSTOP");
  return 0;
}
