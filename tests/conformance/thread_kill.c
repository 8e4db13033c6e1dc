/* pthread_kill/tgkill to a specific thread runs the handler in that thread (the
 * handler records gettid); the signal is thread-directed, so other threads never see
 * it; pthread_kill with signal 0 checks existence. */
#include "proc.h"

#define N 4
static pid_t tids[N];
static volatile pid_t handled_in[N];
static volatile int idx_for_sig;
static pthread_barrier_t bar;

static void handler(int sig) {
  (void)sig;
  handled_in[idx_for_sig] = tid();
}

static void *worker(void *arg) {
  long i = (long)arg;
  tids[i] = tid();
  pthread_barrier_wait(&bar); /* 1: tids published */
  pthread_barrier_wait(&bar); /* 2: all signals done */
  return NULL;
}

int main(int argc, char **argv) {
  init(argc, argv);
  install_handler(SIGUSR1, handler, 0);
  pthread_barrier_init(&bar, NULL, N + 1);
  pthread_t th[N];
  for (long i = 0; i < N; i++) pthread_create(&th[i], NULL, worker, (void *)i);
  pthread_barrier_wait(&bar);
  for (int i = N - 1; i >= 0; i--) {
    idx_for_sig = i;
    handled_in[i] = 0;
    int e = pthread_kill(th[i], SIGUSR1);
    /* wait for the handler (it runs in the target thread, asynchronously) */
    for (int k = 0; k < 2000 && !handled_in[i]; k++) usleep(500);
    SAY("pthread_kill thread %d: %s, handled in that thread %d", i, errname(e), handled_in[i] == tids[i]);
  }
  idx_for_sig = 0;
  handled_in[0] = 0;
  SAY("tgkill thread 2: %ld", syscall(SYS_tgkill, getpid(), tids[2], SIGUSR1));
  for (int k = 0; k < 2000 && !handled_in[0]; k++) usleep(500);
  SAY("handled in thread 2: %d", handled_in[0] == tids[2]);
  SAY("pthread_kill sig 0: %s", errname(pthread_kill(th[1], 0)));
  pthread_barrier_wait(&bar);
  for (int i = 0; i < N; i++) pthread_join(th[i], NULL);
  SAY("tgkill of an exited thread: %ld %s", syscall(SYS_tgkill, getpid(), tids[1], SIGUSR1), errname(errno));
  return 0;
}
