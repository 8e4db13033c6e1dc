/* mincore: touched pages are resident; ENOMEM for unmapped ranges; EINVAL; EFAULT. */
#include "common.h"

int main(int argc, char **argv) {
  init(argc, argv);
  unsigned char vec[16];
  char *p = pages(4);
  for (int i = 0; i < 4; i++)
    p[i * PAGE] = 1;
  memset(vec, 0xff, sizeof vec);
  T(mincore(p, 4 * PAGE, vec));
  SAY("resident bits: %d %d %d %d", vec[0] & 1, vec[1] & 1, vec[2] & 1, vec[3] & 1);
  T(mincore(p, 1, vec)); /* length rounded up */
  T(mincore(p, 0, vec));
  T(mincore(p + 1, PAGE, vec));
  T(mincore(unmapped_page(), PAGE, vec));
  char *q = page_then_hole();
  q[0] = 1;
  T(mincore(q, 2 * PAGE, vec));
  T(mincore(p, PAGE, BADPTR));
  T(mincore(p, 4 * PAGE, (unsigned char *)unmapped_page()));
  T(mincore(p, 1UL << 50, vec));
  T(mincore((void *)0xffff800000000000UL, PAGE, vec));
  /* PROT_NONE pages are still mapped */
  char *n = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  T(mincore(n, PAGE, vec));
  /* file pages that were just read are resident */
  int fd = T(open(fx("big.bin"), O_RDONLY));
  char *f = TMAP(mmap(NULL, 3 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0));
  volatile char c = f[0] + f[PAGE] + f[2 * PAGE];
  (void)c;
  T(mincore(f, 3 * PAGE, vec));
  SAY("file resident bits: %d %d %d", vec[0] & 1, vec[1] & 1, vec[2] & 1);
  return 0;
}
