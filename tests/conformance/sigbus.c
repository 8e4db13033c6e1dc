/* Touching a file mapping beyond the last page of the file raises SIGBUS (exit 135). */
#include "common.h"

int main(int argc, char **argv) {
  init(argc, argv);
  int fd = T(open(fx("small.txt"), O_RDONLY));
  volatile char *m = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
  CHECK(m != MAP_FAILED);
  SAY("first page: %c, tail zero: %d", m[0], m[PAGE - 1]);
  fflush(stdout);
  (void)m[PAGE + 1];
  SAY("FAIL: no SIGBUS");
  return 1;
}
