/* Packet mode (TIOCPKT) on the master: data reads start with a 0 byte,
 * flushes of the slave are reported as status bytes (with POLLPRI). */
#include "pty_util.h"

static void show_read(const char *label, int m) {
  struct pollfd p = {m, POLLIN | POLLPRI, 0};
  int r = poll(&p, 1, 2000);
  printf("%s poll %d IN %d PRI %d\n", label, r, !!(p.revents & POLLIN), !!(p.revents & POLLPRI));
  if (r <= 0) return;
  usleep(100000);
  char buf[64];
  long n = read(m, buf, sizeof buf);
  if (n < 0) printf("%s read -1 %s\n", label, errname(errno));
  else pty_show(label, buf, n);
}

int main(void) {
  int m, s;
  if (pty_pair(&m, &s, O_NOCTTY)) return 1;
  int on = 1, got = -1;
  T(ioctl(m, TIOCGPKT, &got));
  printf("pkt %d\n", got);
  T(ioctl(m, TIOCPKT, &on));
  T(ioctl(m, TIOCGPKT, &got));
  printf("pkt %d\n", got);
  pty_write(s, "hi");
  show_read("data", m);
  T(tcflush(s, TCIFLUSH));
  show_read("iflush", m);
  T(tcflush(s, TCOFLUSH));
  show_read("oflush", m);
  T(tcflush(s, TCIOFLUSH));
  show_read("ioflush", m);
  T(tcflush(m, TCIFLUSH));
  struct pollfd p = {m, POLLIN | POLLPRI, 0};
  T(poll(&p, 1, 200));
  on = 0;
  T(ioctl(m, TIOCPKT, &on));
  pty_write(s, "plain");
  show_read("off", m);
  T(ioctl(s, TIOCPKT, &on));
  return 0;
}
