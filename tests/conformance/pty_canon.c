/* Canonical mode: line editing with ERASE, KILL, WERASE, EOF and EOL as
 * the slave reads it and as the master sees the echo. */
#include "pty_util.h"

int main(void) {
  int m, s;
  if (pty_pair(&m, &s, O_NOCTTY)) return 1;
  pty_write(m, "abc\x7f d\n");
  pty_show_read("slave", s);
  pty_show_drain("echo", m);

  /* ^U kills the line, ^W erases a word. */
  pty_write(m, "junk\x15keep this word\x17\x17line\n");
  pty_show_read("slave", s);
  pty_show_drain("echo", m);

  /* ^D ends a line without a newline; on an empty line it reads 0. */
  pty_write(m, "partial\x04");
  pty_show_read("slave", s);
  pty_write(m, "\x04");
  pty_show_read("slave", s);
  pty_show_drain("echo", m);

  /* One read returns at most one line, and a short read keeps the rest. */
  pty_write(m, "one\ntwo\n");
  char buf[64];
  pty_drain(m, buf, sizeof buf);
  int inq = -1;
  T(ioctl(s, FIONREAD, &inq));
  printf("FIONREAD %d\n", inq);
  long n = read(s, buf, 2);
  pty_show("short", buf, n);
  pty_show_read("rest", s);
  pty_show_read("second", s);

  /* An incomplete line is not readable. */
  pty_write(m, "incomplete");
  pty_drain(m, buf, sizeof buf);
  T(ioctl(s, FIONREAD, &inq));
  printf("FIONREAD %d\n", inq);
  T(fcntl(s, F_SETFL, O_NONBLOCK));
  T(read(s, buf, sizeof buf));
  T(fcntl(s, F_SETFL, 0));

  /* EOL as an extra line end; erase with nothing on the line. */
  struct termios t;
  tcgetattr(s, &t);
  t.c_cc[VEOL] = ';';
  T(tcsetattr(s, TCSANOW, &t));
  pty_write(m, "\n");
  pty_show_read("finish", s);
  pty_write(m, "\x7f\x7f" "a;b\n");
  pty_show_read("eol", s);
  pty_show_read("after eol", s);
  pty_show_drain("echo", m);

  /* \r becomes \n (ICRNL); with IGNCR it is dropped. */
  pty_write(m, "cr\r");
  pty_show_read("icrnl", s);
  t.c_iflag |= IGNCR;
  T(tcsetattr(s, TCSANOW, &t));
  pty_write(m, "x\ry\n");
  pty_show_read("igncr", s);
  t.c_iflag &= ~(IGNCR | ICRNL);
  t.c_iflag |= INLCR;
  t.c_cc[VEOL] = '\r';
  T(tcsetattr(s, TCSANOW, &t));
  pty_write(m, "nl\n");
  pty_show_read("inlcr", s);
  pty_show_drain("echo", m);
  return 0;
}
