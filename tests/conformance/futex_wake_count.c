/* FUTEX_WAKE counts with several waiting processes (MAP_SHARED futex word): wake(2)
 * wakes exactly 2, wake(INT_MAX) the rest; FUTEX_WAKE_BITSET wakes only waiters whose
 * bitset intersects. */
#include "proc.h"

static uint32_t *w;

static pid_t waiter(int idx, uint32_t bitset) {
  pid_t p = fork();
  if (p == 0) {
    __atomic_add_fetch(&w[100], 1, __ATOMIC_SEQ_CST);
    long r = futex(&w[idx], FUTEX_WAIT_BITSET, 0, NULL, NULL, bitset);
    __atomic_add_fetch(&w[101], 1, __ATOMIC_SEQ_CST);
    _exit(r == 0 ? 0 : 1);
  }
  return p;
}

static void settle(uint32_t n) {
  while (__atomic_load_n(&w[100], __ATOMIC_SEQ_CST) < n) usleep(1000);
  msleep(150);
}

int main(int argc, char **argv) {
  init(argc, argv);
  w = shared_page();
  pid_t p[5];
  for (int i = 0; i < 5; i++) p[i] = waiter(0, FUTEX_BITSET_MATCH_ANY);
  settle(5);
  SAY("wake 2: %ld", futex(&w[0], FUTEX_WAKE, 2, NULL, NULL, 0));
  while (__atomic_load_n(&w[101], __ATOMIC_SEQ_CST) < 2) usleep(1000);
  msleep(50);
  SAY("woken so far: %u", w[101]);
  SAY("wake all: %ld", futex(&w[0], FUTEX_WAKE, INT_MAX, NULL, NULL, 0));
  int ok = 0;
  for (int i = 0; i < 5; i++) {
    int st;
    waitpid(p[i], &st, 0);
    ok += WIFEXITED(st) && WEXITSTATUS(st) == 0;
  }
  SAY("waiters returned 0: %d", ok);
  SAY("wake with nobody: %ld", futex(&w[0], FUTEX_WAKE, INT_MAX, NULL, NULL, 0));
  /* bitsets */
  w[100] = w[101] = 0;
  pid_t a = waiter(1, 0x1), b = waiter(1, 0x2), c = waiter(1, 0x6);
  settle(3);
  SAY("wake bitset 0x8: %ld", futex(&w[1], FUTEX_WAKE_BITSET, INT_MAX, NULL, NULL, 0x8));
  SAY("wake bitset 0x2: %ld", futex(&w[1], FUTEX_WAKE_BITSET, INT_MAX, NULL, NULL, 0x2));
  SAY("plain wake (all bits): %ld", futex(&w[1], FUTEX_WAKE, INT_MAX, NULL, NULL, 0));
  reap(a, "a");
  reap(b, "b");
  reap(c, "c");
  return 0;
}
