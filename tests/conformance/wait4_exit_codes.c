/* wait4 status decoding of exit codes: exit(0..255) through _exit, exit and return
 * from main, exit codes beyond 255 truncated, WIFEXITED/WEXITSTATUS; rusage pointer
 * accepted; waitpid(-1), waitpid(0) and waitpid(-pgid). */
#include "proc.h"

int main(int argc, char **argv) {
  init(argc, argv);
  setpgid(0, 0);
  int codes[] = {0, 1, 2, 63, 64, 127, 128, 129, 200, 254, 255, 256, 257, 511, -1};
  for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; i++) {
    pid_t p = fork();
    if (p == 0) {
      if (i % 3 == 0) _exit(codes[i]);
      if (i % 3 == 1) exit(codes[i]);
      syscall(SYS_exit_group, codes[i]);
    }
    int st;
    struct rusage ru;
    pid_t r = wait4(p, &st, 0, &ru);
    printf("code %d: wait4==pid %d WIFEXITED %d WEXITSTATUS %d WIFSIGNALED %d raw==code<<8 %d\n", codes[i], r == p,
           WIFEXITED(st), WEXITSTATUS(st), WIFSIGNALED(st), st == ((codes[i] & 0xff) << 8));
  }
  pid_t p = fork();
  if (p == 0) _exit(5);
  int st;
  SAY("waitpid(-1): matches %d", waitpid(-1, &st, 0) == p);
  p = fork();
  if (p == 0) _exit(6);
  SAY("waitpid(0): matches %d", waitpid(0, &st, 0) == p);
  p = fork();
  if (p == 0) _exit(7);
  SAY("waitpid(-pgid): matches %d", waitpid(-getpgrp(), &st, 0) == p);
  show_status("last", st);
  p = fork();
  if (p == 0) _exit(8);
  T(wait4(p, NULL, 0, NULL) == p);
  T(wait4(-1, NULL, 0, NULL));
  T(wait4(-1, BADPTR, WNOHANG, NULL));
  return 0;
}
