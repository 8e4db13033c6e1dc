/* renameat2(RENAME_EXCHANGE) of lower files (same and different directories), a lower
 * file with a new directory, and with a missing name (ENOENT). */
#include "ovl.h"

#define EXCHANGE 2

int main(int argc, char **argv) {
  init(argc, argv);
  T(syscall(SYS_renameat2, AT_FDCWD, P("f.txt"), AT_FDCWD, P("g.txt"), EXCHANGE));
  ovl_cat("f.txt");
  ovl_cat("g.txt");
  T(syscall(SYS_renameat2, AT_FDCWD, P("dir/a"), AT_FDCWD, P("dir2/x"), EXCHANGE));
  ovl_cat("dir/a");
  ovl_cat("dir2/x");
  T(syscall(SYS_renameat2, AT_FDCWD, P("f.txt"), AT_FDCWD, P("missing"), EXCHANGE));
  T(mkdir(P("nd"), 0755));
  ovl_write("nd/in", "in\n", 0644);
  T(syscall(SYS_renameat2, AT_FDCWD, P("nd"), AT_FDCWD, P("g.txt"), EXCHANGE));
  ovl_stat("nd");
  ovl_stat("g.txt");
  ovl_cat("g.txt/in");
  ovl_cat("nd");
  ovl_list(".");
  ovl_reset();
  return 0;
}
