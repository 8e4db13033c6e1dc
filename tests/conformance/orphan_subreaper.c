/* Orphan reparenting: with PR_SET_CHILD_SUBREAPER set on this program, a grandchild
 * whose parent exits is reparented to us (getppid changes to our pid) and we can reap
 * it. Without the subreaper flag the grandchild goes elsewhere and wait() sees only
 * our own children. */
#include "proc.h"

int main(int argc, char **argv) {
  init(argc, argv);
  int v = -1;
  T(prctl(PR_GET_CHILD_SUBREAPER, &v));
  SAY("initially subreaper %d", v);
  T(prctl(PR_SET_CHILD_SUBREAPER, 1));
  prctl(PR_GET_CHILD_SUBREAPER, &v);
  SAY("now subreaper %d", v);
  int *sh = shared_page();
  pid_t me = getpid();
  int gate[2], done[2];
  if (pipe(gate) || pipe(done)) return 1;
  pid_t c = fork();
  if (c == 0) {
    pid_t g = fork();
    if (g == 0) {
      sh[0] = getppid() == me ? 1 : 2; /* 2: parent is the middle child */
      close(gate[1]);
      char x;
      (void)!read(gate[0], &x, 1); /* EOF when the middle child exits... and we close ours */
      /* wait until reparented */
      for (int i = 0; i < 2000 && getppid() != me; i++) usleep(1000);
      sh[1] = getppid() == me;
      sh[2] = getpid();
      _exit(9);
    }
    sh[3] = g;
    while (sh[0] == 0) usleep(1000); /* the grandchild has looked at its parent */
    _exit(3);
  }
  close(gate[0]);
  reap(c, "middle child");
  close(gate[1]);
  int st;
  pid_t r = waitpid(-1, &st, 0);
  SAY("grandchild saw middle parent first %d, reparented to us %d", sh[0] == 2, sh[1]);
  SAY("reaped the grandchild: %d", r == sh[3] && r == sh[2]);
  show_status("grandchild", st);
  errno = 0;
  SAY("then: %d %s", waitpid(-1, &st, 0), errname(errno));
  /* subreaper flag is not inherited by fork */
  c = fork();
  if (c == 0) {
    int w = -1;
    prctl(PR_GET_CHILD_SUBREAPER, &w);
    _exit(w);
  }
  reap(c, "child's subreaper flag");
  return 0;
}
