/* sigsuspend: returns -1 EINTR after a handler ran, the handler sees the temporary
 * mask (plus its own signal), the old mask is back afterwards; a signal pending
 * before the call is taken at once; a signal still blocked by the temporary mask
 * stays pending. */
#include "proc.h"

static volatile int hits, saw_usr2_blocked, saw_hup_blocked, last;

static void handler(int sig) {
  hits++;
  last = sig;
  saw_usr2_blocked = is_blocked(SIGUSR2);
  saw_hup_blocked = is_blocked(SIGHUP);
}

int main(int argc, char **argv) {
  init(argc, argv);
  install_handler(SIGUSR1, handler, 0);
  install_handler(SIGUSR2, handler, 0);
  sigset_t block;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  sigaddset(&block, SIGUSR2);
  sigprocmask(SIG_BLOCK, &block, NULL);
  raise(SIGUSR1);
  SAY("pending before: %d", is_pending(SIGUSR1));
  sigset_t tmp;
  sigemptyset(&tmp);
  sigaddset(&tmp, SIGUSR2);
  sigaddset(&tmp, SIGHUP);
  errno = 0;
  int r = sigsuspend(&tmp);
  SAY("sigsuspend = %d %s hits=%d sig=%s usr2 blocked inside %d hup blocked inside %d", r, errname(errno), hits,
      signame(last), saw_usr2_blocked, saw_hup_blocked);
  SAY("after: usr1 blocked %d usr2 blocked %d hup blocked %d", is_blocked(SIGUSR1), is_blocked(SIGUSR2),
      is_blocked(SIGHUP));
  /* a child sends SIGUSR2 (blocked by the temporary mask) then SIGUSR1 */
  pid_t p = fork();
  if (p == 0) {
    kill(getppid(), SIGUSR2);
    kill(getppid(), SIGUSR1);
    _exit(0);
  }
  hits = 0;
  r = sigsuspend(&tmp);
  SAY("second sigsuspend = %d hits=%d sig=%s usr2 still pending %d", r, hits, signame(last), is_pending(SIGUSR2));
  reap(p, "child");
  sigprocmask(SIG_UNBLOCK, &block, NULL);
  SAY("after unblock: hits=%d last=%s", hits, signame(last));
  /* an ignored signal does not end sigsuspend: SIGCHLD default; then SIGUSR1 */
  sigprocmask(SIG_BLOCK, &block, NULL);
  p = fork();
  if (p == 0) {
    _exit(0);
  }
  reap(p, "exited child (SIGCHLD ignored by default)");
  raise(SIGUSR1);
  hits = 0;
  sigemptyset(&tmp);
  r = sigsuspend(&tmp);
  SAY("third sigsuspend = %d hits=%d", r, hits);
  return 0;
}
