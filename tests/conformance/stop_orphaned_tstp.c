/* Stop signals in an orphaned process group: a child that made its own session (so its
 * group is orphaned) ignores the default action of SIGTSTP/SIGTTIN/SIGTTOU but is still
 * stopped by SIGSTOP. */
#include "proc.h"

int main(int argc, char **argv) {
  init(argc, argv);
  int ready[2];
  if (pipe(ready)) return 1;
  pid_t p = fork();
  if (p == 0) {
    setsid();
    close(ready[0]);
    (void)!write(ready[1], "r", 1);
    for (;;) pause();
  }
  char c;
  (void)!read(ready[0], &c, 1);
  int st;
  int sigs[] = {SIGTSTP, SIGTTIN, SIGTTOU};
  for (int i = 0; i < 3; i++) {
    kill(p, sigs[i]);
    msleep(50);
    SAY("%s to orphaned group: stopped report %d", signame(sigs[i]), waitpid(p, &st, WUNTRACED | WNOHANG));
  }
  kill(p, SIGSTOP);
  pid_t r = waitpid(p, &st, WUNTRACED);
  printf("SIGSTOP: matches %d ", r == p);
  show_status("status", st);
  kill(p, SIGKILL);
  reap(p, "child");
  return 0;
}
