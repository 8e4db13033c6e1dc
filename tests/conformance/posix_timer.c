/* POSIX timers through the raw syscalls: ids, SIGEV_NONE countdown,
 * SIGEV_SIGNAL siginfo (SI_TIMER, si_timerid, si_value), the NULL-sigevent
 * default, overruns while the signal is blocked, TIMER_ABSTIME, old values,
 * SIGEV_THREAD_ID, a CPU-clock timer, fork, and errno cases. */
#include "common.h"
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

static volatile int fired, last_sig, last_code, last_id, last_overrun, handler_getoverrun;
static volatile long last_value;
/* The first delivery after have_first was cleared (later ones may follow). */
static volatile int have_first, first_overrun, first_getoverrun;

static void on_timer(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  fired++;
  last_sig = sig;
  last_code = si->si_code;
  last_id = si->si_timerid;
  last_overrun = si->si_overrun;
  last_value = (long)si->si_value.sival_ptr;
  handler_getoverrun = (int)syscall(SYS_timer_getoverrun, si->si_timerid);
  if (!have_first) {
    have_first = 1;
    first_overrun = last_overrun;
    first_getoverrun = handler_getoverrun;
  }
}

static long now_ns(clockid_t c) {
  struct timespec ts;
  clock_gettime(c, &ts);
  return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static void busy_ms(long ms) {
  long end = now_ns(CLOCK_MONOTONIC) + ms * 1000000L;
  while (now_ns(CLOCK_MONOTONIC) < end)
    ;
}

static void wait_fired(int n) {
  long end = now_ns(CLOCK_MONOTONIC) + 5000000000L;
  while (fired < n && now_ns(CLOCK_MONOTONIC) < end)
    ;
}

static long tcreate(clockid_t c, struct sigevent *ev, int *id) { return syscall(SYS_timer_create, c, ev, id); }
static long tset(int id, int flags, const struct itimerspec *n, struct itimerspec *o) {
  return syscall(SYS_timer_settime, id, flags, n, o);
}
static long tget(int id, struct itimerspec *c) { return syscall(SYS_timer_gettime, id, c); }

static long spec_ns(const struct timespec *ts) { return ts->tv_sec * 1000000000L + ts->tv_nsec; }

int main(int argc, char **argv) {
  init(argc, argv);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_timer;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGUSR1, &sa, NULL);
  sigaction(SIGALRM, &sa, NULL);
  sigaction(SIGRTMIN + 1, &sa, NULL);

  int id = -1, id2 = -1;
  struct sigevent ev;
  struct itimerspec its, cur, old;

  /* ids count up from 0 per process and are not reused right away */
  T(tcreate(CLOCK_MONOTONIC, NULL, &id));
  SAY("first id %d", id);
  memset(&ev, 0, sizeof ev);
  ev.sigev_notify = SIGEV_NONE;
  T(tcreate(CLOCK_MONOTONIC, &ev, &id2));
  SAY("second id %d", id2);
  T(syscall(SYS_timer_delete, id));
  T(syscall(SYS_timer_delete, id));
  T(tcreate(CLOCK_REALTIME, NULL, &id));
  SAY("third id %d", id);
  T(syscall(SYS_timer_delete, id));

  /* SIGEV_NONE: gettime counts down; an expired one-shot reads 0 */
  T(tget(id2, &cur));
  CHECK(spec_ns(&cur.it_value) == 0 && spec_ns(&cur.it_interval) == 0);
  its = (struct itimerspec){{0, 0}, {10, 0}};
  T(tset(id2, 0, &its, NULL));
  T(tget(id2, &cur));
  long first = spec_ns(&cur.it_value);
  CHECK(first > 9000000000L && first <= 10000000000L);
  busy_ms(20);
  T(tget(id2, &cur));
  SAY("SIGEV_NONE counts down: %s", spec_ns(&cur.it_value) < first ? "yes" : "no");
  its = (struct itimerspec){{0, 0}, {0, 1000000}};
  T(tset(id2, 0, &its, &old));
  CHECK(spec_ns(&old.it_value) > 9000000000L && spec_ns(&old.it_value) < first);
  busy_ms(10);
  T(tget(id2, &cur));
  CHECK(spec_ns(&cur.it_value) == 0);
  SAY("SIGEV_NONE fired: %s", fired == 0 ? "no" : "yes");
  /* periodic SIGEV_NONE stays in the future */
  its = (struct itimerspec){{0, 1000000}, {0, 1000000}};
  T(tset(id2, 0, &its, NULL));
  busy_ms(10);
  T(tget(id2, &cur));
  CHECK(spec_ns(&cur.it_value) > 0 && spec_ns(&cur.it_value) <= 1000000);
  CHECK(spec_ns(&cur.it_interval) == 1000000);
  T(syscall(SYS_timer_delete, id2));

  /* SIGEV_SIGNAL: the siginfo */
  memset(&ev, 0, sizeof ev);
  ev.sigev_notify = SIGEV_SIGNAL;
  ev.sigev_signo = SIGUSR1;
  ev.sigev_value.sival_ptr = (void *)0x1122334455L;
  T(tcreate(CLOCK_MONOTONIC, &ev, &id));
  its = (struct itimerspec){{0, 0}, {0, 10000000}};
  T(tset(id, 0, &its, NULL));
  wait_fired(1);
  SAY("signal fired=%d sig_usr1=%d code_timer=%d id_match=%d value_match=%d overrun=%d", fired,
      last_sig == SIGUSR1, last_code == SI_TIMER, last_id == id, last_value == 0x1122334455L, last_overrun);
  T(tget(id, &cur));
  CHECK(spec_ns(&cur.it_value) == 0);

  /* overruns: periodic, signal blocked for a while, then unblocked */
  sigset_t m;
  sigemptyset(&m);
  sigaddset(&m, SIGUSR1);
  sigprocmask(SIG_BLOCK, &m, NULL);
  fired = 0;
  have_first = 0;
  its = (struct itimerspec){{0, 1000000}, {0, 1000000}};
  T(tset(id, 0, &its, NULL));
  busy_ms(60);
  T(syscall(SYS_timer_getoverrun, id));
  T(tget(id, &cur));
  CHECK(spec_ns(&cur.it_value) > 0 && spec_ns(&cur.it_value) <= 1000000);
  sigprocmask(SIG_UNBLOCK, &m, NULL);
  SAY("delivered once on unblock: %s", fired >= 1 ? "yes" : "no");
  its = (struct itimerspec){{0, 0}, {0, 0}};
  T(tset(id, 0, &its, &old));
  SAY("si_overrun>=10: %s", first_overrun >= 10 ? "yes" : "no");
  SAY("getoverrun in handler == si_overrun: %s", first_getoverrun == first_overrun ? "yes" : "no");
  CHECK(spec_ns(&old.it_interval) == 1000000);
  T(syscall(SYS_timer_getoverrun, id));
  T(syscall(SYS_timer_delete, id));

  /* NULL sigevent: SIGALRM with si_value = the timer id */
  fired = 0;
  T(tcreate(CLOCK_MONOTONIC, NULL, &id));
  its = (struct itimerspec){{0, 0}, {0, 5000000}};
  T(tset(id, 0, &its, NULL));
  wait_fired(1);
  SAY("default fired=%d sig_alrm=%d code_timer=%d value_is_id=%d", fired, last_sig == SIGALRM,
      last_code == SI_TIMER, last_value == id);
  T(syscall(SYS_timer_delete, id));

  /* TIMER_ABSTIME on MONOTONIC and REALTIME, and a deadline in the past */
  memset(&ev, 0, sizeof ev);
  ev.sigev_notify = SIGEV_SIGNAL;
  ev.sigev_signo = SIGRTMIN + 1;
  ev.sigev_value.sival_int = 7;
  clockid_t clocks[2] = {CLOCK_MONOTONIC, CLOCK_REALTIME};
  for (int i = 0; i < 2; i++) {
    fired = 0;
    T(tcreate(clocks[i], &ev, &id));
    long at = now_ns(clocks[i]) + 20000000L;
    its = (struct itimerspec){{0, 0}, {at / 1000000000L, at % 1000000000L}};
    T(tset(id, TIMER_ABSTIME, &its, NULL));
    T(tget(id, &cur));
    CHECK(spec_ns(&cur.it_value) > 0 && spec_ns(&cur.it_value) <= 20000000L);
    wait_fired(1);
    SAY("abstime clock %d fired: %s value7=%d", i, fired == 1 ? "yes" : "no", last_value == 7);
    fired = 0;
    its = (struct itimerspec){{0, 0}, {1, 0}};
    T(tset(id, TIMER_ABSTIME, &its, NULL));
    wait_fired(1);
    SAY("past deadline fires: %s", fired == 1 ? "yes" : "no");
    T(syscall(SYS_timer_delete, id));
  }

  /* SIGEV_THREAD_ID to ourselves */
  memset(&ev, 0, sizeof ev);
  ev.sigev_notify = SIGEV_THREAD_ID;
  ev.sigev_signo = SIGUSR1;
  ev._sigev_un._tid = (int)syscall(SYS_gettid);
  fired = 0;
  T(tcreate(CLOCK_MONOTONIC, &ev, &id));
  its = (struct itimerspec){{0, 0}, {0, 5000000}};
  T(tset(id, 0, &its, NULL));
  wait_fired(1);
  SAY("thread_id fired: %s", fired == 1 ? "yes" : "no");
  T(syscall(SYS_timer_delete, id));

  /* a CPU-time timer */
  memset(&ev, 0, sizeof ev);
  ev.sigev_notify = SIGEV_SIGNAL;
  ev.sigev_signo = SIGUSR1;
  fired = 0;
  T(tcreate(CLOCK_PROCESS_CPUTIME_ID, &ev, &id));
  its = (struct itimerspec){{0, 0}, {0, 20000000}};
  T(tset(id, 0, &its, NULL));
  T(tget(id, &cur));
  CHECK(spec_ns(&cur.it_value) > 0 && spec_ns(&cur.it_value) <= 20000000L);
  wait_fired(1);
  SAY("cpu timer fired: %s", fired == 1 ? "yes" : "no");
  T(syscall(SYS_timer_delete, id));

  /* fork: the child has no timers */
  T(tcreate(CLOCK_MONOTONIC, NULL, &id));
  its = (struct itimerspec){{0, 0}, {100, 0}};
  T(tset(id, 0, &its, NULL));
  struct itimerval iv = {{0, 0}, {100, 0}};
  setitimer(ITIMER_REAL, &iv, NULL);
  pid_t pid = fork();
  if (pid == 0) {
    struct itimerval c;
    getitimer(ITIMER_REAL, &c);
    long r = tget(id, &cur);
    int e = errno;
    int fresh_id = -1;
    tcreate(CLOCK_MONOTONIC, NULL, &fresh_id);
    printf("child: itimer real off=%d gettime=%ld %s fresh id %d\n", c.it_value.tv_sec == 0, r, errname(e),
           fresh_id);
    fflush(stdout);
    _exit(0);
  }
  int st;
  waitpid(pid, &st, 0);
  T(tget(id, &cur));
  CHECK(cur.it_value.tv_sec == 99 || cur.it_value.tv_sec == 100);
  iv = (struct itimerval){{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &iv, NULL);
  T(syscall(SYS_timer_delete, id));

  /* errno cases */
  T(tcreate(10, NULL, &id));
  T(tcreate(-1000, NULL, &id));
  T(tcreate(CLOCK_MONOTONIC_RAW, NULL, &id));
  T(tcreate(CLOCK_MONOTONIC, BADPTR, &id));
  T(tcreate(10, BADPTR, &id));
  T(tcreate(CLOCK_MONOTONIC, NULL, BADPTR));
  memset(&ev, 0, sizeof ev);
  ev.sigev_notify = 77;
  T(tcreate(CLOCK_MONOTONIC, &ev, &id));
  ev.sigev_notify = SIGEV_SIGNAL;
  ev.sigev_signo = 0;
  T(tcreate(CLOCK_MONOTONIC, &ev, &id));
  ev.sigev_signo = 65;
  T(tcreate(CLOCK_MONOTONIC, &ev, &id));
  ev.sigev_notify = SIGEV_THREAD_ID;
  ev.sigev_signo = SIGUSR1;
  ev._sigev_un._tid = -1;
  T(tcreate(CLOCK_MONOTONIC, &ev, &id));
  T(tcreate(CLOCK_MONOTONIC, NULL, &id));
  SAY("id after failures %d", id);
  its = (struct itimerspec){{0, 0}, {1, 0}};
  T(tset(12345, 0, &its, NULL));
  T(tset(-1, 0, &its, NULL));
  T(tset(id, 0, NULL, NULL));
  T(tset(id, 0, BADPTR, NULL));
  T(tset(id, 0xf0, &its, NULL));
  T(tset(id, 0, &its, BADPTR));
  its.it_value.tv_nsec = 1000000000;
  T(tset(id, 0, &its, NULL));
  its.it_value.tv_nsec = -1;
  T(tset(id, 0, &its, NULL));
  its.it_value.tv_nsec = 0;
  its.it_interval.tv_sec = -1;
  T(tset(id, 0, &its, NULL));
  T(tget(12345, &cur));
  T(tget(12345, BADPTR));
  T(tget(id, BADPTR));
  T(syscall(SYS_timer_getoverrun, 12345));
  T(syscall(SYS_timer_delete, 12345));
  T(syscall(SYS_timer_delete, id));
  T(syscall(SYS_timer_delete, id));
  return 0;
}
