/* ppoll/pselect6 install their signal mask for the wait: a blocked SIGUSR1
 * that the temporary mask unblocks interrupts them (EINTR, the handler runs
 * once with the temporary mask in force), and the old mask is back afterwards. */
#include "common.h"
#include <poll.h>
#include <signal.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <time.h>

static volatile int hits;
static volatile int blocked_in_handler;

static void on_usr1(int sig) {
  (void)sig;
  hits++;
  sigset_t cur;
  sigprocmask(SIG_SETMASK, NULL, &cur);
  blocked_in_handler = sigismember(&cur, SIGUSR2);
}

static int usr1_blocked(void) {
  sigset_t cur;
  sigprocmask(SIG_SETMASK, NULL, &cur);
  return sigismember(&cur, SIGUSR1);
}

static pid_t signal_me_later(void) {
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    usleep(100000);
    kill(parent, SIGUSR1);
    _exit(0);
  }
  return pid;
}

int main(int argc, char **argv) {
  init(argc, argv);
  struct sigaction sa = {0};
  sa.sa_handler = on_usr1;
  sigemptyset(&sa.sa_mask);
  T(sigaction(SIGUSR1, &sa, NULL));
  sigset_t block, during;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  T(sigprocmask(SIG_BLOCK, &block, NULL));
  /* during the wait: SIGUSR1 unblocked, SIGUSR2 blocked */
  sigemptyset(&during);
  sigaddset(&during, SIGUSR2);

  int p[2];
  T(pipe(p));
  struct pollfd f = {p[0], POLLIN, 0};
  int st;

  pid_t pid = signal_me_later();
  struct timespec ts = {5, 0};
  T(syscall(SYS_ppoll, &f, 1, &ts, &during, 8));
  SAY("hits %d, SIGUSR2 blocked in handler %d, SIGUSR1 blocked after %d", hits,
      blocked_in_handler, usr1_blocked());
  CHECK(ts.tv_sec == 4 || ts.tv_sec == 3);
  waitpid(pid, &st, 0);

  /* pselect6 */
  hits = 0;
  pid = signal_me_later();
  fd_set rs;
  FD_ZERO(&rs);
  FD_SET(p[0], &rs);
  T(pselect(p[0] + 1, &rs, NULL, NULL, NULL, &during));
  SAY("hits %d, SIGUSR2 blocked in handler %d, SIGUSR1 blocked after %d", hits,
      blocked_in_handler, usr1_blocked());
  waitpid(pid, &st, 0);

  /* already pending: even a zero-timeout ppoll is interrupted */
  hits = 0;
  T(kill(getpid(), SIGUSR1));
  ts = (struct timespec){0, 0};
  T(syscall(SYS_ppoll, &f, 1, &ts, &during, 8));
  SAY("hits %d, SIGUSR1 blocked after %d", hits, usr1_blocked());

  /* a mask keeping SIGUSR1 blocked: plain timeout, still pending */
  hits = 0;
  T(kill(getpid(), SIGUSR1));
  ts = (struct timespec){0, 10000000};
  T(syscall(SYS_ppoll, &f, 1, &ts, &block, 8));
  sigset_t pend;
  sigpending(&pend);
  SAY("hits %d, pending %d", hits, sigismember(&pend, SIGUSR1));
  /* ready beats a pending signal */
  T(write(p[1], "x", 1));
  T(syscall(SYS_ppoll, &f, 1, NULL, &during, 8));
  SAY("hits %d, revents %#x, blocked after %d", hits, f.revents, usr1_blocked());
  T(sigprocmask(SIG_UNBLOCK, &block, NULL));
  SAY("hits %d", hits);

  /* poll and select are never restarted after a handler, even SA_RESTART */
  sa.sa_flags = SA_RESTART;
  T(sigaction(SIGUSR1, &sa, NULL));
  char c;
  T(read(p[0], &c, 1));
  hits = 0;
  pid = signal_me_later();
  T(poll(&f, 1, 5000));
  SAY("hits %d", hits);
  waitpid(pid, &st, 0);
  hits = 0;
  pid = signal_me_later();
  FD_ZERO(&rs);
  FD_SET(p[0], &rs);
  struct timeval tv = {5, 0};
  T(select(p[0] + 1, &rs, NULL, NULL, &tv));
  SAY("hits %d, rs untouched %d", hits, FD_ISSET(p[0], &rs));
  CHECK(tv.tv_sec == 4 || tv.tv_sec == 3);
  waitpid(pid, &st, 0);
  return 0;
}
