/* Non-canonical mode: VMIN/VTIME combinations, no line editing, cfmakeraw. */
#include "pty_util.h"
#include <time.h>

static long ms_since(struct timespec *a) {
  struct timespec b;
  clock_gettime(CLOCK_MONOTONIC, &b);
  return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

static int m, s;

static void setmt(int min, int time) {
  struct termios t;
  tcgetattr(s, &t);
  t.c_lflag &= ~(ICANON | ECHO);
  t.c_cc[VMIN] = min;
  t.c_cc[VTIME] = time;
  if (tcsetattr(s, TCSANOW, &t)) printf("tcsetattr FAIL\n");
}

int main(void) {
  if (pty_pair(&m, &s, O_NOCTTY)) return 1;
  char buf[64];
  struct timespec t0;

  /* MIN 0 TIME 0: returns at once, 0 without input. */
  setmt(0, 0);
  T(read(s, buf, sizeof buf));
  pty_write(m, "xyz");
  usleep(100000);
  long n = read(s, buf, sizeof buf);
  pty_show("min0 time0", buf, n);

  /* MIN 0 TIME 3: waits 0.3 s for a byte. */
  setmt(0, 3);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  T(read(s, buf, sizeof buf));
  long el = ms_since(&t0);
  printf("timed out after >= 250ms: %d, < 2000ms: %d\n", el >= 250, el < 2000);

  /* MIN 3 TIME 0: waits for 3 bytes (written by a child in two parts). */
  setmt(3, 0);
  pid_t c = fork();
  if (c == 0) {
    usleep(100000);
    pty_write(m, "ab");
    usleep(100000);
    pty_write(m, "cd");
    _exit(0);
  }
  n = read(s, buf, sizeof buf);
  printf("min3: got >= 3: %d\n", n >= 3);
  pty_reap("writer", c);
  usleep(50000);
  setmt(0, 0);
  long rest = read(s, buf, sizeof buf);
  printf("min3 total: %ld\n", n + rest);

  /* MIN 2 TIME 2: one byte then the inter-byte timer expires. */
  setmt(2, 2);
  pty_write(m, "q");
  clock_gettime(CLOCK_MONOTONIC, &t0);
  n = read(s, buf, sizeof buf);
  el = ms_since(&t0);
  pty_show("min2 time2", buf, n);
  printf("returned before 2000ms: %d\n", el < 2000);

  /* MIN larger than the buffer: the buffer's size is enough. */
  setmt(5, 0);
  pty_write(m, "12");
  usleep(100000);
  n = read(s, buf, 2);
  pty_show("min5 buf2", buf, n);

  /* No editing, no CR translation off, non-blocking. */
  struct termios t;
  tcgetattr(s, &t);
  cfmakeraw(&t);
  T(tcsetattr(s, TCSANOW, &t));
  printf("raw iflag %o oflag %o lflag %o cflag&CSIZE %o vmin %d vtime %d\n", t.c_iflag,
         t.c_oflag, t.c_lflag, t.c_cflag & CSIZE, t.c_cc[VMIN], t.c_cc[VTIME]);
  pty_write(m, "a\x7f\r\x03\x15");
  usleep(100000);
  int inq = -1;
  T(ioctl(s, FIONREAD, &inq));
  printf("FIONREAD %d\n", inq);
  n = read(s, buf, sizeof buf);
  pty_show("raw", buf, n);
  T(fcntl(s, F_SETFL, O_NONBLOCK));
  T(read(s, buf, sizeof buf));
  pty_write(s, "out\n");
  pty_show_drain("master", m);
  return 0;
}
