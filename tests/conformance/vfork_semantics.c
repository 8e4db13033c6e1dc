/* vfork: the child runs first and the parent is suspended until the child calls
 * _exit; the child shares the parent's memory, so its writes (globals, heap) are
 * visible to the parent. (vfork_exec covers execve in the child.) */
#include "proc.h"

static volatile int shared_var;
static volatile int order[4], n;

int main(int argc, char **argv) {
  init(argc, argv);
  char *heap = malloc(64);
  strcpy(heap, "parent");
  pid_t p = vfork();
  if (p == 0) {
    order[n++] = 1;
    shared_var = 42;
    strcpy(heap, "child");
    /* sleeping here must not let the parent run */
    struct timespec ts = {0, 100000000};
    nanosleep(&ts, NULL);
    order[n++] = 2;
    _exit(3);
  }
  order[n++] = 3;
  SAY("order: %d %d %d", order[0], order[1], order[2]);
  SAY("shared_var seen by parent: %d, heap: %s", shared_var, heap);
  reap(p, "vfork child");
  return 0;
}
