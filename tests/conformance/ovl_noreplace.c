/* renameat2(RENAME_NOREPLACE) with lower names: EEXIST over a visible name, fine over a
 * removed (whited-out) one and to a new name. */
#include "ovl.h"

#define NOREPLACE 1

int main(int argc, char **argv) {
  init(argc, argv);
  T(syscall(SYS_renameat2, AT_FDCWD, P("f.txt"), AT_FDCWD, P("g.txt"), NOREPLACE));
  T(syscall(SYS_renameat2, AT_FDCWD, P("f.txt"), AT_FDCWD, P("dir"), NOREPLACE));
  T(syscall(SYS_renameat2, AT_FDCWD, P("f.txt"), AT_FDCWD, P("new.txt"), NOREPLACE));
  ovl_cat("new.txt");
  T(unlink(P("g.txt")));
  T(syscall(SYS_renameat2, AT_FDCWD, P("new.txt"), AT_FDCWD, P("g.txt"), NOREPLACE));
  ovl_cat("g.txt");
  T(syscall(SYS_renameat2, AT_FDCWD, P("dir/a"), AT_FDCWD, P("dir2/x"), NOREPLACE));
  T(syscall(SYS_renameat2, AT_FDCWD, P("dir/a"), AT_FDCWD, P("dir2/a"), NOREPLACE));
  ovl_list("dir");
  ovl_list("dir2");
  T(syscall(SYS_renameat2, AT_FDCWD, P("nonexistent"), AT_FDCWD, P("y"), NOREPLACE));
  T(syscall(SYS_renameat2, AT_FDCWD, P("dir/b"), AT_FDCWD, P("z"), 3));
  ovl_reset();
  return 0;
}
