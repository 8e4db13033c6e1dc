/* clone with an exit signal other than SIGCHLD: the parent gets that signal when the
 * child exits, a plain waitpid does not see such a child (ECHILD), __WCLONE or __WALL
 * does; an exit signal of 0 sends nothing. */
#include "proc.h"

static volatile int hits, last;
static void handler(int sig) { hits++; last = sig; }

int main(int argc, char **argv) {
  init(argc, argv);
  install_handler(SIGUSR1, handler, 0);
  install_handler(SIGCHLD, handler, 0);
  block1(SIG_BLOCK, SIGUSR1);
  long p = syscall(SYS_clone, (long)SIGUSR1, 0L, 0L, 0L, 0L);
  if (p == 0) _exit(5);
  int st;
  errno = 0;
  SAY("waitpid without __WCLONE: %d %s", waitpid(p, &st, 0), errname(errno));
  SAY("waitpid __WCLONE: matches %d", waitpid(p, &st, __WCLONE) == p);
  show_status("child", st);
  SAY("pending SIGUSR1 %d SIGCHLD handler hits %d", is_pending(SIGUSR1), hits);
  block1(SIG_UNBLOCK, SIGUSR1);
  SAY("after unblock: hits %d last %s", hits, signame(last));
  hits = 0;
  p = syscall(SYS_clone, 0L, 0L, 0L, 0L, 0L);
  if (p == 0) _exit(6);
  SAY("exit signal 0, waitpid __WALL: matches %d", waitpid(p, &st, __WALL) == p);
  show_status("child", st);
  SAY("no signal: hits %d", hits);
  p = syscall(SYS_clone, (long)SIGCHLD, 0L, 0L, 0L, 0L);
  if (p == 0) _exit(7);
  SAY("SIGCHLD child, waitpid __WCLONE: %d %s", waitpid(p, &st, __WCLONE | WNOHANG), errname(errno));
  SAY("waitpid plain: matches %d", waitpid(p, &st, 0) == p);
  show_status("child", st);
  return 0;
}
