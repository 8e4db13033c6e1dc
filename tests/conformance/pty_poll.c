/* poll and epoll readiness of both ends, and a blocked poll woken by the
 * other end. */
#include "pty_util.h"
#include <sys/epoll.h>

static void show(const char *label, int fd) {
  struct pollfd p = {fd, POLLIN | POLLOUT | POLLPRI, 0};
  int r = poll(&p, 1, 0);
  printf("%s: %d IN %d OUT %d HUP %d\n", label, r, !!(p.revents & POLLIN),
         !!(p.revents & POLLOUT), !!(p.revents & POLLHUP));
}

int main(void) {
  int m, s;
  if (pty_pair(&m, &s, O_NOCTTY)) return 1;
  show("master idle", m);
  show("slave idle", s);
  pty_write(m, "part");
  usleep(100000);
  show("slave partial line", s);
  pty_write(m, "\n");
  usleep(100000);
  show("slave line", s);
  show("master echo", m);
  char buf[64];
  pty_drain(m, buf, sizeof buf);
  show("master drained", m);
  read(s, buf, sizeof buf);
  show("slave drained", s);

  /* Non-canonical with VMIN 3: readable for poll only with 3 bytes. */
  struct termios t;
  tcgetattr(s, &t);
  t.c_lflag &= ~(ICANON | ECHO);
  t.c_cc[VMIN] = 3;
  t.c_cc[VTIME] = 0;
  tcsetattr(s, TCSANOW, &t);
  pty_write(m, "ab");
  usleep(100000);
  show("slave 2 of min 3", s);
  pty_write(m, "c");
  usleep(100000);
  show("slave 3 of min 3", s);
  read(s, buf, sizeof buf);

  /* epoll, woken by a writer in another process. */
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 1};
  T(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
  ev.data.u32 = 2;
  T(epoll_ctl(ep, EPOLL_CTL_ADD, m, &ev));
  T(epoll_wait(ep, &ev, 1, 0));
  pid_t c = fork();
  if (c == 0) {
    usleep(100000);
    pty_write(m, "xyz");
    _exit(0);
  }
  int n = epoll_wait(ep, &ev, 1, 5000);
  printf("epoll: %d data %u\n", n, ev.data.u32);
  read(s, buf, sizeof buf);
  c = fork();
  if (c == 0) {
    usleep(100000);
    pty_write(s, "out");
    _exit(0);
  }
  n = epoll_wait(ep, &ev, 1, 5000);
  printf("epoll: %d data %u\n", n, ev.data.u32);
  pty_reap("writer", c);
  struct pollfd p = {m, POLLIN, 0};
  printf("poll master: %d\n", poll(&p, 1, 5000));
  return 0;
}
