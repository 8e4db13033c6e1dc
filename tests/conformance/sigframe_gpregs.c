/* General registers survive a signal handler that clobbers them: known values are
 * loaded, kill(getpid()) is made with a raw syscall instruction, the handler clobbers
 * every register and the values are checked after the return. The handler also sees
 * the values in its ucontext. */
#include "proc.h"
#include <ucontext.h>

static unsigned long out[12];
static volatile long in_pid;
static volatile int uc_r12_ok, uc_rbx_ok, uc_rax, uc_r15_ok, handled;

static void handler(int sig, siginfo_t *si, void *ucv) {
  (void)si;
  ucontext_t *uc = ucv;
  handled = sig;
  uc_r12_ok = uc->uc_mcontext.gregs[REG_R12] == (long)0x1212121212121212UL;
  uc_rbx_ok = uc->uc_mcontext.gregs[REG_RBX] == (long)0xb0b0b0b0b0b0b0b0UL;
  uc_r15_ok = uc->uc_mcontext.gregs[REG_R15] == (long)0x1515151515151515UL;
  uc_rax = (int)uc->uc_mcontext.gregs[REG_RAX];
  __asm__ volatile("mov $-1, %%rbx\n\tmov $-1, %%rdx\n\tmov $-1, %%r8\n\tmov $-1, %%r9\n\tmov $-1, %%r10\n\t"
                   "mov $-1, %%r12\n\tmov $-1, %%r13\n\tmov $-1, %%r14\n\tmov $-1, %%r15\n\t"
                   "mov $-1, %%rsi\n\tmov $-1, %%rdi\n\t"
                   ::: "rbx", "rdx", "r8", "r9", "r10", "r12", "r13", "r14", "r15", "rsi", "rdi");
}

int main(int argc, char **argv) {
  init(argc, argv);
  install(SIGUSR1, handler, 0);
  in_pid = getpid();
  __asm__ volatile(
      "mov %[pid], %%rdi\n\t"
      "mov $10, %%esi\n\t"
      "movabs $0xb0b0b0b0b0b0b0b0, %%rbx\n\t"
      "movabs $0xd0d0d0d0d0d0d0d0, %%rdx\n\t"
      "movabs $0x0808080808080808, %%r8\n\t"
      "movabs $0x0909090909090909, %%r9\n\t"
      "movabs $0x1010101010101010, %%r10\n\t"
      "movabs $0x1212121212121212, %%r12\n\t"
      "movabs $0x1313131313131313, %%r13\n\t"
      "movabs $0x1414141414141414, %%r14\n\t"
      "movabs $0x1515151515151515, %%r15\n\t"
      "mov $62, %%eax\n\t"
      "syscall\n\t"
      "mov %%rax, 0+%[o]\n\t"
      "mov %%rbx, 8+%[o]\n\t"
      "mov %%rdx, 16+%[o]\n\t"
      "mov %%r8, 24+%[o]\n\t"
      "mov %%r9, 32+%[o]\n\t"
      "mov %%r10, 40+%[o]\n\t"
      "mov %%r12, 48+%[o]\n\t"
      "mov %%r13, 56+%[o]\n\t"
      "mov %%r14, 64+%[o]\n\t"
      "mov %%r15, 72+%[o]\n\t"
      "mov %%rdi, 80+%[o]\n\t"
      "mov %%rsi, 88+%[o]\n\t"
      : [o] "=m"(out)
      : [pid] "m"(in_pid)
      : "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "memory");
  SAY("handler ran for %s", signame(handled));
  SAY("handler saw rbx=%d r12=%d r15=%d rax=%d", uc_rbx_ok, uc_r12_ok, uc_r15_ok, uc_rax);
  const char *names[] = {"rax", "rbx", "rdx", "r8", "r9", "r10", "r12", "r13", "r14", "r15", "rdi", "rsi"};
  for (int i = 0; i < 12; i++) {
    unsigned long want = i == 0 ? 0 : i == 1 ? 0xb0b0b0b0b0b0b0b0UL : i == 2 ? 0xd0d0d0d0d0d0d0d0UL
                       : i == 10 ? (unsigned long)in_pid : i == 11 ? 10UL : 0;
    if (i >= 3 && i <= 9) {
      static const unsigned long v[] = {0x0808080808080808UL, 0x0909090909090909UL, 0x1010101010101010UL,
                                        0x1212121212121212UL, 0x1313131313131313UL, 0x1414141414141414UL,
                                        0x1515151515151515UL};
      want = v[i - 3];
    }
    printf("%s after handler: %s\n", names[i], out[i] == want ? "ok" : "FAIL");
  }
  return 0;
}
