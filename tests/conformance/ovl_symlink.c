/* Symlinks on the overlay: reading lower links, making new ones in lower directories,
 * copying up a link (lchown, utimensat with AT_SYMLINK_NOFOLLOW) keeps its target. */
#include "ovl.h"

static void rl(const char *name) {
  char buf[128] = {0};
  long r = readlink(P(name), buf, sizeof buf - 1);
  if (r < 0)
    SAY("readlink %s: %s", name, errname(errno));
  else
    SAY("readlink %s: %s", name, buf);
}

int main(int argc, char **argv) {
  init(argc, argv);
  rl("link");
  ovl_cat("link");
  T(symlink("../f.txt", P("dir/up")));
  rl("dir/up");
  ovl_cat("dir/up");
  T(symlink("x", P("dir/up")));
  T(lchown(P("link"), 42, 43));
  struct stat s;
  T(lstat(P("link"), &s));
  SAY("link owner %u %u type lnk %d", s.st_uid, s.st_gid, S_ISLNK(s.st_mode));
  struct timespec ts[2] = {{1000, 0}, {2000, 0}};
  T(utimensat(AT_FDCWD, P("link"), ts, AT_SYMLINK_NOFOLLOW));
  T(lstat(P("link"), &s));
  SAY("link mtime %ld", (long)s.st_mtim.tv_sec);
  rl("link");
  T(stat(P("f.txt"), &s));
  CHECK(s.st_mtim.tv_sec != 2000);
  T(unlink(P("link")));
  ovl_stat("link");
  ovl_stat("f.txt");
  ovl_reset();
  return 0;
}
