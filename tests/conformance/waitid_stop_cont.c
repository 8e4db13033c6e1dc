/* waitid with WSTOPPED/WCONTINUED/WEXITED: CLD_STOPPED with si_status SIGSTOP (and
 * SIGTSTP), CLD_CONTINUED with si_status SIGCONT, WNOWAIT keeps a stop report, a
 * signal sent to a stopped child stays pending until SIGCONT, then CLD_KILLED. */
#include "proc.h"

static void show(const char *what, int r, siginfo_t *si, pid_t p) {
  SAY("%s: %d %s %s status %s pid ok %d", what, r, signame(si->si_signo), cldname(si->si_code),
      si->si_code == CLD_EXITED ? "-" : signame(si->si_status), si->si_pid == p);
}

int main(int argc, char **argv) {
  init(argc, argv);
  no_core();
  pid_t p = fork();
  if (p == 0) {
    signal(SIGUSR1, SIG_DFL);
    for (;;) pause();
  }
  siginfo_t si;
  kill(p, SIGSTOP);
  memset(&si, 0, sizeof si);
  int r = waitid(P_PID, p, &si, WSTOPPED | WNOWAIT);
  show("WSTOPPED|WNOWAIT", r, &si, p);
  memset(&si, 0, sizeof si);
  r = waitid(P_PID, p, &si, WSTOPPED);
  show("WSTOPPED", r, &si, p);
  memset(&si, 0x55, sizeof si);
  r = waitid(P_PID, p, &si, WSTOPPED | WNOHANG);
  SAY("consumed: %d si_pid %d", r, si.si_pid);
  kill(p, SIGCONT);
  memset(&si, 0, sizeof si);
  r = waitid(P_PID, p, &si, WCONTINUED);
  show("WCONTINUED", r, &si, p);
  memset(&si, 0x55, sizeof si);
  r = waitid(P_PID, p, &si, WCONTINUED | WNOHANG);
  SAY("consumed: %d si_pid %d", r, si.si_pid);
  kill(p, SIGSTOP);
  memset(&si, 0, sizeof si);
  r = waitid(P_PID, p, &si, WSTOPPED);
  show("stopped again", r, &si, p);
  kill(p, SIGUSR1); /* stays pending while stopped */
  msleep(50);
  memset(&si, 0x55, sizeof si);
  r = waitid(P_PID, p, &si, WEXITED | WNOHANG);
  SAY("still alive while stopped: %d si_pid %d", r, si.si_pid);
  kill(p, SIGCONT);
  memset(&si, 0, sizeof si);
  r = waitid(P_PID, p, &si, WEXITED);
  show("after SIGCONT, WEXITED", r, &si, p);
  /* SIGTSTP stops a child in a group that is not orphaned: its own new group, whose
   * member (the child) has a parent (us) in another group of the same session */
  p = fork();
  if (p == 0) {
    setpgid(0, 0);
    for (;;) pause();
  }
  setpgid(p, p);
  kill(p, SIGTSTP);
  memset(&si, 0, sizeof si);
  r = waitid(P_PID, p, &si, WSTOPPED);
  show("SIGTSTP", r, &si, p);
  kill(p, SIGKILL);
  memset(&si, 0, sizeof si);
  r = waitid(P_PID, p, &si, WEXITED);
  show("SIGKILL", r, &si, p);
  return 0;
}
