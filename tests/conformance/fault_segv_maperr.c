/* SIGSEGV for accesses to unmapped memory: an SA_SIGINFO handler sees si_signo,
 * si_code SEGV_MAPERR and the exact faulting address, then siglongjmps out. */
#include "proc.h"

static sigjmp_buf env;
static volatile int got_sig, got_code, got_errno;
static void *volatile got_addr;

static void handler(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  got_sig = si->si_signo;
  got_code = si->si_code;
  got_addr = si->si_addr;
  got_errno = si->si_errno;
  (void)sig;
  siglongjmp(env, 1);
}

static const char *segv_code(int c) {
  return c == SEGV_MAPERR ? "SEGV_MAPERR" : c == SEGV_ACCERR ? "SEGV_ACCERR" : c == SI_KERNEL ? "SI_KERNEL" : "other";
}

static void attempt(const char *what, volatile char *p, int write) {
  got_sig = 0;
  got_addr = NULL;
  if (sigsetjmp(env, 1) == 0) {
    if (write) *p = 1;
    else (void)*p;
    SAY("%s: no fault: FAIL", what);
    return;
  }
  SAY("%s: %s %s si_addr==target %d si_errno %d", what, signame(got_sig), segv_code(got_code),
      got_addr == (void *)p, got_errno);
}

int main(int argc, char **argv) {
  init(argc, argv);
  install(SIGSEGV, handler, 0);
  char *m = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(m + PAGE, PAGE);
  attempt("write into a hole", m + PAGE + 123, 1);
  attempt("read from a hole", m + PAGE + 4000, 0);
  munmap(m, 3 * PAGE);
  attempt("write after munmap", m + 7, 1);
  attempt("read after munmap", m + 2 * PAGE + 1, 0);
  attempt("write to page 0", (volatile char *)bad_ptr_value + 16, 1);
  attempt("read from page 0", (volatile char *)bad_ptr_value + 64, 0);
  SAY("SIGSEGV blocked after siglongjmp: %d", is_blocked(SIGSEGV));
  return 0;
}
