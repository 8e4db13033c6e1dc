/* Creating deep below lower directories copies the parents up with their attributes;
 * mkdir over existing lower names is EEXIST. */
#include "ovl.h"

int main(int argc, char **argv) {
  init(argc, argv);
  struct stat a, b;
  T(chmod(P("dir/sub"), 0751));
  T(stat(P("dir"), &a));
  T(mkdir(P("dir/sub/n1"), 0755));
  T(mkdir(P("dir/sub/n1/n2"), 0700));
  ovl_write("dir/sub/n1/n2/f", "deep\n", 0644);
  ovl_cat("dir/sub/n1/n2/f");
  ovl_stat("dir/sub");
  ovl_stat("dir/sub/n1/n2");
  T(stat(P("dir"), &b));
  CHECK(a.st_mode == b.st_mode && a.st_uid == b.st_uid);
  ovl_list("dir/sub");
  T(mkdir(P("dir"), 0755));
  T(mkdir(P("dir/a"), 0755));
  T(mkdir(P("link"), 0755));
  T(mkdir(P("f.txt/x"), 0755));
  T(mkdir(P("nope/x"), 0755));
  T(mknod(P("dir2/fifo"), S_IFIFO | 0644, 0));
  ovl_stat("dir2/fifo");
  ovl_list("dir2");
  ovl_reset();
  return 0;
}
