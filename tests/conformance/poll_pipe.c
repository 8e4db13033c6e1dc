/* poll(2) on pipes: timeouts, POLLIN/POLLOUT/POLLHUP/POLLERR, negative and
 * closed fds (POLLNVAL), EFAULT, EINVAL for nfds above RLIMIT_NOFILE, a wake-up
 * by a child writing late; ppoll's timeout write-back and EINVAL. */
#include "common.h"
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

static long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000L + t.tv_nsec / 1000000;
}

int main(int argc, char **argv) {
  init(argc, argv);
  int p[2];
  T(pipe(p));
  struct pollfd f[4];

  /* empty pipe: read end times out, write end is writable */
  f[0] = (struct pollfd){p[0], POLLIN, 0x7777};
  long t0 = now_ms();
  T(poll(f, 1, 50));
  CHECK(now_ms() - t0 >= 45);
  SAY("revents %#x", f[0].revents);
  T(poll(f, 1, 0));
  f[0] = (struct pollfd){p[1], POLLOUT | POLLIN, 0};
  T(poll(f, 1, -1));
  SAY("write end revents %#x", f[0].revents);

  /* data: POLLIN|POLLRDNORM, filtered by events */
  T(write(p[1], "x", 1));
  f[0] = (struct pollfd){p[0], POLLIN | POLLRDNORM | POLLOUT | POLLPRI, 0};
  f[1] = (struct pollfd){p[0], POLLPRI, 0};
  f[2] = (struct pollfd){-1, POLLIN, 0x1234};
  f[3] = (struct pollfd){p[1], POLLOUT, 0};
  T(poll(f, 4, 100));
  for (int i = 0; i < 4; i++)
    SAY("f[%d] revents %#x", i, f[i].revents);
  /* events 0 still reports POLLHUP/POLLERR only */
  f[0] = (struct pollfd){p[0], 0, 0};
  T(poll(f, 1, 0));
  SAY("events 0 revents %#x", f[0].revents);

  /* closed fd: POLLNVAL, counted */
  f[0] = (struct pollfd){1000, POLLIN, 0};
  f[1] = (struct pollfd){p[0], POLLIN, 0};
  T(poll(f, 2, 0));
  SAY("nval %#x data %#x", f[0].revents, f[1].revents);

  /* writer closed: data then POLLHUP */
  T(close(p[1]));
  f[0] = (struct pollfd){p[0], POLLIN, 0};
  T(poll(f, 1, 0));
  SAY("data+hup %#x", f[0].revents);
  char c;
  T(read(p[0], &c, 1));
  T(poll(f, 1, 0));
  SAY("hup %#x", f[0].revents);
  T(close(p[0]));

  /* reader closed: POLLERR on the write end, even with events 0 */
  T(pipe(p));
  T(close(p[0]));
  f[0] = (struct pollfd){p[1], POLLOUT, 0};
  T(poll(f, 1, 0));
  SAY("err %#x", f[0].revents);
  f[0].events = 0;
  T(poll(f, 1, 0));
  SAY("err (events 0) %#x", f[0].revents);
  T(close(p[1]));

  /* a full pipe is not writable */
  T(pipe(p));
  T(fcntl(p[1], F_SETFL, O_NONBLOCK));
  static char big[65536];
  long n = 0, r;
  while ((r = write(p[1], big, sizeof big)) > 0)
    n += r;
  SAY("filled %ld", n);
  f[0] = (struct pollfd){p[1], POLLOUT, 0};
  T(poll(f, 1, 10));
  T(read(p[0], big, 4096));
  T(poll(f, 1, 10));
  SAY("after read %#x", f[0].revents);
  T(close(p[0]));
  T(close(p[1]));

  /* regular file and /dev/null: always ready */
  int fd = open("/dev/null", O_RDWR);
  f[0] = (struct pollfd){fd, POLLIN | POLLOUT | POLLPRI, 0};
  T(poll(f, 1, 0));
  SAY("devnull %#x", f[0].revents);
  close(fd);

  /* EFAULT, EINVAL */
  T(poll(BADPTR, 1, 0));
  T(poll(NULL, 0, 10));
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  T(poll(f, rl.rlim_cur + 1, 0));
  /* the last entry of a page, then the page made read-only */
  char *pg = pages(1);
  struct pollfd *end = (struct pollfd *)(pg + PAGE) - 1;
  *end = (struct pollfd){-1, 0, 0};
  T(poll(end, 1, 0));
  /* read-only array: revents cannot be written */
  mprotect(pg, PAGE, PROT_READ);
  T(poll(end, 1, 0));

  /* a child writes after 100 ms: poll wakes */
  T(pipe(p));
  pid_t pid = fork();
  if (pid == 0) {
    usleep(100000);
    write(p[1], "y", 1);
    _exit(0);
  }
  f[0] = (struct pollfd){p[0], POLLIN, 0};
  t0 = now_ms();
  T(poll(f, 1, 5000));
  long dt = now_ms() - t0;
  CHECK(dt >= 90 && dt < 4000);
  SAY("woken %#x", f[0].revents);
  int st;
  waitpid(pid, &st, 0);
  T(close(p[0]));
  T(close(p[1]));

  /* ppoll: timeout written back, invalid timespec, bad sigset size */
  T(pipe(p));
  f[0] = (struct pollfd){p[0], POLLIN, 0};
  /* (the raw syscall: glibc's wrapper may pass a copy of the timespec) */
  struct timespec ts = {0, 30000000};
  T(syscall(SYS_ppoll, f, 1, &ts, NULL, 8));
  SAY("ts left %ld.%09ld", (long)ts.tv_sec, ts.tv_nsec);
  ts = (struct timespec){5, 0};
  T(write(p[1], "z", 1));
  T(syscall(SYS_ppoll, f, 1, &ts, NULL, 8));
  CHECK(ts.tv_sec == 4 && ts.tv_nsec > 0);
  ts = (struct timespec){0, 0};
  T(syscall(SYS_ppoll, f, 1, &ts, NULL, 8));
  SAY("zero ts %ld.%09ld", (long)ts.tv_sec, ts.tv_nsec);
  ts = (struct timespec){0, 1000000000};
  T(ppoll(f, 1, &ts, NULL));
  ts = (struct timespec){-1, 0};
  T(ppoll(f, 1, &ts, NULL));
  T(syscall(SYS_ppoll, f, 1, BADPTR, NULL, 8));
  sigset_t ss;
  sigemptyset(&ss);
  T(syscall(SYS_ppoll, f, 1, NULL, &ss, 4));
  T(syscall(SYS_ppoll, f, 1, NULL, NULL, 4));
  T(syscall(SYS_ppoll, f, 1, NULL, BADPTR, 8));
  T(syscall(SYS_ppoll, f, 1, NULL, &ss, 8));
  return 0;
}
