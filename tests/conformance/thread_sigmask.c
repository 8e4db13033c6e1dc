/* Per-thread signal masks: each thread has its own mask (inherited at creation); a
 * process-directed signal (kill to the pid) goes to the one thread that does not block
 * it; a thread-directed signal to a thread that blocks it stays pending for that
 * thread only. */
#include "proc.h"

static volatile pid_t handled_by;
static pid_t receiver_tid;
static int ready[2], done[2];

static void handler(int sig) {
  (void)sig;
  handled_by = tid();
}

static void *receiver(void *arg) {
  (void)arg;
  receiver_tid = tid();
  SAY("receiver: inherited USR1 blocked %d", is_blocked(SIGUSR1));
  block1(SIG_UNBLOCK, SIGUSR1);
  (void)!write(ready[1], "r", 1);
  char c;
  (void)!read(done[0], &c, 1); /* interrupted by the handler or not; the main thread writes later */
  return NULL;
}

static void *blocker(void *arg) {
  (void)arg;
  sigset_t p;
  sigpending(&p);
  SAY("blocker: sees main's thread-pending USR2 %d", sigismember(&p, SIGUSR2));
  return NULL;
}

int main(int argc, char **argv) {
  init(argc, argv);
  install_handler(SIGUSR1, handler, SA_RESTART);
  block1(SIG_BLOCK, SIGUSR1);
  if (pipe(ready) || pipe(done)) return 1;
  pthread_t th;
  pthread_create(&th, NULL, receiver, NULL);
  char c;
  (void)!read(ready[0], &c, 1);
  SAY("main: USR1 still blocked %d", is_blocked(SIGUSR1));
  kill(getpid(), SIGUSR1);
  for (int k = 0; k < 4000 && !handled_by; k++) usleep(500);
  SAY("process-directed signal handled by the unblocking thread: %d", handled_by == receiver_tid);
  SAY("main: USR1 pending %d", is_pending(SIGUSR1));
  (void)!write(done[1], "d", 1);
  pthread_join(th, NULL);
  /* thread-directed while blocked: pending for the main thread only */
  install_handler(SIGUSR2, handler, 0);
  block1(SIG_BLOCK, SIGUSR2);
  syscall(SYS_tgkill, getpid(), tid(), SIGUSR2);
  SAY("main: USR2 pending %d", is_pending(SIGUSR2));
  pthread_create(&th, NULL, blocker, NULL);
  pthread_join(th, NULL);
  handled_by = 0;
  block1(SIG_UNBLOCK, SIGUSR2);
  SAY("main handled its own USR2 on unblock: %d", handled_by == tid());
  /* pthread_sigmask reports errors as return values */
  sigset_t s;
  sigemptyset(&s);
  SAY("pthread_sigmask bad how: %s", errname(pthread_sigmask(77, &s, NULL)));
  return 0;
}
