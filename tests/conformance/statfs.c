/* statfs/fstatfs: succeed with sane values; errors. */
#include "common.h"
#include <sys/vfs.h>

static void show(const char *label, int r, struct statfs *s) {
  if (r < 0) {
    printf("%s = -1 %s\n", label, errname(errno));
    return;
  }
  printf("%s = %d type_nonzero %d bsize_ok %d namelen %ld blocks_ok %d\n", label, r,
         s->f_type != 0, s->f_bsize > 0, (long)s->f_namelen,
         s->f_blocks >= s->f_bfree && s->f_bfree >= s->f_bavail);
}
#define S(call, s) show(#call, (errno = 0, (int)(call)), s)

int main(int argc, char **argv) {
  init(argc, argv);
  struct statfs s, s2;
  S(statfs("/", &s), &s);
  S(statfs(fx("file.txt"), &s), &s);
  S(statfs(fx("dir"), &s2), &s2);
  CHECK(s.f_type == s2.f_type && s.f_bsize == s2.f_bsize);
  S(statfs(fx("link_rel"), &s), &s);
  S(statfs(fx("nonexistent"), &s), &s);
  S(statfs(fx("link_dangling"), &s), &s);
  S(statfs(fx("file.txt/x"), &s), &s);
  S(statfs("", &s), &s);
  S(statfs(fx("file.txt"), BADPTR), &s);
  S(statfs(BADPTR, &s), &s);
  S(statfs("/dev/null", &s), &s);
  int fd = T(open(fx("small.txt"), O_RDONLY));
  S(fstatfs(fd, &s2), &s2);
  statfs(fx("small.txt"), &s);
  CHECK(s.f_type == s2.f_type);
  S(fstatfs(fd, BADPTR), &s);
  int p = T(open(fx("small.txt"), O_PATH));
  S(fstatfs(p, &s), &s);
  int n = T(open("/dev/null", O_RDONLY));
  S(fstatfs(n, &s), &s);
  S(fstatfs(-1, &s), &s);
  S(fstatfs(99, &s), &s);
  return 0;
}
