/* x87 state across a signal handler: the register stack and the control word are
 * restored after a handler that resets and clobbers them. */
#include "proc.h"

static volatile long in_pid;
static unsigned short cw_set = 0x0e7f; /* round toward zero, 64-bit precision */
static unsigned short cw_after;
static double out[3];
static volatile int handled;

static void handler(int sig) {
  handled = sig;
  unsigned short junk = 0x0c7f;
  __asm__ volatile("fninit\n\tfldz\n\tfldz\n\tfldz\n\tfldz\n\tfldcw %0\n\tfninit\n\tfldz\n\tfstp %%st(0)" ::"m"(junk));
  unsigned short j2 = 0x007f;
  __asm__ volatile("fldcw %0" ::"m"(j2));
}

int main(int argc, char **argv) {
  init(argc, argv);
  install_handler(SIGUSR1, handler, 0);
  in_pid = getpid();
  __asm__ volatile(
      "fldcw %[cw]\n\t"
      "fldpi\n\tfld1\n\tfldl2t\n\t"
      "mov %[pid], %%rdi\n\tmov $10, %%esi\n\tmov $62, %%eax\n\tsyscall\n\t"
      "fstpl 0+%[o]\n\tfstpl 8+%[o]\n\tfstpl 16+%[o]\n\t"
      "fnstcw %[ca]\n\t"
      : [o] "=m"(out), [ca] "=m"(cw_after)
      : [cw] "m"(cw_set), [pid] "m"(in_pid)
      : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "st", "st(1)", "st(2)", "memory");
  unsigned short def = 0x37f;
  __asm__ volatile("fldcw %0" ::"m"(def));
  SAY("handler ran for %s", signame(handled));
  SAY("l2t restored: %s", out[0] > 3.3219 && out[0] < 3.3220 ? "ok" : "FAIL");
  SAY("one restored: %s", out[1] == 1.0 ? "ok" : "FAIL");
  SAY("pi restored: %s", out[2] > 3.14159 && out[2] < 3.14160 ? "ok" : "FAIL");
  SAY("cw after handler: %#x", cw_after);
  return 0;
}
