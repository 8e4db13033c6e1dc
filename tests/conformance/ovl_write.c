/* Overlay copy-up on open for writing: pwrite into a lower file, the data is seen by
 * later opens and by a description opened read-only before the copy-up. */
#include "ovl.h"

int main(int argc, char **argv) {
  init(argc, argv);
  char buf[32] = {0};
  int ro = TOK(open(P("f.txt"), O_RDONLY));
  T(read(ro, buf, 4));
  int wr = TOK(open(P("f.txt"), O_WRONLY));
  T(pwrite(wr, "AB", 2, 2));
  T(close(wr));
  memset(buf, 0, sizeof buf);
  T(pread(ro, buf, 20, 0));
  SAY("old fd reads: %s", buf);
  T(close(ro));
  ovl_cat("f.txt");
  ovl_stat("f.txt");
  /* O_RDWR and a write past the end. */
  int rw = TOK(open(P("g.txt"), O_RDWR));
  T(pwrite(rw, "Z", 1, 20));
  T(lseek(rw, 0, SEEK_END));
  T(close(rw));
  ovl_stat("g.txt");
  /* A read-only file: opening it for writing is EACCES for others, fine for root. */
  ovl_cat("ro.txt");
  ovl_reset();
  return 0;
}
