/* SA_ONSTACK: the handler runs on the alternate stack (a local's address lies in it)
 * and sigaltstack() inside reports SS_ONSTACK; changing the stack while on it is
 * EPERM; without SA_ONSTACK the handler runs on the normal stack; nested handlers
 * stay on the alternate stack. */
#include "proc.h"

static char alt[64 * 1024];
static volatile int on_alt, flags_inside, eperm, nested_on_alt, depth;

static int in_alt(void *p) { return (char *)p >= alt && (char *)p < alt + sizeof alt; }

static void handler(int sig) {
  volatile int local = 0;
  (void)sig;
  on_alt = in_alt((void *)&local);
  stack_t cur;
  sigaltstack(NULL, &cur);
  flags_inside = cur.ss_flags;
  stack_t ns = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
  eperm = sigaltstack(&ns, NULL) == -1 && errno == EPERM;
  if (depth++ == 0) raise(SIGUSR2);
}

static void handler2(int sig) {
  volatile int local = 0;
  (void)sig;
  nested_on_alt = in_alt((void *)&local);
}

int main(int argc, char **argv) {
  init(argc, argv);
  stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
  T(sigaltstack(&ss, NULL));
  install_handler(SIGUSR1, handler, SA_ONSTACK);
  install_handler(SIGUSR2, handler2, SA_ONSTACK);
  raise(SIGUSR1);
  SAY("SA_ONSTACK: on alt stack %d, flags inside %#x, change while on it EPERM %d, nested on alt %d", on_alt,
      flags_inside, eperm, nested_on_alt);
  stack_t cur;
  sigaltstack(NULL, &cur);
  SAY("after return: flags %#x", cur.ss_flags);
  depth = 1;
  install_handler(SIGUSR1, handler, 0);
  raise(SIGUSR1);
  SAY("no SA_ONSTACK: on alt stack %d, flags inside %#x", on_alt, flags_inside);
  /* a disabled alternate stack: SA_ONSTACK falls back to the normal stack */
  ss.ss_flags = SS_DISABLE;
  T(sigaltstack(&ss, NULL));
  install_handler(SIGUSR1, handler, SA_ONSTACK);
  raise(SIGUSR1);
  SAY("disabled: on alt stack %d, flags inside %#x", on_alt, flags_inside);
  /* the alternate stack is inherited by a forked child */
  ss.ss_flags = 0;
  sigaltstack(&ss, NULL);
  pid_t p = fork();
  if (p == 0) {
    raise(SIGUSR1);
    printf("child: on alt stack %d\n", on_alt);
    _exit(0);
  }
  reap(p, "child");
  return 0;
}
