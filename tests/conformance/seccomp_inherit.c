/* Filters are inherited by fork and clone children and kept across execve;
 * a child's own filters do not reach its parent. argv[2]: the helper. */
#include "seccomp_common.h"
#include <pthread.h>

static long thread_ret, thread_errno;

static void *in_thread(void *arg) {
  (void)arg;
  errno = 0;
  thread_ret = syscall(SYS_getppid);
  thread_errno = errno;
  return NULL;
}

int main(int argc, char **argv) {
  init(argc, argv);
  if (argc < 3) {
    SAY("usage: seccomp_inherit fixtures helper");
    return 2;
  }
  T(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
  T(install_rule(SYS_getppid, SECCOMP_RET_ERRNO | EPERM, 0));
  T(syscall(SYS_getppid));

  pthread_t th;
  T(pthread_create(&th, NULL, in_thread, NULL));
  T(pthread_join(th, NULL));
  show_result("thread: getppid", thread_ret, (int)thread_errno);

  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    T(syscall(SYS_getppid));
    T(prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
    /* The child's own filter stays in the child. */
    T(install_rule(SYS_getpgid, SECCOMP_RET_ERRNO | ENOTTY, 0));
    T(syscall(SYS_getpgid, 0));
    fflush(stdout);
    _exit(0);
  }
  report_child(pid, "fork child");
  CHECK(syscall(SYS_getpgid, 0) >= 0);

  fflush(stdout);
  pid = fork();
  if (pid == 0) {
    execl(argv[2], argv[2], (char *)NULL);
    _exit(127);
  }
  report_child(pid, "exec child");

  /* The process itself execs: still filtered. */
  fflush(stdout);
  execl(argv[2], argv[2], (char *)NULL);
  SAY("execl failed");
  return 1;
}
