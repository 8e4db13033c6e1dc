/* vfork + execve: the parent stays suspended until the child has exec'd (what the
 * child wrote to a pipe before execve is already there when vfork returns), the exec'd
 * program's exit code is collected; a failed execve in the child is followed by
 * _exit(127). Memory sharing is not relied on here (see vfork_semantics). */
#include "proc.h"

int main(int argc, char **argv) {
  init(argc, argv);
  if (argc > 2 && !strcmp(argv[2], "exec-child")) {
    printf("exec'd child running, pid==ppid-side value %d\n", getpid() == atoi(argv[3]));
    return 9;
  }
  int pf[2];
  if (pipe(pf)) return 1;
  fcntl(pf[0], F_SETFL, O_NONBLOCK);
  char pidbuf[32];
  pid_t p = vfork();
  if (p == 0) {
    snprintf(pidbuf, sizeof pidbuf, "%d", getpid());
    char *args[] = {argv[0], argv[1], "exec-child", pidbuf, NULL};
    struct timespec ts = {0, 100000000};
    nanosleep(&ts, NULL);
    (void)!write(pf[1], "before-exec", 11);
    execv(argv[0], args);
    _exit(127);
  }
  char buf[32] = {0};
  ssize_t n = read(pf[0], buf, sizeof buf - 1);
  int e = errno, st;
  waitpid(p, &st, 0); /* print only after the exec'd child has printed */
  SAY("parent resumed; the child's pre-exec write is there: %zd %s", n, n > 0 ? buf : errname(e));
  show_status("exec child", st);
  p = vfork();
  if (p == 0) {
    char *bad[] = {"/nonexistent/prog", NULL};
    execv(bad[0], bad);
    _exit(errno == ENOENT ? 127 : 126);
  }
  reap(p, "failed exec child");
  /* exec of a directory */
  p = vfork();
  if (p == 0) {
    char *bad[] = {"/", NULL};
    execv(bad[0], bad);
    _exit(errno == EACCES ? 126 : 125);
  }
  reap(p, "exec of a directory");
  return 0;
}
