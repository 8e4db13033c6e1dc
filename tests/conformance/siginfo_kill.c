/* siginfo of kill(2): si_signo, si_code SI_USER, si_pid and si_uid of the sender,
 * from the process itself and from a child (pending while blocked, then delivered). */
#include "proc.h"

static volatile int n, signo, code, errno_;
static volatile pid_t spid;
static volatile uid_t suid;

static void handler(int sig, siginfo_t *si, void *uc) {
  (void)sig; (void)uc;
  n++;
  signo = si->si_signo;
  code = si->si_code;
  spid = si->si_pid;
  suid = si->si_uid;
  errno_ = si->si_errno;
}

int main(int argc, char **argv) {
  init(argc, argv);
  install(SIGUSR1, handler, 0);
  install(SIGRTMIN + 2, handler, 0);
  T(kill(getpid(), SIGUSR1));
  SAY("self: n=%d %s %s pid==self %d uid==getuid %d errno %d", n, signame(signo), sicode_name(code),
      spid == getpid(), suid == getuid(), errno_);
  T(kill(getpid(), SIGRTMIN + 2));
  SAY("self rt: n=%d %s %s pid==self %d", n, signame(signo), sicode_name(code), spid == getpid());
  T(kill(getpid(), 0));
  SAY("signal 0 delivers nothing: n=%d", n);
  /* from a child while blocked: the siginfo waits with the pending signal */
  install(SIGUSR2, handler, 0);
  block1(SIG_BLOCK, SIGUSR2);
  n = 0;
  pid_t p = fork();
  if (p == 0) {
    kill(getppid(), SIGUSR2);
    _exit(0);
  }
  reap(p, "child");
  SAY("pending after the child's kill: %d n=%d", is_pending(SIGUSR2), n);
  block1(SIG_UNBLOCK, SIGUSR2);
  SAY("from child: n=%d %s %s pid==child %d uid==getuid %d", n, signame(signo), sicode_name(code), spid == p,
      suid == getuid());
  /* the handler sees si_pid of the child too */
  n = 0;
  p = fork();
  if (p == 0) {
    kill(getppid(), SIGUSR1);
    _exit(0);
  }
  reap(p, "child2");
  SAY("child2 handler: n=%d %s pid==child %d", n, sicode_name(code), spid == p);
  T(kill(getpid(), 65));
  T(kill(getpid(), -1 & 0x7fffffff));
  return 0;
}
