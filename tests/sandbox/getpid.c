/* Sandbox-only: the first process of a sandbox is pid 1 and has no parent inside. */
#include "common.h"

int main(int argc, char **argv) {
  init(argc, argv);
  SAY("getpid %d", getpid());
  SAY("gettid %ld", syscall(SYS_gettid));
  SAY("getppid %d", getppid());
  return 0;
}
