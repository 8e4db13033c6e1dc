/* nanosleep/clock_nanosleep: short sleeps take at least that long; EINVAL. */
#include "common.h"
#include <time.h>

static long now_ns(int clk) {
  struct timespec t;
  clock_gettime(clk, &t);
  return t.tv_sec * 1000000000L + t.tv_nsec;
}

int main(int argc, char **argv) {
  init(argc, argv);
  struct timespec req = {0, 2000000}, rem = {7, 7};
  long t0 = now_ns(CLOCK_MONOTONIC);
  T(nanosleep(&req, &rem));
  CHECK(now_ns(CLOCK_MONOTONIC) - t0 >= 2000000);
  req.tv_nsec = 0;
  T(nanosleep(&req, NULL));
  T(syscall(SYS_nanosleep, &(struct timespec){0, 1000000000}, NULL));
  T(syscall(SYS_nanosleep, &(struct timespec){0, -1}, NULL));
  T(syscall(SYS_nanosleep, &(struct timespec){-1, 0}, NULL));
  T(syscall(SYS_nanosleep, BADPTR, NULL));
  T(syscall(SYS_nanosleep, &(struct timespec){0, 1000}, BADPTR));

  t0 = now_ns(CLOCK_MONOTONIC);
  T(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &(struct timespec){0, 3000000}, NULL));
  CHECK(now_ns(CLOCK_MONOTONIC) - t0 >= 3000000);
  /* absolute deadline in the near future and in the past */
  struct timespec abs;
  clock_gettime(CLOCK_MONOTONIC, &abs);
  abs.tv_nsec += 2000000;
  if (abs.tv_nsec >= 1000000000) {
    abs.tv_sec++;
    abs.tv_nsec -= 1000000000;
  }
  T(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL));
  struct timespec after;
  clock_gettime(CLOCK_MONOTONIC, &after);
  CHECK(after.tv_sec > abs.tv_sec || (after.tv_sec == abs.tv_sec && after.tv_nsec >= abs.tv_nsec));
  T(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &(struct timespec){1, 0}, NULL));
  clock_gettime(CLOCK_REALTIME, &abs);
  abs.tv_sec -= 10;
  T(syscall(SYS_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME, &abs, NULL));
  T(syscall(SYS_clock_nanosleep, CLOCK_BOOTTIME, 0, &(struct timespec){0, 1000}, NULL));
  T(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &(struct timespec){0, 1000000000}, NULL));
  T(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &(struct timespec){-1, 0}, NULL));
  T(syscall(SYS_clock_nanosleep, 100, 0, &(struct timespec){0, 1000}, NULL));
  T(syscall(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &(struct timespec){0, 1000}, NULL));
  T(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, BADPTR, NULL));
  /* the libc wrapper returns the error number instead of setting errno */
  SAY("clock_nanosleep(bad clock) returns %s", errname(clock_nanosleep(100, 0, &req, NULL)));
  return 0;
}
