/* AVX state across a signal handler: the upper halves of ymm0-ymm15 are restored
 * after a handler that clobbers them (skipped, with the same output both ways, on a
 * CPU without AVX). */
#include "proc.h"

static unsigned char pattern[16][32] __attribute__((aligned(32)));
static unsigned char out[16][32] __attribute__((aligned(32)));
static volatile long in_pid;
static volatile int handled;

static void handler(int sig) {
  handled = sig;
  __asm__ volatile("vpcmpeqd %%ymm0, %%ymm0, %%ymm0\n\tvpcmpeqd %%ymm1, %%ymm1, %%ymm1\n\t"
                   "vpcmpeqd %%ymm2, %%ymm2, %%ymm2\n\tvpcmpeqd %%ymm3, %%ymm3, %%ymm3\n\t"
                   "vpcmpeqd %%ymm4, %%ymm4, %%ymm4\n\tvpcmpeqd %%ymm5, %%ymm5, %%ymm5\n\t"
                   "vpcmpeqd %%ymm6, %%ymm6, %%ymm6\n\tvpcmpeqd %%ymm7, %%ymm7, %%ymm7\n\t"
                   "vpcmpeqd %%ymm8, %%ymm8, %%ymm8\n\tvpcmpeqd %%ymm9, %%ymm9, %%ymm9\n\t"
                   "vpcmpeqd %%ymm10, %%ymm10, %%ymm10\n\tvpcmpeqd %%ymm11, %%ymm11, %%ymm11\n\t"
                   "vpcmpeqd %%ymm12, %%ymm12, %%ymm12\n\tvpcmpeqd %%ymm13, %%ymm13, %%ymm13\n\t"
                   "vpcmpeqd %%ymm14, %%ymm14, %%ymm14\n\tvpcmpeqd %%ymm15, %%ymm15, %%ymm15\n\tvzeroupper"
                   ::: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
                     "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

int main(int argc, char **argv) {
  init(argc, argv);
  if (!__builtin_cpu_supports("avx")) {
    SAY("avx not supported: nothing to check");
    return 0;
  }
  for (int r = 0; r < 16; r++)
    for (int b = 0; b < 32; b++) pattern[r][b] = (unsigned char)(r * 32 + b + 3);
  install_handler(SIGUSR1, handler, 0);
  in_pid = getpid();
  for (int round = 0; round < 2; round++) {
    memset(out, 0, sizeof out);
    __asm__ volatile(
        "vmovdqa 0+%[p], %%ymm0\n\tvmovdqa 32+%[p], %%ymm1\n\tvmovdqa 64+%[p], %%ymm2\n\tvmovdqa 96+%[p], %%ymm3\n\t"
        "vmovdqa 128+%[p], %%ymm4\n\tvmovdqa 160+%[p], %%ymm5\n\tvmovdqa 192+%[p], %%ymm6\n\tvmovdqa 224+%[p], %%ymm7\n\t"
        "vmovdqa 256+%[p], %%ymm8\n\tvmovdqa 288+%[p], %%ymm9\n\tvmovdqa 320+%[p], %%ymm10\n\tvmovdqa 352+%[p], %%ymm11\n\t"
        "vmovdqa 384+%[p], %%ymm12\n\tvmovdqa 416+%[p], %%ymm13\n\tvmovdqa 448+%[p], %%ymm14\n\tvmovdqa 480+%[p], %%ymm15\n\t"
        "mov %[pid], %%rdi\n\tmov $10, %%esi\n\tmov $62, %%eax\n\tsyscall\n\t"
        "vmovdqa %%ymm0, 0+%[o]\n\tvmovdqa %%ymm1, 32+%[o]\n\tvmovdqa %%ymm2, 64+%[o]\n\tvmovdqa %%ymm3, 96+%[o]\n\t"
        "vmovdqa %%ymm4, 128+%[o]\n\tvmovdqa %%ymm5, 160+%[o]\n\tvmovdqa %%ymm6, 192+%[o]\n\tvmovdqa %%ymm7, 224+%[o]\n\t"
        "vmovdqa %%ymm8, 256+%[o]\n\tvmovdqa %%ymm9, 288+%[o]\n\tvmovdqa %%ymm10, 320+%[o]\n\tvmovdqa %%ymm11, 352+%[o]\n\t"
        "vmovdqa %%ymm12, 384+%[o]\n\tvmovdqa %%ymm13, 416+%[o]\n\tvmovdqa %%ymm14, 448+%[o]\n\tvmovdqa %%ymm15, 480+%[o]\n\t"
        "vzeroupper\n\t"
        : [o] "=m"(out)
        : [p] "m"(pattern), [pid] "m"(in_pid)
        : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4",
          "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "memory");
    SAY("round %d: handler ran for %s", round, signame(handled));
    for (int r = 0; r < 16; r++) {
      int lo = !memcmp(out[r], pattern[r], 16), hi = !memcmp(out[r] + 16, pattern[r] + 16, 16);
      printf("round %d: ymm%d low %s high %s\n", round, r, lo ? "ok" : "FAIL", hi ? "ok" : "FAIL");
    }
  }
  return 0;
}
