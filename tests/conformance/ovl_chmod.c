/* Overlay copy-up for chmod, chown and utimensat: attributes change, the data and the
 * modification time (unless set) survive the copy. */
#include "ovl.h"

int main(int argc, char **argv) {
  init(argc, argv);
  struct stat a, b;
  T(stat(P("f.txt"), &a));
  T(chmod(P("f.txt"), 0600));
  T(stat(P("f.txt"), &b));
  SAY("mode %o", b.st_mode & 07777);
  CHECK(a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec);
  CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
  ovl_cat("f.txt");
  T(chown(P("g.txt"), 1234, 5678));
  T(stat(P("g.txt"), &b));
  SAY("owner %u %u", b.st_uid, b.st_gid);
  struct timespec ts[2] = {{1000000000, 5}, {1200000000, 7}};
  T(utimensat(AT_FDCWD, P("dir/a"), ts, 0));
  T(stat(P("dir/a"), &b));
  SAY("times %ld.%ld %ld.%ld", (long)b.st_atim.tv_sec, b.st_atim.tv_nsec,
      (long)b.st_mtim.tv_sec, b.st_mtim.tv_nsec);
  ovl_cat("dir/a");
  T(chmod(P("dir"), 0700));
  ovl_stat("dir");
  ovl_list("dir");
  T(chmod(P("empty"), 0711));
  ovl_stat("empty");
  ovl_reset();
  return 0;
}
