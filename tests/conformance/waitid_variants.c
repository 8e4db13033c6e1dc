/* waitid: P_PID, P_ALL, WNOWAIT leaves the zombie for a later wait, WNOHANG with only running children returns 0 with si_pid
 * 0, ECHILD without children, EINVAL for bad idtype/options. */
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

static void show(const char *what, int r, siginfo_t *si, pid_t expect) {
  if (r < 0) { SAY("%s: -1 %s", what, errname(errno)); return; }
  SAY("%s: %d signo %s code %s status %d pid==expected %d", what, r, signame(si->si_signo), cldname(si->si_code),
      si->si_status, si->si_pid == expect);
}

int main(int argc, char **argv) {
  init(argc, argv);
  siginfo_t si;
  int hold[2];
  if (pipe(hold)) return 1;
  pid_t a = child_waiting(10, hold);
  pid_t b = child_waiting(20, hold);
  memset(&si, 0x55, sizeof si);
  int r = waitid(P_ALL, 0, &si, WEXITED | WNOHANG);
  SAY("WNOHANG, all running: %d si_pid %d si_signo %d", r, si.si_pid, si.si_signo);
  close(hold[1]);
  memset(&si, 0, sizeof si);
  r = waitid(P_PID, a, &si, WEXITED | WNOWAIT);
  show("P_PID a WNOWAIT", r, &si, a);
  memset(&si, 0, sizeof si);
  r = waitid(P_PID, a, &si, WEXITED | WNOWAIT);
  show("P_PID a WNOWAIT again", r, &si, a);
  memset(&si, 0, sizeof si);
  r = waitid(P_PID, a, &si, WEXITED);
  show("P_PID a reap", r, &si, a);
  memset(&si, 0, sizeof si);
  r = waitid(P_PID, a, &si, WEXITED);
  show("P_PID a again", r, &si, a);
  memset(&si, 0, sizeof si);
  r = waitid(P_ALL, 0, &si, WEXITED);
  show("P_ALL", r, &si, b);
  memset(&si, 0, sizeof si);
  r = waitid(P_ALL, 0, &si, WEXITED | WNOHANG);
  show("P_ALL no children", r, &si, 0);
  /* errors */
  r = waitid(P_ALL, 0, &si, WEXITED);
  SAY("no children: %d %s", r, errname(errno));
  r = waitid(P_ALL, 0, &si, 0);
  SAY("no options: %d %s", r, errname(errno));
  r = waitid(7, 0, &si, WEXITED);
  SAY("bad idtype: %d %s", r, errname(errno));
  r = waitid(P_PID, 0, &si, WEXITED);
  SAY("P_PID 0: %d %s", r, errname(errno));
  r = waitid(P_ALL, 0, &si, WEXITED | 0x10000);
  SAY("bad flag: %d %s", r, errname(errno));
  return 0;
}
