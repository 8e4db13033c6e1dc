/* A signal handler starts with the initial FPU state, whatever the interrupted code
 * had: MXCSR 0x1f80, xmm (and ymm) registers zero, x87 control word 0x37f. */
#include "proc.h"

static unsigned int set_mxcsr = 0x3fc0;
static unsigned short set_cw = 0x0e7f;
static unsigned int entry_mxcsr;
static unsigned short entry_cw;
static unsigned char entry_xmm[3][16];
static unsigned char entry_ymm[32];
static unsigned char ones[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static volatile long in_pid;
static int avx;

static void handler(int sig) {
  (void)sig;
  __asm__ volatile("stmxcsr %0\n\tfnstcw %1\n\tmovdqu %%xmm0, %2\n\tmovdqu %%xmm7, %3\n\tmovdqu %%xmm15, %4"
                   : "=m"(entry_mxcsr), "=m"(entry_cw), "=m"(entry_xmm[0]), "=m"(entry_xmm[1]), "=m"(entry_xmm[2]));
  if (avx) __asm__ volatile("vmovdqu %%ymm3, %0" : "=m"(entry_ymm));
}

static int zero(const unsigned char *p, int n) {
  for (int i = 0; i < n; i++)
    if (p[i]) return 0;
  return 1;
}

int main(int argc, char **argv) {
  init(argc, argv);
  avx = __builtin_cpu_supports("avx");
  install_handler(SIGUSR1, handler, 0);
  in_pid = getpid();
  __asm__ volatile("ldmxcsr %[m]\n\tfldcw %[cw]\n\tmovdqu %[v], %%xmm0\n\tmovdqu %[v], %%xmm7\n\tmovdqu %[v], %%xmm15\n\t"
                   "movdqu %[v], %%xmm3\n\t"
                   "mov %[pid], %%rdi\n\tmov $10, %%esi\n\tmov $62, %%eax\n\tsyscall\n\t"
                   :: [m] "m"(set_mxcsr), [cw] "m"(set_cw), [v] "m"(ones), [pid] "m"(in_pid)
                   : "rax", "rcx", "rdx", "rsi", "rdi", "r11", "xmm0", "xmm3", "xmm7", "xmm15", "memory");
  unsigned int defm = 0x1f80;
  unsigned short defc = 0x37f;
  __asm__ volatile("ldmxcsr %0\n\tfldcw %1" ::"m"(defm), "m"(defc));
  SAY("handler entry mxcsr=%#x", entry_mxcsr);
  SAY("handler entry x87 cw=%#x", entry_cw);
  SAY("handler entry xmm0/xmm7/xmm15 zero: %d %d %d", zero(entry_xmm[0], 16), zero(entry_xmm[1], 16),
      zero(entry_xmm[2], 16));
  if (avx) SAY("handler entry ymm3 zero: %d", zero(entry_ymm, 32));
  else SAY("handler entry ymm3 zero: 1");
  return 0;
}
