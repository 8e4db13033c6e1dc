/* PR_SET_PDEATHSIG: a grandchild asks for SIGUSR1 when its parent dies; the middle
 * child exits and the grandchild's handler runs (it reports through shared memory);
 * PR_GET_PDEATHSIG reads it back; it is cleared in a forked child. This program is a
 * child subreaper so that the orphan stays ours. */
#include "proc.h"

static int *sh;
static void handler(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  sh[1] = sig;
  sh[2] = si->si_code;
}

int main(int argc, char **argv) {
  init(argc, argv);
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  sh = shared_page();
  int v = -1;
  T(prctl(PR_GET_PDEATHSIG, &v));
  SAY("initial %d", v);
  T(prctl(PR_SET_PDEATHSIG, 99));
  pid_t c = fork();
  if (c == 0) {
    pid_t g = fork();
    if (g == 0) {
      install(SIGUSR1, handler, 0);
      prctl(PR_SET_PDEATHSIG, SIGUSR1);
      int w = 0;
      prctl(PR_GET_PDEATHSIG, &w);
      sh[3] = w;
      pid_t q = fork();
      if (q == 0) {
        int z = -1;
        prctl(PR_GET_PDEATHSIG, &z);
        _exit(z);
      }
      int st;
      waitpid(q, &st, 0);
      sh[4] = WEXITSTATUS(st);
      sh[0] = 1; /* ready */
      for (int i = 0; i < 2000 && !sh[1]; i++) usleep(1000);
      _exit(sh[1] ? 0 : 1);
    }
    while (!sh[0]) usleep(1000);
    _exit(0); /* the grandchild's parent dies */
  }
  reap(c, "middle");
  int st;
  pid_t r = waitpid(-1, &st, 0);
  SAY("grandchild reaped by us: %d", r > 0);
  show_status("grandchild", st);
  SAY("pdeathsig read back %s, in its fork child %d", signame(sh[3]), sh[4]);
  SAY("signal delivered %s si_code %s", signame(sh[1]), sicode_name(sh[2]));
  return 0;
}
