/* MS_MOVE: a mount moves with its files (and the mounts below it); the old place shows
 * what was under it; moving a non-root or into itself fails; MS_BIND with and without
 * MS_REC (submounts copied or not); MS_UNBINDABLE refuses binds. */
#include "mnt_common.h"

int main(void) {
  mnt_setup();
  MUST(mkdir("a", 0755));
  MUST(mkdir("b", 0755));
  T(mount("mv", "a", "tmpfs", 0, NULL));
  MUST(write_file("a/file", "x"));
  MUST(mkdir("a/sub", 0755));
  T(mount("inner", "a/sub", "tmpfs", 0, NULL));
  MUST(write_file("a/sub/deep", "y"));
  T(mount("a", "b", NULL, MS_MOVE, NULL));
  printf("a/file %d b/file %d b/sub/deep %d\n", exists("a/file"), exists("b/file"),
         exists("b/sub/deep"));
  char p[128];
  snprintf(p, sizeof p, "%s/b", mnt_base);
  show_mount("moved", p);
  snprintf(p, sizeof p, "%s/b/sub", mnt_base);
  show_mount("moved child", p);
  /* Not a mount root; into itself; a missing source. */
  T(mount("b/sub/deep", "a", NULL, MS_MOVE, NULL));
  MUST(mkdir("b/x", 0755));
  T(mount("b", "b/x", NULL, MS_MOVE, NULL));
  T(mount("nothere", "a", NULL, MS_MOVE, NULL));
  T(mount("b", "nothere", NULL, MS_MOVE, NULL));
  /* Binds: without MS_REC the submount is not copied, with it it is. */
  MUST(mkdir("plain", 0755));
  MUST(mkdir("rec", 0755));
  T(mount("b", "plain", NULL, MS_BIND, NULL));
  T(mount("b", "rec", NULL, MS_BIND | MS_REC, NULL));
  printf("plain/file %d plain/sub/deep %d rec/sub/deep %d\n", exists("plain/file"),
         exists("plain/sub/deep"), exists("rec/sub/deep"));
  snprintf(p, sizeof p, "%s/rec/sub", mnt_base);
  show_mount("rec child", p);
  /* A bind of a subdirectory shows it as the root. */
  MUST(mkdir("part", 0755));
  T(mount("b/x", "part", NULL, MS_BIND, NULL));
  snprintf(p, sizeof p, "%s/part", mnt_base);
  show_mount("part", p);
  /* Unbindable. */
  T(mount(NULL, "b", NULL, MS_UNBINDABLE, NULL));
  snprintf(p, sizeof p, "%s/b", mnt_base);
  show_mount("unbindable", p);
  MUST(mkdir("ub", 0755));
  T(mount("b", "ub", NULL, MS_BIND, NULL));
  T(mount(NULL, "b", NULL, MS_PRIVATE, NULL));
  T(mount("b", "ub", NULL, MS_BIND, NULL));
  T(umount2("ub", 0));
  T(umount2("part", 0));
  T(umount2("rec", MNT_DETACH));
  T(umount2("plain", 0));
  T(umount2("b", MNT_DETACH));
  printf("b/file at the end %d\n", exists("b/file"));
  mnt_done();
  return 0;
}
