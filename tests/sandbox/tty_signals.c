/* A container's init with a terminal (process.terminal, the pty slave from
 * --console-socket as stdio), or a process started by exec --tty, run under
 * runc and under runsc by tests/lifecycle.rs `console_signals`: the
 * terminal's signals must arrive as Linux's tty layer sends them. The test drives it through the pty
 * master and waits for each line before the next step:
 *
 *   "ready"                 -> the test resizes the master to 30x100
 *   "got WINCH 30x100"      -> the test types ^C, ^\, ^Z
 *   "got INT", "got QUIT", "got TSTP"
 *   then a child in its own process group becomes the terminal's
 *   foreground group: "child ready" -> ^C -> "child got INT",
 *   "child exit 3", "fg back"   -> the test closes the master
 *   hangup: SIGHUP to the session leader (us) -> exit 7.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t pending;

static void on_signal(int sig) { pending |= 1 << sig; }

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n > 0 && write(1, buf, (size_t)n) < 0 && errno == EIO)
    _exit(8);
}

static void handle(int sig) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(sig, &sa, NULL);
}

static int child(void) {
  /* Unblocked only for the wait: INT arrives while we are the
   * foreground group. */
  sigset_t none;
  sigemptyset(&none);
  while (tcgetpgrp(0) != getpgrp())
    usleep(1000);
  say("child ready\r\n");
  while (!(pending & (1 << SIGINT)))
    sigsuspend(&none);
  say("child got INT\r\n");
  return 3;
}

int main(void) {
  int sigs[] = {SIGINT, SIGQUIT, SIGTSTP, SIGWINCH, SIGHUP};
  sigset_t block, none;
  sigemptyset(&block);
  sigemptyset(&none);
  for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
    handle(sigs[i]);
    sigaddset(&block, sigs[i]);
  }
  sigprocmask(SIG_BLOCK, &block, NULL);
  say("ids init=%d session-leader=%d fg-is-mine=%d\r\n", getpid() == 1, getsid(0) == getpid(),
      tcgetpgrp(0) == getpgrp());
  say("ready\r\n");
  for (;;) {
    while (!pending)
      sigsuspend(&none);
    int p = pending;
    pending = 0;
    if (p & (1 << SIGHUP))
      exit(7);
    if (p & (1 << SIGWINCH)) {
      struct winsize ws;
      if (ioctl(0, TIOCGWINSZ, &ws) == 0)
        say("got WINCH %dx%d\r\n", ws.ws_row, ws.ws_col);
      else
        say("got WINCH, TIOCGWINSZ: %s\r\n", strerror(errno));
    }
    if (p & (1 << SIGINT))
      say("got INT\r\n");
    if (p & (1 << SIGQUIT))
      say("got QUIT\r\n");
    if (p & (1 << SIGTSTP)) {
      say("got TSTP\r\n");
      /* A job in the foreground, as a shell does it: its own group, made
       * the terminal's foreground group by us (SIGTTOU blocked for the way
       * back). */
      pid_t c = fork();
      if (c == 0) {
        setpgid(0, 0);
        _exit(child());
      }
      setpgid(c, c);
      sigset_t ttou;
      sigemptyset(&ttou);
      sigaddset(&ttou, SIGTTOU);
      sigprocmask(SIG_BLOCK, &ttou, NULL);
      if (tcsetpgrp(0, c) != 0)
        say("tcsetpgrp child: %s\r\n", strerror(errno));
      int st = 0;
      while (waitpid(c, &st, 0) < 0 && errno == EINTR)
        ;
      say("child exit %d\r\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
      if (tcsetpgrp(0, getpgrp()) != 0)
        say("tcsetpgrp back: %s\r\n", strerror(errno));
      say("fg back mine=%d\r\n", tcgetpgrp(0) == getpgrp());
    }
  }
}
