/* openat2 creating files: O_CREAT under RESOLVE_BENEATH/IN_ROOT (the new
 * name's parent is checked too), O_EXCL, O_TMPFILE, O_TRUNC; an O_PATH dirfd
 * as the start; mode applied with the umask. */
#include "common.h"
#include <linux/openat2.h>

static long o2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve) {
  struct open_how how = {.flags = flags, .mode = mode, .resolve = resolve};
  return syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

#define R(expr)                                                                \
  do {                                                                         \
    long _r = (expr);                                                          \
    int _e = errno;                                                            \
    printf("%s: %s\n", #expr, _r >= 0 ? "ok" : errname(_e));                   \
    if (_r >= 0)                                                               \
      close(_r);                                                               \
  } while (0)

int main(int argc, char **argv) {
  (void)argc; (void)argv;
  char base[64], sub[96];
  snprintf(base, sizeof base, "/tmp/openat2_create-%d", (int)getpid());
  snprintf(sub, sizeof sub, "%s/sub", base);
  mkdir(base, 0700);
  mkdir(sub, 0700);
  umask(022);
  int d = open(base, O_PATH | O_DIRECTORY);
  R(o2(d, "new", O_CREAT | O_WRONLY, 0666, RESOLVE_BENEATH));
  struct stat st;
  fstatat(d, "new", &st, 0);
  printf("mode = %o\n", st.st_mode & 0777);
  R(o2(d, "new", O_CREAT | O_EXCL | O_WRONLY, 0600, RESOLVE_BENEATH));
  R(o2(d, "sub/../new2", O_CREAT | O_WRONLY, 0600, RESOLVE_BENEATH));
  R(o2(d, "../escape", O_CREAT | O_WRONLY, 0600, RESOLVE_BENEATH));
  R(o2(d, "/abs", O_CREAT | O_WRONLY, 0600, RESOLVE_BENEATH));
  R(o2(d, "/abs", O_CREAT | O_WRONLY, 0600, RESOLVE_IN_ROOT));
  printf("abs created inside: %d\n", fstatat(d, "abs", &st, 0) == 0);
  R(o2(d, "../../sub/x", O_CREAT | O_WRONLY, 0600, RESOLVE_IN_ROOT));
  printf("sub/x created inside: %d\n", fstatat(d, "sub/x", &st, 0) == 0);
  R(o2(d, "sub", O_TMPFILE | O_RDWR, 0600, RESOLVE_BENEATH));
  R(o2(d, "new", O_TRUNC | O_WRONLY, 0, RESOLVE_BENEATH));
  R(o2(d, "sub", O_CREAT | O_WRONLY, 0600, 0));
  R(o2(d, "missing/x", O_CREAT | O_WRONLY, 0600, 0));
  R(o2(d, "new", O_CREAT | O_DIRECTORY, 0600, 0));
  symlink("new", sub);
  char l[128];
  snprintf(l, sizeof l, "%s/lnk", base);
  symlink("new", l);
  R(o2(d, "lnk", O_CREAT | O_WRONLY, 0600, RESOLVE_NO_SYMLINKS));
  R(o2(d, "lnk", O_CREAT | O_WRONLY, 0600, 0));
  char p[128];
  const char *names[] = {"new", "new2", "abs", "sub/x", "lnk"};
  for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
    snprintf(p, sizeof p, "%s/%s", base, names[i]);
    unlink(p);
  }
  rmdir(sub);
  rmdir(base);
  return 0;
}
