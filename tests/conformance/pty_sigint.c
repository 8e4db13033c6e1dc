/* ^C and ^\ typed on the master signal the foreground process group of the
 * session the slave controls (a child that did setsid + TIOCSCTTY). */
#include "pty_util.h"

static volatile sig_atomic_t got;
static void on_sig(int sig) { got = sig; }

int main(void) {
  int m, s;
  if (pty_pair(&m, &s, O_NOCTTY)) return 1;
  int ready[2];
  if (pipe(ready)) return 1;
  pid_t c = fork();
  if (c == 0) {
    close(m);
    setsid();
    if (ioctl(s, TIOCSCTTY, 0)) printf("TIOCSCTTY FAIL %s\n", errname(errno));
    struct sigaction sa = {0};
    sa.sa_handler = on_sig;
    sigaction(SIGINT, &sa, NULL);
    printf("child fg is own group: %d\n", tcgetpgrp(s) == getpgrp());
    fflush(stdout);
    write(ready[1], "r", 1);
    char buf[64];
    long n = read(s, buf, sizeof buf);
    printf("child read: %ld %s, signal %d\n", n, n < 0 ? errname(errno) : "", got);
    /* Input typed before ^C was discarded. */
    n = read(s, buf, sizeof buf);
    pty_show("child after", buf, n);
    fflush(stdout);
    write(ready[1], "r", 1);
    /* Default SIGQUIT ends it. */
    for (;;) pause();
  }
  close(ready[1]);
  char b;
  read(ready[0], &b, 1);
  usleep(100000);
  pid_t fg = -1;
  T(ioctl(m, TIOCGPGRP, &fg));
  printf("master sees child's group: %d\n", fg == c);
  pty_write(m, "lost");
  pty_show_drain("echo", m);
  pty_write(m, "\x03");
  pty_show_drain("echo", m);
  pty_write(m, "kept\n");
  read(ready[0], &b, 1);
  pty_show_drain("echo", m);
  pty_write(m, "\x1c");
  pty_reap("child", c);
  pty_show_drain("echo", m);
  return 0;
}
