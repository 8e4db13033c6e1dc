/* ITIMER_VIRTUAL (SIGVTALRM) and ITIMER_PROF (SIGPROF) on the process's CPU
 * time: a CPU spin gets periodic signals; getitimer reports the interval;
 * disarm stops them. */
#include "common.h"
#include <signal.h>
#include <sys/time.h>
#include <time.h>

static volatile int vt, prof, codes_ok = 1;
static volatile unsigned long sink;

static void on_sig(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  if (si->si_code != SI_KERNEL)
    codes_ok = 0;
  if (sig == SIGVTALRM)
    vt++;
  else
    prof++;
}

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void spin(volatile int *counter, int n, long ms) {
  long end = now_ms() + ms;
  while (*counter < n && now_ms() < end)
    for (int i = 0; i < 10000; i++)
      sink += i;
}

int main(int argc, char **argv) {
  init(argc, argv);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_sig;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGVTALRM, &sa, NULL);
  sigaction(SIGPROF, &sa, NULL);

  struct itimerval iv = {{0, 10000}, {0, 10000}}, cur, old;
  T(setitimer(ITIMER_VIRTUAL, &iv, NULL));
  T(getitimer(ITIMER_VIRTUAL, &cur));
  CHECK(cur.it_interval.tv_sec == 0 && cur.it_interval.tv_usec == 10000);
  CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec > 0);
  spin(&vt, 3, 10000);
  SAY("SIGVTALRM fired>=3: %s", vt >= 3 ? "yes" : "no");
  struct itimerval zero = {{0, 0}, {0, 0}};
  T(setitimer(ITIMER_VIRTUAL, &zero, &old));
  CHECK(old.it_interval.tv_usec == 10000);
  int n = vt;
  long end = now_ms() + 60;
  while (now_ms() < end)
    sink++;
  SAY("stopped after disarm: %s", vt == n ? "yes" : "no");

  T(setitimer(ITIMER_PROF, &iv, NULL));
  spin(&prof, 3, 10000);
  SAY("SIGPROF fired>=3: %s", prof >= 3 ? "yes" : "no");
  T(setitimer(ITIMER_PROF, &zero, &old));
  CHECK(old.it_interval.tv_usec == 10000);
  SAY("si_code SI_KERNEL: %s", codes_ok ? "yes" : "no");

  /* A long virtual timer counts down from at least the value. */
  struct itimerval longer = {{0, 0}, {50, 0}};
  T(setitimer(ITIMER_VIRTUAL, &longer, NULL));
  T(getitimer(ITIMER_VIRTUAL, &cur));
  CHECK(cur.it_value.tv_sec == 49 || cur.it_value.tv_sec == 50);
  T(setitimer(ITIMER_VIRTUAL, &zero, &old));
  CHECK(old.it_value.tv_sec == 49 || old.it_value.tv_sec == 50);
  T(getitimer(ITIMER_VIRTUAL, &cur));
  CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0);
  return 0;
}
