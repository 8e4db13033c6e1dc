/* Process groups and kill: setpgid into a new group, kill(-pgid) and killpg reach
 * every member and only them, kill(0) reaches our own group (the program first makes
 * its own group), errors ESRCH/EPERM/EINVAL. */
#include "proc.h"

static volatile int hits;
static void handler(int sig) { (void)sig; hits++; }

static pid_t sleeper(pid_t pgid, int *hold) {
  pid_t p = fork();
  if (p == 0) {
    setpgid(0, pgid);
    close(hold[1]);
    char c;
    (void)!read(hold[0], &c, 1);
    _exit(0);
  }
  setpgid(p, pgid); /* both sides, so no race */
  return p;
}

int main(int argc, char **argv) {
  init(argc, argv);
  if (getpgrp() != getpid()) setpgid(0, 0);
  SAY("leader of own group: %d", getpgrp() == getpid());
  int hold[2];
  if (pipe(hold)) return 1;
  pid_t a = sleeper(0, hold);
  pid_t b = sleeper(a, hold);
  pid_t c = sleeper(a, hold);
  pid_t other = sleeper(getpgrp(), hold);
  SAY("group of b is a: %d, c is a: %d, other is ours: %d", getpgid(b) == a, getpgid(c) == a,
      getpgid(other) == getpgrp());
  T(kill(-a, SIGTERM));
  reap(a, "a");
  reap(b, "b");
  reap(c, "c");
  SAY("other still alive: %d", waitpid(other, NULL, WNOHANG) == 0);
  T(kill(-a, SIGTERM));
  a = sleeper(0, hold);
  b = sleeper(a, hold);
  T(killpg(a, SIGUSR1));
  reap(a, "killpg a");
  reap(b, "killpg b");
  /* kill(0): our whole group including ourselves */
  install_handler(SIGUSR2, handler, 0);
  T(kill(0, SIGUSR2));
  SAY("self got it: hits %d", hits);
  reap(other, "other (in our group)");
  close(hold[1]);
  /* errors */
  T(kill(-99999, SIGTERM));
  T(setpgid(0, 99999));
  T(setpgid(-1, 0));
  T(getpgid(99999));
  T(getpgid(0) == getpgrp());
  pid_t p = fork();
  if (p == 0) {
    setsid();
    pause();
    _exit(0);
  }
  msleep(50);
  T(setpgid(p, getpgrp())); /* a child in another session */
  kill(p, SIGKILL);
  reap(p, "session child");
  return 0;
}
