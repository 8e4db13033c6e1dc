/* sigaltstack: set and read back, SS_DISABLE, SS_AUTODISARM, ENOMEM, EINVAL, EFAULT. */
#include "common.h"
#include <signal.h>
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

static char stack1[65536], stack2[16384];

static void show(const char *label, stack_t *s) {
  const char *which = s->ss_sp == stack1 ? "stack1" : s->ss_sp == stack2 ? "stack2"
                      : s->ss_sp == NULL ? "NULL" : "other";
  printf("%s: sp %s size %zu flags %#x\n", label, which, s->ss_size, s->ss_flags);
}

int main(int argc, char **argv) {
  init(argc, argv);
  stack_t ss, old;
  memset(&old, 0x55, sizeof old);
  T(sigaltstack(NULL, &old));
  SAY("initial flags: %#x size %zu", old.ss_flags, old.ss_size);
  ss.ss_sp = stack1;
  ss.ss_size = sizeof stack1;
  ss.ss_flags = 0;
  T(sigaltstack(&ss, NULL));
  T(sigaltstack(NULL, &old));
  show("after set", &old);
  ss.ss_sp = stack2;
  ss.ss_size = sizeof stack2;
  T(sigaltstack(&ss, &old));
  show("previous", &old);
  T(sigaltstack(NULL, &old));
  show("now", &old);
  ss.ss_flags = SS_AUTODISARM;
  T(sigaltstack(&ss, NULL));
  T(sigaltstack(NULL, &old));
  show("autodisarm", &old);
  /* too small */
  ss.ss_flags = 0;
  ss.ss_size = 1024;
  T(sigaltstack(&ss, NULL));
  ss.ss_size = 0;
  T(sigaltstack(&ss, NULL));
  T(sigaltstack(NULL, &old));
  show("unchanged", &old);
  /* bad flags */
  ss.ss_size = sizeof stack1;
  ss.ss_sp = stack1;
  ss.ss_flags = 0x1234;
  T(sigaltstack(&ss, NULL));
  ss.ss_flags = SS_ONSTACK;
  T(sigaltstack(&ss, NULL));
  T(sigaltstack(NULL, &old));
  show("SS_ONSTACK accepted", &old);
  /* disable: size and pointer are ignored */
  ss.ss_flags = SS_DISABLE;
  ss.ss_size = 5;
  T(sigaltstack(&ss, NULL));
  T(sigaltstack(NULL, &old));
  SAY("disabled: flags %#x", old.ss_flags);
  T(syscall(SYS_sigaltstack, BADPTR, NULL));
  T(syscall(SYS_sigaltstack, NULL, BADPTR));
  T(syscall(SYS_sigaltstack, NULL, NULL));
  return 0;
}
