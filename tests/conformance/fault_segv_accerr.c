/* SIGSEGV for accesses that the protection forbids: write to a PROT_READ page, read
 * of a PROT_NONE page, write after mprotect, jump into a non-executable page:
 * si_code SEGV_ACCERR and the exact faulting address. */
#include "proc.h"
#include <ucontext.h>

static sigjmp_buf env;
static volatile int got_sig, got_code;
static void *volatile got_addr;
static volatile long got_rip;

static void handler(int sig, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  (void)sig;
  got_sig = si->si_signo;
  got_code = si->si_code;
  got_addr = si->si_addr;
  got_rip = uc->uc_mcontext.gregs[REG_RIP];
  siglongjmp(env, 1);
}

static const char *segv_code(int c) {
  return c == SEGV_MAPERR ? "SEGV_MAPERR" : c == SEGV_ACCERR ? "SEGV_ACCERR" : "other";
}

static void attempt(const char *what, volatile char *p, int write) {
  got_sig = 0;
  if (sigsetjmp(env, 1) == 0) {
    if (write) *p = 1;
    else (void)*p;
    SAY("%s: no fault: FAIL", what);
    return;
  }
  SAY("%s: %s %s si_addr==target %d", what, signame(got_sig), segv_code(got_code), got_addr == (void *)p);
}

int main(int argc, char **argv) {
  init(argc, argv);
  install(SIGSEGV, handler, 0);
  char *ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  attempt("write PROT_READ", ro + 100, 1);
  SAY("read PROT_READ works: %d", ro[100] == 0);
  char *none = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  attempt("read PROT_NONE", none + 5, 0);
  attempt("write PROT_NONE", none + 6, 1);
  char *rw = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  rw[PAGE + 1] = 7;
  mprotect(rw + PAGE, PAGE, PROT_READ);
  attempt("write after mprotect(PROT_READ)", rw + PAGE + 9, 1);
  SAY("value kept: %d", rw[PAGE + 1]);
  rw[0] = 1; /* the first page is still writable */
  SAY("first page still writable: %d", rw[0]);
  /* executing a non-executable page */
  rw[0] = (char)0xc3; /* ret */
  got_sig = 0;
  if (sigsetjmp(env, 1) == 0) {
    ((void (*)(void))rw)();
    SAY("exec of a non-executable page: no fault: FAIL");
  } else {
    SAY("exec non-executable page: %s %s si_addr==target %d rip==target %d", signame(got_sig), segv_code(got_code),
        got_addr == (void *)rw, got_rip == (long)rw);
  }
  /* a fault in a syscall does not signal: EFAULT */
  errno = 0;
  long r = read(open("/dev/zero", O_RDONLY), ro, 10);
  SAY("read(/dev/zero) into PROT_READ: %ld %s", r, errname(errno));
  return 0;
}
