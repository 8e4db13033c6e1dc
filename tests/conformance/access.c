/* access/faccessat/faccessat2 as root: F_OK, R_OK, X_OK, AT_EACCESS, errors. */
#include "common.h"

int main(int argc, char **argv) {
  init(argc, argv);
  T(access(fx("file.txt"), F_OK));
  T(access(fx("file.txt"), R_OK));
  T(access(fx("file.txt"), X_OK));
  T(access(fx("file.txt"), R_OK | X_OK));
  T(access(fx("script.sh"), X_OK));
  T(access(fx("script.sh"), R_OK | X_OK));
  T(access(fx("mode0000"), F_OK));
  T(access(fx("mode0000"), R_OK));
  T(access(fx("mode0000"), X_OK));
  T(access(fx("dir"), X_OK));
  T(access(fx("dir"), R_OK | X_OK));
  T(access(fx("link_rel"), R_OK));
  T(access(fx("link_dangling"), F_OK));
  T(access(fx("loop1"), F_OK));
  T(access(fx("nonexistent"), F_OK));
  T(access(fx("file.txt/"), F_OK));
  T(access(fx("file.txt/x"), F_OK));
  T(access("", F_OK));
  T(access("/dev/null", R_OK | W_OK));
  T(access("/dev/zero", W_OK));
  T(access("/dev/null", X_OK));
  T(access(fx("file.txt"), 8));
  T(access(fx("file.txt"), -1));
  T(syscall(SYS_access, (char *)1, F_OK));

  int dfd = T(open(fixture_dir, O_RDONLY | O_DIRECTORY));
  T(syscall(SYS_faccessat, dfd, "small.txt", R_OK));
  T(syscall(SYS_faccessat, dfd, "script.sh", X_OK));
  T(syscall(SYS_faccessat, dfd, "small.txt", X_OK));
  T(syscall(SYS_faccessat, dfd, "nonexistent", F_OK));
  T(syscall(SYS_faccessat, -1, "small.txt", F_OK));
  T(syscall(SYS_faccessat, AT_FDCWD, fx("small.txt"), F_OK));
  T(syscall(SYS_faccessat, dfd, "small.txt", 0x10));
  T(syscall(SYS_faccessat2, dfd, "small.txt", R_OK, 0));
  T(syscall(SYS_faccessat2, dfd, "small.txt", R_OK, AT_EACCESS));
  T(syscall(SYS_faccessat2, dfd, "script.sh", X_OK, AT_EACCESS));
  T(syscall(SYS_faccessat2, dfd, "mode0000", X_OK, AT_EACCESS));
  T(syscall(SYS_faccessat2, dfd, "link_dangling", F_OK, 0));
  T(syscall(SYS_faccessat2, dfd, "link_dangling", F_OK, AT_SYMLINK_NOFOLLOW));
  T(syscall(SYS_faccessat2, dfd, "loop1", F_OK, AT_SYMLINK_NOFOLLOW));
  T(syscall(SYS_faccessat2, dfd, "", F_OK, 0));
  T(syscall(SYS_faccessat2, dfd, "", F_OK, AT_EMPTY_PATH));
  T(syscall(SYS_faccessat2, dfd, "", X_OK, AT_EMPTY_PATH));
  T(syscall(SYS_faccessat2, dfd, "small.txt", F_OK, 0x1));
  T(syscall(SYS_faccessat2, dfd, "small.txt", F_OK, 0x8000));
  T(syscall(SYS_faccessat2, dfd, "small.txt", 0x10, 0));
  /* the glibc wrapper */
  T(faccessat(dfd, "small.txt", R_OK, AT_EACCESS));
  T(faccessat(dfd, "link_dangling", F_OK, AT_SYMLINK_NOFOLLOW));
  return 0;
}
