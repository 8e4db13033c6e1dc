/* mount(2) argument errors in Linux's order: EFAULT, ENOENT, ENOTDIR, ENODEV for an
 * unknown type, EINVAL for a missing type, MS_NOUSER, propagation flags off a mount root
 * or combined, EPERM without CAP_SYS_ADMIN (a child that dropped to uid 1000). */
#include "mnt_common.h"

int main(void) {
  mnt_setup();
  MUST(mkdir("d", 0755));
  MUST(write_file("f", ""));
  T(mount("none", "d", "nosuchfs", 0, NULL));
  T(mount("none", "d", NULL, 0, NULL));
  T(mount("none", "nothere/x", "tmpfs", 0, NULL));
  T(mount("none", "f/x", "tmpfs", 0, NULL));
  T(mount("none", "f", "tmpfs", 0, NULL));
  T(mount("none", (char *)1, "tmpfs", 0, NULL));
  T(mount("none", "d", (char *)1, 0, NULL));
  T(mount((char *)1, "d", "tmpfs", 0, NULL));
  T(mount("none", "d", "tmpfs", 0, (void *)1));
  T(mount("none", "d", "tmpfs", MS_NOUSER, NULL));
  T(mount("none", "", "tmpfs", 0, NULL));
  T(mount("none", "d", "proc", 0, "bogus"));
  /* Propagation changes need a mount root and exactly one type. */
  T(mount(NULL, "d", NULL, MS_PRIVATE, NULL));
  T(mount(NULL, ".", NULL, MS_PRIVATE | MS_SHARED, NULL));
  T(mount(NULL, ".", NULL, MS_PRIVATE | MS_REC, NULL));
  T(mount(NULL, ".", NULL, MS_PRIVATE | MS_SILENT, NULL));
  /* The magic value in the high bits is ignored. */
  T(mount("none", "d", "tmpfs", 0xC0ED0000, NULL));
  T(umount2("d", 0));
  /* MS_MOVE without a source. */
  T(mount(NULL, "d", NULL, MS_MOVE, NULL));
  /* Without CAP_SYS_ADMIN. */
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    MUST(setresgid(1000, 1000, 1000));
    MUST(setresuid(1000, 1000, 1000));
    T(mount("none", "d", "tmpfs", 0, NULL));
    T(mount("none", "nothere/x", "tmpfs", 0, NULL));
    T(umount2("d", 0));
    T(umount2("nothere", 0));
    T(chroot("d"));
    T(chroot("nothere"));
    T(pivot_root("d", "d"));
    T(unshare(CLONE_NEWNS));
    fflush(stdout);
    _exit(0);
  }
  waitpid(pid, NULL, 0);
  mnt_done();
  return 0;
}
