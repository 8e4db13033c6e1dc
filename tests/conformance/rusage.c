/* getrusage(SELF/THREAD/CHILDREN), wait4's rusage and times()' children
 * fields after a CPU-burning child is reaped. Prints booleans only; the
 * thresholds are well below the CPU time burnt, since under load part of a
 * sandboxed process's CPU time is the sentry's (system time). */
#include "common.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>

static volatile unsigned long sink;

static void burn_ms(long ms) {
  struct timespec a, b;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
  for (;;) {
    for (int i = 0; i < 2000000; i++) sink += i;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
    long d = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
    if (d >= ms) break;
  }
}

static long us(struct timeval tv) { return tv.tv_sec * 1000000L + tv.tv_usec; }

static const char *yn(int b) { return b ? "yes" : "no"; }

int main(void) {
  struct rusage ru;
  int r0 = getrusage(5, &ru);
  printf("bad who: %d %s\n", r0, errname(errno));
  errno = 0;
  r0 = (int)syscall(SYS_getrusage, RUSAGE_SELF, (void *)8);
  printf("efault: %d %s\n", r0, errname(errno));

  getrusage(RUSAGE_CHILDREN, &ru);
  printf("children before: utime==0: %s\n", yn(us(ru.ru_utime) == 0));

  burn_ms(300);
  getrusage(RUSAGE_SELF, &ru);
  printf("self utime>=100ms: %s\n", yn(us(ru.ru_utime) >= 100000));
  printf("self utime<5s: %s\n", yn(us(ru.ru_utime) < 5000000));
  printf("self maxrss>0: %s\n", yn(ru.ru_maxrss > 0));
  struct rusage th;
  getrusage(RUSAGE_THREAD, &th);
  printf("thread utime>=100ms: %s\n", yn(us(th.ru_utime) >= 100000));
  printf("thread utime<=self+50ms: %s\n", yn(us(th.ru_utime) <= us(ru.ru_utime) + 50000));

  pid_t c = fork();
  if (c == 0) {
    burn_ms(400);
    /* A grandchild reaped by the child counts for the grandparent too. */
    pid_t g = fork();
    if (g == 0) {
      burn_ms(300);
      _exit(0);
    }
    waitpid(g, NULL, 0);
    _exit(7);
  }
  int st;
  struct rusage wr;
  memset(&wr, 0, sizeof wr);
  pid_t w = wait4(c, &st, 0, &wr);
  printf("wait4: %s status %d\n", yn(w == c), WEXITSTATUS(st));
  printf("wait4 utime>=400ms: %s\n", yn(us(wr.ru_utime) >= 400000));
  printf("wait4 maxrss>0: %s\n", yn(wr.ru_maxrss > 0));
  getrusage(RUSAGE_CHILDREN, &ru);
  printf("children utime>=400ms: %s\n", yn(us(ru.ru_utime) >= 400000));
  printf("children utime<5s: %s\n", yn(us(ru.ru_utime) < 5000000));
  printf("children maxrss>0: %s\n", yn(ru.ru_maxrss > 0));
  struct tms t;
  times(&t);
  long hz = sysconf(_SC_CLK_TCK);
  printf("times cutime>=0.3s: %s\n", yn(t.tms_cutime >= hz * 3 / 10));
  printf("times utime>=0.1s: %s\n", yn(t.tms_utime >= hz / 10));

  /* waitid's rusage (raw syscall: glibc's waitid has no rusage). */
  c = fork();
  if (c == 0) {
    burn_ms(200);
    _exit(0);
  }
  siginfo_t si;
  memset(&wr, 0, sizeof wr);
  long r = syscall(SYS_waitid, P_PID, c, &si, WEXITED, &wr);
  printf("waitid: %ld utime>=100ms: %s\n", r, yn(us(wr.ru_utime) >= 100000));
  getrusage(RUSAGE_CHILDREN, &ru);
  printf("children utime>=500ms: %s\n", yn(us(ru.ru_utime) >= 500000));

  /* An auto-reaped child (SIGCHLD ignored) does not count. */
  struct rusage before;
  getrusage(RUSAGE_CHILDREN, &before);
  signal(SIGCHLD, SIG_IGN);
  c = fork();
  if (c == 0) {
    burn_ms(300);
    _exit(0);
  }
  errno = 0;
  w = waitpid(c, NULL, 0);
  printf("ignored child wait: %d %s\n", w, errname(errno));
  getrusage(RUSAGE_CHILDREN, &ru);
  printf("ignored child not counted: %s\n", yn(us(ru.ru_utime) - us(before.ru_utime) < 100000));
  return 0;
}
