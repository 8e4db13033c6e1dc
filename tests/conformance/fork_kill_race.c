/* A child exists as soon as fork() returns in the parent: kill(), tgkill() and
 * waitpid(WNOHANG) on it right away must find it (never ESRCH/ECHILD), 100 times each. */
#include "proc.h"

int main(int argc, char **argv) {
  init(argc, argv);
  int kill_fail = 0, tgkill_fail = 0, wait_fail = 0;
  for (int i = 0; i < 100; i++) {
    pid_t p = fork();
    if (p == 0) {
      for (;;) pause();
    }
    if (waitpid(p, NULL, WNOHANG) != 0) wait_fail++;
    if (kill(p, 0) != 0) kill_fail++;
    if (syscall(SYS_tgkill, p, p, SIGTERM) != 0) {
      tgkill_fail++;
      while (kill(p, SIGTERM) != 0) usleep(1000); /* still end it */
    }
    int st;
    waitpid(p, &st, 0);
    if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGTERM) SAY("FAIL child %d status %#x", i, st);
    p = fork();
    if (p == 0) _exit(0);
    if (kill(p, SIGKILL) != 0 && errno != 0) {
      /* exiting or exited is fine: a zombie still exists for kill */
      kill_fail++;
    }
    waitpid(p, NULL, 0);
  }
  SAY("waitpid(WNOHANG) right after fork not 0: %d", wait_fail);
  SAY("kill right after fork failed: %d", kill_fail);
  SAY("tgkill right after fork failed: %d", tgkill_fail);
  return 0;
}
