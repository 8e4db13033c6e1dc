/* umount2: EBUSY while a cwd, an open file or a child mount is inside, MNT_DETACH
 * anyway (the open file keeps working), EINVAL for a non-mount point and bad flags,
 * UMOUNT_NOFOLLOW on a symlink, MNT_EXPIRE (EAGAIN, then the umount), ENOENT; and the
 * directory under a mount is seen again afterwards (no stale cache). */
#include "mnt_common.h"

int main(void) {
  mnt_setup();
  MUST(mkdir("m", 0755));
  MUST(write_file("m/under", "u"));
  printf("under before: %d\n", exists("m/under"));
  T(mount("none", "m", "tmpfs", 0, NULL));
  printf("under while mounted: %d\n", exists("m/under"));
  MUST(write_file("m/over", "o"));
  /* An open file inside. */
  int fd = TOK(open("m/over", O_RDONLY));
  T(umount2("m", 0));
  close(fd);
  T(umount2("m", 0));
  printf("under after umount: %d, over: %d\n", exists("m/under"), exists("m/over"));
  /* A cwd inside. */
  T(mount("none", "m", "tmpfs", 0, NULL));
  MUST(mkdir("m/d", 0755));
  MUST(chdir("m/d"));
  char path[256];
  snprintf(path, sizeof path, "%s/m", mnt_base);
  T(umount2(path, 0));
  MUST(chdir(mnt_base));
  T(umount2("m", 0));
  /* A child mount inside. */
  T(mount("none", "m", "tmpfs", 0, NULL));
  MUST(mkdir("m/c", 0755));
  T(mount("none", "m/c", "tmpfs", 0, NULL));
  T(umount2("m", 0));
  T(umount2("m/c", 0));
  T(umount2("m", 0));
  /* MNT_DETACH while busy: the open file keeps working. */
  T(mount("none", "m", "tmpfs", 0, NULL));
  MUST(write_file("m/keep", "kept"));
  MUST(mkdir("m/c", 0755));
  T(mount("none", "m/c", "tmpfs", 0, NULL));
  fd = open("m/keep", O_RDONLY);
  T(umount2("m", MNT_DETACH));
  char buf[8] = {0};
  T(read(fd, buf, sizeof buf - 1));
  printf("read after detach: %s\n", buf);
  close(fd);
  printf("under after detach: %d, keep: %d, c: %d\n", exists("m/under"), exists("m/keep"),
         exists("m/c"));
  /* Errors. */
  T(umount2("m", 0));
  T(umount2("m/under", 0));
  T(umount2("nothere", 0));
  T(umount2("m", 0x100));
  T(umount2("m", MNT_EXPIRE | MNT_DETACH));
  /* MNT_EXPIRE: the first call marks, the second unmounts. */
  T(mount("none", "m", "tmpfs", 0, NULL));
  T(umount2("m", MNT_EXPIRE));
  T(umount2("m", MNT_EXPIRE));
  /* UMOUNT_NOFOLLOW: a symlink to the mount point is not followed. */
  T(mount("none", "m", "tmpfs", 0, NULL));
  MUST(symlink("m", "link"));
  T(umount2("link", UMOUNT_NOFOLLOW));
  T(umount2("link", 0));
  /* MNT_FORCE on tmpfs is a plain umount. */
  T(mount("none", "m", "tmpfs", 0, NULL));
  T(umount2("m", MNT_FORCE));
  /* A lazily detached read-only mount stays read-only for a cwd inside it, and the
   * cwd's ".." stays inside the detached tree. */
  T(mount("none", "m", "tmpfs", 0, NULL));
  MUST(mkdir("m/sub", 0755));
  T(mount(NULL, "m", NULL, MS_REMOUNT | MS_RDONLY, NULL));
  MUST(chdir("m/sub"));
  T(umount2(path, MNT_DETACH));
  T(mkdir("new", 0755));
  T(open("f", O_WRONLY | O_CREAT, 0644));
  printf("../sub via detached tree: %d, ../under: %d\n", exists("../sub"), exists("../under"));
  MUST(chdir(mnt_base));
  printf("under at the end: %d\n", exists("m/under"));
  mnt_done();
  return 0;
}
