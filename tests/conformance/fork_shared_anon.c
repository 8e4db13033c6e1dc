/* MAP_SHARED anonymous memory stays shared after fork, both ways and with
 * grandchildren, and after the parent's mprotect; a MAP_PRIVATE mapping next to it
 * does not. */
#include "proc.h"

int main(int argc, char **argv) {
  init(argc, argv);
  volatile int *sh = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  volatile int *pr = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  sh[0] = 1;
  pr[0] = 1;
  int go[2];
  if (pipe(go)) return 1;
  pid_t p = fork();
  if (p == 0) {
    char c;
    sh[1] = 100;
    sh[3 * PAGE / 4] = 300; /* a page untouched before the fork */
    pr[0] = 100;
    if (read(go[0], &c, 1) != 1) _exit(2);
    printf("child sees parent's later write: %d\n", sh[2]);
    pid_t q = fork();
    if (q == 0) {
      sh[4] = 400;
      _exit(0);
    }
    waitpid(q, NULL, 0);
    _exit(0);
  }
  while (sh[1] != 100) usleep(1000);
  SAY("parent sees child's write: %d, far page %d, private unchanged %d", sh[1], sh[3 * PAGE / 4], pr[0]);
  sh[2] = 200;
  if (write(go[1], "x", 1) != 1) return 1;
  reap(p, "child");
  SAY("grandchild's write: %d", sh[4]);
  /* shared counter incremented by 10 children, each in turn */
  sh[10] = 0;
  for (int i = 0; i < 10; i++) {
    p = fork();
    if (p == 0) {
      sh[10] += i;
      _exit(0);
    }
    waitpid(p, NULL, 0);
  }
  SAY("sum from children: %d", sh[10]);
  return 0;
}
