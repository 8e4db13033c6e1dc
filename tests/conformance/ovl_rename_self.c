/* rename onto itself (file, directory, two hard links of one file) changes nothing. */
#include "ovl.h"

int main(int argc, char **argv) {
  init(argc, argv);
  T(rename(P("f.txt"), P("f.txt")));
  T(rename(P("dir"), P("dir")));
  T(rename(P("dir/sub"), P("dir/../dir/sub")));
  ovl_cat("f.txt");
  ovl_list("dir");
  T(link(P("g.txt"), P("g2.txt")));
  T(rename(P("g.txt"), P("g2.txt")));
  ovl_stat("g.txt");
  ovl_stat("g2.txt");
  T(rename(P("link"), P("link")));
  ovl_cat("link");
  T(syscall(SYS_renameat2, AT_FDCWD, P("f.txt"), AT_FDCWD, P("f.txt"), 1 /* NOREPLACE */));
  T(syscall(SYS_renameat2, AT_FDCWD, P("f.txt"), AT_FDCWD, P("f.txt"), 2 /* EXCHANGE */));
  ovl_list(".");
  ovl_reset();
  return 0;
}
