/* getrandom: lengths, flags, EINVAL, EFAULT, partial copies at unmapped pages. */
#include "common.h"
#include <sys/random.h>

int main(int argc, char **argv) {
  init(argc, argv);
  static unsigned char a[1 << 20], b[256];
  T(getrandom(a, 0, 0));
  T(getrandom(a, 1, 0));
  T(getrandom(a, 16, 0));
  T(getrandom(a, 256, 0));
  T(getrandom(a, 4096, GRND_NONBLOCK));
  T(getrandom(a, sizeof a, 0));
  T(getrandom(b, sizeof b, 0));
  CHECK(memcmp(a, b, sizeof b) != 0);
  T(getrandom(a, 16, GRND_RANDOM));
  T(getrandom(a, 16, GRND_RANDOM | GRND_NONBLOCK));
  T(getrandom(a, 16, GRND_INSECURE));
  T(getrandom(a, 16, GRND_INSECURE | GRND_RANDOM));
  T(getrandom(a, 16, 0x8));
  T(getrandom(a, 16, -1));
  T(syscall(SYS_getrandom, BADPTR, 16, 0));
  T(syscall(SYS_getrandom, NULL, 0, 0));
  T(syscall(SYS_getrandom, BADPTR, 0, 0));
  char *p = page_then_hole();
  T(syscall(SYS_getrandom, p + PAGE - 64, 64, 0));
  T(syscall(SYS_getrandom, p + PAGE - 64, 128, 0));
  T(syscall(SYS_getrandom, p + PAGE, 16, 0));
  char *ro = pages(2);
  mprotect(ro + PAGE, PAGE, PROT_READ);
  T(syscall(SYS_getrandom, ro + PAGE - 128, 256, 0));
  T(syscall(SYS_getrandom, ro + PAGE, 16, 0));
  return 0;
}
