/* write(2) to stdout (a pipe in both runs) from a buffer that runs into an unmapped page:
 * Linux writes nothing and returns EFAULT for a pipe. */
#include "common.h"
#include <sys/uio.h>

int main(int argc, char **argv) {
  init(argc, argv);
  char *p = page_then_hole();
  memcpy(p + PAGE - 6, "HELLO\n", 6);
  fflush(stdout);
  SAY("before");
  long r = write(1, p + PAGE - 6, 6);
  SAY("write of 6 mapped bytes = %ld", r);
  r = write(1, p + PAGE - 6, 12);
  int e = errno;
  SAY("write crossing into the hole = %ld %s", r, r < 0 ? errname(e) : "");
  struct iovec iov[2] = {{p + PAGE - 6, 6}, {p + PAGE, 6}};
  r = writev(1, iov, 2);
  e = errno;
  SAY("writev with an unmapped second iovec = %ld %s", r, r < 0 ? errname(e) : "");
  SAY("after");
  return 0;
}
