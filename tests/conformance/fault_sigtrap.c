/* SIGTRAP on int3: si_code SI_KERNEL, the saved RIP is just after the int3 and
 * returning from the handler continues there; an unhandled int3 kills a child. */
#include "proc.h"
#include <ucontext.h>

static volatile int got_sig, got_code, hits;
static volatile long got_rip;
static void *volatile after_at;

static void handler(int sig, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  (void)sig;
  hits++;
  got_sig = si->si_signo;
  got_code = si->si_code;
  got_rip = uc->uc_mcontext.gregs[REG_RIP];
}

int main(int argc, char **argv) {
  init(argc, argv);
  no_core();
  install(SIGTRAP, handler, 0);
  for (int i = 0; i < 3; i++) {
    __asm__ volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, %0\n\tint3\n1:" : "=m"(after_at) : : "rax", "memory");
    SAY("int3 #%d: hits=%d %s si_code %s rip==after %d", i, hits, signame(got_sig), sicode_name(got_code),
        got_rip == (long)after_at);
  }
  /* raise(SIGTRAP) is a user signal */
  raise(SIGTRAP);
  SAY("raise: hits=%d si_code %s", hits, sicode_name(got_code));
  pid_t p = fork();
  if (p == 0) {
    signal(SIGTRAP, SIG_DFL);
    __asm__ volatile("int3");
    _exit(0);
  }
  reap(p, "unhandled int3 child");
  return 0;
}
