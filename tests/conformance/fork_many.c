/* Many children: 64 forks with distinct exit codes, reaped by waitpid on each pid
 * (in reverse order) and by wait(-1); every pid is distinct and none is the parent's. */
#include "proc.h"

#define N 64

int main(int argc, char **argv) {
  init(argc, argv);
  pid_t pids[N];
  for (int i = 0; i < N; i++) {
    pids[i] = fork();
    if (pids[i] == 0) _exit(i + 1);
    if (pids[i] < 0) { SAY("FAIL fork %s", errname(errno)); return 1; }
  }
  int distinct = 1;
  for (int i = 0; i < N; i++)
    for (int j = i + 1; j < N; j++) distinct &= pids[i] != pids[j];
  for (int i = 0; i < N; i++) distinct &= pids[i] != getpid();
  SAY("pids distinct: %d", distinct);
  int ok = 1, sum = 0;
  for (int i = N - 1; i >= 0; i--) {
    int st;
    pid_t r = waitpid(pids[i], &st, 0);
    ok &= r == pids[i] && WIFEXITED(st) && WEXITSTATUS(st) == i + 1;
    sum += WEXITSTATUS(st);
  }
  SAY("reaped in reverse: ok %d sum %d", ok, sum);
  for (int i = 0; i < N; i++) {
    pids[i] = fork();
    if (pids[i] == 0) _exit(i);
  }
  int seen[N] = {0}, count = 0, st;
  pid_t r;
  while ((r = wait(&st)) > 0) {
    for (int i = 0; i < N; i++)
      if (pids[i] == r) seen[i] = WEXITSTATUS(st) == i;
    count++;
  }
  int all = 1;
  for (int i = 0; i < N; i++) all &= seen[i];
  SAY("wait(-1) reaped %d, each matched its exit code %d, then %s", count, all, errname(errno));
  /* a chain of 20 nested forks passes an exit code up */
  int depth = 0;
  for (;;) {
    pid_t c = fork();
    if (c == 0) {
      if (++depth == 20) _exit(20);
      continue;
    }
    waitpid(c, &st, 0);
    if (depth == 0) break;
    _exit(WEXITSTATUS(st));
  }
  show_status("chain of 20", st);
  return 0;
}
