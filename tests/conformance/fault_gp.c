/* SIGSEGV from a general-protection fault (a non-canonical address): si_code
 * SI_KERNEL and si_addr 0, unlike a page fault. */
#include "proc.h"

static sigjmp_buf env;
static volatile int got_sig, got_code;
static void *volatile got_addr;
static volatile uintptr_t noncanon = 0x8000000000001000UL;

static void handler(int sig, siginfo_t *si, void *uc) {
  (void)uc; (void)sig;
  got_sig = si->si_signo;
  got_code = si->si_code;
  got_addr = si->si_addr;
  siglongjmp(env, 1);
}

int main(int argc, char **argv) {
  init(argc, argv);
  install(SIGSEGV, handler, 0);
  for (int write = 0; write < 2; write++) {
    if (sigsetjmp(env, 1) == 0) {
      if (write) *(volatile char *)noncanon = 1;
      else (void)*(volatile char *)noncanon;
      SAY("no fault: FAIL");
    } else {
      SAY("%s non-canonical: %s si_code %s si_addr==0 %d", write ? "write" : "read", signame(got_sig),
          got_code == SI_KERNEL ? "SI_KERNEL" : got_code == SEGV_MAPERR ? "SEGV_MAPERR" : "other", got_addr == NULL);
    }
  }
  return 0;
}
