/* SSE state across a signal handler: xmm0-xmm15 and MXCSR are loaded with known
 * values, a raw kill(getpid()) delivers a signal whose handler clobbers all of them,
 * and everything is restored after the return. (The state the handler starts with is
 * sighandler_fpinit's business.) */
#include "proc.h"

static unsigned char pattern[16][16] __attribute__((aligned(16)));
static unsigned char out[16][16] __attribute__((aligned(16)));
static unsigned int after_mxcsr, set_mxcsr = 0x3f80 | 0x40; /* round down, DAZ */
static volatile long in_pid;
static volatile int handled;

static void handler(int sig) {
  handled = sig;
  unsigned int m = 0x7f80;
  __asm__ volatile("pcmpeqd %%xmm0, %%xmm0\n\tpcmpeqd %%xmm1, %%xmm1\n\tpcmpeqd %%xmm2, %%xmm2\n\t"
                   "pcmpeqd %%xmm3, %%xmm3\n\tpcmpeqd %%xmm4, %%xmm4\n\tpcmpeqd %%xmm5, %%xmm5\n\t"
                   "pcmpeqd %%xmm6, %%xmm6\n\tpcmpeqd %%xmm7, %%xmm7\n\tpcmpeqd %%xmm8, %%xmm8\n\t"
                   "pcmpeqd %%xmm9, %%xmm9\n\tpcmpeqd %%xmm10, %%xmm10\n\tpcmpeqd %%xmm11, %%xmm11\n\t"
                   "pcmpeqd %%xmm12, %%xmm12\n\tpcmpeqd %%xmm13, %%xmm13\n\tpcmpeqd %%xmm14, %%xmm14\n\t"
                   "pcmpeqd %%xmm15, %%xmm15\n\tldmxcsr %0"
                   :: "m"(m)
                   : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
                     "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

int main(int argc, char **argv) {
  init(argc, argv);
  for (int r = 0; r < 16; r++)
    for (int b = 0; b < 16; b++) pattern[r][b] = (unsigned char)(r * 16 + b + 1);
  install_handler(SIGUSR2, handler, 0);
  in_pid = getpid();
  __asm__ volatile(
      "ldmxcsr %[m]\n\t"
      "movdqa 0+%[p], %%xmm0\n\tmovdqa 16+%[p], %%xmm1\n\tmovdqa 32+%[p], %%xmm2\n\tmovdqa 48+%[p], %%xmm3\n\t"
      "movdqa 64+%[p], %%xmm4\n\tmovdqa 80+%[p], %%xmm5\n\tmovdqa 96+%[p], %%xmm6\n\tmovdqa 112+%[p], %%xmm7\n\t"
      "movdqa 128+%[p], %%xmm8\n\tmovdqa 144+%[p], %%xmm9\n\tmovdqa 160+%[p], %%xmm10\n\tmovdqa 176+%[p], %%xmm11\n\t"
      "movdqa 192+%[p], %%xmm12\n\tmovdqa 208+%[p], %%xmm13\n\tmovdqa 224+%[p], %%xmm14\n\tmovdqa 240+%[p], %%xmm15\n\t"
      "mov %[pid], %%rdi\n\tmov $12, %%esi\n\tmov $62, %%eax\n\tsyscall\n\t"
      "movdqa %%xmm0, 0+%[o]\n\tmovdqa %%xmm1, 16+%[o]\n\tmovdqa %%xmm2, 32+%[o]\n\tmovdqa %%xmm3, 48+%[o]\n\t"
      "movdqa %%xmm4, 64+%[o]\n\tmovdqa %%xmm5, 80+%[o]\n\tmovdqa %%xmm6, 96+%[o]\n\tmovdqa %%xmm7, 112+%[o]\n\t"
      "movdqa %%xmm8, 128+%[o]\n\tmovdqa %%xmm9, 144+%[o]\n\tmovdqa %%xmm10, 160+%[o]\n\tmovdqa %%xmm11, 176+%[o]\n\t"
      "movdqa %%xmm12, 192+%[o]\n\tmovdqa %%xmm13, 208+%[o]\n\tmovdqa %%xmm14, 224+%[o]\n\tmovdqa %%xmm15, 240+%[o]\n\t"
      "stmxcsr %[am]\n\t"
      : [o] "=m"(out), [am] "=m"(after_mxcsr)
      : [p] "m"(pattern), [pid] "m"(in_pid), [m] "m"(set_mxcsr)
      : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4",
        "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "memory");
  unsigned int def = 0x1f80;
  __asm__ volatile("ldmxcsr %0" ::"m"(def));
  SAY("handler ran for %s", signame(handled));
  for (int r = 0; r < 16; r++) printf("xmm%d after handler: %s\n", r, memcmp(out[r], pattern[r], 16) ? "FAIL" : "ok");
  SAY("mxcsr after handler: %#x", after_mxcsr);
  return 0;
}
