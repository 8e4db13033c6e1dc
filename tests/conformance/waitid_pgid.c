/* waitid(P_PGID) and waitpid(-pgid): children moved into a new process group are
 * waited for by group (explicit pgid, and 0 = the caller's own group), one at a time,
 * then ECHILD for that group while other children remain. */
#include "proc.h"

static pid_t child_waiting(int code, int *fds) {
  pid_t p = fork();
  if (p == 0) {
    char c;
    close(fds[1]);
    (void)!read(fds[0], &c, 1);
    _exit(code);
  }
  return p;
}

int main(int argc, char **argv) {
  init(argc, argv);
  if (getpgrp() != getpid()) setpgid(0, 0);
  siginfo_t si;
  int hold[2];
  if (pipe(hold)) return 1;
  pid_t g1 = child_waiting(31, hold);
  pid_t g2 = child_waiting(32, hold);
  T(setpgid(g1, g1));
  T(setpgid(g2, g1));
  pid_t o = child_waiting(33, hold); /* stays in our group */
  SAY("groups: g1 %d g2 %d o %d", getpgid(g1) == g1, getpgid(g2) == g1, getpgid(o) == getpgrp());
  close(hold[1]);
  memset(&si, 0, sizeof si);
  /* Both children of g1 exit at once: report their statuses in sorted order. */
  int r = waitid(P_PGID, g1, &si, WEXITED);
  int got1 = si.si_pid, st1 = si.si_status;
  memset(&si, 0, sizeof si);
  int r2 = waitid(P_PGID, g1, &si, WEXITED);
  int st2 = si.si_status;
  SAY("P_PGID g1: %d status %d", r, st1 < st2 ? st1 : st2);
  SAY("P_PGID g1 second: %d status %d distinct %d", r2, st1 < st2 ? st2 : st1, si.si_pid != got1);
  r = waitid(P_PGID, g1, &si, WEXITED);
  SAY("P_PGID g1 third: %d %s", r, errname(errno));
  memset(&si, 0, sizeof si);
  r = waitid(P_PGID, 0, &si, WEXITED);
  SAY("P_PGID 0 (own group): %d status %d pid==o %d", r, si.si_status, si.si_pid == o);
  if (pipe(hold)) return 1;
  pid_t x = child_waiting(41, hold);
  setpgid(x, x);
  pid_t y = child_waiting(42, hold);
  close(hold[1]);
  int st;
  SAY("waitpid(-x) = x %d", waitpid(-x, &st, 0) == x);
  show_status("x", st);
  errno = 0;
  SAY("waitpid(-x) again: %d %s", waitpid(-x, &st, 0), errname(errno));
  SAY("waitpid(0) = y %d", waitpid(0, &st, 0) == y);
  show_status("y", st);
  return 0;
}
