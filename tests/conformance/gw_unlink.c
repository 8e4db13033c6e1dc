/* unlink, rmdir and unlinkat errors on a host-backed directory. */
#include "gw_common.h"

int main(int argc, char **argv) {
  gw_init(argc, argv);
  put("f", "x");
  mkdir("d", 0755);
  mkdir("e", 0755);
  put("e/x", "x");
  symlink("d", "ld");
  T(unlink("d"));
  T(rmdir("f"));
  T(rmdir("e"));
  T(rmdir("."));
  T(rmdir("d/.."));
  T(unlink("missing"));
  T(rmdir("missing"));
  T(rmdir("ld"));
  T(unlink("ld"));
  ls(".");
  T(unlinkat(AT_FDCWD, "d", 0));
  T(unlinkat(AT_FDCWD, "d", AT_REMOVEDIR));
  T(unlinkat(AT_FDCWD, "f", AT_REMOVEDIR));
  T(unlinkat(AT_FDCWD, "f", 0x1));
  T(unlinkat(AT_FDCWD, "f", 0));
  T(unlink("e/x/y"));
  T(unlink("e/x"));
  T(rmdir("e"));
  /* Re-create under the same names. */
  put("f", "again");
  mkdir("d", 0700);
  show("f");
  st("d");
  T(access("f", F_OK));
  T(unlink("f"));
  T(access("f", F_OK));
  ls(".");
  return 0;
}
