/* FUTEX_WAIT/FUTEX_WAKE in one thread: EAGAIN when the value differs, ETIMEDOUT after
 * a relative timeout (not early), WAKE with no waiters is 0, EINVAL for a misaligned
 * address or a bad timeout, EFAULT for a bad address, ENOSYS for an unknown op; the
 * private variants behave the same. */
#include "proc.h"

static long ms_since(struct timespec *a) {
  struct timespec b;
  clock_gettime(CLOCK_MONOTONIC, &b);
  return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

int main(int argc, char **argv) {
  init(argc, argv);
  static uint32_t f[4] __attribute__((aligned(8))) = {5, 0, 0, 0};
  struct timespec to = {0, 50000000}, start;
  for (int priv = 0; priv < 2; priv++) {
    int P = priv ? FUTEX_PRIVATE_FLAG : 0;
    SAY("-- %s", priv ? "private" : "shared");
    T(futex(f, FUTEX_WAIT | P, 6, NULL, NULL, 0));
    clock_gettime(CLOCK_MONOTONIC, &start);
    T(futex(f, FUTEX_WAIT | P, 5, &to, NULL, 0));
    SAY("waited at least 50 ms: %d", ms_since(&start) >= 50);
    T(futex(f, FUTEX_WAKE | P, 1, NULL, NULL, 0));
    T(futex(f, FUTEX_WAKE | P, INT_MAX, NULL, NULL, 0));
    T(futex((char *)f + 1, FUTEX_WAIT | P, 5, &to, NULL, 0));
    T(futex((char *)f + 2, FUTEX_WAKE | P, 1, NULL, NULL, 0));
    T(futex(BADPTR, FUTEX_WAIT | P, 5, &to, NULL, 0));
    T(futex((void *)16, FUTEX_WAIT | P, 5, &to, NULL, 0));
    struct timespec bad = {0, 1000000000}, neg = {-1, 0};
    T(futex(f, FUTEX_WAIT | P, 5, &bad, NULL, 0));
    T(futex(f, FUTEX_WAIT | P, 5, &neg, NULL, 0));
    T(futex(f, FUTEX_WAIT | P, 5, BADPTR, NULL, 0));
    T(futex(f, 99 | P, 0, NULL, NULL, 0));
    T(futex(f, FUTEX_WAKE | FUTEX_CLOCK_REALTIME | P, 1, NULL, NULL, 0));
    T(futex(f, FUTEX_REQUEUE | P, 1, (void *)1L, f + 1, 0));
    T(futex(f, FUTEX_CMP_REQUEUE | P, 1, (void *)1L, f + 1, 4));
    T(futex(f, FUTEX_CMP_REQUEUE | P, 1, (void *)1L, f + 1, 5));
    T(futex(f, FUTEX_CMP_REQUEUE | P, -1, (void *)1L, f + 1, 5));
  }
  /* a zero timeout is an immediate ETIMEDOUT */
  struct timespec zero = {0, 0};
  T(futex(f, FUTEX_WAIT, 5, &zero, NULL, 0));
  return 0;
}
