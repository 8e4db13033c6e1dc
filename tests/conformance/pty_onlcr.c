/* Output processing of what the slave writes: OPOST, ONLCR, OCRNL, ONOCR,
 * ONLRET, XTABS, OLCUC. */
#include "pty_util.h"

static int m, s;

static void run(const char *label, tcflag_t oflag, const char *out) {
  struct termios t;
  tcgetattr(s, &t);
  t.c_oflag = oflag;
  if (tcsetattr(s, TCSANOW, &t)) printf("tcsetattr FAIL\n");
  pty_write(s, out);
  pty_show_drain(label, m);
}

int main(void) {
  if (pty_pair(&m, &s, O_NOCTTY)) return 1;
  struct termios t;
  tcgetattr(s, &t);
  printf("default oflag %o\n", t.c_oflag);
  run("default", t.c_oflag, "a\nb\r\n");
  run("no opost", ONLCR, "a\nb\r\n");
  run("opost only", OPOST, "a\nb\r\n");
  run("ocrnl", OPOST | OCRNL, "a\rb\n");
  run("onocr", OPOST | ONOCR, "\rab\r\n\r");
  run("xtabs", OPOST | XTABS, "\tab\tc\n");
  run("olcuc", OPOST | OLCUC, "MiXed\n");
  run("onlret onlcr", OPOST | ONLRET | ONLCR, "x\ty\n\tz");
  return 0;
}
