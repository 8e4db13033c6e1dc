/* Symlinks on a host-backed directory: creation, readlink, walks through them. */
#include "gw_common.h"

int main(int argc, char **argv) {
  gw_init(argc, argv);
  mkdir("d", 0755);
  put("d/f", "inside");
  T(symlink("d", "ld"));
  T(symlink("d/f", "lf"));
  T(symlink("nowhere", "dangling"));
  T(symlink("x", "ld"));
  T(symlink("", "empty"));
  char buf[64] = {0};
  T(readlink("lf", buf, sizeof buf));
  SAY("%s", buf);
  st("lf");
  show("ld/f");
  show("lf");
  /* Opening a dangling link with O_CREAT creates its target. */
  int fd = T(open("dangling", O_WRONLY | O_CREAT, 0644) >= 0);
  (void)fd;
  st("nowhere");
  T(open("dangling", O_WRONLY | O_CREAT | O_EXCL, 0644));
  T(open("lf", O_RDONLY | O_NOFOLLOW));
  T(mkdir("ld/sub", 0755));
  st("d/sub");
  T(unlink("ld"));
  st("d");
  T(readlink("d", buf, sizeof buf));
  ls(".");
  return 0;
}
