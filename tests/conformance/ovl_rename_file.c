/* rename of lower files: within a directory, across directories, over another lower
 * file; the old name is gone, the data moved. */
#include "ovl.h"

int main(int argc, char **argv) {
  init(argc, argv);
  T(rename(P("f.txt"), P("f2.txt")));
  ovl_stat("f.txt");
  ovl_cat("f2.txt");
  T(rename(P("dir/a"), P("dir2/a")));
  ovl_list("dir");
  ovl_list("dir2");
  ovl_cat("dir2/a");
  T(rename(P("g.txt"), P("dir/b")));
  ovl_cat("dir/b");
  ovl_list(".");
  /* a symlink moves as a symlink */
  T(rename(P("link"), P("dir/sub/link")));
  char buf[64] = {0};
  T(readlink(P("dir/sub/link"), buf, sizeof buf));
  SAY("link -> %s", buf);
  /* back and forth */
  T(rename(P("dir2/a"), P("dir/a")));
  T(rename(P("dir/a"), P("dir2/a")));
  ovl_list("dir2");
  T(rename(P("nonexistent"), P("x")));
  ovl_reset();
  return 0;
}
