/* openat2(2): struct open_how validation and the RESOLVE_* flags on a
 * fixture of symlinks and `..` under /tmp. */
#include "common.h"
#include <linux/openat2.h>

static char base[128];

static long o2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve) {
  struct open_how how = {.flags = flags, .mode = mode, .resolve = resolve};
  return syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

#define O2(dirfd, path, flags, resolve)                                        \
  do {                                                                         \
    long _r = o2(dirfd, path, flags, 0, resolve);                              \
    int _e = errno;                                                            \
    printf("%-28s %-40s %s\n", path, #resolve, _r >= 0 ? "ok" : errname(_e));  \
    if (_r >= 0)                                                               \
      close(_r);                                                               \
  } while (0)

static const char *p(const char *name) {
  static char buf[4][256];
  static int i;
  i = (i + 1) % 4;
  snprintf(buf[i], sizeof buf[i], "%s/%s", base, name);
  return buf[i];
}

int main(int argc, char **argv) {
  (void)argc; (void)argv;
  snprintf(base, sizeof base, "/tmp/openat2_resolve-%d", (int)getpid());
  mkdir(base, 0700);
  mkdir(p("a"), 0700);
  mkdir(p("a/b"), 0700);
  close(creat(p("a/b/file"), 0600));
  symlink("../..", p("a/up2"));
  symlink("/etc", p("abs"));
  symlink("a/b/file", p("rel"));
  symlink("..", p("a/b/dotdot"));
  int d = open(base, O_RDONLY | O_DIRECTORY);

  /* open_how validation. */
  struct open_how how = {.flags = O_RDONLY};
  char big[64] = {0};
  memcpy(big, &how, sizeof how);
  T(syscall(SYS_openat2, d, "rel", &how, 16));
  T(syscall(SYS_openat2, d, "rel", &how, 0));
  T(syscall(SYS_openat2, d, "rel", big, 4097));
  long r = syscall(SYS_openat2, d, "rel", big, 32);
  printf("size 32, zero tail: %s\n", r >= 0 ? "ok" : errname(errno));
  big[40] = 1;
  T(syscall(SYS_openat2, d, "rel", big, 48));
  T(syscall(SYS_openat2, d, "rel", BADPTR, sizeof how));
  T(o2(d, "rel", 1ULL << 40, 0, 0));
  T(o2(d, "rel", O_RDONLY, 0644, 0));
  T(o2(d, "new", O_CREAT | O_WRONLY, 010000, 0));
  T(o2(d, "rel", O_RDONLY, 0, 0x1000));
  T(o2(d, "rel", O_RDONLY, 0, RESOLVE_BENEATH | RESOLVE_IN_ROOT));
  T(o2(d, "rel", O_PATH | O_RDWR, 0, 0));
  T(o2(d, "rel", O_PATH | O_CLOEXEC | O_NOFOLLOW, 0, 0) >= 0);
  T(o2(d, "rel", O_RDONLY | 0x4000000, 0, 0));

  printf("-- RESOLVE_BENEATH\n");
  O2(d, "a/b/file", O_RDONLY, RESOLVE_BENEATH);
  O2(d, "rel", O_RDONLY, RESOLVE_BENEATH);
  O2(d, "a/../a/b/file", O_RDONLY, RESOLVE_BENEATH);
  O2(d, "a/b/dotdot/b/file", O_RDONLY, RESOLVE_BENEATH);
  O2(d, "..", O_RDONLY, RESOLVE_BENEATH);
  O2(d, "a/../..", O_RDONLY, RESOLVE_BENEATH);
  O2(d, "a/up2", O_RDONLY, RESOLVE_BENEATH);
  O2(d, "abs", O_RDONLY, RESOLVE_BENEATH);
  O2(d, "/etc/passwd", O_RDONLY, RESOLVE_BENEATH);
  O2(d, "/proc/self/exe", O_RDONLY, RESOLVE_BENEATH);
  printf("-- RESOLVE_IN_ROOT\n");
  O2(d, "/a/b/file", O_RDONLY, RESOLVE_IN_ROOT);
  O2(d, "../../a/b/file", O_RDONLY, RESOLVE_IN_ROOT);
  O2(d, "a/up2/a/up2/rel", O_RDONLY, RESOLVE_IN_ROOT);
  O2(d, "abs", O_RDONLY, RESOLVE_IN_ROOT);
  O2(d, "abs/passwd", O_RDONLY, RESOLVE_IN_ROOT);
  printf("-- RESOLVE_NO_SYMLINKS\n");
  O2(d, "a/b/file", O_RDONLY, RESOLVE_NO_SYMLINKS);
  O2(d, "rel", O_RDONLY, RESOLVE_NO_SYMLINKS);
  O2(d, "a/up2/tmp", O_RDONLY, RESOLVE_NO_SYMLINKS);
  O2(d, "rel", O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS);
  printf("-- RESOLVE_NO_MAGICLINKS\n");
  char self[64];
  snprintf(self, sizeof self, "/proc/self/fd/%d", d);
  O2(AT_FDCWD, self, O_RDONLY, RESOLVE_NO_MAGICLINKS);
  O2(AT_FDCWD, self, O_RDONLY, 0);
  O2(AT_FDCWD, "/proc/self/exe", O_RDONLY, RESOLVE_NO_MAGICLINKS);
  O2(AT_FDCWD, "/proc/self/exe", O_PATH | O_NOFOLLOW, RESOLVE_NO_MAGICLINKS);
  O2(d, "rel", O_RDONLY, RESOLVE_NO_MAGICLINKS);
  printf("-- RESOLVE_NO_XDEV\n");
  O2(d, "a/b/file", O_RDONLY, RESOLVE_NO_XDEV);
  O2(AT_FDCWD, "/proc/self", O_RDONLY, RESOLVE_NO_XDEV);
  O2(AT_FDCWD, "/proc", O_RDONLY, RESOLVE_NO_XDEV);
  printf("-- RESOLVE_CACHED\n");
  r = o2(d, "a/b/file", O_RDONLY, 0, RESOLVE_CACHED);
  printf("cached lookup: %s\n", r >= 0 || errno == EAGAIN ? "ok-or-EAGAIN" : errname(errno));
  T(o2(d, "a/b/new", O_RDWR | O_CREAT, 0600, RESOLVE_CACHED));
  T(o2(d, "a/b/file", O_RDWR | O_TRUNC, 0, RESOLVE_CACHED));

  unlink(p("a/b/file"));
  unlink(p("a/up2"));
  unlink(p("abs"));
  unlink(p("rel"));
  unlink(p("a/b/dotdot"));
  unlink(p("new"));
  rmdir(p("a/b"));
  rmdir(p("a"));
  rmdir(base);
  return 0;
}
