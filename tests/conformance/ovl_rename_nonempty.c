/* rename over directories: a new directory over a non-empty lower one is ENOTEMPTY,
 * over an empty one it works (and shows only its own entries); file over directory is
 * EISDIR, directory over file ENOTDIR; a directory cannot move below itself. */
#include "ovl.h"

int main(int argc, char **argv) {
  init(argc, argv);
  T(mkdir(P("new"), 0755));
  ovl_write("new/inner", "i\n", 0644);
  T(rename(P("new"), P("dir")));
  T(rename(P("new"), P("dir2")));
  T(rename(P("new"), P("f.txt")));
  T(rename(P("f.txt"), P("new")));
  T(rename(P("new"), P("new/below")));
  T(rename(P("new"), P("empty")));
  ovl_list("empty");
  ovl_stat("new");
  /* emptied lower directory as the target */
  T(unlink(P("dir2/x")));
  T(mkdir(P("n2"), 0755));
  T(rename(P("n2"), P("dir2")));
  ovl_list("dir2");
  ovl_list(".");
  ovl_reset();
  return 0;
}
