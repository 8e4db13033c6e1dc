/* statx: masks, flags, file types, errors. */
#include "common.h"
#include <sys/sysmacros.h>

static void show(const char *label, int r, struct statx *s) {
  if (r < 0) {
    printf("%s = -1 %s\n", label, errname(errno));
    return;
  }
  printf("%s = %d basic %d type %o perm %04o size %llu nlink_ok %d", label, r,
         (s->stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS,
         s->stx_mode & S_IFMT, s->stx_mode & 07777,
         S_ISDIR(s->stx_mode) ? 0ULL : (unsigned long long)s->stx_size,
         s->stx_nlink >= 1);
  if (S_ISCHR(s->stx_mode))
    printf(" rdev %u:%u", s->stx_rdev_major, s->stx_rdev_minor);
  else /* device nodes: the owner is a property of the host's /dev */
    printf(" uid %u gid %u", s->stx_uid, s->stx_gid);
  printf("\n");
}
#define S(call, s) show(#call, (errno = 0, (int)(call)), s)

int main(int argc, char **argv) {
  init(argc, argv);
  struct statx s;
  struct stat st;
  S(statx(AT_FDCWD, fx("file.txt"), 0, STATX_BASIC_STATS, &s), &s);
  stat(fx("file.txt"), &st);
  CHECK(s.stx_ino == st.st_ino && s.stx_size == (unsigned long long)st.st_size);
  CHECK(makedev(s.stx_dev_major, s.stx_dev_minor) == st.st_dev);
  S(statx(AT_FDCWD, fx("file.txt"), 0, STATX_TYPE | STATX_SIZE, &s), &s);
  CHECK((s.stx_mask & (STATX_TYPE | STATX_SIZE)) == (STATX_TYPE | STATX_SIZE));
  S(statx(AT_FDCWD, fx("file.txt"), 0, 0, &s), &s);
  S(statx(AT_FDCWD, fx("file.txt"), 0, STATX_ALL, &s), &s);
  S(statx(AT_FDCWD, fx("dir"), 0, STATX_BASIC_STATS, &s), &s);
  S(statx(AT_FDCWD, fx("link_rel"), 0, STATX_BASIC_STATS, &s), &s);
  S(statx(AT_FDCWD, fx("link_rel"), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &s), &s);
  S(statx(AT_FDCWD, fx("link_dangling"), 0, STATX_BASIC_STATS, &s), &s);
  S(statx(AT_FDCWD, fx("link_dangling"), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &s), &s);
  S(statx(AT_FDCWD, "/dev/null", 0, STATX_BASIC_STATS, &s), &s);
  S(statx(AT_FDCWD, "/dev/zero", AT_STATX_SYNC_AS_STAT, STATX_BASIC_STATS, &s), &s);
  S(statx(AT_FDCWD, fx("nonexistent"), 0, STATX_BASIC_STATS, &s), &s);
  S(statx(AT_FDCWD, "", 0, STATX_BASIC_STATS, &s), &s);
  int fd = T(open(fx("small.txt"), O_RDONLY));
  S(statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &s), &s);
  S(statx(fd, "", 0, STATX_BASIC_STATS, &s), &s);
  S(statx(fd, "x", 0, STATX_BASIC_STATS, &s), &s);
  int dfd = T(open(fx("dir"), O_RDONLY | O_DIRECTORY));
  S(statx(dfd, "a", 0, STATX_BASIC_STATS, &s), &s);
  S(statx(dfd, "link", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &s), &s);
  S(statx(-1, "a", 0, STATX_BASIC_STATS, &s), &s);
  S(statx(-1, "/dev/null", 0, STATX_BASIC_STATS, &s), &s);
  /* invalid flags and masks */
  S(statx(AT_FDCWD, fx("file.txt"), 0x40000000, STATX_BASIC_STATS, &s), &s);
  S(statx(AT_FDCWD, fx("file.txt"), AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, STATX_BASIC_STATS, &s), &s);
  S(statx(AT_FDCWD, fx("file.txt"), 0, 0x80000000U, &s), &s);
  S(syscall(SYS_statx, AT_FDCWD, fx("file.txt"), 0, STATX_BASIC_STATS, (void *)1), &s);
  return 0;
}
