/* Auto-reaping: with SIGCHLD ignored (SIG_IGN) or SA_NOCLDWAIT, exited children do not
 * become zombies: wait blocks until all children are gone, then fails with ECHILD. With
 * SA_NOCLDWAIT and a handler, SIGCHLD is still delivered. */
#include "proc.h"

static volatile int hits;
static void handler(int sig) { (void)sig; hits++; }

static void spawn(int n) {
  for (int i = 0; i < n; i++) {
    pid_t p = fork();
    if (p == 0) {
      msleep(20 * i);
      _exit(i);
    }
  }
}

int main(int argc, char **argv) {
  init(argc, argv);
  signal(SIGCHLD, SIG_IGN);
  spawn(3);
  int st;
  errno = 0;
  pid_t r = wait(&st);
  SAY("SIG_IGN: wait = %d %s", r, errname(errno));
  spawn(1);
  siginfo_t si;
  errno = 0;
  r = waitid(P_ALL, 0, &si, WEXITED);
  SAY("SIG_IGN: waitid = %d %s", r, errname(errno));
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = SIG_DFL;
  sa.sa_flags = SA_NOCLDWAIT;
  sigaction(SIGCHLD, &sa, NULL);
  spawn(3);
  errno = 0;
  r = wait(&st);
  SAY("SA_NOCLDWAIT (SIG_DFL): wait = %d %s", r, errname(errno));
  sa.sa_handler = handler;
  sa.sa_flags = SA_NOCLDWAIT | SA_RESTART;
  sigaction(SIGCHLD, &sa, NULL);
  block1(SIG_BLOCK, SIGCHLD);
  spawn(1);
  errno = 0;
  r = wait(&st);
  SAY("SA_NOCLDWAIT (handler): wait = %d %s pending SIGCHLD %d", r, errname(errno), is_pending(SIGCHLD));
  block1(SIG_UNBLOCK, SIGCHLD);
  SAY("handler hits %d", hits);
  /* back to SIG_DFL without flags: zombies again */
  signal(SIGCHLD, SIG_DFL);
  pid_t p = fork();
  if (p == 0) _exit(12);
  reap(p, "after SIG_DFL");
  return 0;
}
