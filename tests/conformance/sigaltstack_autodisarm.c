/* SS_AUTODISARM: while a handler runs on the alternate stack, sigaltstack() reports it
 * disabled (so it may be changed) and a nested SA_ONSTACK signal uses the current
 * stack; the setting comes back after the handler returns. */
#include "proc.h"
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

static char alt[64 * 1024];
static volatile int on_alt, nested_on_alt, set_inside;
static volatile unsigned inside_flags;
static volatile size_t inside_size;

static int in_alt(void *p) { return (char *)p >= alt && (char *)p < alt + sizeof alt; }

static void h2(int sig) {
  volatile int local;
  (void)sig;
  nested_on_alt = in_alt((void *)&local);
}

static void handler(int sig) {
  volatile int local;
  (void)sig;
  on_alt = in_alt((void *)&local);
  stack_t cur;
  sigaltstack(NULL, &cur);
  inside_flags = cur.ss_flags;
  inside_size = cur.ss_size;
  raise(SIGUSR2);
  stack_t ns = {.ss_sp = alt, .ss_size = 32768, .ss_flags = 0};
  set_inside = sigaltstack(&ns, NULL);
}

int main(int argc, char **argv) {
  init(argc, argv);
  stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = SS_AUTODISARM};
  T(sigaltstack(&ss, NULL));
  stack_t cur;
  sigaltstack(NULL, &cur);
  SAY("set: flags %#x size %zu", cur.ss_flags, cur.ss_size);
  install_handler(SIGUSR1, handler, SA_ONSTACK);
  install_handler(SIGUSR2, h2, SA_ONSTACK);
  raise(SIGUSR1);
  SAY("handler on alt %d, flags inside %#x size inside %zu, nested on alt %d, sigaltstack inside = %d", on_alt,
      inside_flags, inside_size, nested_on_alt, set_inside);
  sigaltstack(NULL, &cur);
  SAY("after return: flags %#x size %zu", cur.ss_flags, cur.ss_size);
  raise(SIGUSR1);
  SAY("second time: on alt %d flags inside %#x", on_alt, inside_flags);
  return 0;
}
