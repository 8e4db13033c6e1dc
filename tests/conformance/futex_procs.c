/* Futexes across processes on MAP_SHARED memory: a waiting child is woken by the
 * parent's FUTEX_WAKE (which reports 1 woken), 200 rounds of ping-pong between parent
 * and child, a FUTEX_PRIVATE_FLAG wake from another process does not wake a shared
 * waiter (the waiter times out), and FUTEX_WAKE_OP wakes waiters on both words. */
#include "proc.h"

static uint32_t *w;

static void wait_until_waiting(volatile uint32_t *count, uint32_t n) {
  while (*count < n) usleep(1000);
  msleep(100); /* let them enter FUTEX_WAIT */
}

int main(int argc, char **argv) {
  init(argc, argv);
  w = shared_page();
  /* one waiter */
  pid_t p = fork();
  if (p == 0) {
    __atomic_add_fetch(&w[10], 1, __ATOMIC_SEQ_CST);
    long r = futex(&w[0], FUTEX_WAIT, 0, NULL, NULL, 0);
    _exit(r == 0 ? 0 : 1);
  }
  wait_until_waiting(&w[10], 1);
  w[0] = 1;
  long woken = futex(&w[0], FUTEX_WAKE, 1, NULL, NULL, 0);
  SAY("wake one: %ld", woken);
  reap(p, "waiter");
  /* ping-pong */
  w[1] = 0;
  p = fork();
  if (p == 0) {
    for (uint32_t i = 0; i < 200; i++) {
      while (__atomic_load_n(&w[1], __ATOMIC_SEQ_CST) != 2 * i + 1) futex(&w[1], FUTEX_WAIT, 2 * i, NULL, NULL, 0);
      __atomic_store_n(&w[1], 2 * i + 2, __ATOMIC_SEQ_CST);
      futex(&w[1], FUTEX_WAKE, 1, NULL, NULL, 0);
    }
    _exit(0);
  }
  for (uint32_t i = 0; i < 200; i++) {
    __atomic_store_n(&w[1], 2 * i + 1, __ATOMIC_SEQ_CST);
    futex(&w[1], FUTEX_WAKE, 1, NULL, NULL, 0);
    while (__atomic_load_n(&w[1], __ATOMIC_SEQ_CST) != 2 * i + 2) futex(&w[1], FUTEX_WAIT, 2 * i + 1, NULL, NULL, 0);
  }
  SAY("ping-pong: final %u", w[1]);
  reap(p, "ping-pong child");
  /* a private wake does not reach a shared waiter in another process */
  w[11] = 0;
  p = fork();
  if (p == 0) {
    __atomic_add_fetch(&w[11], 1, __ATOMIC_SEQ_CST);
    struct timespec to = {0, 400000000};
    long r = futex(&w[2], FUTEX_WAIT, 0, &to, NULL, 0);
    _exit(r == -1 && errno == ETIMEDOUT ? 0 : 1);
  }
  wait_until_waiting(&w[11], 1);
  SAY("private wake from another process: %ld", futex(&w[2], FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0));
  reap(p, "shared waiter (0 = timed out)");
  /* FUTEX_WAKE_OP: one waiter on each word, the op makes the comparison true */
  w[12] = 0;
  pid_t a = fork();
  if (a == 0) {
    __atomic_add_fetch(&w[12], 1, __ATOMIC_SEQ_CST);
    _exit(futex(&w[3], FUTEX_WAIT, 0, NULL, NULL, 0) == 0 ? 0 : 1);
  }
  pid_t b = fork();
  if (b == 0) {
    __atomic_add_fetch(&w[12], 1, __ATOMIC_SEQ_CST);
    _exit(futex(&w[4], FUTEX_WAIT, 0, NULL, NULL, 0) == 0 ? 0 : 1);
  }
  wait_until_waiting(&w[12], 2);
  long r = futex(&w[3], FUTEX_WAKE_OP, 1, (void *)1L, &w[4], FUTEX_OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_EQ, 0));
  SAY("wake_op woke %ld, word2 now %u", r, w[4]);
  reap(a, "waiter on word1");
  reap(b, "waiter on word2");
  return 0;
}
