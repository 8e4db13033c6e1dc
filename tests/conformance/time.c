/* gettimeofday/time: consistency with clock_gettime; raw syscalls; EFAULT. */
#include "common.h"
#include <sys/time.h>
#include <time.h>

int main(int argc, char **argv) {
  init(argc, argv);
  struct timeval tv;
  struct timezone tz;
  struct timespec ts;
  T(gettimeofday(&tv, NULL));
  CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
  T(syscall(SYS_gettimeofday, &tv, &tz));
  T(syscall(SYS_gettimeofday, NULL, NULL));
  T(syscall(SYS_gettimeofday, &tv, NULL));
  clock_gettime(CLOCK_REALTIME, &ts);
  CHECK(labs(ts.tv_sec - tv.tv_sec) <= 1);
  time_t t1 = time(NULL);
  time_t t2 = 0;
  long r = syscall(SYS_time, &t2);
  CHECK(r == t2);
  CHECK(labs(t1 - t2) <= 1 && labs(t1 - tv.tv_sec) <= 1);
  CHECK(t1 > 1600000000);
  T(syscall(SYS_time, NULL) > 0);
  T(syscall(SYS_gettimeofday, BADPTR, NULL));
  T(syscall(SYS_gettimeofday, NULL, BADPTR));
  T(syscall(SYS_time, BADPTR));
  /* ordering across interfaces */
  int bad = 0;
  for (int i = 0; i < 200; i++) {
    struct timeval a;
    struct timespec b;
    syscall(SYS_gettimeofday, &a, NULL);
    syscall(SYS_clock_gettime, CLOCK_REALTIME, &b);
    long an = a.tv_sec * 1000000L + a.tv_usec;
    long bn = b.tv_sec * 1000000L + b.tv_nsec / 1000;
    bad |= bn < an;
  }
  CHECK(!bad);
  return 0;
}
