/* Robust mutexes between threads: the owner thread exits while holding the mutex; the
 * next locker gets EOWNERDEAD, can make it consistent and use it again; if it unlocks
 * without pthread_mutex_consistent the mutex becomes ENOTRECOVERABLE. */
#include "proc.h"

static pthread_mutex_t m1, m2;

static void *die_holding(void *arg) {
  pthread_mutex_lock((pthread_mutex_t *)arg);
  return NULL; /* exits with the mutex held */
}

static void make(pthread_mutex_t *m) {
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init(m, &a);
}

int main(int argc, char **argv) {
  init(argc, argv);
  make(&m1);
  make(&m2);
  pthread_t t;
  pthread_create(&t, NULL, die_holding, &m1);
  pthread_join(t, NULL);
  SAY("lock after owner died: %s", errname(pthread_mutex_lock(&m1)));
  SAY("consistent: %s", errname(pthread_mutex_consistent(&m1)));
  SAY("unlock: %s", errname(pthread_mutex_unlock(&m1)));
  SAY("lock again: %s", errname(pthread_mutex_lock(&m1)));
  pthread_mutex_unlock(&m1);
  pthread_create(&t, NULL, die_holding, &m2);
  pthread_join(t, NULL);
  SAY("trylock after owner died: %s", errname(pthread_mutex_trylock(&m2)));
  SAY("unlock without consistent: %s", errname(pthread_mutex_unlock(&m2)));
  SAY("lock now: %s", errname(pthread_mutex_lock(&m2)));
  return 0;
}
