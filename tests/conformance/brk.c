/* brk: query, grow, use, shrink, regrow (zeroed), refuse below the start. */
#include "common.h"

static unsigned long brk_(unsigned long v) { return syscall(SYS_brk, v); }

int main(int argc, char **argv) {
  init(argc, argv);
  unsigned long cur = brk_(0);
  CHECK(cur != 0 && brk_(0) == cur);
  unsigned long base = (cur + PAGE - 1) & ~(PAGE - 1);
  CHECK(brk_(base) == base);
  CHECK(brk_(base + 3 * PAGE) == base + 3 * PAGE);
  char *h = (char *)base;
  memset(h, 'h', 3 * PAGE);
  CHECK(h[3 * PAGE - 1] == 'h');
  unsigned char v;
  CHECK(mincore(h + 2 * PAGE, PAGE, &v) == 0);
  /* shrink: the top page goes away */
  CHECK(brk_(base + PAGE) == base + PAGE);
  CHECK(mincore(h + 2 * PAGE, PAGE, &v) == -1 && errno == ENOMEM);
  CHECK(h[PAGE - 1] == 'h');
  /* regrow: new memory is zero */
  CHECK(brk_(base + 3 * PAGE) == base + 3 * PAGE);
  CHECK(h[PAGE - 1] == 'h' && h[PAGE] == 0 && h[3 * PAGE - 1] == 0);
  /* an unaligned break is returned as asked, memory is mapped to the page end */
  CHECK(brk_(base + 3 * PAGE + 100) == base + 3 * PAGE + 100);
  h[4 * PAGE - 1] = 1;
  CHECK(brk_(0) == base + 3 * PAGE + 100);
  /* refused requests return the current break */
  unsigned long now = brk_(0);
  CHECK(brk_(1) == now);
  CHECK(brk_(1UL << 46) == now);
  CHECK(brk_(-1UL) == now);
  /* a mapping in the way stops the break */
  char *blk = mmap((void *)(base + 8 * PAGE), PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (blk == (char *)(base + 8 * PAGE))
    CHECK(brk_(base + 10 * PAGE) == now);
  else
    SAY("FAIL: could not place the blocker");
  CHECK(brk_(base + 6 * PAGE) == base + 6 * PAGE);
  /* back to the start, then malloc still works */
  CHECK(brk_(cur) == cur);
  char *m = malloc(100000);
  CHECK(m != NULL);
  memset(m, 1, 100000);
  free(m);
  return 0;
}
