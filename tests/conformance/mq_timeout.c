/* POSIX message queues: blocking, absolute timeouts, signals (EINTR and SA_RESTART),
 * a blocked receiver served by another process, a blocked sender let in. */
#include "mq_common.h"
#include <poll.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

static volatile sig_atomic_t got;
static void on_alarm(int s) {
  (void)s;
  got++;
}

static void handler(int restart) {
  struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = restart ? SA_RESTART : 0};
  sigemptyset(&sa.sa_mask);
  sigaction(SIGALRM, &sa, NULL);
}

/* Fire SIGALRM at this process after `ms` milliseconds. */
static void alarm_ms(long ms) {
  struct itimerval it = {.it_value = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000}};
  setitimer(ITIMER_REAL, &it, NULL);
}

/* A child that sends `msg` to queue `name` after `ms` milliseconds. */
static pid_t later_send(const char *name, const char *msg, unsigned prio, long ms) {
  pid_t pid = fork();
  if (pid == 0) {
    mqd_t q = mq_open(name, O_WRONLY);
    usleep(ms * 1000);
    int r = mq_send(q, msg, strlen(msg), prio);
    _exit(r == 0 ? 0 : 1);
  }
  return pid;
}

static void reap(pid_t pid) {
  int ws;
  waitpid(pid, &ws, 0);
  printf("child exit=%d\n", WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
}

int main(int argc, char **argv) {
  init(argc, argv);
  const char *n = qname("t");
  struct mq_attr a = {.mq_maxmsg = 1, .mq_msgsize = 8};
  mqd_t q = TOK(mq_open(n, O_RDWR | O_CREAT | O_EXCL, 0600, &a));
  char buf[8];
  unsigned prio;

  /* Deadlines in the past: ETIMEDOUT at once, but only when the call would block. */
  struct timespec past = abs_ms(-1000);
  T(mq_timedreceive(q, buf, sizeof buf, &prio, &past));
  T(mq_timedsend(q, "one", 3, 0, &past));
  T(mq_timedsend(q, "two", 3, 0, &past));
  struct timespec bad = {.tv_sec = 0, .tv_nsec = 1000000000};
  T(mq_timedreceive(q, buf, sizeof buf, &prio, &bad)); /* checked first */
  bad.tv_sec = -1, bad.tv_nsec = 0;
  T(mq_timedsend(q, "x", 1, 0, &bad));
  T(syscall(SYS_mq_timedreceive, q, buf, sizeof buf, &prio, BADPTR));
  T(mq_timedreceive(q, buf, sizeof buf, &prio, &past));
  /* A short wait that expires. */
  struct timespec soon = abs_ms(50);
  T(mq_timedreceive(q, buf, sizeof buf, &prio, &soon));

  /* A blocked receiver gets what another process sends. */
  pid_t c = later_send(n, "hello", 3, 50);
  ssize_t r = T(mq_receive(q, buf, sizeof buf, &prio));
  printf("got %.*s/%u\n", r > 0 ? (int)r : 0, buf, prio);
  reap(c);

  /* poll waits for a message another process sends. */
  c = later_send(n, "polled", 4, 50);
  struct pollfd p = {.fd = q, .events = POLLIN};
  T(poll(&p, 1, 5000));
  printf("revents=%#x\n", p.revents);
  r = T(mq_receive(q, buf, sizeof buf, &prio));
  printf("got %.*s/%u\n", r > 0 ? (int)r : 0, buf, prio);
  reap(c);

  /* A full fd table: EMFILE, and no queue is made. */
  struct rlimit old, one;
  getrlimit(RLIMIT_NOFILE, &old);
  one = old;
  one.rlim_cur = q + 1;
  setrlimit(RLIMIT_NOFILE, &one);
  const char *n2 = qname("t2");
  T(mq_open(n2, O_RDWR | O_CREAT, 0600, &a));
  setrlimit(RLIMIT_NOFILE, &old);
  T(mq_unlink(n2));

  /* A blocked sender gets in when a slot frees up. */
  T(mq_send(q, "first", 5, 1));
  c = fork();
  if (c == 0) {
    mqd_t w = mq_open(n, O_WRONLY);
    struct timespec dl = abs_ms(5000);
    int rr = mq_timedsend(w, "second", 6, 2, &dl);
    _exit(rr == 0 ? 0 : 1);
  }
  usleep(100000);
  r = T(mq_receive(q, buf, sizeof buf, &prio));
  printf("got %.*s/%u\n", r > 0 ? (int)r : 0, buf, prio);
  reap(c);
  r = T(mq_receive(q, buf, sizeof buf, &prio));
  printf("got %.*s/%u\n", r > 0 ? (int)r : 0, buf, prio);

  /* A signal with a handler (no SA_RESTART) interrupts a blocked receive. */
  handler(0);
  alarm_ms(50);
  T(mq_receive(q, buf, sizeof buf, &prio));
  printf("handled=%d\n", (int)got);
  /* ... and a blocked send. */
  T(mq_send(q, "full", 4, 0));
  alarm_ms(50);
  T(mq_send(q, "more", 4, 0));
  T(mq_receive(q, buf, sizeof buf, &prio));
  /* With SA_RESTART the receive goes on and gets the message sent later. */
  handler(1);
  got = 0;
  c = later_send(n, "late", 0, 200);
  alarm_ms(50);
  r = T(mq_receive(q, buf, sizeof buf, &prio));
  printf("got %.*s/%u handled=%d\n", r > 0 ? (int)r : 0, buf, prio, (int)got);
  reap(c);
  /* A timed receive restarted after a handler still ends at its deadline. */
  got = 0;
  alarm_ms(30);
  struct timespec dl = abs_ms(150);
  T(mq_timedreceive(q, buf, sizeof buf, &prio, &dl));
  printf("handled=%d\n", (int)got);

  T(mq_unlink(n));
  T(mq_close(q));
  return 0;
}
