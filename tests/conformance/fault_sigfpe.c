/* SIGFPE on integer division by zero and INT_MIN / -1: FPE_INTDIV, si_addr is the
 * faulting instruction (== the saved RIP); the handler can also skip the instruction. */
#include "proc.h"
#include <ucontext.h>

static sigjmp_buf env;
static volatile int got_sig, got_code, hits;
static void *volatile got_addr;
static volatile long got_rip;
static volatile int divisor = 0, minus_one = -1, int_min = INT_MIN;
static volatile long ldivisor = 0;

static void handler(int sig, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  (void)sig;
  got_sig = si->si_signo;
  got_code = si->si_code;
  got_addr = si->si_addr;
  got_rip = uc->uc_mcontext.gregs[REG_RIP];
  siglongjmp(env, 1);
}

static void skip(int sig, siginfo_t *si, void *ucv) {
  (void)sig; (void)si;
  ucontext_t *uc = ucv;
  hits++;
  uc->uc_mcontext.gregs[REG_RIP] += 2; /* idiv %ecx is 2 bytes */
  uc->uc_mcontext.gregs[REG_RAX] = 77;
}

static const char *fpe(int c) {
  return c == FPE_INTDIV ? "FPE_INTDIV" : c == FPE_INTOVF ? "FPE_INTOVF" : c == FPE_FLTDIV ? "FPE_FLTDIV" : "other";
}

int main(int argc, char **argv) {
  init(argc, argv);
  install(SIGFPE, handler, 0);
  volatile int sink;
  if (sigsetjmp(env, 1) == 0) { sink = 10 / divisor; SAY("no fault: FAIL %d", sink); }
  else SAY("int 10/0: %s %s si_addr==rip %d", signame(got_sig), fpe(got_code), got_addr == (void *)got_rip);
  if (sigsetjmp(env, 1) == 0) { sink = int_min / minus_one; SAY("no fault: FAIL %d", sink); }
  else SAY("INT_MIN/-1: %s %s si_addr==rip %d", signame(got_sig), fpe(got_code), got_addr == (void *)got_rip);
  if (sigsetjmp(env, 1) == 0) { volatile long l = 5 % ldivisor; SAY("no fault: FAIL %ld", l); }
  else SAY("long 5%%0: %s %s", signame(got_sig), fpe(got_code));
  /* floating point division by zero does not trap by default */
  volatile double z = 0.0, d = 1.0 / z;
  SAY("1.0/0.0 is inf without a signal: %d", d > 1e308);
  install(SIGFPE, skip, 0);
  int res;
  __asm__ volatile("mov $100, %%eax\n\tcltd\n\txor %%ecx, %%ecx\n\tidiv %%ecx\n\t" : "=a"(res) : : "ecx", "edx");
  SAY("skipped idiv: hits=%d eax=%d", hits, res);
  return 0;
}
