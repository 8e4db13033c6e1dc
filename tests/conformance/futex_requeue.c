/* FUTEX_REQUEUE and FUTEX_CMP_REQUEUE with three waiting processes: CMP_REQUEUE with
 * a stale expected value is EAGAIN and changes nothing; otherwise it wakes one and
 * moves the rest to the second word (returning woken + requeued); a wake on the first
 * word then finds nobody, one on the second word finds the requeued two. */
#include "proc.h"

static uint32_t *w;

static pid_t waiter(void) {
  pid_t p = fork();
  if (p == 0) {
    __atomic_add_fetch(&w[100], 1, __ATOMIC_SEQ_CST);
    long r = futex(&w[0], FUTEX_WAIT, 0, NULL, NULL, 0);
    _exit(r == 0 ? 0 : 1);
  }
  return p;
}

int main(int argc, char **argv) {
  init(argc, argv);
  w = shared_page();
  pid_t p[3];
  for (int i = 0; i < 3; i++) p[i] = waiter();
  while (__atomic_load_n(&w[100], __ATOMIC_SEQ_CST) < 3) usleep(1000);
  msleep(150);
  T(futex(&w[0], FUTEX_CMP_REQUEUE, 1, (void *)(long)INT_MAX, &w[1], 7));
  T(futex(&w[0], FUTEX_CMP_REQUEUE, 1, (void *)(long)INT_MAX, &w[1], 0));
  T(futex(&w[0], FUTEX_WAKE, INT_MAX, NULL, NULL, 0));
  T(futex(&w[1], FUTEX_WAKE, 1, NULL, NULL, 0));
  T(futex(&w[1], FUTEX_WAKE, INT_MAX, NULL, NULL, 0));
  for (int i = 0; i < 3; i++) {
    int st;
    waitpid(p[i], &st, 0);
    printf("waiter %d: ", i > 0);
    show_status("", st);
  }
  /* plain FUTEX_REQUEUE: wake 0, requeue 1 of 2 */
  w[100] = 0;
  p[0] = waiter();
  p[1] = waiter();
  while (__atomic_load_n(&w[100], __ATOMIC_SEQ_CST) < 2) usleep(1000);
  msleep(150);
  T(futex(&w[0], FUTEX_REQUEUE, 0, (void *)1L, &w[2], 0));
  T(futex(&w[2], FUTEX_WAKE, INT_MAX, NULL, NULL, 0));
  T(futex(&w[0], FUTEX_WAKE, INT_MAX, NULL, NULL, 0));
  for (int i = 0; i < 2; i++) waitpid(p[i], NULL, 0);
  return 0;
}
