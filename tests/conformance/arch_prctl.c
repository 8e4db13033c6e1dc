/* arch_prctl: FS/GS base get/set, CPUID; set_tid_address; robust lists. */
#include "common.h"
#include <asm/prctl.h>
#include <pthread.h>

int main(int argc, char **argv) {
  init(argc, argv);
  unsigned long fs = 0, gs = 123;
  void *tp;
  __asm__ volatile("mov %%fs:0, %0" : "=r"(tp)); /* glibc's TCB points to itself */
  T(syscall(SYS_arch_prctl, ARCH_GET_FS, &fs));
  CHECK(fs == (unsigned long)tp);
  CHECK(fs == (unsigned long)pthread_self());
  T(syscall(SYS_arch_prctl, ARCH_SET_FS, fs));
  T(syscall(SYS_arch_prctl, ARCH_GET_FS, &fs));
  CHECK(fs == (unsigned long)tp);
  T(syscall(SYS_arch_prctl, ARCH_GET_GS, &gs));
  SAY("initial gs base: %#lx", gs);
  static char gsarea[64] = "gs area";
  T(syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)gsarea));
  T(syscall(SYS_arch_prctl, ARCH_GET_GS, &gs));
  CHECK(gs == (unsigned long)gsarea);
  char c0 = 0;
  __asm__ volatile("movb %%gs:0, %0" : "=r"(c0));
  SAY("byte at gs:0 = '%c'", c0);
  T(syscall(SYS_arch_prctl, ARCH_SET_GS, 0));
  T(syscall(SYS_arch_prctl, ARCH_GET_GS, &gs));
  SAY("gs base after reset: %#lx", gs);
  T(syscall(SYS_arch_prctl, ARCH_SET_GS, 0x800000000000UL)); /* not canonical */
  T(syscall(SYS_arch_prctl, ARCH_SET_FS, 0xffff800000000000UL));
  T(syscall(SYS_arch_prctl, ARCH_GET_FS, &fs));
  CHECK(fs == (unsigned long)tp);
  T(syscall(SYS_arch_prctl, ARCH_GET_FS, BADPTR));
  T(syscall(SYS_arch_prctl, ARCH_GET_GS, NULL));
  T(syscall(SYS_arch_prctl, ARCH_GET_CPUID, 0));
  T(syscall(SYS_arch_prctl, 0x9999, 0));
  T(syscall(SYS_arch_prctl, 0, 0));

  /* set_tid_address returns the caller's tid (== pid in a single-threaded process) */
  static int tidword;
  long tid = T(syscall(SYS_set_tid_address, &tidword) > 0);
  (void)tid;
  CHECK(syscall(SYS_set_tid_address, &tidword) == getpid());
  CHECK(syscall(SYS_set_tid_address, NULL) == getpid());
  CHECK(syscall(SYS_set_tid_address, BADPTR) == getpid());

  /* robust futex list */
  struct {
    void *next;
    long off;
    void *pending;
  } head = {&head, 0, NULL};
  void *oldhead;
  size_t len = 0;
  T(syscall(SYS_get_robust_list, 0, &oldhead, &len));
  SAY("robust len: %zu", len);
  T(syscall(SYS_set_robust_list, &head, sizeof head));
  T(syscall(SYS_get_robust_list, 0, &oldhead, &len));
  CHECK(oldhead == &head);
  T(syscall(SYS_set_robust_list, &head, sizeof head + 1));
  T(syscall(SYS_set_robust_list, &head, 0));
  T(syscall(SYS_get_robust_list, 0, BADPTR, &len));
  return 0;
}
