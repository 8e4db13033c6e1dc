/* madvise: DONTNEED re-zeroes private anonymous memory, reloads private file pages,
 * keeps shared memory; errors. */
#include "common.h"

int main(int argc, char **argv) {
  init(argc, argv);
  char *p = TMAP(mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  memset(p, 0xAA, 4 * PAGE);
  T(madvise(p + PAGE, 2 * PAGE, MADV_DONTNEED));
  CHECK((unsigned char)p[0] == 0xAA && p[PAGE] == 0 && p[3 * PAGE - 1] == 0 && (unsigned char)p[3 * PAGE] == 0xAA);
  /* after DONTNEED the memory is usable again */
  p[PAGE] = 5;
  CHECK(p[PAGE] == 5);
  /* shared anonymous memory keeps its contents */
  char *s = TMAP(mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  memset(s, 0x11, 2 * PAGE);
  T(madvise(s, 2 * PAGE, MADV_DONTNEED));
  CHECK(s[0] == 0x11 && s[2 * PAGE - 1] == 0x11);
  /* a private file mapping goes back to the file's bytes */
  int fd = T(open(fx("big.bin"), O_RDONLY));
  char *f = TMAP(mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
  f[10] = '#';
  f[PAGE + 10] = '#';
  T(madvise(f, PAGE, MADV_DONTNEED));
  CHECK(f[10] == (char)pattern_byte(10) && f[PAGE + 10] == '#');
  /* harmless advice */
  T(madvise(p, 4 * PAGE, MADV_NORMAL));
  T(madvise(p, 4 * PAGE, MADV_RANDOM));
  T(madvise(p, 4 * PAGE, MADV_SEQUENTIAL));
  T(madvise(p, 4 * PAGE, MADV_WILLNEED));
  T(madvise(f, 2 * PAGE, MADV_WILLNEED));
  T(madvise(p, 0, MADV_DONTNEED));
  CHECK(p[PAGE] == 5);
  /* errors */
  T(madvise(p + 1, PAGE, MADV_DONTNEED));
  T(madvise(p, PAGE, 12345));
  T(madvise(p, PAGE, -1));
  char *hole = unmapped_page();
  T(madvise(hole, PAGE, MADV_DONTNEED));
  T(madvise(hole, PAGE, MADV_NORMAL));
  T(madvise(p, -PAGE, MADV_NORMAL)); /* end wraps around */
  /* a range that runs into a hole still applies to the mapped part, then ENOMEM */
  char *q = TMAP(mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  memset(q, 7, 2 * PAGE);
  munmap(q + PAGE, PAGE);
  T(madvise(q, 2 * PAGE, MADV_DONTNEED));
  CHECK(q[0] == 0);
  return 0;
}
