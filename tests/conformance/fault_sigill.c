/* SIGILL on ud2: ILL_ILLOPN, si_addr is the ud2 instruction; caught with siglongjmp,
 * then an unhandled SIGILL kills a child (status SIGILL, no core with RLIMIT_CORE 0). */
#include "proc.h"
#include <ucontext.h>

static sigjmp_buf env;
static volatile int got_sig, got_code;
static void *volatile got_addr;
static volatile long got_rip;
static void *volatile ud2_at;

static void handler(int sig, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  (void)sig;
  got_sig = si->si_signo;
  got_code = si->si_code;
  got_addr = si->si_addr;
  got_rip = uc->uc_mcontext.gregs[REG_RIP];
  siglongjmp(env, 1);
}

static const char *ill(int c) {
  return c == ILL_ILLOPN ? "ILL_ILLOPN" : c == ILL_ILLOPC ? "ILL_ILLOPC" : c == ILL_PRVOPC ? "ILL_PRVOPC" : "other";
}

int main(int argc, char **argv) {
  init(argc, argv);
  no_core();
  install(SIGILL, handler, 0);
  for (int i = 0; i < 2; i++) {
    if (sigsetjmp(env, 1) == 0) {
      __asm__ volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, %0\n1:\tud2" : "=m"(ud2_at) : : "rax", "memory");
      SAY("no fault: FAIL");
    } else {
      SAY("ud2 #%d: %s %s si_addr==ud2 %d rip==ud2 %d", i, signame(got_sig), ill(got_code), got_addr == ud2_at,
          got_rip == (long)ud2_at);
    }
  }
  /* a privileged instruction: hlt in user mode is a general protection fault */
  install(SIGSEGV, handler, 0);
  if (sigsetjmp(env, 1) == 0) {
    __asm__ volatile("hlt");
    SAY("no fault: FAIL");
  } else {
    SAY("hlt: %s si_code %s", signame(got_sig), sicode_name(got_code));
  }
  pid_t p = fork();
  if (p == 0) {
    signal(SIGILL, SIG_DFL);
    __asm__ volatile("ud2");
    _exit(0);
  }
  reap(p, "unhandled ud2 child");
  p = fork();
  if (p == 0) {
    signal(SIGILL, SIG_IGN); /* ignoring a fault signal does not help */
    __asm__ volatile("ud2");
    _exit(0);
  }
  reap(p, "ignored ud2 child");
  return 0;
}
