/* SA_RESTART vs EINTR on a blocking waitpid: while the parent waits for a slow child,
 * a second child signals it. wait4 is restarted with SA_RESTART and fails with EINTR
 * without it. */
#include "proc.h"

static volatile int hits;
static void handler(int sig) { (void)sig; hits++; }

static void round_(int flags, const char *what) {
  install_handler(SIGUSR2, handler, flags);
  hits = 0;
  int hold[2];
  if (pipe(hold)) return;
  pid_t slow = fork();
  if (slow == 0) {
    close(hold[1]);
    char c;
    (void)read(hold[0], &c, 1);
    _exit(4);
  }
  close(hold[0]);
  pid_t sig = fork();
  if (sig == 0) {
    msleep(200);
    kill(getppid(), SIGUSR2);
    msleep(200);
    close(hold[1]); /* lets the slow child finish */
    _exit(0);
  }
  close(hold[1]);
  int st = 0;
  errno = 0;
  pid_t r = waitpid(slow, &st, 0);
  SAY("%s: waitpid %s %s hits=%d", what, r == slow ? "= slow child" : "= -1", r == slow ? "" : errname(errno), hits);
  if (r == slow) show_status("  slow", st);
  else reap(slow, "  slow after EINTR");
  reap(sig, "  signaller");
}

int main(int argc, char **argv) {
  init(argc, argv);
  round_(0, "no SA_RESTART");
  round_(SA_RESTART, "SA_RESTART");
  return 0;
}
