/* SECCOMP_RET_TRAP: SIGSYS with SYS_SECCOMP, the syscall, the arch and the
 * filter's data in si_errno; the handler sees rax rolled back to the syscall
 * number and may set the result; TRAP beats ERRNO; a blocked SIGSYS kills. */
#include "seccomp_common.h"
#include <signal.h>
#include <ucontext.h>

static volatile int hits;

static void on_sys(int sig, siginfo_t *si, void *uc_) {
  ucontext_t *uc = uc_;
  hits++;
  printf("handler: sig %d code %d syscall %d arch %#x errno %d call_addr %s rax %lld\n", sig,
         si->si_code, si->si_syscall, si->si_arch, si->si_errno,
         (greg_t)si->si_call_addr == uc->uc_mcontext.gregs[REG_RIP] ? "= rip" : "!= rip",
         (long long)uc->uc_mcontext.gregs[REG_RAX]);
  /* The handler emulates the call: its result. */
  uc->uc_mcontext.gregs[REG_RAX] = 4242;
}

int main(int argc, char **argv) {
  init(argc, argv);
  no_core();
  struct sigaction sa = {0};
  sa.sa_sigaction = on_sys;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSYS, &sa, NULL);
  T(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
  T(install_rule(SYS_getppid, SECCOMP_RET_TRAP | 0x42, 0));
  T(syscall(SYS_getppid));
  SAY("hits %d", hits);
  /* TRAP beats a later ERRNO filter. */
  T(install_rule(SYS_getppid, SECCOMP_RET_ERRNO | EPERM, 0));
  T(syscall(SYS_getppid));
  T(install_rule(SYS_getpgid, SECCOMP_RET_TRAP | 7, 0));
  T(syscall(SYS_getpgid, 0));
  SAY("hits %d", hits);
  /* The other calls still run. */
  CHECK(syscall(SYS_getpid) > 0);

  /* A blocked SIGSYS cannot hold the trap back: the child dies. */
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGSYS);
    sigprocmask(SIG_BLOCK, &s, NULL);
    syscall(SYS_getppid);
    _exit(3);
  }
  report_child(pid, "blocked SIGSYS");
  /* Nor an ignored one. */
  pid = fork();
  if (pid == 0) {
    signal(SIGSYS, SIG_IGN);
    syscall(SYS_getppid);
    _exit(3);
  }
  report_child(pid, "ignored SIGSYS");
  return 0;
}
