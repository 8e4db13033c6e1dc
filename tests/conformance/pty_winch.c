/* TIOCSWINSZ on the master changes the slave's window size and sends
 * SIGWINCH to the foreground group (only when the size changes). */
#include "pty_util.h"

static volatile sig_atomic_t winch;
static void on_winch(int sig) { (void)sig; winch++; }

int main(void) {
  pid_t a = fork();
  if (a == 0) {
    setsid();
    int m, s;
    if (pty_pair(&m, &s, 0)) _exit(1);
    signal(SIGWINCH, on_winch);
    struct winsize ws = {0};
    T(ioctl(s, TIOCGWINSZ, &ws));
    printf("initial %d %d %d %d\n", ws.ws_row, ws.ws_col, ws.ws_xpixel, ws.ws_ypixel);
    ws.ws_row = 30;
    ws.ws_col = 100;
    T(ioctl(m, TIOCSWINSZ, &ws));
    usleep(50000);
    printf("winch after change: %d\n", winch);
    T(ioctl(m, TIOCSWINSZ, &ws));
    usleep(50000);
    printf("winch after same size: %d\n", winch);
    struct winsize got = {0};
    T(ioctl(s, TIOCGWINSZ, &got));
    printf("slave sees %d %d\n", got.ws_row, got.ws_col);
    ws.ws_xpixel = 5;
    T(ioctl(s, TIOCSWINSZ, &ws));
    usleep(50000);
    printf("winch after slave change: %d\n", winch);
    T(ioctl(m, TIOCGWINSZ, &got));
    printf("master sees %d %d %d\n", got.ws_row, got.ws_col, got.ws_xpixel);
    T(ioctl(s, TIOCSWINSZ, (void *)8));
    fflush(stdout);
    _exit(0);
  }
  pty_reap("A", a);
  return 0;
}
