/* Closing the master hangs the slave up: a blocked read gives EIO, later
 * reads 0, writes and ioctls EIO, poll POLLHUP, /dev/pts/N vanishes, and
 * the session leader gets SIGHUP and SIGCONT and loses the terminal.
 * Closing every slave makes master reads give EIO once drained. */
#include "pty_util.h"

static volatile sig_atomic_t hup, cont;
static void on_sig(int sig) {
  if (sig == SIGHUP) hup++;
  else cont++;
}

int main(void) {
  pid_t a = fork();
  if (a == 0) {
    setsid();
    int m, s;
    if (pty_pair(&m, &s, 0)) _exit(1);
    char name[64];
    snprintf(name, sizeof name, "%s", ptsname(m));
    struct sigaction sa = {0};
    sa.sa_handler = on_sig;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGCONT, &sa, NULL);
    int tty = TOK(open("/dev/tty", O_RDWR));
    pid_t b = fork();
    if (b == 0) {
      close(s);
      close(tty);
      usleep(200000);
      close(m);
      _exit(0);
    }
    close(m);
    char buf[16];
    T(read(s, buf, sizeof buf));
    T(read(s, buf, sizeof buf));
    T(read(tty, buf, sizeof buf));
    T(write(s, "x", 1));
    printf("SIGHUP %d SIGCONT %d\n", hup, cont);
    struct termios t;
    T(tcgetattr(s, &t));
    pid_t pg;
    T(ioctl(s, TIOCSPGRP, &pg));
    struct pollfd p = {s, POLLIN | POLLOUT, 0};
    T(poll(&p, 1, 0));
    printf("revents IN %d OUT %d HUP %d ERR %d\n", !!(p.revents & POLLIN),
           !!(p.revents & POLLOUT), !!(p.revents & POLLHUP), !!(p.revents & POLLERR));
    T(open(name, O_RDWR));
    T(open("/dev/tty", O_RDWR));
    pty_reap("B", b);
    fflush(stdout);
    _exit(0);
  }
  pty_reap("A", a);

  /* The other direction: the master after the last slave closed. */
  int m, s;
  if (pty_pair(&m, &s, O_NOCTTY)) return 1;
  struct pollfd p = {m, POLLIN | POLLOUT, 0};
  T(poll(&p, 1, 0));
  printf("master revents IN %d OUT %d HUP %d\n", !!(p.revents & POLLIN),
         !!(p.revents & POLLOUT), !!(p.revents & POLLHUP));
  pty_write(s, "bye\n");
  usleep(100000);
  close(s);
  usleep(100000);
  T(poll(&p, 1, 0));
  printf("master revents IN %d OUT %d HUP %d\n", !!(p.revents & POLLIN),
         !!(p.revents & POLLOUT), !!(p.revents & POLLHUP));
  char buf[16];
  long n = read(m, buf, sizeof buf);
  pty_show("master", buf, n);
  T(read(m, buf, sizeof buf));
  T(poll(&p, 1, 0));
  printf("master revents IN %d OUT %d HUP %d\n", !!(p.revents & POLLIN),
         !!(p.revents & POLLOUT), !!(p.revents & POLLHUP));
  /* Writes still succeed; a new slave sees them. */
  T(write(m, "again\n", 6));
  s = TOK(open(ptsname(m), O_RDWR | O_NOCTTY));
  pty_show_read("reopened", s);
  T(poll(&p, 1, 0));
  printf("master revents HUP %d\n", !!(p.revents & POLLHUP));
  return 0;
}
