/* FUTEX_WAKE_OP with no waiters: the operation on *uaddr2 is performed (SET, ADD, OR,
 * ANDN, XOR, with the shifted-operand flag) whatever the comparison says, and the
 * result is the number woken (0); a bad comparison is ENOSYS; a bad uaddr2 is EFAULT. */
#include "proc.h"

#define OP(op, oparg, cmp, cmparg) FUTEX_OP(op, oparg, cmp, cmparg)

int main(int argc, char **argv) {
  init(argc, argv);
  static uint32_t f1 = 0, f2 = 0;
  struct { const char *name; int op, oparg; uint32_t start; } ops[] = {
      {"SET 7", FUTEX_OP_SET, 7, 100},      {"ADD 5", FUTEX_OP_ADD, 5, 100},
      {"OR 0x0f", FUTEX_OP_OR, 0x0f, 0x100}, {"ANDN 0x0f", FUTEX_OP_ANDN, 0x0f, 0xff},
      {"XOR 0x3", FUTEX_OP_XOR, 0x3, 0x5},   {"SET 1<<4", FUTEX_OP_SET | (FUTEX_OP_OPARG_SHIFT << 0), 4, 0},
      {"ADD -1", FUTEX_OP_ADD, 0xfff, 10},
  };
  for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++) {
    for (int cmp = 0; cmp < 6; cmp++) {
      f2 = ops[i].start;
      errno = 0;
      long r = futex(&f1, FUTEX_WAKE_OP, 1, (void *)1L, &f2, OP(ops[i].op, ops[i].oparg, cmp, 100));
      if (cmp == 0 || cmp == 5)
        SAY("%s cmp %d: r=%ld %s old %#x new %#x", ops[i].name, cmp, r, r < 0 ? errname(errno) : "", ops[i].start, f2);
    }
  }
  f2 = 1;
  T(futex(&f1, FUTEX_WAKE_OP, 1, (void *)1L, &f2, OP(FUTEX_OP_SET, 0, 7, 0)));
  SAY("after bad cmp: f2 %u", f2);
  T(futex(&f1, FUTEX_WAKE_OP, 1, (void *)1L, &f2, OP(9, 0, 0, 0)));
  T(futex(&f1, FUTEX_WAKE_OP, 1, (void *)1L, BADPTR, OP(FUTEX_OP_SET, 0, 0, 0)));
  T(futex(&f1, FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG, 1, (void *)1L, &f2, OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, 0)));
  SAY("private: f2 %u", f2);
  return 0;
}
