/* ^Z stops the foreground group (a child of the session leader), observed
 * by waitpid(WUNTRACED); SIGCONT resumes it (WCONTINUED) and its read is
 * restarted. tcsetpgrp hands the terminal to the group. */
#include "pty_util.h"

int main(void) {
  pid_t a = fork();
  if (a == 0) {
    setsid();
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    grantpt(m);
    unlockpt(m);
    int s = open(ptsname(m), O_RDWR); /* becomes the controlling terminal */
    printf("leader has ctty: %d\n", tcgetsid(s) == getpid());
    int go[2];
    pipe(go);
    fflush(stdout);
    pid_t b = fork();
    if (b == 0) {
      setpgid(0, 0);
      char x;
      read(go[0], &x, 1);
      char buf[64];
      long n = read(s, buf, sizeof buf);
      pty_show("B read", buf, n);
      fflush(stdout);
      _exit(7);
    }
    setpgid(b, b);
    T(tcsetpgrp(s, b));
    printf("fg is B: %d\n", tcgetpgrp(s) == b);
    /* The leader is now in the background: writing is still allowed
     * (TOSTOP is off), changing the terminal stops it (SIGTTOU ignored
     * here lets it through). */
    signal(SIGTTOU, SIG_IGN);
    write(go[1], "g", 1);
    usleep(100000);
    pty_write(m, "\x1a");
    int st;
    T(waitpid(b, &st, WUNTRACED) == b);
    printf("stopped %d by %d\n", WIFSTOPPED(st), WIFSTOPPED(st) ? WSTOPSIG(st) : 0);
    pty_show_drain("echo", m);
    T(kill(b, SIGCONT));
    T(waitpid(b, &st, WCONTINUED) == b);
    printf("continued %d\n", WIFCONTINUED(st));
    pty_write(m, "hello\n");
    pty_reap("B", b);
    pty_show_drain("echo", m);
    fflush(stdout);
    _exit(0);
  }
  pty_reap("A", a);
  return 0;
}
