/* A handler edits its ucontext and sigreturn applies it: a changed general register,
 * a changed saved mask (uc_sigmask), and a RIP advanced past a ud2. The saved mask
 * seen by the handler is the mask at the time of the signal. */
#include "proc.h"
#include <ucontext.h>

static volatile int saw_usr2_in_saved, saw_usr1_in_saved, ill_hits;
static unsigned long r12_after;
static volatile long in_pid;

static void edit(int sig, siginfo_t *si, void *ucv) {
  (void)sig; (void)si;
  ucontext_t *uc = ucv;
  saw_usr2_in_saved = sigismember(&uc->uc_sigmask, SIGUSR2);
  saw_usr1_in_saved = sigismember(&uc->uc_sigmask, SIGUSR1);
  uc->uc_mcontext.gregs[REG_R12] = 0x4242;
  sigaddset(&uc->uc_sigmask, SIGTERM);
  sigdelset(&uc->uc_sigmask, SIGUSR2);
}

static void skip_ud2(int sig, siginfo_t *si, void *ucv) {
  (void)sig; (void)si;
  ucontext_t *uc = ucv;
  ill_hits++;
  uc->uc_mcontext.gregs[REG_RIP] += 2;
}

int main(int argc, char **argv) {
  init(argc, argv);
  install(SIGUSR1, edit, 0);
  block1(SIG_BLOCK, SIGUSR2);
  in_pid = getpid();
  __asm__ volatile("movabs $0x1111, %%r12\n\t"
                   "mov %[pid], %%rdi\n\tmov $10, %%esi\n\tmov $62, %%eax\n\tsyscall\n\t"
                   "mov %%r12, %[o]"
                   : [o] "=m"(r12_after)
                   : [pid] "m"(in_pid)
                   : "rax", "rcx", "rdx", "rsi", "rdi", "r11", "r12", "memory");
  SAY("saved mask had SIGUSR2=%d SIGUSR1=%d", saw_usr2_in_saved, saw_usr1_in_saved);
  SAY("r12 after sigreturn: %#lx", r12_after);
  SAY("mask after: SIGTERM=%d SIGUSR2=%d SIGUSR1=%d", is_blocked(SIGTERM), is_blocked(SIGUSR2), is_blocked(SIGUSR1));
  install(SIGILL, skip_ud2, 0);
  volatile int after = 0;
  __asm__ volatile("ud2");
  after = 1;
  __asm__ volatile("ud2");
  after++;
  SAY("ud2 skipped: hits=%d after=%d", ill_hits, after);
  SAY("SIGILL blocked after return: %d", is_blocked(SIGILL));
  return 0;
}
