/* chown, fchown, lchown, fchownat on host-backed files (the sandbox's root may chown). */
#include "gw_common.h"

int main(int argc, char **argv) {
  gw_init(argc, argv);
  put("f", "x");
  symlink("f", "l");
  mkdir("d", 02775);
  T(chown("f", 1234, 5678));
  st("f");
  T(chown("f", -1, 42));
  st("f");
  T(chown("f", 77, -1));
  st("f");
  /* Changing the owner clears set-user-ID and (group-executable) set-group-ID. */
  T(chmod("f", 06755));
  T(chown("f", 0, 0));
  st("f");
  T(chmod("f", 02745)); /* not group-executable: the mandatory-lock bit stays */
  T(chown("f", 1, 1));
  st("f");
  T(lchown("l", 99, 98));
  st("l");
  st("f");
  int fd = open("f", O_RDONLY);
  T(fchown(fd, 5, 6));
  st("f");
  T(fchownat(AT_FDCWD, "l", 7, 8, 0));
  st("f");
  T(fchownat(AT_FDCWD, "d", 3, 4, 0));
  st("d");
  T(chown("missing", 1, 1));
  /* A file made in a set-group-ID directory gets its group. */
  put("d/g", "");
  st("d/g");
  mkdir("d/sub", 0755);
  st("d/sub");
  return 0;
}
