/* rmdir of a lower directory needs it empty in the merged view: ENOTEMPTY until every
 * lower and new entry is gone. */
#include "ovl.h"

int main(int argc, char **argv) {
  init(argc, argv);
  T(rmdir(P("dir")));
  T(unlink(P("dir/a")));
  T(unlink(P("dir/b")));
  T(rmdir(P("dir")));
  T(rmdir(P("dir/sub")));
  T(unlink(P("dir/sub/c")));
  ovl_write("dir/sub/tmp", "t", 0644);
  T(rmdir(P("dir/sub")));
  T(unlink(P("dir/sub/tmp")));
  T(rmdir(P("dir/sub")));
  ovl_list("dir");
  T(rmdir(P("dir")));
  ovl_stat("dir");
  T(rmdir(P("empty")));
  T(rmdir(P("empty")));
  T(rmdir(P("f.txt")));
  T(rmdir(P("dir2/.")));
  ovl_list(".");
  ovl_reset();
  return 0;
}
