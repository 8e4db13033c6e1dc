/* SECCOMP_FILTER_FLAG_TSYNC: the filter reaches every thread of the process;
 * a thread with filters the caller lacks makes it fail with that thread's
 * tid (or ESRCH with TSYNC_ESRCH), and nothing is installed. TSYNC also
 * gives the other threads the caller's no_new_privs. */
#include "seccomp_common.h"
#include <pthread.h>

static int to_thread[2], to_main[2];
static volatile long thread_tid;

static void wait_for(int fd) {
  char c;
  if (read(fd, &c, 1) != 1)
    exit(90);
}

static void signal_to(int fd) {
  if (write(fd, "x", 1) != 1)
    exit(91);
}

static void *worker(void *arg) {
  (void)arg;
  thread_tid = syscall(SYS_gettid);
  signal_to(to_main[1]);
  /* Step 1: main installed a TSYNC filter. */
  wait_for(to_thread[0]);
  T(syscall(SYS_getppid));
  T(prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
  T(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
  /* Step 2: a filter of this thread's own. */
  T(install_rule(SYS_getpgid, SECCOMP_RET_ERRNO | ENOTTY, 0));
  signal_to(to_main[1]);
  /* Step 3: main's TSYNC failed; nothing changed here. */
  wait_for(to_thread[0]);
  T(syscall(SYS_getsid, 0) >= 0);
  signal_to(to_main[1]);
  return NULL;
}

int main(int argc, char **argv) {
  init(argc, argv);
  if (pipe(to_thread) || pipe(to_main))
    return 2;
  pthread_t th;
  T(pthread_create(&th, NULL, worker, NULL));
  wait_for(to_main[0]);
  /* After the thread exists: TSYNC gives it no_new_privs too. */
  T(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
  T(prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
  /* The other thread has no filter: the sync succeeds. */
  T(install_rule(SYS_getppid, SECCOMP_RET_ERRNO | EPERM, SECCOMP_FILTER_FLAG_TSYNC));
  T(syscall(SYS_getppid));
  signal_to(to_thread[1]);
  wait_for(to_main[0]);
  /* The thread's own filter is not in main's chain. */
  T(syscall(SYS_getpgid, 0) >= 0);
  errno = 0;
  long r = install_rule(SYS_getsid, SECCOMP_RET_ERRNO | EBUSY, SECCOMP_FILTER_FLAG_TSYNC);
  SAY("tsync with a diverged thread: returns the thread's tid: %s", r == thread_tid ? "yes" : "no");
  T(install_rule(SYS_getsid, SECCOMP_RET_ERRNO | EBUSY,
                 SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH));
  /* Nothing was installed anywhere. */
  T(syscall(SYS_getsid, 0) >= 0);
  signal_to(to_thread[1]);
  wait_for(to_main[0]);
  T(pthread_join(th, NULL));
  /* Alone again: TSYNC succeeds. */
  T(install_rule(SYS_getsid, SECCOMP_RET_ERRNO | EBUSY, SECCOMP_FILTER_FLAG_TSYNC));
  T(syscall(SYS_getsid, 0));
  return 0;
}
