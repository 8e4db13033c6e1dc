/* Strict mode: read, write, exit and rt_sigreturn only; anything else
 * (exit_group included) kills with SIGKILL. Each case runs in a child. */
#include "seccomp_common.h"
#include <signal.h>
#include <sys/time.h>

static void say(const char *s) { write(1, s, strlen(s)); }

static void on_alrm(int sig) {
  (void)sig;
  say("strict: handler ran\n");
}

int main(int argc, char **argv) {
  init(argc, argv);
  T(sys_seccomp(SECCOMP_SET_MODE_STRICT, 1, NULL));
  T(sys_seccomp(SECCOMP_SET_MODE_STRICT, 0, BADPTR));
  T(prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
  fflush(stdout);

  pid_t pid = fork();
  if (pid == 0) {
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0) != 0)
      _exit(100);
    say("strict: write works\n");
    char c;
    long n = syscall(SYS_read, -1, &c, 1);
    say(n == -1 && errno == EBADF ? "strict: read works (EBADF)\n" : "strict: read FAIL\n");
    syscall(SYS_exit, 7);
    _exit(101);
  }
  report_child(pid, "exit");

  pid = fork();
  if (pid == 0) {
    if (sys_seccomp(SECCOMP_SET_MODE_STRICT, 0, NULL) != 0)
      _exit(100);
    say("strict: calling getpid\n");
    syscall(SYS_getpid);
    say("strict: survived getpid\n");
    syscall(SYS_exit, 0);
  }
  report_child(pid, "getpid");

  pid = fork();
  if (pid == 0) {
    if (sys_seccomp(SECCOMP_SET_MODE_STRICT, 0, NULL) != 0)
      _exit(100);
    syscall(SYS_exit_group, 0);
    syscall(SYS_exit, 1);
  }
  report_child(pid, "exit_group");

  /* prctl(PR_GET_SECCOMP) is not among the four either. */
  pid = fork();
  if (pid == 0) {
    if (sys_seccomp(SECCOMP_SET_MODE_STRICT, 0, NULL) != 0)
      _exit(100);
    syscall(SYS_prctl, PR_GET_SECCOMP, 0, 0, 0, 0);
    syscall(SYS_exit, 1);
  }
  report_child(pid, "prctl");

  /* A signal handler runs and returns through rt_sigreturn: a timer
   * interrupts a blocking read. */
  pid = fork();
  if (pid == 0) {
    struct sigaction sa = {0};
    sa.sa_handler = on_alrm;
    sigaction(SIGALRM, &sa, NULL);
    int p[2];
    if (pipe(p) != 0)
      _exit(102);
    struct itimerval it = {{0, 0}, {0, 50000}};
    setitimer(ITIMER_REAL, &it, NULL);
    if (sys_seccomp(SECCOMP_SET_MODE_STRICT, 0, NULL) != 0)
      _exit(100);
    char c;
    long n = syscall(SYS_read, p[0], &c, 1);
    say(n == -1 && errno == EINTR ? "strict: read interrupted\n" : "strict: read FAIL\n");
    syscall(SYS_exit, 5);
  }
  report_child(pid, "signal");

  /* Filter mode on top of strict: the seccomp call itself is fatal. */
  pid = fork();
  if (pid == 0) {
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    if (sys_seccomp(SECCOMP_SET_MODE_STRICT, 0, NULL) != 0)
      _exit(100);
    install_rule(SYS_getppid, SECCOMP_RET_ALLOW, 0);
    syscall(SYS_exit, 1);
  }
  report_child(pid, "filter after strict");
  return 0;
}
