/* setitimer/getitimer ITIMER_REAL: periodic SIGALRM (SI_KERNEL) counted by a
 * handler while busy-waiting, old values, disarm, one-shot, errno cases. */
#include "common.h"
#include <signal.h>
#include <sys/time.h>
#include <time.h>

static volatile int fired, kernel_code;

static void on_alrm(int sig, siginfo_t *si, void *uc) {
  (void)sig;
  (void)uc;
  fired++;
  kernel_code = si->si_code == SI_KERNEL;
}

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Busy-wait until fired >= n or ms elapsed. */
static void spin_until(int n, long ms) {
  long end = now_ms() + ms;
  while (fired < n && now_ms() < end)
    ;
}

int main(int argc, char **argv) {
  init(argc, argv);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_alrm;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGALRM, &sa, NULL);

  struct itimerval cur, old;
  T(getitimer(ITIMER_REAL, &cur));
  CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0 && cur.it_interval.tv_usec == 0);

  struct itimerval iv = {{0, 10000}, {0, 10000}};
  T(setitimer(ITIMER_REAL, &iv, &old));
  CHECK(old.it_value.tv_sec == 0 && old.it_value.tv_usec == 0);
  T(getitimer(ITIMER_REAL, &cur));
  CHECK(cur.it_interval.tv_sec == 0 && cur.it_interval.tv_usec == 10000);
  CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec <= 10000);
  spin_until(3, 5000);
  SAY("fired>=3: %s", fired >= 3 ? "yes" : "no");
  SAY("si_code SI_KERNEL: %s", kernel_code ? "yes" : "no");

  /* Disarm: the old value shows the interval; no more signals. */
  struct itimerval zero = {{0, 0}, {0, 0}};
  T(setitimer(ITIMER_REAL, &zero, &old));
  CHECK(old.it_interval.tv_usec == 10000);
  int n = fired;
  long end = now_ms() + 60;
  while (now_ms() < end)
    ;
  SAY("stopped after disarm: %s", fired == n ? "yes" : "no");
  T(getitimer(ITIMER_REAL, &cur));
  CHECK(cur.it_value.tv_usec == 0 && cur.it_interval.tv_usec == 0);

  /* One-shot. */
  fired = 0;
  struct itimerval once = {{0, 0}, {0, 20000}};
  T(setitimer(ITIMER_REAL, &once, NULL));
  spin_until(1, 5000);
  end = now_ms() + 60;
  while (now_ms() < end)
    ;
  SAY("one-shot fired once: %s", fired == 1 ? "yes" : "no");
  T(getitimer(ITIMER_REAL, &cur));
  CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0);

  /* A long timer: the remaining time counts down from the value. */
  struct itimerval longer = {{1, 0}, {100, 0}};
  T(setitimer(ITIMER_REAL, &longer, NULL));
  T(getitimer(ITIMER_REAL, &cur));
  CHECK(cur.it_value.tv_sec == 99 || cur.it_value.tv_sec == 100);
  CHECK(cur.it_interval.tv_sec == 1 && cur.it_interval.tv_usec == 0);
  /* NULL new value disarms and still reports the old one. */
  T(syscall(SYS_setitimer, ITIMER_REAL, NULL, &old));
  CHECK(old.it_value.tv_sec == 99 || old.it_value.tv_sec == 100);
  T(getitimer(ITIMER_REAL, &cur));
  CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0);

  /* Errors. */
  struct itimerval bad = {{0, 0}, {0, 1000000}};
  T(setitimer(ITIMER_REAL, &bad, NULL));
  bad.it_value.tv_usec = -1;
  T(setitimer(ITIMER_REAL, &bad, NULL));
  bad.it_value.tv_usec = 0;
  bad.it_value.tv_sec = -1;
  T(setitimer(ITIMER_REAL, &bad, NULL));
  bad.it_value.tv_sec = 0;
  bad.it_interval.tv_usec = 1000000;
  T(setitimer(ITIMER_REAL, &bad, NULL));
  T(setitimer(5, &iv, NULL));
  T(setitimer(-1, &zero, NULL));
  T(setitimer(ITIMER_REAL, BADPTR, NULL));
  T(setitimer(5, BADPTR, NULL));
  T(setitimer(ITIMER_REAL, &zero, BADPTR));
  T(getitimer(5, &cur));
  T(getitimer(5, BADPTR));
  T(getitimer(ITIMER_REAL, BADPTR));
  T(getitimer(ITIMER_PROF, &cur));
  return 0;
}
