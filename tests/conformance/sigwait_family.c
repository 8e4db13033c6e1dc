/* sigwait, sigwaitinfo and sigtimedwait take blocked pending signals without running
 * handlers: lowest signal first, siginfo filled in, a zero timeout is EAGAIN, a short
 * timeout expires, a bad timeout is EINVAL. */
#include "proc.h"

static volatile int hits;
static void handler(int sig) { (void)sig; hits++; }

int main(int argc, char **argv) {
  init(argc, argv);
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGUSR1);
  sigaddset(&s, SIGUSR2);
  sigaddset(&s, SIGRTMIN);
  sigprocmask(SIG_BLOCK, &s, NULL);
  signal(SIGUSR1, handler);
  raise(SIGUSR2);
  raise(SIGUSR1);
  int sig = 0;
  T(sigwait(&s, &sig));
  SAY("sigwait got %s", signame(sig));
  siginfo_t si;
  memset(&si, 0, sizeof si);
  int r = sigwaitinfo(&s, &si);
  SAY("sigwaitinfo got %s si_signo %s %s pid==self %d", signame(r), signame(si.si_signo), sicode_name(si.si_code),
      si.si_pid == getpid());
  struct timespec zero = {0, 0}, short_ = {0, 20000000}, bad = {0, 1000000000};
  T(sigtimedwait(&s, &si, &zero));
  T(sigtimedwait(&s, &si, &short_));
  T(sigtimedwait(&s, &si, &bad));
  raise(SIGRTMIN);
  T(sigtimedwait(&s, NULL, &zero) == SIGRTMIN);
  SAY("handler never ran: hits=%d", hits);
  /* from a child */
  pid_t p = fork();
  if (p == 0) {
    kill(getppid(), SIGUSR1);
    _exit(0);
  }
  r = sigwaitinfo(&s, &si);
  SAY("from child: %s %s pid==child %d", signame(r), sicode_name(si.si_code), si.si_pid == p);
  reap(p, "child");
  return 0;
}
