/* close_range(2): closing, CLOSE_RANGE_CLOEXEC, CLOSE_RANGE_UNSHARE in a
 * thread that shares the fd table (the other thread keeps its fds), errors. */
#include "common.h"
#include <pthread.h>

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static int cr(unsigned a, unsigned b, unsigned f) { return syscall(SYS_close_range, a, b, f); }

static int base;

static void *thread(void *arg) {
  (void)arg;
  T(cr(base, base + 1, CLOSE_RANGE_UNSHARE));
  T(fcntl(base, F_GETFD));
  T(fcntl(base + 2, F_GETFD));
  int n = dup(0);
  printf("thread dup reuses the closed slot: %d\n", n == base);
  return NULL;
}

int main(int argc, char **argv) {
  (void)argc; (void)argv;
  base = open("/dev/null", O_RDONLY);
  for (int i = 1; i < 6; i++)
    dup2(base, base + i);
  T(cr(base + 4, base + 5, 0));
  T(fcntl(base + 4, F_GETFD));
  T(fcntl(base + 5, F_GETFD));
  T(cr(base + 2, base + 3, CLOSE_RANGE_CLOEXEC));
  T(fcntl(base + 2, F_GETFD));
  T(fcntl(base + 3, F_GETFD));
  T(fcntl(base + 1, F_GETFD));
  T(cr(5, 4, 0));
  T(cr(0, 1, 0x100));
  T(cr(base + 10, ~0U, 0));
  T(cr(base + 10, ~0U, CLOSE_RANGE_CLOEXEC | CLOSE_RANGE_UNSHARE));
  pthread_t th;
  pthread_create(&th, NULL, thread, NULL);
  pthread_join(th, NULL);
  /* The main thread still has them. */
  T(fcntl(base, F_GETFD));
  T(fcntl(base + 1, F_GETFD));
  /* Without UNSHARE a thread's close_range closes them for everyone. */
  return 0;
}
