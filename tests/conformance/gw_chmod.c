/* chmod, fchmod, fchmodat on host-backed files, directories and symlinks. */
#include "gw_common.h"

int main(int argc, char **argv) {
  gw_init(argc, argv);
  put("f", "x");
  mkdir("d", 0755);
  symlink("f", "l");
  T(chmod("f", 0600));
  st("f");
  T(chmod("f", 04755));
  st("f");
  T(chmod("f", 07777));
  st("f");
  int fd = open("f", O_RDONLY);
  T(fchmod(fd, 0444));
  st("f");
  T(fchmodat(AT_FDCWD, "d", 01777, 0));
  st("d");
  T(chmod("l", 0700)); /* follows the link */
  st("f");
  st("l");
  T(fchmodat(AT_FDCWD, "l", 0700, AT_SYMLINK_NOFOLLOW));
  T(chmod("missing", 0700));
  T(chmod("f/x", 0700));
  /* Root still writes to a 0444 file (DAC override). */
  T(open("f", O_WRONLY) >= 0);
  return 0;
}
