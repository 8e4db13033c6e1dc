/* mmap/mprotect/munmap argument checking and basic semantics. */
#include "common.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define RW (PROT_READ | PROT_WRITE)

int main(int argc, char **argv) {
  init(argc, argv);
  TMAP(mmap(NULL, 0, RW, ANON, -1, 0));
  TMAP(mmap(NULL, PAGE, RW, MAP_ANONYMOUS, -1, 0));
  TMAP(mmap(NULL, PAGE, RW, MAP_SHARED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  TMAP(mmap(NULL, PAGE, RW, ANON, -1, 123)); /* offset ignored? no: must be aligned */
  TMAP(mmap(NULL, PAGE, RW, ANON, -1, PAGE));
  TMAP(mmap(NULL, PAGE, RW, MAP_PRIVATE, -1, 0));
  TMAP(mmap(NULL, PAGE, RW, MAP_PRIVATE, 999, 0));
  TMAP(mmap(NULL, 1UL << 47, RW, ANON, -1, 0));
  TMAP(mmap(NULL, -PAGE, RW, ANON, -1, 0));
  TMAP(mmap(NULL, PAGE, RW | 0x100, ANON, -1, 0));
  TMAP(mmap(NULL, 1, RW, ANON, -1, 0)); /* rounded up */
  char *base = TMAP(mmap(NULL, 4 * PAGE, RW, ANON, -1, 0));
  CHECK(((unsigned long)base & (PAGE - 1)) == 0);
  /* anonymous memory is zeroed */
  int nz = 0;
  for (size_t i = 0; i < 4 * PAGE; i++)
    nz |= base[i];
  CHECK(nz == 0);
  /* MAP_FIXED needs an aligned address */
  TMAP(mmap(base + 1, PAGE, RW, ANON | MAP_FIXED, -1, 0));
  /* MAP_FIXED over an existing mapping replaces it (fresh zero page) */
  base[PAGE] = 'x';
  char *f = TMAP(mmap(base + PAGE, PAGE, RW, ANON | MAP_FIXED, -1, 0));
  CHECK(f == base + PAGE && base[PAGE] == 0);
  /* MAP_FIXED_NOREPLACE */
  TMAP(mmap(base + PAGE, PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0));
  TMAP(mmap(base + 3 * PAGE, 2 * PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0));
  char *hole = unmapped_page();
  char *nr = TMAP(mmap(hole, PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0));
  CHECK(nr == hole);
  munmap(nr, PAGE);
  /* a free hint is honoured */
  char *h = mmap(hole, PAGE, RW, ANON, -1, 0);
  CHECK(h == hole);
  munmap(h, PAGE);
  /* shared anonymous memory */
  int *sh = TMAP(mmap(NULL, PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  sh[10] = 42;
  CHECK(sh[10] == 42 && sh[0] == 0);
  /* PROT_NONE, then mprotect, then touch */
  char *pn = TMAP(mmap(NULL, 2 * PAGE, PROT_NONE, ANON, -1, 0));
  T(mprotect(pn, PAGE, PROT_READ));
  CHECK(pn[5] == 0);
  T(mprotect(pn, 2 * PAGE, RW));
  pn[PAGE + 5] = 7;
  CHECK(pn[PAGE + 5] == 7);
  T(mprotect(pn, 2 * PAGE, PROT_READ));
  CHECK(pn[PAGE + 5] == 7);
  T(mprotect(pn, 2 * PAGE, PROT_NONE));
  T(mprotect(pn, 2 * PAGE, RW));
  CHECK(pn[PAGE + 5] == 7); /* contents survive PROT_NONE */
  /* mprotect errors */
  T(mprotect(pn + 1, PAGE, PROT_READ));
  T(mprotect(pn, PAGE, 0x100));
  T(mprotect(pn, 0, PROT_READ));
  T(mprotect(pn, 1, PROT_READ)); /* length rounded up */
  T(mprotect(unmapped_page(), PAGE, PROT_READ));
  char *pn3 = pages(3);
  munmap(pn3 + 2 * PAGE, PAGE);
  T(mprotect(pn3, 3 * PAGE, PROT_READ)); /* runs past the end */
  T(mprotect(pn, -PAGE, PROT_READ)); /* end wraps around */
  T(mprotect(pn, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC));
  T(mprotect(pn, PAGE, PROT_GROWSDOWN | PROT_READ));
  /* munmap */
  T(munmap(base + 1, PAGE));
  T(munmap(base, 0));
  T(munmap(unmapped_page(), PAGE)); /* unmapping nothing is fine */
  T(munmap(base, 4 * PAGE));
  T(munmap(base, 4 * PAGE));
  T(munmap((void *)0xffffffffff000000UL, PAGE));
  T(munmap(NULL, PAGE));
  /* MAP_POPULATE, MAP_NORESERVE, MAP_GROWSDOWN */
  char *pp = TMAP(mmap(NULL, 8 * PAGE, RW, ANON | MAP_POPULATE, -1, 0));
  CHECK(pp[7 * PAGE] == 0);
  char *nrv = TMAP(mmap(NULL, 1UL << 32, RW, ANON | MAP_NORESERVE, -1, 0));
  nrv[(1UL << 32) - 1] = 1;
  T(munmap(nrv, 1UL << 32));
  char *gd = TMAP(mmap(NULL, 4 * PAGE, RW, ANON | MAP_GROWSDOWN, -1, 0));
  gd[3 * PAGE] = 1;
  /* MAP_32BIT gives an address below 2 GiB */
  char *lo = TMAP(mmap(NULL, PAGE, RW, ANON | MAP_32BIT, -1, 0));
  CHECK((unsigned long)lo < (1UL << 31));
  /* /dev/zero private mapping is anonymous memory */
  int z = T(open("/dev/zero", O_RDWR));
  char *zm = TMAP(mmap(NULL, 2 * PAGE, RW, MAP_PRIVATE, z, 0));
  zm[1] = 1;
  CHECK(zm[0] == 0 && zm[1] == 1 && zm[2 * PAGE - 1] == 0);
  /* mapping /dev/null is not possible */
  int n = T(open("/dev/null", O_RDWR));
  TMAP(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, n, 0));
  return 0;
}
