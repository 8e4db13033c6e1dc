/* Inode and device numbers on the overlay: stable across lookups and copy-up, the same
 * through fstat and stat, one device for files and their directory, and new files get
 * distinct numbers. */
#include "ovl.h"

int main(int argc, char **argv) {
  init(argc, argv);
  struct stat a, b, c, d;
  T(stat(P("f.txt"), &a));
  T(stat(P("f.txt"), &b));
  CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
  int fd = TOK(open(P("f.txt"), O_WRONLY | O_APPEND));
  T(write(fd, "x", 1));
  T(fstat(fd, &c));
  close(fd);
  T(stat(P("f.txt"), &b));
  CHECK(a.st_ino == b.st_ino && b.st_ino == c.st_ino && b.st_dev == c.st_dev);
  T(stat(P("."), &d));
  CHECK(d.st_dev == b.st_dev);
  T(stat(P("dir/sub/c"), &c));
  CHECK(c.st_dev == d.st_dev);
  ovl_write("n1", "1", 0644);
  ovl_write("n2", "2", 0644);
  T(stat(P("n1"), &a));
  T(stat(P("n2"), &b));
  CHECK(a.st_ino != b.st_ino);
  CHECK(a.st_ino != c.st_ino && a.st_ino != d.st_ino);
  T(stat(P("dir"), &a));
  T(stat(P("dir2"), &b));
  CHECK(a.st_ino != b.st_ino);
  T(mkdir(P("dir/new"), 0755));
  T(stat(P("dir"), &b));
  CHECK(a.st_ino == b.st_ino);
  ovl_reset();
  return 0;
}
