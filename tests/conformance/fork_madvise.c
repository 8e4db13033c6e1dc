/* MADV_DONTFORK: the range is absent in the child (an access is SIGSEGV);
 * MADV_DOFORK undoes it. MADV_WIPEONFORK: the child sees zeros, the parent keeps its
 * data; MADV_KEEPONFORK undoes it; WIPEONFORK on a shared mapping is EINVAL. */
#include "proc.h"

int main(int argc, char **argv) {
  init(argc, argv);
  no_core();
  char *a = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  memset(a, 'd', 2 * PAGE);
  T(madvise(a, PAGE, MADV_DONTFORK));
  pid_t p = fork();
  if (p == 0) {
    printf("child: second page still there: %c\n", a[PAGE]);
    printf("child: touching the DONTFORK page\n");
    (void)*(volatile char *)a;
    _exit(0);
  }
  reap(p, "dontfork child");
  SAY("parent still has it: %c", a[0]);
  T(madvise(a, PAGE, MADV_DOFORK));
  p = fork();
  if (p == 0) {
    printf("child after DOFORK: %c\n", a[0]);
    _exit(0);
  }
  reap(p, "dofork child");
  char *w = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  memset(w, 'w', 2 * PAGE);
  T(madvise(w, PAGE, MADV_WIPEONFORK));
  p = fork();
  if (p == 0) {
    printf("child: wiped page %d, other page %c\n", w[0], w[PAGE]);
    w[0] = 'c';
    _exit(0);
  }
  reap(p, "wipeonfork child");
  SAY("parent keeps: %c", w[0]);
  T(madvise(w, PAGE, MADV_KEEPONFORK));
  p = fork();
  if (p == 0) {
    printf("child after KEEPONFORK: %c\n", w[0]);
    _exit(0);
  }
  reap(p, "keeponfork child");
  char *s = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  T(madvise(s, PAGE, MADV_WIPEONFORK));
  return 0;
}
