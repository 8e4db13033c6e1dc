/* clone3 argument validation: a size below CLONE_ARGS_SIZE_VER0 is EINVAL, a size
 * above a page is E2BIG, a larger size with non-zero trailing bytes is E2BIG (zero
 * trailing bytes are accepted), unknown flag bits, CLONE_THREAD with an exit signal,
 * an exit signal beyond _NSIG, CLONE_SIGHAND without CLONE_VM, a stack size without a
 * stack: EINVAL. A valid fork-like clone3 with CLONE_PARENT_SETTID works. */
#include "proc.h"
#include <linux/sched.h>

struct big_args {
  struct clone_args a;
  uint64_t extra[8];
};

static long clone3_(void *args, size_t size) { return syscall(SYS_clone3, args, size); }

static void try_(const char *what, struct big_args *b, size_t size) {
  errno = 0;
  long r = clone3_(b, size);
  if (r == 0) _exit(0);
  if (r > 0) {
    waitpid((pid_t)r, NULL, __WALL);
    SAY("%s: succeeded", what);
  } else {
    SAY("%s: -1 %s", what, errname(errno));
  }
}

int main(int argc, char **argv) {
  init(argc, argv);
  struct big_args b;
  memset(&b, 0, sizeof b);
  b.a.exit_signal = SIGCHLD;
  try_("size 0", &b, 0);
  try_("size 63", &b, 63);
  try_("size page+8", &b, 4096 + 8);
  b.extra[0] = 1;
  try_("larger size, non-zero tail", &b, sizeof b);
  try_("NULL args", NULL, sizeof b.a);
  b.extra[0] = 0;
  b.a.flags = 1ULL << 40;
  try_("unknown flag bit", &b, sizeof b.a);
  b.a.flags = CLONE_THREAD | CLONE_SIGHAND | CLONE_VM;
  try_("CLONE_THREAD with exit signal", &b, sizeof b.a);
  b.a.flags = 0;
  b.a.exit_signal = 65;
  try_("exit signal 65", &b, sizeof b.a);
  b.a.exit_signal = SIGCHLD;
  b.a.flags = CLONE_SIGHAND;
  try_("CLONE_SIGHAND without CLONE_VM", &b, sizeof b.a);
  b.a.flags = 0;
  b.a.stack_size = 4096;
  try_("stack_size without stack", &b, sizeof b.a);
  b.a.stack_size = 0;
  b.a.flags = CLONE_DETACHED;
  try_("CLONE_DETACHED", &b, sizeof b.a);
  b.a.flags = 0;
  b.a.set_tid_size = 1;
  try_("set_tid_size without set_tid", &b, sizeof b.a);
  b.a.set_tid_size = 0;
  /* valid: fork-like, with the parent tid stored */
  pid_t ptid = 0;
  memset(&b, 0, sizeof b);
  b.a.flags = CLONE_PARENT_SETTID;
  b.a.parent_tid = (uint64_t)(uintptr_t)&ptid;
  b.a.exit_signal = SIGCHLD;
  long r = clone3_(&b, sizeof b); /* zero tail: accepted */
  if (r == 0) _exit(8);
  SAY("valid clone3: parent_tid == return %d", ptid == r);
  reap((pid_t)r, "clone3 child");
  return 0;
}
