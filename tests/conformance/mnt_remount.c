/* Remount of a tmpfs: ro then rw (with and without MS_BIND), nosuid/nodev/noexec
 * changes, atime flags kept when not given, statfs f_flags, and EINVAL for a remount of
 * something that is not a mount root. */
#include "mnt_common.h"
#include <sys/statvfs.h>

static void flags_of(const char *label, const char *path) {
  struct statvfs sv;
  if (statvfs(path, &sv) != 0) {
    printf("%s: statvfs %s\n", label, errname(errno));
    return;
  }
  printf("%s: f_flag 0x%lx\n", label, sv.f_flag);
}

int main(void) {
  mnt_setup();
  MUST(mkdir("m", 0755));
  T(mount("tmp1", "m", "tmpfs", MS_NOSUID, "size=64k"));
  char p[128];
  snprintf(p, sizeof p, "%s/m", mnt_base);
  MUST(write_file("m/f", "x"));
  show_mount("initial", p);
  flags_of("initial", "m");
  T(mount(NULL, "m", NULL, MS_REMOUNT | MS_RDONLY, NULL));
  show_mount("remount ro", p);
  flags_of("remount ro", "m");
  T(open("m/g", O_WRONLY | O_CREAT, 0644));
  T(open("m/f", O_WRONLY));
  T(mount(NULL, "m", NULL, MS_REMOUNT, NULL));
  show_mount("remount rw", p);
  T(write_file("m/g", "y"));
  T(mount(NULL, "m", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NODEV | MS_NOEXEC, NULL));
  show_mount("bind remount ro,nodev,noexec", p);
  flags_of("bind remount", "m");
  T(unlink("m/g"));
  T(mount(NULL, "m", NULL, MS_REMOUNT | MS_BIND | MS_NOATIME, NULL));
  show_mount("bind remount noatime", p);
  flags_of("noatime", "m");
  T(mount(NULL, "m", NULL, MS_REMOUNT | MS_BIND, NULL));
  show_mount("bind remount again (atime kept)", p);
  T(mount(NULL, "m", NULL, MS_REMOUNT | MS_BIND | MS_STRICTATIME, NULL));
  show_mount("strictatime", p);
  T(unlink("m/g"));
  /* Not a mount root. */
  MUST(mkdir("m/sub", 0755));
  T(mount(NULL, "m/sub", NULL, MS_REMOUNT, NULL));
  T(mount(NULL, "m/sub", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
  T(mount(NULL, "nothere", NULL, MS_REMOUNT, NULL));
  /* A read-only file system mounted ro from the start. */
  MUST(mkdir("r", 0755));
  T(mount("tmp2", "r", "tmpfs", MS_RDONLY, NULL));
  snprintf(p, sizeof p, "%s/r", mnt_base);
  show_mount("mounted ro", p);
  T(mkdir("r/x", 0755));
  T(umount2("r", 0));
  T(umount2("m", 0));
  mnt_done();
  return 0;
}
