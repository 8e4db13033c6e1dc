/* A stop and continue (no handler runs) in the middle of a timed sleep,
 * poll or futex wait: the call continues through restart_syscall(2) to its
 * original deadline instead of starting the full timeout again. */
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void child(int which) {
  double t0 = now();
  long r;
  if (which == 0) {
    struct timespec ts = {0, 600000000};
    r = nanosleep(&ts, 0);
  } else if (which == 1) {
    int p[2];
    if (pipe(p)) _exit(9);
    struct pollfd pf = {p[0], POLLIN, 0};
    r = poll(&pf, 1, 600);
  } else {
    static int word = 0;
    struct timespec ts = {0, 600000000};
    r = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, &ts, 0, 0);
    r = r == -1 ? 1 : r; /* ETIMEDOUT */
  }
  double d = now() - t0;
  /* Stopped at 0.2 s for 0.3 s: a full restart would end at ~1.1 s. */
  printf("%s: result %ld, ended at the deadline %d\n", which == 0 ? "nanosleep" : which == 1 ? "poll" : "futex",
         r, d > 0.55 && d < 0.95);
  fflush(stdout);
  _exit(0);
}

int main(void) {
  for (int which = 0; which < 3; which++) {
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) child(which);
    usleep(200000);
    kill(c, SIGSTOP);
    usleep(300000);
    kill(c, SIGCONT);
    int st;
    waitpid(c, &st, 0);
    printf("exit=%d\n", WEXITSTATUS(st));
  }
  return 0;
}
