/* Hard link to a lower file: the file is copied up once; writing through either name is
 * seen through the other; both names report the same inode and two links. */
#include "ovl.h"

int main(int argc, char **argv) {
  init(argc, argv);
  struct stat a, b;
  T(stat(P("f.txt"), &a));
  T(link(P("f.txt"), P("dir/h")));
  ovl_stat("f.txt");
  ovl_stat("dir/h");
  int fd = TOK(open(P("dir/h"), O_WRONLY));
  T(write(fd, "via-h", 5));
  close(fd);
  ovl_cat("f.txt");
  T(stat(P("f.txt"), &a));
  T(stat(P("dir/h"), &b));
  CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
  T(link(P("dir/h"), P("dir2/h2")));
  ovl_stat("dir2/h2");
  T(unlink(P("f.txt")));
  ovl_stat("dir/h");
  ovl_cat("dir2/h2");
  T(link(P("dir"), P("dirlink")));
  T(link(P("g.txt"), P("dir/a")));
  T(link(P("nonexistent"), P("x")));
  ovl_list(".");
  ovl_reset();
  return 0;
}
