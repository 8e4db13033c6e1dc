/* openat2 RESOLVE_BENEATH / RESOLVE_IN_ROOT on the root file system (the
 * fixture directory, served by the gofer): absolute and relative symlinks,
 * `..` at the start directory, /proc magic links. */
#include "common.h"
#include <linux/openat2.h>

static void o2(int dirfd, const char *path, uint64_t flags, uint64_t resolve, const char *rname) {
  struct open_how how = {.flags = flags, .resolve = resolve};
  long r = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
  int e = errno;
  printf("%-24s %-16s %s\n", path, rname, r >= 0 ? "ok" : errname(e));
  if (r >= 0)
    close(r);
}

int main(int argc, char **argv) {
  fixture_dir = argc > 1 ? argv[1] : ".";
  int d = open(fixture_dir, O_PATH | O_DIRECTORY);
  const char *paths[] = {"file.txt", "link_rel", "link_abs", "link_dir/a", "dir/../file.txt",
                         "..", "../..", "dir/../../x", "/etc/passwd", "loop1",
                         "link_dangling"};
  for (unsigned i = 0; i < sizeof paths / sizeof paths[0]; i++) {
    o2(d, paths[i], O_RDONLY, RESOLVE_BENEATH, "BENEATH");
    o2(d, paths[i], O_RDONLY, RESOLVE_IN_ROOT, "IN_ROOT");
    o2(d, paths[i], O_RDONLY, RESOLVE_NO_SYMLINKS, "NO_SYMLINKS");
  }
  int dd = open(fx("dir"), O_RDONLY | O_DIRECTORY);
  char self[64];
  snprintf(self, sizeof self, "/proc/self/fd/%d", dd);
  o2(AT_FDCWD, self, O_RDONLY, 0, "none");
  o2(AT_FDCWD, self, O_RDONLY, RESOLVE_NO_MAGICLINKS, "NO_MAGICLINKS");
  int proc = open("/proc/self", O_PATH | O_DIRECTORY);
  snprintf(self, sizeof self, "fd/%d", dd);
  o2(proc, self, O_RDONLY, RESOLVE_BENEATH, "BENEATH");
  o2(proc, "root/etc", O_RDONLY, RESOLVE_BENEATH, "BENEATH");
  o2(proc, "cwd", O_RDONLY, RESOLVE_IN_ROOT, "IN_ROOT");
  return 0;
}
