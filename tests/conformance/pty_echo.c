/* Echo flags: ECHO, ECHOE, ECHOK, ECHONL, ECHOCTL, as the master sees them. */
#include "pty_util.h"

static int m, s;
static struct termios t;

static void run(const char *label, tcflag_t set, tcflag_t clear, const char *input) {
  struct termios x = t;
  x.c_lflag = (x.c_lflag | set) & ~clear;
  if (tcsetattr(s, TCSANOW, &x)) printf("tcsetattr FAIL %s\n", errname(errno));
  pty_write(m, input);
  pty_show_drain(label, m);
  tcflush(s, TCIFLUSH);
}

int main(void) {
  if (pty_pair(&m, &s, O_NOCTTY)) return 1;
  T(tcgetattr(s, &t));
  run("default", 0, 0, "ab\x01\x7f\x7f" "c\tz\n");
  run("noecho", 0, ECHO, "secret\n");
  run("echonl", ECHONL, ECHO, "secret\n");
  run("noechoctl", 0, ECHOCTL, "a\x01\x02\n");
  run("noechoe", 0, ECHOE, "abc\x7f\n");
  run("kill echok", 0, ECHOKE, "abc\x15xy\n");
  run("kill noechok", 0, ECHOKE | ECHOK, "abc\x15xy\n");
  run("kill echoke", 0, 0, "abc\x15xy\n");
  run("tab erase", 0, 0, "a\tb\x7f\x7f\x7f\n");
  run("lnext", 0, 0, "\x16\x03x\n");
  run("noisig ctl", 0, ISIG, "\x03\x1a\n");
  run("raw echo", 0, ICANON, "ab\x7f\r");
  /* ISIG without a foreground group: echoed, input flushed. */
  pty_write(m, "abc");
  pty_show_drain("before intr", m);
  run("intr", 0, 0, "\x03");
  char buf[16];
  T(fcntl(s, F_SETFL, O_NONBLOCK));
  T(read(s, buf, sizeof buf));
  return 0;
}
