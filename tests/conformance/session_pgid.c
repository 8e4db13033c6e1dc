/* Sessions and groups: a child's setsid makes it leader of a new session and group
 * (getsid/getpgid agree), setsid of a group leader is EPERM, setpgid of a child after
 * it has exec'd is EACCES, setpgid of a non-child is ESRCH, moving into a group of
 * another session is EPERM. */
#include "proc.h"

int main(int argc, char **argv) {
  init(argc, argv);
  if (argc > 2 && !strcmp(argv[2], "wait-stdin")) {
    char c;
    (void)!read(0, &c, 1);
    return 0;
  }
  if (getpgrp() != getpid()) setpgid(0, 0);
  T(setsid()); /* we are a group leader */
  int *sh = shared_page();
  pid_t p = fork();
  if (p == 0) {
    pid_t s = setsid();
    sh[0] = s == getpid();
    sh[1] = getsid(0) == getpid();
    sh[2] = getpgrp() == getpid();
    sh[3] = setsid() == -1 && errno == EPERM;
    sh[4] = setpgid(0, getppid()) == -1 ? errno : 0;
    _exit(0);
  }
  reap(p, "child");
  SAY("child setsid: returned its pid %d, getsid %d, own group %d, second setsid EPERM %d, join old group %s", sh[0],
      sh[1], sh[2], sh[3], errname(sh[4]));
  /* setpgid on a child after it exec'd: EACCES */
  int in[2];
  if (pipe(in)) return 1;
  p = fork();
  if (p == 0) {
    dup2(in[0], 0);
    close(in[1]);
    char *args[] = {argv[0], argv[1], "wait-stdin", NULL};
    execv(argv[0], args);
    _exit(127);
  }
  close(in[0]);
  /* wait until the exec happened: poll the child's getsid? use a retry on EACCES */
  int r = -1, e = 0;
  for (int i = 0; i < 500; i++) {
    r = setpgid(p, p);
    e = errno;
    if (r == -1 && e == EACCES) break;
    usleep(2000);
  }
  SAY("setpgid after exec: %d %s", r, errname(e));
  close(in[1]);
  reap(p, "exec child");
  T(getsid(99999));
  return 0;
}
