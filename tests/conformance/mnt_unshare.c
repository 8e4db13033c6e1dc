/* unshare(2): flag validation, CLONE_FS (a thread's chdir/umask no longer affects the
 * others), CLONE_FILES (a thread's close no longer affects the others), CLONE_NEWNS
 * implying CLONE_FS, and unsharing thread state in a multi-threaded process. */
#include "mnt_common.h"
#include <pthread.h>

static int pfd[2];
static volatile int stage;

static void *thread_fs(void *arg) {
  (void)arg;
  T(unshare(CLONE_FS));
  T(chdir("/tmp"));
  T(umask(077));
  return NULL;
}

static void *thread_files(void *arg) {
  (void)arg;
  T(unshare(CLONE_FILES));
  T(close(pfd[0]));
  T(fcntl(pfd[0], F_GETFD));
  return NULL;
}

static void *thread_newns(void *arg) {
  (void)arg;
  T(unshare(CLONE_NEWNS));
  T(chdir("/tmp"));
  return NULL;
}

static void *thread_vm(void *arg) {
  (void)arg;
  T(unshare(CLONE_VM));
  T(unshare(CLONE_THREAD));
  T(unshare(CLONE_SIGHAND));
  return NULL;
}

static void run(void *(*fn)(void *)) {
  pthread_t t;
  pthread_create(&t, NULL, fn, NULL);
  pthread_join(t, NULL);
}

int main(void) {
  T(unshare(0));
  T(unshare(0x1));
  T(unshare(CLONE_PARENT));
  T(unshare(CLONE_VM));
  T(unshare(CLONE_FS | CLONE_FILES | CLONE_SYSVSEM));
  MUST(chdir("/"));
  umask(022);
  run(thread_fs);
  char buf[256];
  printf("main cwd after thread unshared fs: %s\n", getcwd(buf, sizeof buf));
  printf("main umask: %o\n", umask(022));
  MUST(pipe(pfd));
  run(thread_files);
  T(fcntl(pfd[0], F_GETFD));
  run(thread_newns);
  printf("main cwd after thread unshared ns: %s\n", getcwd(buf, sizeof buf));
  run(thread_vm);
  return 0;
}
