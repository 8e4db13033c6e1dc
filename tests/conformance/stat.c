/* fstat, stat, lstat, newfstatat on files, directories, symlinks and devices. */
#include "common.h"
#include <sys/sysmacros.h>

static void show(const char *label, int r, struct stat *st) {
  if (r < 0) {
    printf("%s = -1 %s\n", label, errname(errno));
    return;
  }
  printf("%s = %d type %o perm %04o", label, r, st->st_mode & S_IFMT,
         st->st_mode & 07777);
  if (S_ISREG(st->st_mode) || S_ISLNK(st->st_mode))
    printf(" size %ld blocks_ok %d", (long)st->st_size,
           st->st_blocks * 512 >= st->st_size || S_ISLNK(st->st_mode));
  if (S_ISCHR(st->st_mode))
    printf(" rdev %u:%u", major(st->st_rdev), minor(st->st_rdev));
  else /* device nodes: the owner is a property of the host's /dev */
    printf(" uid %u gid %u", st->st_uid, st->st_gid);
  printf(" nlink_ok %d blksize_ok %d\n", st->st_nlink >= 1, st->st_blksize > 0);
}
#define S(call, st) show(#call, (errno = 0, (call)), st)

int main(int argc, char **argv) {
  init(argc, argv);
  struct stat st, st2;
  S(stat(fx("file.txt"), &st), &st);
  S(stat(fx("small.txt"), &st), &st);
  S(stat(fx("empty"), &st), &st);
  S(stat(fx("mode0000"), &st), &st);
  S(stat(fx("script.sh"), &st), &st);
  S(stat(fx("dir"), &st), &st);
  S(stat(fx("dir/"), &st), &st);
  S(stat(fx("link_rel"), &st), &st);
  S(lstat(fx("link_rel"), &st), &st);
  S(lstat(fx("link_abs"), &st), &st);
  S(lstat(fx("link_dir"), &st), &st);
  S(lstat(fx("link_dir/"), &st), &st);
  S(stat(fx("link_dangling"), &st), &st);
  S(lstat(fx("link_dangling"), &st), &st);
  S(stat(fx("loop1"), &st), &st);
  S(lstat(fx("loop1"), &st), &st);
  S(stat(fx("nonexistent"), &st), &st);
  S(stat(fx("file.txt/x"), &st), &st);
  S(stat("", &st), &st);
  S(stat("/", &st), &st);
  S(stat("/dev/null", &st), &st);
  S(stat("/dev/zero", &st), &st);
  S(stat("/dev/urandom", &st), &st);
  S(stat("/dev/random", &st), &st);

  int fd = T(open(fx("file.txt"), O_RDONLY));
  S(fstat(fd, &st), &st);
  stat(fx("file.txt"), &st2);
  CHECK(st.st_ino == st2.st_ino && st.st_dev == st2.st_dev);
  lstat(fx("link_rel"), &st2);
  CHECK(st.st_ino != st2.st_ino);
  stat(fx("link_rel"), &st2);
  CHECK(st.st_ino == st2.st_ino);
  S(fstat(-1, &st), &st);
  int dfd = T(open(fixture_dir, O_RDONLY | O_DIRECTORY));
  S(fstat(dfd, &st), &st);
  S(fstatat(dfd, "small.txt", &st, 0), &st);
  S(fstatat(dfd, "link_rel", &st, AT_SYMLINK_NOFOLLOW), &st);
  S(fstatat(dfd, "link_rel", &st, 0), &st);
  S(fstatat(dfd, "", &st, 0), &st);
  S(fstatat(dfd, "", &st, AT_EMPTY_PATH), &st);
  S(fstatat(fd, "", &st, AT_EMPTY_PATH), &st);
  S(fstatat(fd, "x", &st, 0), &st);
  S(fstatat(AT_FDCWD, fx("dir"), &st, 0), &st);
  S(fstatat(-1, "small.txt", &st, 0), &st);
  S(fstatat(dfd, "small.txt", &st, 0x8000), &st);
  S(fstatat(dfd, "small.txt", &st, AT_NO_AUTOMOUNT), &st);
  S((int)syscall(SYS_newfstatat, dfd, "dir", &st, AT_SYMLINK_NOFOLLOW), &st);
  S((int)syscall(SYS_newfstatat, dfd, "link_dir", &st, AT_SYMLINK_NOFOLLOW), &st);
  int pfd = T(open(fx("link_rel"), O_PATH | O_NOFOLLOW));
  S(fstat(pfd, &st), &st);
  S(fstatat(pfd, "", &st, AT_EMPTY_PATH), &st);
  S(fstatat(pfd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW), &st);
  int nfd = T(open("/dev/null", O_RDONLY));
  S(fstat(nfd, &st), &st);
  T(fchdir(dfd));
  S(stat("dir/a", &st), &st);
  S(lstat("dir/link", &st), &st);
  S(stat("dir/../small.txt", &st), &st);
  return 0;
}
