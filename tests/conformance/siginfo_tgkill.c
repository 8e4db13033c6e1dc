/* siginfo of tkill/tgkill/raise: si_code SI_TKILL, si_pid and si_uid of the sender;
 * error cases of tgkill and tkill. */
#include "proc.h"

static volatile int n, signo, code;
static volatile pid_t spid;
static volatile uid_t suid;

static void handler(int sig, siginfo_t *si, void *uc) {
  (void)sig; (void)uc;
  n++;
  signo = si->si_signo;
  code = si->si_code;
  spid = si->si_pid;
  suid = si->si_uid;
}

int main(int argc, char **argv) {
  init(argc, argv);
  install(SIGUSR2, handler, 0);
  T(syscall(SYS_tgkill, getpid(), tid(), SIGUSR2));
  SAY("tgkill: n=%d %s %s pid==self %d uid==getuid %d", n, signame(signo), sicode_name(code), spid == getpid(),
      suid == getuid());
  T(syscall(SYS_tkill, tid(), SIGUSR2));
  SAY("tkill: n=%d %s", n, sicode_name(code));
  T(raise(SIGUSR2));
  SAY("raise: n=%d %s", n, sicode_name(code));
  SAY("gettid==getpid in the main thread: %d", tid() == getpid());
  T(syscall(SYS_tgkill, getpid(), tid(), 0));
  T(syscall(SYS_tgkill, getpid(), 0, SIGUSR2));
  T(syscall(SYS_tgkill, 0, tid(), SIGUSR2));
  T(syscall(SYS_tgkill, getpid(), -5, SIGUSR2));
  T(syscall(SYS_tgkill, getpid(), tid(), 99));
  T(syscall(SYS_tkill, 0, SIGUSR2));
  T(syscall(SYS_tkill, -1, SIGUSR2));
  /* a thread id of a reaped child no longer exists */
  pid_t p = fork();
  if (p == 0) _exit(0);
  reap(p, "child");
  T(syscall(SYS_tgkill, p, p, SIGUSR2));
  T(syscall(SYS_tkill, p, SIGUSR2));
  T(syscall(SYS_tgkill, getpid(), p, SIGUSR2));
  /* a wrong tgid with a right tid */
  int ready[2];
  if (pipe(ready)) return 1;
  p = fork();
  if (p == 0) {
    close(ready[0]);
    close(ready[1]);
    for (;;) pause();
  }
  close(ready[1]);
  char c;
  (void)!read(ready[0], &c, 1); /* EOF: the child runs (fork_kill_race covers the moment right after fork) */
  T(syscall(SYS_tgkill, getpid(), p, SIGTERM));
  T(syscall(SYS_tgkill, p, p, SIGTERM));
  reap(p, "tgkilled child");
  SAY("n=%d", n);
  return 0;
}
