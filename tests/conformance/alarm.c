/* alarm(2): return values (rounded as Linux), alarm(0) cancels, delivery of
 * SIGALRM to a handler while busy-waiting; with "kill", the default action
 * ends the process. */
#include "common.h"
#include <signal.h>
#include <sys/time.h>
#include <time.h>

static volatile int fired;
static void on_alrm(int sig) {
  (void)sig;
  fired++;
}

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv) {
  init(argc, argv);
  if (argc > 2 && strcmp(argv[2], "kill") == 0) {
    alarm(1);
    long end = now_ms() + 5000;
    while (now_ms() < end)
      ;
    SAY("still alive: FAIL");
    return 1;
  }
  signal(SIGALRM, on_alrm);
  T(alarm(0));
  T(alarm(5));
  T(alarm(3));
  T(alarm(0));
  T(alarm(0));
  /* Rounding of the old value: sub-second rounds up to 1, else to nearest. */
  struct itimerval iv = {{0, 0}, {0, 400000}};
  setitimer(ITIMER_REAL, &iv, NULL);
  T(alarm(0));
  iv.it_value.tv_sec = 2;
  setitimer(ITIMER_REAL, &iv, NULL);
  T(alarm(0));
  iv.it_value.tv_usec = 700000;
  setitimer(ITIMER_REAL, &iv, NULL);
  T(alarm(0));
  /* alarm shares ITIMER_REAL. */
  T(alarm(7));
  struct itimerval cur;
  T(getitimer(ITIMER_REAL, &cur));
  CHECK(cur.it_value.tv_sec == 6 || cur.it_value.tv_sec == 7);
  CHECK(cur.it_interval.tv_sec == 0 && cur.it_interval.tv_usec == 0);
  T(alarm(0));
  /* Delivery. */
  T(alarm(1));
  long end = now_ms() + 5000;
  while (!fired && now_ms() < end)
    ;
  SAY("fired: %s", fired == 1 ? "yes" : "no");
  T(alarm(0));
  return 0;
}
