/* Copy-up of a multi-page file keeps every byte: one byte changed in the middle, the
 * rest compared with the pattern; sparse extension past the end reads zeros. */
#include "ovl.h"

int main(int argc, char **argv) {
  init(argc, argv);
  size_t n = 3 * 4096 + 100;
  int fd = TOK(open(P("big.bin"), O_RDWR));
  T(pwrite(fd, "#", 1, 5000));
  static char buf[3 * 4096 + 100];
  T(pread(fd, buf, n, 0));
  int ok = 1;
  for (size_t i = 0; i < n; i++)
    if (buf[i] != (i == 5000 ? '#' : ovl_pat(i)))
      ok = 0;
  CHECK(ok);
  T(pwrite(fd, "E", 1, 40000));
  char z[16];
  T(pread(fd, z, 16, 30000));
  int zero = 1;
  for (int i = 0; i < 16; i++)
    if (z[i])
      zero = 0;
  CHECK(zero);
  close(fd);
  ovl_stat("big.bin");
  ovl_reset();
  return 0;
}
