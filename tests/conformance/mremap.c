/* mremap: shrink, grow in place, ENOMEM without MAYMOVE, move, MREMAP_FIXED, errors. */
#include "common.h"

#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

static int mapped(char *p) {
  unsigned char v;
  return mincore(p, PAGE, &v) == 0;
}

int main(int argc, char **argv) {
  init(argc, argv);
  /* shrink */
  char *a = TMAP(mmap(NULL, 4 * PAGE, RW, ANON, -1, 0));
  memset(a, 'a', 4 * PAGE);
  char *r = TMAP(mremap(a, 4 * PAGE, PAGE, 0));
  CHECK(r == a && a[PAGE - 1] == 'a');
  CHECK(!mapped(a + PAGE) && !mapped(a + 3 * PAGE));
  /* grow in place into the space just freed */
  r = TMAP(mremap(a, PAGE, 3 * PAGE, 0));
  CHECK(r == a && a[0] == 'a' && a[PAGE] == 0 && a[3 * PAGE - 1] == 0);
  /* growing into a neighbour mapping fails without MREMAP_MAYMOVE */
  char *b = TMAP(mmap(NULL, 3 * PAGE, RW, ANON, -1, 0));
  memset(b, 'b', 3 * PAGE);
  T(mprotect(b + PAGE, PAGE, PROT_NONE)); /* b[1] is now a separate mapping */
  TMAP(mremap(b, PAGE, 2 * PAGE, 0));
  /* with MAYMOVE it moves and keeps the contents */
  char *m = TMAP(mremap(b, PAGE, 2 * PAGE, MREMAP_MAYMOVE));
  CHECK(m != b && m[0] == 'b' && m[PAGE - 1] == 'b' && m[PAGE] == 0);
  CHECK(!mapped(b) && mapped(b + PAGE));
  /* MREMAP_FIXED onto a chosen address (replacing what is there) */
  char *dst = TMAP(mmap(NULL, 2 * PAGE, RW, ANON, -1, 0));
  dst[0] = 'd';
  char *f = TMAP(mremap(m, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, dst));
  CHECK(f == dst && dst[0] == 'b' && !mapped(m));
  /* errors */
  TMAP(mremap(dst + 1, PAGE, 2 * PAGE, MREMAP_MAYMOVE));
  TMAP(mremap(dst, PAGE, 0, MREMAP_MAYMOVE));
  TMAP(mremap(dst, PAGE, PAGE, 0x80));
  TMAP(mremap(dst, PAGE, PAGE, MREMAP_FIXED, dst + PAGE)); /* FIXED without MAYMOVE */
  TMAP(mremap(dst, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, dst + 1));
  TMAP(mremap(dst, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, dst + PAGE)); /* overlap */
  char *hole = unmapped_page();
  TMAP(mremap(hole, PAGE, 2 * PAGE, MREMAP_MAYMOVE));
  TMAP(mremap(dst, 8 * PAGE, 16 * PAGE, MREMAP_MAYMOVE)); /* old range not all mapped */
  TMAP(mremap(dst, 1UL << 50, PAGE, 0));
  TMAP(mremap(dst, PAGE, 1UL << 50, MREMAP_MAYMOVE));
  /* same size: nothing happens */
  r = TMAP(mremap(dst, 2 * PAGE, 2 * PAGE, 0));
  CHECK(r == dst && dst[0] == 'b');
  /* old_size 0 on a shared mapping makes a second view of the same pages */
  int *sh = TMAP(mmap(NULL, PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  int *dup = TMAP(mremap(sh, 0, PAGE, MREMAP_MAYMOVE));
  sh[3] = 33;
  CHECK(dup != sh && dup[3] == 33);
  /* old_size 0 on a private mapping is refused */
  TMAP(mremap(dst, 0, PAGE, MREMAP_MAYMOVE));
  /* a large grow-and-move keeps every page */
  char *big = TMAP(mmap(NULL, 16 * PAGE, RW, ANON, -1, 0));
  for (int i = 0; i < 16; i++)
    big[i * PAGE] = (char)(i + 1);
  mmap(big + 16 * PAGE, PAGE, PROT_NONE, ANON | MAP_FIXED_NOREPLACE, -1, 0);
  char *moved = TMAP(mremap(big, 16 * PAGE, 64 * PAGE, MREMAP_MAYMOVE));
  int good = 1;
  for (int i = 0; i < 16; i++)
    good &= moved[i * PAGE] == (char)(i + 1);
  CHECK(good && moved[63 * PAGE] == 0);
  return 0;
}
