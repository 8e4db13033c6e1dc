/* The signal mask around fault handlers: sigsetjmp(env, 1) restores the mask on
 * siglongjmp, sigsetjmp(env, 0) leaves SIGSEGV blocked; a fault while SIGSEGV is blocked
 * or ignored kills the process (the kernel forces the default action). */
#include "proc.h"

static sigjmp_buf env;
static volatile int hits;

static void handler(int sig) {
  (void)sig;
  hits++;
  siglongjmp(env, 1);
}

static volatile char *wild(void) { return (volatile char *)bad_ptr_value + 32; }

int main(int argc, char **argv) {
  init(argc, argv);
  no_core();
  install_handler(SIGSEGV, handler, 0);
  if (sigsetjmp(env, 1) == 0) *wild() = 1;
  SAY("savemask=1: hits=%d SIGSEGV blocked after: %d", hits, is_blocked(SIGSEGV));
  if (sigsetjmp(env, 0) == 0) *wild() = 1;
  SAY("savemask=0: hits=%d SIGSEGV blocked after: %d", hits, is_blocked(SIGSEGV));
  pid_t p = fork();
  if (p == 0) {
    /* SIGSEGV is still blocked here (inherited): the next fault is fatal */
    *wild() = 1;
    _exit(0);
  }
  reap(p, "fault while blocked");
  block1(SIG_UNBLOCK, SIGSEGV);
  p = fork();
  if (p == 0) {
    signal(SIGSEGV, SIG_IGN);
    *wild() = 1;
    _exit(0);
  }
  reap(p, "fault while ignored");
  /* a handler with SA_NODEFER that faults again recurses */
  p = fork();
  if (p == 0) {
    install_handler(SIGSEGV, handler, SA_NODEFER);
    if (sigsetjmp(env, 0) == 0) *wild() = 1;
    printf("nodefer: SIGSEGV blocked after: %d\n", is_blocked(SIGSEGV));
    _exit(hits);
  }
  reap(p, "nodefer child");
  /* a raised (not faulting) SIGSEGV while blocked just stays pending */
  block1(SIG_BLOCK, SIGSEGV);
  raise(SIGSEGV);
  SAY("raised while blocked: pending %d hits %d", is_pending(SIGSEGV), hits);
  signal(SIGSEGV, SIG_IGN);
  SAY("after SIG_IGN: pending %d", is_pending(SIGSEGV));
  return 0;
}
