/* pthread_create/join of 64 threads: each returns its own value, sees the same
 * getpid(), a distinct gettid() different from getpid(), its own __thread variable;
 * the main thread's gettid() is getpid(). Threads are created in waves of 16. */
#include "proc.h"

#define N 64
static __thread int tls = 7;
static pid_t tids[N], pids[N];
static int tls_seen[N];

static void *worker(void *arg) {
  long i = (long)arg;
  tids[i] = tid();
  pids[i] = getpid();
  tls_seen[i] = tls;
  tls = (int)i * 3;
  sched_yield();
  return (void *)(i * i + (tls == i * 3));
}

int main(int argc, char **argv) {
  init(argc, argv);
  pthread_t th[N];
  long sum = 0;
  for (int wave = 0; wave < N / 16; wave++) {
    for (int j = 0; j < 16; j++) {
      long i = wave * 16 + j;
      int e = pthread_create(&th[i], NULL, worker, (void *)i);
      if (e) SAY("FAIL pthread_create %s", errname(e));
    }
    for (int j = 0; j < 16; j++) {
      void *ret;
      int e = pthread_join(th[wave * 16 + j], &ret);
      if (e) SAY("FAIL pthread_join %s", errname(e));
      sum += (long)ret;
    }
  }
  long want = 0;
  for (long i = 0; i < N; i++) want += i * i + 1;
  SAY("joined %d, sum of results ok %d", N, sum == want);
  int same_pid = 1, tid_ne_pid = 1, distinct = 1, tls_init = 1;
  for (int i = 0; i < N; i++) {
    same_pid &= pids[i] == getpid();
    tid_ne_pid &= tids[i] != getpid();
    tls_init &= tls_seen[i] == 7;
  }
  /* tids of concurrently alive threads are distinct: check within each wave */
  for (int w = 0; w < N / 16; w++)
    for (int i = w * 16; i < w * 16 + 16; i++)
      for (int j = i + 1; j < w * 16 + 16; j++) distinct &= tids[i] != tids[j];
  SAY("same getpid %d, gettid != getpid %d, distinct tids per wave %d, tls starts at 7 %d", same_pid, tid_ne_pid,
      distinct, tls_init);
  SAY("main: gettid == getpid %d, main tls still %d", tid() == getpid(), tls);
  /* join errors */
  pthread_t self = pthread_self();
  SAY("join self: %s", errname(pthread_join(self, NULL)));
  pthread_t d;
  pthread_create(&d, NULL, worker, (void *)0L);
  SAY("detach: %s", errname(pthread_detach(d)));
  return 0;
}
