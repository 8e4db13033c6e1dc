/* epoll on pipes: level- and edge-triggered readiness, EPOLLONESHOT,
 * EPOLL_CTL_MOD/DEL, errors (EEXIST, ENOENT, EBADF, EPERM on a regular file,
 * EINVAL), closing a registered fd (with and without a dup), nested epoll and
 * loops (ELOOP), epoll_pwait with a signal mask, timeouts 0 and 100 ms, a
 * wake-up by a child, poll() on an epoll fd. */
#include "common.h"
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <time.h>

static long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000L + t.tv_nsec / 1000000;
}

/* Wait and print the events sorted by data (order is not part of the ABI). */
static void wait_show(const char *label, int ep, int max, int timeout) {
  struct epoll_event ev[16];
  memset(ev, 0, sizeof ev);
  int n = epoll_wait(ep, ev, max, timeout);
  if (n < 0) {
    SAY("%s: -1 %s", label, errname(errno));
    return;
  }
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++)
      if (ev[j].data.u64 < ev[i].data.u64) {
        struct epoll_event x = ev[i];
        ev[i] = ev[j];
        ev[j] = x;
      }
  printf("%s: %d", label, n);
  for (int i = 0; i < n; i++)
    printf(" [%llu %#x]", (unsigned long long)ev[i].data.u64, ev[i].events);
  printf("\n");
}

static int add(int ep, int fd, uint32_t events, uint64_t data) {
  struct epoll_event e = {.events = events, .data.u64 = data};
  return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
}

static int mod(int ep, int fd, uint32_t events, uint64_t data) {
  struct epoll_event e = {.events = events, .data.u64 = data};
  return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &e);
}

static volatile int hits;
static void on_usr1(int s) {
  (void)s;
  hits++;
}

