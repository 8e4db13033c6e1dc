/* clock_gettime/clock_getres for every clock id, via vDSO and raw syscalls. */
#include "common.h"
#include <time.h>

static const struct {
  int id;
  const char *name;
} clocks[] = {
    {CLOCK_REALTIME, "REALTIME"},
    {CLOCK_MONOTONIC, "MONOTONIC"},
    {CLOCK_PROCESS_CPUTIME_ID, "PROCESS_CPUTIME_ID"},
    {CLOCK_THREAD_CPUTIME_ID, "THREAD_CPUTIME_ID"},
    {CLOCK_MONOTONIC_RAW, "MONOTONIC_RAW"},
    {CLOCK_REALTIME_COARSE, "REALTIME_COARSE"},
    {CLOCK_MONOTONIC_COARSE, "MONOTONIC_COARSE"},
    {CLOCK_BOOTTIME, "BOOTTIME"},
    {CLOCK_REALTIME_ALARM, "REALTIME_ALARM"},
    {CLOCK_BOOTTIME_ALARM, "BOOTTIME_ALARM"},
    {CLOCK_TAI, "TAI"},
};

static int valid(struct timespec *t) { return t->tv_sec >= 0 && t->tv_nsec >= 0 && t->tv_nsec < 1000000000; }
static long diff_ns(struct timespec *a, struct timespec *b) {
  return (b->tv_sec - a->tv_sec) * 1000000000L + (b->tv_nsec - a->tv_nsec);
}

int main(int argc, char **argv) {
  init(argc, argv);
  for (size_t i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
    struct timespec t1, t2, res;
    int id = clocks[i].id;
    int r1 = clock_gettime(id, &t1);
    int e1 = errno;
    int r2 = syscall(SYS_clock_gettime, id, &t2);
    int e2 = errno;
    int r3 = syscall(SYS_clock_getres, id, &res);
    int e3 = errno;
    if (id == CLOCK_REALTIME_ALARM || id == CLOCK_BOOTTIME_ALARM) {
      /* supported only where the host has an RTC: 0 or EINVAL, consistently */
      printf("%s: consistent %s\n", clocks[i].name,
             (r1 == r2 && r2 == r3 && (r1 == 0 || (e1 == EINVAL && e2 == EINVAL && e3 == EINVAL))) ? "ok" : "FAIL");
      continue;
    }
    printf("%s: gettime %s raw %s getres %s", clocks[i].name, r1 ? errname(e1) : "0",
           r2 ? errname(e2) : "0", r3 ? errname(e3) : "0");
    if (r1 == 0 && r2 == 0)
      printf(" valid %d ordered %d", valid(&t1) && valid(&t2), diff_ns(&t1, &t2) >= 0 || id >= CLOCK_REALTIME_COARSE);
    if (r3 == 0)
      printf(" res_ok %d", res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 10000000);
    if (r3 == 0 && (id == CLOCK_REALTIME || id == CLOCK_MONOTONIC || id == CLOCK_BOOTTIME))
      printf(" res %ld", res.tv_nsec);
    printf("\n");
  }
  struct timespec t, prev;
  /* monotonic never goes backwards */
  int back = 0;
  clock_gettime(CLOCK_MONOTONIC, &prev);
  for (int i = 0; i < 1000; i++) {
    if (i % 2)
      clock_gettime(CLOCK_MONOTONIC, &t);
    else
      syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &t);
    back |= diff_ns(&prev, &t) < 0;
    prev = t;
  }
  CHECK(!back);
  /* the CPU-time clock advances when we burn CPU */
  struct timespec c1, c2;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
  volatile unsigned long x = 0;
  for (unsigned long i = 0; i < 20000000; i++)
    x += i;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c2);
  CHECK(diff_ns(&c1, &c2) > 0);
  /* realtime is close to time() */
  syscall(SYS_clock_gettime, CLOCK_REALTIME, &t);
  CHECK(labs(t.tv_sec - time(NULL)) <= 1);
  /* errors */
  T(syscall(SYS_clock_gettime, 12, &t));
  T(syscall(SYS_clock_gettime, 100, &t));
  T(syscall(SYS_clock_gettime, INT_MAX, &t));
  T(syscall(SYS_clock_getres, 100, &t));
  T(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, BADPTR));
  T(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, NULL));
  T(syscall(SYS_clock_getres, CLOCK_MONOTONIC, NULL));
  T(syscall(SYS_clock_getres, CLOCK_MONOTONIC, BADPTR));
  T(clock_gettime(100, &t));
  return 0;
}
