/* unlink of a lower file, then a new file of the same name; the same for a symlink and
 * a directory entry in a subdirectory. */
#include "ovl.h"

int main(int argc, char **argv) {
  init(argc, argv);
  T(unlink(P("f.txt")));
  ovl_stat("f.txt");
  T(unlink(P("f.txt")));
  T(open(P("f.txt"), O_RDONLY));
  ovl_write("f.txt", "recreated\n", 0600);
  ovl_cat("f.txt");
  ovl_stat("f.txt");
  T(unlink(P("link")));
  T(symlink("g.txt", P("link")));
  ovl_cat("link");
  T(unlink(P("dir/sub/c")));
  T(mkdir(P("dir/sub/c"), 0755));
  ovl_stat("dir/sub/c");
  ovl_list("dir/sub/c");
  ovl_list("dir/sub");
  T(unlink(P("dir")));
  T(unlink(P("dir/")));
  ovl_list(".");
  ovl_reset();
  return 0;
}
