/* O_APPEND on a lower file: copy-up, then two descriptions appending in turn. */
#include "ovl.h"

int main(int argc, char **argv) {
  init(argc, argv);
  int a = TOK(open(P("f.txt"), O_WRONLY | O_APPEND));
  int b = TOK(open(P("f.txt"), O_WRONLY | O_APPEND));
  T(write(a, "one", 3));
  T(write(b, "two", 3));
  T(pwrite(a, "X", 1, 0)); /* appends too on Linux */
  T(write(a, "3", 1));
  T(lseek(b, 0, SEEK_CUR));
  close(a);
  close(b);
  ovl_cat("f.txt");
  ovl_stat("f.txt");
  int c = TOK(open(P("dir/sub/c"), O_RDWR | O_APPEND));
  T(write(c, "c2", 2));
  char buf[16] = {0};
  T(pread(c, buf, 16, 0));
  SAY("c: %s", buf);
  close(c);
  ovl_cat("dir/sub/c");
  ovl_reset();
  return 0;
}
