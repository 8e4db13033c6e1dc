/* getpriority/setpriority: raw values (20 - nice), clamping, targets,
 * permission rules after dropping root in a child. */
#include "common.h"
#include <sys/resource.h>
#include <sys/wait.h>

static void show(const char *what, long r) {
  if (r < 0)
    printf("%s: -1 %s\n", what, errname(errno));
  else
    printf("%s: %ld\n", what, r);
  errno = 0;
}

static long gp(int which, int who) { return syscall(SYS_getpriority, which, who); }
static long sp(int which, int who, int v) { return syscall(SYS_setpriority, which, who, v); }

int main(void) {
  /* Start from nice 0 whatever the nice value inherited from the host. */
  sp(PRIO_PROCESS, 0, 0);
  show("get self", gp(PRIO_PROCESS, 0));
  show("get pid", gp(PRIO_PROCESS, getpid()));
  show("get bad which", gp(3, 0));
  show("get missing", gp(PRIO_PROCESS, 4000000));
  show("set bad which", sp(3, 0, 0));
  show("set missing", sp(PRIO_PROCESS, 4000000, 0));
  show("set 5", sp(PRIO_PROCESS, 0, 5));
  show("get", gp(PRIO_PROCESS, 0));
  show("set 100", sp(PRIO_PROCESS, 0, 100));
  show("get", gp(PRIO_PROCESS, 0));
  show("set -100", sp(PRIO_PROCESS, 0, -100));
  show("get", gp(PRIO_PROCESS, 0));
  show("set 0", sp(PRIO_PROCESS, 0, 0));
  errno = 0;
  int n = getpriority(PRIO_PROCESS, 0);
  printf("glibc getpriority: %d %s\n", n, errname(errno));

  /* A child inherits the nice value; the parent can renice it. */
  show("set 3", sp(PRIO_PROCESS, 0, 3));
  int go[2];
  pipe(go);
  pid_t c = fork();
  if (c == 0) {
    char b;
    read(go[0], &b, 1);
    printf("child nice: %d\n", getpriority(PRIO_PROCESS, 0));
    fflush(stdout);
    _exit(0);
  }
  show("get child", gp(PRIO_PROCESS, c));
  show("renice child", sp(PRIO_PROCESS, c, 7));
  write(go[1], "x", 1);
  waitpid(c, NULL, 0);
  /* Process group and user targets only in a child of its own group and
   * uid (never touching other host processes). */
  c = fork();
  if (c == 0) {
    setpgid(0, 0);
    show("set pgrp 2", sp(PRIO_PGRP, 0, 2));
    show("get", gp(PRIO_PROCESS, 0));
    show("get pgrp", gp(PRIO_PGRP, getpid()));
    if (setresuid(4243, 4243, 4243) != 0) _exit(1);
    show("get user", gp(PRIO_USER, 0));
    show("set user 4", sp(PRIO_USER, 0, 4));
    show("get", gp(PRIO_PROCESS, 0));
    show("get user 4244", gp(PRIO_USER, 4244));
    fflush(stdout);
    _exit(0);
  }
  waitpid(c, NULL, 0);

  /* Unprivileged: raising nice is fine, lowering needs RLIMIT_NICE. */
  c = fork();
  if (c == 0) {
    if (setresuid(1000, 1000, 1000) != 0) {
      printf("setresuid failed\n");
      _exit(1);
    }
    show("unpriv set 10", sp(PRIO_PROCESS, 0, 10));
    show("unpriv set 5", sp(PRIO_PROCESS, 0, 5));
    show("unpriv set parent", sp(PRIO_PROCESS, getppid(), 10));
    struct rlimit rl = {30, 30};
    show("rlimit nice 30 (unpriv raise)", setrlimit(RLIMIT_NICE, &rl));
    rl.rlim_cur = rl.rlim_max = 15;
    show("rlimit nice 15", setrlimit(RLIMIT_NICE, &rl));
    show("unpriv set 5 with rlimit", sp(PRIO_PROCESS, 0, 5));
    show("unpriv set 4 with rlimit", sp(PRIO_PROCESS, 0, 4));
    show("get", gp(PRIO_PROCESS, 0));
    fflush(stdout);
    _exit(0);
  }
  int st;
  waitpid(c, &st, 0);
  printf("child status: %d\n", WEXITSTATUS(st));
  show("set 0", sp(PRIO_PROCESS, 0, 0));
  return 0;
}
