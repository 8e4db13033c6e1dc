/* FUTEX_WAIT_BITSET takes an absolute timeout: CLOCK_MONOTONIC by default,
 * CLOCK_REALTIME with FUTEX_CLOCK_REALTIME; a deadline in the past is an immediate
 * ETIMEDOUT, a near one is honoured; a zero bitset is EINVAL for wait and wake;
 * FUTEX_WAKE_BITSET with no waiters is 0. */
#include "proc.h"

static long ms_since(struct timespec *a) {
  struct timespec b;
  clock_gettime(CLOCK_MONOTONIC, &b);
  return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

static struct timespec in_ms(clockid_t c, long ms) {
  struct timespec t;
  clock_gettime(c, &t);
  t.tv_nsec += ms * 1000000L;
  t.tv_sec += t.tv_nsec / 1000000000L;
  t.tv_nsec %= 1000000000L;
  return t;
}

int main(int argc, char **argv) {
  init(argc, argv);
  static uint32_t f = 9;
  struct timespec past = {1, 0}, start, dl;
  T(futex(&f, FUTEX_WAIT_BITSET, 9, &past, NULL, FUTEX_BITSET_MATCH_ANY));
  T(futex(&f, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 9, &past, NULL, FUTEX_BITSET_MATCH_ANY));
  clock_gettime(CLOCK_MONOTONIC, &start);
  dl = in_ms(CLOCK_MONOTONIC, 60);
  T(futex(&f, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 9, &dl, NULL, 1));
  long e = ms_since(&start);
  SAY("monotonic deadline honoured: %d", e >= 55 && e < 1500);
  clock_gettime(CLOCK_MONOTONIC, &start);
  dl = in_ms(CLOCK_REALTIME, 60);
  T(futex(&f, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 9, &dl, NULL, 0xff));
  e = ms_since(&start);
  SAY("realtime deadline honoured: %d", e >= 55 && e < 1500);
  T(futex(&f, FUTEX_WAIT_BITSET, 8, &dl, NULL, 1));
  T(futex(&f, FUTEX_WAIT_BITSET, 9, &dl, NULL, 0));
  T(futex(&f, FUTEX_WAKE_BITSET, 1, NULL, NULL, 0));
  T(futex(&f, FUTEX_WAKE_BITSET, 1, NULL, NULL, 1));
  T(futex(&f, FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG, INT_MAX, NULL, NULL, FUTEX_BITSET_MATCH_ANY));
  return 0;
}
