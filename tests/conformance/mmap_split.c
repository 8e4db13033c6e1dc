/* munmap/mprotect of the middle of a mapping split it in pieces that keep their data. */
#include "common.h"

static void residency(const char *label, char *p, size_t npages) {
  unsigned char vec[16];
  printf("%s:", label);
  for (size_t i = 0; i < npages; i++) {
    int r = mincore(p + i * PAGE, PAGE, vec);
    printf(" %s", r == 0 ? "M" : errno == ENOMEM ? "-" : errname(errno));
  }
  printf("\n");
}

int main(int argc, char **argv) {
  init(argc, argv);
  char *p = TMAP(mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  for (int i = 0; i < 8; i++)
    memset(p + i * PAGE, 'a' + i, PAGE);
  residency("before", p, 8);
  T(munmap(p + 3 * PAGE, 2 * PAGE));
  residency("after munmap 3-4", p, 8);
  SAY("page 2: %c, page 5: %c", p[2 * PAGE + 100], p[5 * PAGE]);
  /* make a hole at the very start and the end */
  T(munmap(p, PAGE));
  T(munmap(p + 7 * PAGE, PAGE));
  residency("after ends", p, 8);
  SAY("pages 1,2,5,6: %c %c %c %c", p[PAGE], p[2 * PAGE], p[5 * PAGE], p[6 * PAGE + 4095]);
  /* protect the middle of what is left */
  T(mprotect(p + 2 * PAGE, PAGE, PROT_READ));
  T(mprotect(p + PAGE, 2 * PAGE, PROT_READ)); /* spans two pieces */
  T(mprotect(p + PAGE, 6 * PAGE, PROT_READ)); /* spans the hole: ENOMEM */
  T(mprotect(p + 5 * PAGE, 2 * PAGE, PROT_READ | PROT_WRITE));
  p[6 * PAGE] = 'z';
  SAY("page 6 now: %c", p[6 * PAGE]);
  /* refill the hole with MAP_FIXED and check neighbours are intact */
  char *f = TMAP(mmap(p + 3 * PAGE, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
  CHECK(f == p + 3 * PAGE && f[0] == 0 && f[2 * PAGE - 1] == 0);
  residency("refilled", p, 8);
  SAY("pages 2,3,5: %c %d %c", p[2 * PAGE], p[3 * PAGE], p[5 * PAGE + 1]);
  /* one munmap across several pieces and holes */
  T(munmap(p, 8 * PAGE));
  residency("all gone", p, 8);
  /* split many times */
  char *q = TMAP(mmap(NULL, 64 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  for (int i = 0; i < 64; i++)
    q[i * PAGE] = (char)i;
  for (int i = 1; i < 64; i += 2)
    munmap(q + i * PAGE, PAGE);
  int good = 1;
  for (int i = 0; i < 64; i += 2)
    good &= q[i * PAGE] == (char)i;
  CHECK(good);
  for (int i = 0; i < 64; i += 4)
    mprotect(q + i * PAGE, PAGE, PROT_READ);
  good = 1;
  for (int i = 0; i < 64; i += 2)
    good &= q[i * PAGE] == (char)i;
  CHECK(good);
  residency("checkerboard", q, 8);
  return 0;
}
