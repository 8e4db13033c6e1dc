/* signalfd: flags and size errors, reading pending signals (kill, sigqueue
 * with a value, a thread-directed tgkill), several per read, EAGAIN when none,
 * EINVAL for a short buffer, poll/epoll readiness, updating the mask of an
 * existing signalfd, blocking read woken by a child's kill. */
#include "common.h"
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

static void show(struct signalfd_siginfo *si, pid_t me) {
  SAY("signo %u code %d pid_is_me %d uid %u int %d ptr %llu", si->ssi_signo,
      si->ssi_code, (pid_t)si->ssi_pid == me, si->ssi_uid, si->ssi_int,
      (unsigned long long)si->ssi_ptr);
}

static void rd(int fd, int max) {
  struct signalfd_siginfo si[4];
  long r = read(fd, si, sizeof si[0] * max);
  if (r < 0) {
    SAY("read = -1 %s", errname(errno));
    return;
  }
  SAY("read = %ld", r);
  for (long i = 0; i < r / (long)sizeof si[0]; i++)
    show(&si[i], getpid());
}

int main(int argc, char **argv) {
  init(argc, argv);
  sigset_t m;
  sigemptyset(&m);
  sigaddset(&m, SIGUSR1);
  sigaddset(&m, SIGUSR2);
  sigaddset(&m, SIGRTMIN);
  sigprocmask(SIG_BLOCK, &m, NULL);
  T(syscall(SYS_signalfd4, -1, &m, 4, 0));
  T(syscall(SYS_signalfd4, -1, &m, 8, 0x1));
  T(syscall(SYS_signalfd4, -1, BADPTR, 8, 0));
  T(signalfd(0, &m, 0));
  T(signalfd(999, &m, 0));
  int fd = TOK(signalfd(-1, &m, SFD_NONBLOCK | SFD_CLOEXEC));
  T(fcntl(fd, F_GETFD));
  rd(fd, 1);
  char small[64];
  T(read(fd, small, sizeof small));

  struct pollfd p = {fd, POLLIN, 0};
  T(poll(&p, 1, 0));
  kill(getpid(), SIGUSR1);
  T(poll(&p, 1, 0));
  SAY("revents %#x", p.revents);
  union sigval v = {.sival_int = 1234};
  T(sigqueue(getpid(), SIGRTMIN, v));
  T(sigqueue(getpid(), SIGRTMIN, v));
  T(syscall(SYS_tgkill, getpid(), gettid(), SIGUSR2));
  rd(fd, 4);
  rd(fd, 1);
  /* a set signal stays pending for sigpending until read */
  kill(getpid(), SIGUSR1);
  sigset_t pend;
  sigpending(&pend);
  SAY("pending usr1 %d", sigismember(&pend, SIGUSR1));
  rd(fd, 1);
  sigpending(&pend);
  SAY("pending usr1 %d", sigismember(&pend, SIGUSR1));

  /* update the mask: only SIGUSR2 now */
  sigset_t only2;
  sigemptyset(&only2);
  sigaddset(&only2, SIGUSR2);
  sigaddset(&only2, SIGKILL);
  T(signalfd(fd, &only2, 0) == fd);
  kill(getpid(), SIGUSR1);
  rd(fd, 1);
  kill(getpid(), SIGUSR2);
  int ep = epoll_create1(0);
  struct epoll_event e = {.events = EPOLLIN, .data.u64 = 3};
  T(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e));
  struct epoll_event out[2];
  T(epoll_wait(ep, out, 2, 0));
  rd(fd, 2);
  T(epoll_wait(ep, out, 2, 0));
  /* SIGUSR1 is still pending outside the set; drain it */
  sigset_t one;
  sigemptyset(&one);
  sigaddset(&one, SIGUSR1);
  int w = sigwaitinfo(&one, NULL);
  SAY("sigwaitinfo %d", w);

  /* blocking read (a new, blocking signalfd) woken by a child */
  int bfd = TOK(signalfd(-1, &m, 0));
  pid_t pid = fork();
  if (pid == 0) {
    usleep(50000);
    kill(getppid(), SIGUSR2);
    _exit(0);
  }
  T(epoll_ctl(ep, EPOLL_CTL_ADD, bfd, &e));
  T(epoll_wait(ep, out, 2, 5000));
  rd(bfd, 1);
  waitpid(pid, NULL, 0);
  pid = fork();
  if (pid == 0) {
    usleep(50000);
    kill(getppid(), SIGUSR1);
    _exit(0);
  }
  rd(bfd, 1);
  waitpid(pid, NULL, 0);
  struct stat st;
  T(fstat(fd, &st));
  SAY("mode %o", st.st_mode);
  return 0;
}