int main(int argc, char **argv) {
  init(argc, argv);
  T(epoll_create(0));
  T(epoll_create(-1));
  T(epoll_create1(0x1));
  int ep = TOK(epoll_create1(EPOLL_CLOEXEC));
  T(fcntl(ep, F_GETFD));
  int ep2 = TOK(epoll_create(1));
  T(fcntl(ep2, F_GETFD));
  int p[2], q[2];
  T(pipe(p));
  T(pipe(q));

  /* errors */
  int file = open(fx("file.txt"), O_RDONLY);
  if (file < 0)
    file = open("/proc/self/exe", O_RDONLY);
  T(add(ep, file, EPOLLIN, 0));
  T(add(ep, 999, EPOLLIN, 0));
  T(add(999, p[0], EPOLLIN, 0));
  T(add(p[0], p[1], EPOLLIN, 0));
  T(add(ep, ep, EPOLLIN, 0));
  T(mod(ep, p[0], EPOLLIN, 0));
  T(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
  T(epoll_ctl(ep, 77, p[0], &(struct epoll_event){0}));
  T(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], BADPTR));
  T(add(ep, p[0], EPOLLIN | EPOLLEXCLUSIVE | EPOLLPRI, 0));
  T(add(ep, ep2, EPOLLIN | EPOLLEXCLUSIVE, 0));
  T(epoll_wait(ep, NULL, 0, 0));
  T(epoll_wait(ep, NULL, -1, 0));
  T(epoll_wait(p[0], (struct epoll_event[1]){}, 1, 0));
  T(epoll_wait(999, (struct epoll_event[1]){}, 1, 0));

  /* level-triggered */
  T(add(ep, p[0], EPOLLIN, 1));
  T(add(ep, p[0], EPOLLIN, 1));
  T(add(ep, p[1], EPOLLOUT, 2));
  wait_show("lt writable", ep, 8, 0);
  T(write(p[1], "ab", 2));
  wait_show("lt data", ep, 8, 0);
  wait_show("lt again", ep, 8, 0);
  wait_show("lt max1", ep, 1, 0);
  char buf[8];
  T(read(p[0], buf, 2));
  wait_show("lt drained", ep, 8, 0);
  T(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
  T(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));

  /* timeouts */
  long t0 = now_ms();
  wait_show("timeout 0", ep, 8, 0);
  CHECK(now_ms() - t0 < 50);
  t0 = now_ms();
  wait_show("timeout 100", ep, 8, 100);
  CHECK(now_ms() - t0 >= 95);

  /* edge-triggered */
  T(mod(ep, p[0], EPOLLIN | EPOLLET, 3));
  wait_show("et empty", ep, 8, 0);
  T(write(p[1], "a", 1));
  wait_show("et edge", ep, 8, 0);
  wait_show("et no new edge", ep, 8, 0);
  T(write(p[1], "b", 1));
  wait_show("et second write", ep, 8, 0);
  T(mod(ep, p[0], EPOLLIN | EPOLLET, 4));
  wait_show("et after mod", ep, 8, 0);
  T(read(p[0], buf, 8));

  /* one-shot */
  T(mod(ep, p[0], EPOLLIN | EPOLLONESHOT, 5));
  T(write(p[1], "c", 1));
  wait_show("oneshot", ep, 8, 0);
  wait_show("oneshot disabled", ep, 8, 0);
  T(write(p[1], "d", 1));
  wait_show("oneshot still disabled", ep, 8, 0);
  T(mod(ep, p[0], EPOLLIN | EPOLLONESHOT, 6));
  wait_show("oneshot rearmed", ep, 8, 0);
  T(read(p[0], buf, 8));
  T(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));

  /* hang-up and error */
  T(add(ep, q[0], EPOLLIN | EPOLLRDHUP, 7));
  T(add(ep, q[1], 0, 8));
  wait_show("nothing", ep, 8, 0);
  T(close(q[1]));
  wait_show("closed write end (registration gone, HUP)", ep, 8, 0);
  T(pipe(q));
  T(add(ep, q[1], EPOLLOUT, 9));
  int d = dup(q[1]);
  T(close(q[1]));
  wait_show("closed but dup'ed", ep, 8, 0);
  T(epoll_ctl(ep, EPOLL_CTL_DEL, q[1], NULL));
  T(close(q[0]));
  wait_show("reader gone", ep, 8, 0);
  T(close(d));
  wait_show("all closed", ep, 8, 0);

  /* nested epoll */
  T(pipe(q));
  T(add(ep2, q[0], EPOLLIN, 10));
  T(add(ep, ep2, EPOLLIN, 11));
  T(add(ep2, ep, EPOLLIN, 12));
  wait_show("nested idle", ep, 8, 0);
  T(write(q[1], "x", 1));
  wait_show("nested ready", ep, 8, 0);
  wait_show("inner", ep2, 8, 0);
  struct pollfd pf = {ep, POLLIN | POLLOUT, 0};
  T(poll(&pf, 1, 0));
  SAY("poll epoll revents %#x", pf.revents);
  T(read(q[0], buf, 8));
  T(poll(&pf, 1, 0));
  int e3 = epoll_create1(0), e4 = epoll_create1(0), e5 = epoll_create1(0);
  int e6 = epoll_create1(0);
  T(add(e3, ep, EPOLLIN, 0));
  T(add(e4, e3, EPOLLIN, 0));
  T(add(e5, e4, EPOLLIN, 0));
  T(add(e6, e5, EPOLLIN, 0));

  /* blocking wait woken by a child */
  pid_t pid = fork();
  if (pid == 0) {
    usleep(50000);
    write(q[1], "y", 1);
    _exit(0);
  }
  wait_show("woken by child", ep2, 8, 5000);
  waitpid(pid, NULL, 0);
  T(read(q[0], buf, 8));

  /* epoll_pwait: the mask unblocks SIGUSR1 for the wait only */
  struct sigaction sa = {0};
  sa.sa_handler = on_usr1;
  sigaction(SIGUSR1, &sa, NULL);
  sigset_t block, during;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  sigprocmask(SIG_BLOCK, &block, NULL);
  sigemptyset(&during);
  pid = fork();
  if (pid == 0) {
    usleep(50000);
    kill(getppid(), SIGUSR1);
    _exit(0);
  }
  struct epoll_event ev[4];
  T(epoll_pwait(ep2, ev, 4, 5000, &during));
  SAY("hits %d", hits);
  waitpid(pid, NULL, 0);
  sigset_t cur;
  sigprocmask(SIG_SETMASK, NULL, &cur);
  SAY("usr1 still blocked %d", sigismember(&cur, SIGUSR1));
  T(syscall(SYS_epoll_pwait, ep2, ev, 4, 0, &during, 4));
  struct timespec ts = {0, 20000000};
  T(syscall(SYS_epoll_pwait2, ep2, ev, 4, &ts, NULL, 8));
  ts.tv_nsec = -1;
  T(syscall(SYS_epoll_pwait2, ep2, ev, 4, &ts, NULL, 8));
  T(write(q[1], "z", 1));
  T(syscall(SYS_epoll_pwait2, ep2, ev, 4, NULL, NULL, 8));
  struct stat st;
  T(fstat(ep, &st));
  SAY("mode %o", st.st_mode);
  return 0;
}
