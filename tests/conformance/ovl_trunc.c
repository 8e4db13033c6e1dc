/* Overlay copy-up for truncate, ftruncate and O_TRUNC. */
#include "ovl.h"

int main(int argc, char **argv) {
  init(argc, argv);
  T(truncate(P("f.txt"), 4));
  ovl_cat("f.txt");
  ovl_stat("f.txt");
  int fd = TOK(open(P("g.txt"), O_WRONLY | O_TRUNC));
  ovl_stat("g.txt");
  T(write(fd, "new", 3));
  T(ftruncate(fd, 6000));
  T(close(fd));
  ovl_stat("g.txt");
  T(truncate(P("big.bin"), 5000));
  ovl_stat("big.bin");
  char buf[64];
  fd = TOK(open(P("big.bin"), O_RDONLY));
  T(pread(fd, buf, 64, 4990));
  unsigned long want = 0, got = sum(buf, 10);
  char exp[10];
  for (int i = 0; i < 10; i++)
    exp[i] = ovl_pat(4990 + i);
  want = sum(exp, 10);
  CHECK(got == want);
  close(fd);
  T(truncate(P("dir"), 0));
  T(truncate(P("nonexistent"), 0));
  ovl_reset();
  return 0;
}
