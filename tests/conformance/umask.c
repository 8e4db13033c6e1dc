/* umask: returns the previous mask; only the permission bits are kept. */
#include "common.h"

int main(int argc, char **argv) {
  init(argc, argv);
  umask(022);
  printf("umask(077) = %04o\n", umask(077));
  printf("umask(0) = %04o\n", umask(0));
  printf("umask(01777) = %04o\n", umask(01777));
  printf("umask(0xffffffff) = %04o\n", umask(0xffffffff));
  printf("raw umask(022) = %04lo\n", syscall(SYS_umask, 022));
  printf("raw umask(-1) = %04lo\n", syscall(SYS_umask, -1));
  printf("raw umask(0) = %04lo\n", syscall(SYS_umask, 0));
  return 0;
}
