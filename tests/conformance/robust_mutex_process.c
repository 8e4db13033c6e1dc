/* A process-shared robust mutex in MAP_SHARED memory: a child locks it and exits
 * without unlocking; the kernel walks the child's robust list at exit, so the parent's
 * lock returns EOWNERDEAD (and the futex word has FUTEX_OWNER_DIED set); after
 * pthread_mutex_consistent it works normally. */
#include "proc.h"

int main(int argc, char **argv) {
  init(argc, argv);
  pthread_mutex_t *m = shared_page();
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
  pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
  pthread_mutex_init(m, &a);
  pid_t p = fork();
  if (p == 0) {
    int e = pthread_mutex_lock(m);
    _exit(e);
  }
  reap(p, "child (locked and exited)");
  uint32_t word = *(volatile uint32_t *)m;
  SAY("futex word: owner died bit %d, tid bits are the dead child %d", (word & FUTEX_OWNER_DIED) != 0,
      (pid_t)(word & FUTEX_TID_MASK) == p || (word & FUTEX_TID_MASK) == 0);
  SAY("parent lock: %s", errname(pthread_mutex_lock(m)));
  SAY("consistent: %s", errname(pthread_mutex_consistent(m)));
  SAY("unlock: %s", errname(pthread_mutex_unlock(m)));
  /* a child that dies by a signal while holding it */
  p = fork();
  if (p == 0) {
    pthread_mutex_lock(m);
    kill(getpid(), SIGKILL);
    _exit(0);
  }
  reap(p, "killed child");
  SAY("trylock: %s", errname(pthread_mutex_trylock(m)));
  pthread_mutex_consistent(m);
  pthread_mutex_unlock(m);
  /* a child that unlocks properly leaves nothing behind */
  p = fork();
  if (p == 0) {
    pthread_mutex_lock(m);
    pthread_mutex_unlock(m);
    _exit(0);
  }
  reap(p, "well-behaved child");
  SAY("lock: %s", errname(pthread_mutex_lock(m)));
  return 0;
}
