/* clone(2) flag validation with the raw syscall: CLONE_SIGHAND without CLONE_VM,
 * CLONE_THREAD without CLONE_SIGHAND, CLONE_FS with CLONE_NEWNS, CLONE_NEWUSER with
 * CLONE_FS, namespaces with CLONE_THREAD, CLONE_PIDFD with CLONE_DETACHED: all EINVAL. A
 * valid fork-like clone still works. */
#include "proc.h"
#include <sched.h>

static void try_(const char *what, unsigned long flags) {
  errno = 0;
  long r = syscall(SYS_clone, flags, 0L, 0L, 0L, 0L);
  if (r == 0) _exit(0); /* should not happen: a fork-like child */
  if (r > 0) {
    waitpid((pid_t)r, NULL, __WALL);
    SAY("%s: succeeded", what);
  } else {
    SAY("%s: -1 %s", what, errname(errno));
  }
}

int main(int argc, char **argv) {
  init(argc, argv);
  try_("CLONE_SIGHAND without CLONE_VM", CLONE_SIGHAND | SIGCHLD);
  try_("CLONE_THREAD without CLONE_SIGHAND", CLONE_THREAD | CLONE_VM | SIGCHLD);
  try_("CLONE_THREAD alone", CLONE_THREAD);
  try_("CLONE_FS with CLONE_NEWNS", CLONE_FS | CLONE_NEWNS | SIGCHLD);
  try_("CLONE_NEWUSER with CLONE_FS", CLONE_NEWUSER | CLONE_FS | SIGCHLD);
  try_("CLONE_NEWUSER with CLONE_THREAD", CLONE_NEWUSER | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM);
  try_("CLONE_NEWPID with CLONE_THREAD", CLONE_NEWPID | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM);
  try_("CLONE_PIDFD with CLONE_DETACHED", CLONE_PIDFD | CLONE_DETACHED | SIGCHLD);
  long r = syscall(SYS_clone, (unsigned long)SIGCHLD, 0L, 0L, 0L, 0L);
  if (r == 0) _exit(12);
  reap((pid_t)r, "valid fork-like clone");
  return 0;
}
