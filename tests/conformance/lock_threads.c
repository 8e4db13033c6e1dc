/* Threads of one process share POSIX lock ownership (the fd table), while
 * OFD locks of different opens conflict between threads; F_OFD_SETLKW in a
 * thread wakes when the other thread's description unlocks. */
#include "lockutil.h"
#include <pthread.h>

static int a, b, waited = 99;

static void *t1(void *arg) {
  (void)arg;
  /* The main thread holds a POSIX write lock: same owner, no conflict. */
  T(lk_set(a, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
  /* b's OFD request conflicts with a's OFD lock. */
  T(lk_set(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 50, 1));
  fflush(stdout);
  waited = lk_set(b, F_OFD_SETLKW, F_WRLCK, SEEK_SET, 50, 1);
  return NULL;
}

int main(int argc, char **argv) {
  (void)argc; (void)argv;
  a = lk_open("lock_threads", O_RDWR);
  b = open(lk_path, O_RDWR);
  T(lk_set(a, F_SETLK, F_WRLCK, SEEK_SET, 0, 20));
  T(lk_set(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 50, 10));
  fflush(stdout);
  pthread_t th;
  pthread_create(&th, NULL, t1, NULL);
  usleep(200000);
  int u = lk_set(a, F_OFD_SETLK, F_UNLCK, SEEK_SET, 0, 0);
  pthread_join(th, NULL);
  printf("unlock = %d, thread ofd setlkw = %d\n", u, waited);
  lk_get("ofd by b", a, F_OFD_GETLK, F_WRLCK, 0, 0, getpid());
  lk_get("ofd by b 50..", a, F_OFD_GETLK, F_WRLCK, 50, 0, getpid());
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) {
    lk_get("child sees", a, F_GETLK, F_WRLCK, 0, 0, getppid());
    fflush(stdout);
    _exit(0);
  }
  lk_wait(c);
  unlink(lk_path);
  return 0;
}
