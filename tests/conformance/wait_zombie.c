/* Zombies: a child that exited long before the parent waits keeps its status; kill(pid,
 * 0) on a zombie succeeds; the zombie's pid is not reused while it exists; WNOHANG
 * reaps an exited zombie; reaping twice is ECHILD. */
#include "proc.h"

int main(int argc, char **argv) {
  init(argc, argv);
  pid_t z[5];
  for (int i = 0; i < 5; i++) {
    z[i] = fork();
    if (z[i] == 0) _exit(50 + i);
  }
  /* wait until all are zombies: waitid WNOWAIT on each */
  for (int i = 0; i < 5; i++) {
    siginfo_t si;
    waitid(P_PID, z[i], &si, WEXITED | WNOWAIT);
  }
  msleep(100);
  for (int i = 0; i < 5; i++) {
    errno = 0;
    int r = kill(z[i], 0);
    SAY("kill(zombie %d, 0) = %d %s", i, r, errname(errno));
  }
  /* new children get other pids while the zombies exist */
  int clash = 0;
  for (int k = 0; k < 20; k++) {
    pid_t q = fork();
    if (q == 0) _exit(0);
    for (int i = 0; i < 5; i++) clash |= q == z[i];
    waitpid(q, NULL, 0);
  }
  SAY("no pid reuse while zombies exist: %d", !clash);
  int st;
  for (int i = 4; i >= 0; i--) {
    pid_t r = waitpid(z[i], &st, WNOHANG);
    printf("WNOHANG zombie %d: matches %d ", i, r == z[i]);
    show_status("status", st);
  }
  for (int i = 0; i < 5; i++) {
    errno = 0;
    pid_t r = waitpid(z[i], &st, WNOHANG);
    SAY("again %d: %d %s", i, r, errname(errno));
  }
  /* a zombie whose parent waits with a blocking wait after a long time */
  pid_t p = fork();
  if (p == 0) _exit(77);
  msleep(200);
  reap(p, "late wait");
  return 0;
}
