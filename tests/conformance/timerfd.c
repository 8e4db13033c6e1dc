/* timerfd: create flags and clocks, settime/gettime (relative, absolute,
 * interval, disarm, old value), nonblocking EAGAIN, blocking read, expiration
 * counts, short reads (EINVAL), poll and epoll readiness, errors. */
#include "common.h"
#include <poll.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>

static void rd(int fd) {
  uint64_t v = 0;
  long r = read(fd, &v, sizeof v);
  if (r < 0)
    SAY("read = -1 %s", errname(errno));
  else
    SAY("read = %ld count %llu", r, (unsigned long long)v);
}

static struct itimerspec spec(long vs, long vns, long is, long ins) {
  struct itimerspec s = {{is, ins}, {vs, vns}};
  return s;
}

int main(int argc, char **argv) {
  init(argc, argv);
  T(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0));
  T(timerfd_create(77, 0));
  T(timerfd_create(CLOCK_MONOTONIC, 0x1));
  int r = TOK(timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC));
  T(fcntl(r, F_GETFD));
  int b = TOK(timerfd_create(CLOCK_BOOTTIME, 0));
  int fd = TOK(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
  T(fcntl(fd, F_GETFL) & O_NONBLOCK);

  struct itimerspec cur, old;
  T(timerfd_gettime(fd, &cur));
  SAY("disarmed %ld %ld %ld %ld", cur.it_value.tv_sec, cur.it_value.tv_nsec,
      cur.it_interval.tv_sec, cur.it_interval.tv_nsec);
  rd(fd);
  struct itimerspec s = spec(0, -1, 0, 0);
  T(timerfd_settime(fd, 0, &s, NULL));
  s = spec(0, 1000000000, 0, 0);
  T(timerfd_settime(fd, 0, &s, NULL));
  s = spec(1, 0, 0, 0);
  T(timerfd_settime(fd, 0x4, &s, NULL));
  T(timerfd_settime(0, 0, &s, NULL));
  T(timerfd_settime(999, 0, &s, NULL));
  T(timerfd_gettime(0, &cur));
  T(timerfd_settime(fd, 0, BADPTR, NULL));

  /* one-shot 50 ms */
  s = spec(0, 50000000, 0, 0);
  T(timerfd_settime(fd, 0, &s, NULL));
  T(timerfd_gettime(fd, &cur));
  CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 &&
        cur.it_value.tv_nsec <= 50000000);
  rd(fd);
  struct pollfd p = {fd, POLLIN, 0};
  T(poll(&p, 1, 2000));
  SAY("revents %#x", p.revents);
  rd(fd);
  rd(fd);
  T(timerfd_gettime(fd, &cur));
  SAY("expired %ld %ld", cur.it_value.tv_sec, cur.it_value.tv_nsec);
  char small[4];
  T(read(fd, small, 4));

  /* periodic 20 ms, counted after ~110 ms */
  s = spec(0, 20000000, 0, 20000000);
  T(timerfd_settime(fd, 0, &s, &old));
  SAY("old %ld %ld", old.it_value.tv_sec, old.it_interval.tv_nsec);
  usleep(110000);
  uint64_t n = 0;
  T(read(fd, &n, 8));
  CHECK(n >= 4 && n <= 8);
  T(timerfd_gettime(fd, &cur));
  SAY("interval %ld %ld", cur.it_interval.tv_sec, cur.it_interval.tv_nsec);
  /* disarm, returning the old setting */
  s = spec(0, 0, 0, 0);
  T(timerfd_settime(fd, 0, &s, &old));
  SAY("old interval %ld", old.it_interval.tv_nsec);
  CHECK(old.it_value.tv_nsec > 0 && old.it_value.tv_nsec <= 20000000);
  rd(fd);

  /* epoll sees an expiry */
  int ep = epoll_create1(0);
  struct epoll_event e = {.events = EPOLLIN, .data.u64 = 5};
  T(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e));
  s = spec(0, 30000000, 0, 0);
  T(timerfd_settime(fd, 0, &s, NULL));
  struct epoll_event out[2];
  T(epoll_wait(ep, out, 2, 0));
  T(epoll_wait(ep, out, 2, 2000));
  SAY("epoll %llu %#x", (unsigned long long)out[0].data.u64, out[0].events);
  rd(fd);

  /* absolute on CLOCK_REALTIME, blocking read */
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  now.tv_nsec += 40000000;
  if (now.tv_nsec >= 1000000000) {
    now.tv_sec++;
    now.tv_nsec -= 1000000000;
  }
  s = spec(now.tv_sec, now.tv_nsec, 0, 0);
  T(timerfd_settime(r, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &s, NULL));
  rd(r);
  /* absolute in the past: expires at once */
  s = spec(1, 0, 0, 0);
  T(timerfd_settime(b, TFD_TIMER_ABSTIME, &s, NULL));
  rd(b);
  T(lseek(fd, 0, SEEK_SET));
  struct stat st;
  T(fstat(fd, &st));
  SAY("mode %o", st.st_mode);
  return 0;
}
