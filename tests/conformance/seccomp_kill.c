/* SECCOMP_RET_KILL_PROCESS and KILL_THREAD: death by SIGSYS (the process, or
 * only the offending thread while others remain). argv[2] picks the case. */
#include "seccomp_common.h"
#include <pthread.h>

static void *offender(void *arg) {
  (void)arg;
  syscall(SYS_getppid);
  write(1, "thread survived\n", 16);
  return NULL;
}

int main(int argc, char **argv) {
  init(argc, argv);
  no_core();
  const char *mode = argc > 2 ? argv[2] : "process";
  T(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
  if (!strcmp(mode, "process")) {
    T(install_rule(SYS_getppid, SECCOMP_RET_KILL_PROCESS, 0));
    syscall(SYS_getppid);
    SAY("survived");
    return 0;
  }
  if (!strcmp(mode, "thread_last")) {
    /* KILL_THREAD on the only thread: the process dies by SIGSYS. */
    T(install_rule(SYS_getppid, SECCOMP_RET_KILL_THREAD, 0));
    syscall(SYS_getppid);
    SAY("survived");
    return 0;
  }
  if (!strcmp(mode, "thread")) {
    /* KILL_THREAD in a second thread: only that thread ends. */
    T(install_rule(SYS_getppid, SECCOMP_RET_KILL_THREAD, 0));
    pthread_t th;
    T(pthread_create(&th, NULL, offender, NULL));
    T(pthread_join(th, NULL));
    SAY("main thread alive");
    /* KILL_PROCESS in a forked child. */
    T(install_rule(SYS_getpgid, SECCOMP_RET_KILL_PROCESS, 0));
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
      syscall(SYS_getpgid, 0);
      _exit(0);
    }
    report_child(pid, "kill process child");
    return 0;
  }
  return 1;
}
