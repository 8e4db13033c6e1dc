/* A stack overflow (runaway recursion under a small RLIMIT_STACK) is caught by a
 * SIGSEGV handler running on the alternate stack, which siglongjmps out. */
#include "proc.h"

static char alt[64 * 1024];
static sigjmp_buf env;
static volatile int on_alt, got;

static void handler(int sig) {
  volatile int local;
  got = sig;
  on_alt = (char *)&local >= alt && (char *)&local < alt + sizeof alt;
  siglongjmp(env, 1);
}

static volatile int limit = 1 << 30;

static int recurse(volatile char *prev, int n) {
  volatile char buf[1024];
  buf[0] = (char)n;
  buf[1023] = prev ? prev[0] : 0;
  if (n > limit) return 0;
  return recurse(buf, n + 1) + buf[1];
}

int main(int argc, char **argv) {
  init(argc, argv);
  struct rlimit rl;
  getrlimit(RLIMIT_STACK, &rl);
  rl.rlim_cur = 1 << 20;
  setrlimit(RLIMIT_STACK, &rl);
  stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
  sigaltstack(&ss, NULL);
  install_handler(SIGSEGV, handler, SA_ONSTACK);
  if (sigsetjmp(env, 1) == 0) {
    recurse(NULL, 0);
    SAY("no overflow: FAIL");
  }
  SAY("overflow caught: %s on alt stack %d", signame(got), on_alt);
  if (sigsetjmp(env, 1) == 0) recurse(NULL, 0);
  SAY("again: %s on alt stack %d", signame(got), on_alt);
  return 0;
}
