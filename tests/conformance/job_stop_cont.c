/* Job control seen by waitpid: SIGSTOP stops a child (WUNTRACED reports WIFSTOPPED
 * with WSTOPSIG), SIGCONT resumes it (WCONTINUED reports WIFCONTINUED), each report is
 * given once, and SIGKILL kills a stopped child. */
#include "proc.h"

int main(int argc, char **argv) {
  init(argc, argv);
  int *sh = shared_page();
  pid_t p = fork();
  if (p == 0) {
    for (;;) {
      sh[0]++;
      usleep(1000);
    }
  }
  int st;
  T(kill(p, SIGSTOP));
  pid_t r = waitpid(p, &st, WUNTRACED);
  printf("WUNTRACED: matches %d ", r == p);
  show_status("status", st);
  int before = sh[0];
  msleep(50);
  SAY("stopped child does not run: %d", sh[0] == before);
  SAY("second WUNTRACED|WNOHANG: %d", waitpid(p, &st, WUNTRACED | WNOHANG));
  T(kill(p, SIGCONT));
  r = waitpid(p, &st, WCONTINUED);
  printf("WCONTINUED: matches %d ", r == p);
  show_status("status", st);
  SAY("second WCONTINUED|WNOHANG: %d", waitpid(p, &st, WCONTINUED | WNOHANG));
  before = sh[0];
  for (int i = 0; i < 1000 && sh[0] == before; i++) usleep(1000);
  SAY("continued child runs: %d", sh[0] != before);
  /* without WUNTRACED a stop is not reported: WNOHANG returns 0 */
  kill(p, SIGSTOP);
  siginfo_t si;
  memset(&si, 0, sizeof si);
  waitid(P_PID, p, &si, WSTOPPED | WNOWAIT); /* wait until stopped, leave the report */
  SAY("plain WNOHANG while stopped: %d", waitpid(p, &st, WNOHANG));
  r = waitpid(p, &st, WUNTRACED);
  show_status("stop report still there", st);
  kill(p, SIGKILL);
  reap(p, "killed while stopped");
  return 0;
}
