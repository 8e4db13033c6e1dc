/* msync on anonymous and file mappings: flags, alignment, unmapped ranges. */
#include "common.h"

int main(int argc, char **argv) {
  init(argc, argv);
  char *p = pages(4);
  p[0] = 1;
  T(msync(p, 4 * PAGE, MS_SYNC));
  T(msync(p, 4 * PAGE, MS_ASYNC));
  T(msync(p, 4 * PAGE, MS_INVALIDATE));
  T(msync(p, 4 * PAGE, MS_SYNC | MS_INVALIDATE));
  T(msync(p, 4 * PAGE, MS_SYNC | MS_ASYNC));
  T(msync(p, 4 * PAGE, 0));
  T(msync(p, 4 * PAGE, 8));
  T(msync(p + 1, PAGE, MS_SYNC));
  T(msync(p, 0, MS_SYNC));
  T(msync(p, 1, MS_SYNC));
  T(msync(unmapped_page(), PAGE, MS_SYNC));
  char *q = page_then_hole();
  T(msync(q, 2 * PAGE, MS_SYNC));
  T(msync(p, 1UL << 50, MS_ASYNC));
  CHECK(p[0] == 1);
  int fd = T(open(fx("big.bin"), O_RDONLY));
  char *f = TMAP(mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
  f[0] = '!';
  T(msync(f, 2 * PAGE, MS_SYNC));
  T(msync(f, 2 * PAGE, MS_INVALIDATE));
  CHECK(f[0] == '!');
  char c;
  T(pread(fd, &c, 1, 0));
  CHECK(c == (char)pattern_byte(0));
  int *s = TMAP(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  s[0] = 9;
  T(msync(s, PAGE, MS_SYNC));
  CHECK(s[0] == 9);
  return 0;
}
