/* A directory made where a lower one was removed starts empty (opaque): none of the old
 * lower entries come back, at any depth. */
#include "ovl.h"

int main(int argc, char **argv) {
  init(argc, argv);
  T(unlink(P("dir/a")));
  T(unlink(P("dir/b")));
  T(unlink(P("dir/sub/c")));
  T(rmdir(P("dir/sub")));
  T(rmdir(P("dir")));
  T(mkdir(P("dir"), 0700));
  ovl_list("dir");
  ovl_stat("dir");
  ovl_stat("dir/a");
  T(mkdir(P("dir/sub"), 0755));
  ovl_list("dir/sub");
  ovl_write("dir/a", "fresh\n", 0644);
  ovl_cat("dir/a");
  ovl_list("dir");
  /* the same one level down */
  T(unlink(P("dir2/x")));
  T(rmdir(P("dir2")));
  T(mkdir(P("dir2"), 0755));
  T(mkdir(P("dir2/x"), 0755));
  ovl_stat("dir2/x");
  ovl_list("dir2/x");
  ovl_reset();
  return 0;
}
