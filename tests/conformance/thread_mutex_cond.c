/* pthread mutexes, condition variables and barriers with 16 threads: 16 x 20000
 * increments under a mutex, a bounded producer/consumer queue (4 + 4 threads, 4000
 * items), 50 barrier rounds, and pthread_cond_timedwait timing out. */
#include "proc.h"

#define T_N 16
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *incr(void *arg) {
  (void)arg;
  for (int i = 0; i < 20000; i++) {
    pthread_mutex_lock(&mu);
    counter++;
    pthread_mutex_unlock(&mu);
  }
  return NULL;
}

#define QN 8
static int q[QN], qh, qt, qc;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER, not_empty = PTHREAD_COND_INITIALIZER;
static long consumed_sum, consumed_n;

static void *producer(void *arg) {
  long base = (long)arg;
  for (int i = 0; i < 1000; i++) {
    pthread_mutex_lock(&mu);
    while (qc == QN) pthread_cond_wait(&not_full, &mu);
    q[qt] = (int)(base * 1000 + i);
    qt = (qt + 1) % QN;
    qc++;
    pthread_cond_signal(&not_empty);
    pthread_mutex_unlock(&mu);
  }
  return NULL;
}

static void *consumer(void *arg) {
  (void)arg;
  for (;;) {
    pthread_mutex_lock(&mu);
    while (qc == 0 && consumed_n < 4000) pthread_cond_wait(&not_empty, &mu);
    if (consumed_n >= 4000) {
      pthread_mutex_unlock(&mu);
      return NULL;
    }
    consumed_sum += q[qh];
    qh = (qh + 1) % QN;
    qc--;
    consumed_n++;
    if (consumed_n == 4000) pthread_cond_broadcast(&not_empty);
    pthread_cond_signal(&not_full);
    pthread_mutex_unlock(&mu);
  }
}

static pthread_barrier_t bar;
static int round_counts[50];
static void *barrier_worker(void *arg) {
  (void)arg;
  for (int r = 0; r < 50; r++) {
    __atomic_add_fetch(&round_counts[r], 1, __ATOMIC_SEQ_CST);
    pthread_barrier_wait(&bar);
  }
  return NULL;
}

int main(int argc, char **argv) {
  init(argc, argv);
  pthread_t th[T_N];
  for (int i = 0; i < T_N; i++) pthread_create(&th[i], NULL, incr, NULL);
  for (int i = 0; i < T_N; i++) pthread_join(th[i], NULL);
  SAY("counter %ld", counter);
  for (long i = 0; i < 4; i++) pthread_create(&th[i], NULL, producer, (void *)i);
  for (int i = 4; i < 8; i++) pthread_create(&th[i], NULL, consumer, NULL);
  for (int i = 0; i < 8; i++) pthread_join(th[i], NULL);
  SAY("consumed %ld items, sum %ld", consumed_n, consumed_sum);
  pthread_barrier_init(&bar, NULL, 8);
  for (int i = 0; i < 8; i++) pthread_create(&th[i], NULL, barrier_worker, NULL);
  for (int i = 0; i < 8; i++) pthread_join(th[i], NULL);
  int all8 = 1;
  for (int r = 0; r < 50; r++) all8 &= round_counts[r] == 8;
  SAY("barrier rounds all complete: %d", all8);
  pthread_cond_t c = PTHREAD_COND_INITIALIZER;
  struct timespec dl;
  clock_gettime(CLOCK_REALTIME, &dl);
  dl.tv_nsec += 30000000;
  if (dl.tv_nsec >= 1000000000) { dl.tv_sec++; dl.tv_nsec -= 1000000000; }
  pthread_mutex_lock(&mu);
  SAY("cond_timedwait: %s", errname(pthread_cond_timedwait(&c, &mu, &dl)));
  SAY("mutex trylock while held (errorcheck-free default): %s", errname(pthread_mutex_trylock(&mu)));
  pthread_mutex_unlock(&mu);
  pthread_mutexattr_t at;
  pthread_mutexattr_init(&at);
  pthread_mutexattr_settype(&at, PTHREAD_MUTEX_ERRORCHECK);
  pthread_mutex_t em;
  pthread_mutex_init(&em, &at);
  pthread_mutex_lock(&em);
  SAY("errorcheck relock: %s", errname(pthread_mutex_lock(&em)));
  pthread_mutex_unlock(&em);
  SAY("errorcheck unlock unowned: %s", errname(pthread_mutex_unlock(&em)));
  return 0;
}
