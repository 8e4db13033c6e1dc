/* Helper exec'd by seccomp_inherit.c: reports the seccomp state it inherited
 * across execve. Not a test on its own. */
#include "seccomp_common.h"

int main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  static char outbuf[BUFSIZ];
  setvbuf(stdout, outbuf, _IOLBF, sizeof outbuf);
  SAY("helper: running");
  T(prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
  T(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
  T(syscall(SYS_getppid));
  CHECK(syscall(SYS_getpid) > 0);
  return 0;
}
