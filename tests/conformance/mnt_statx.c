/* statx: stx_mnt_id names the mount as /proc/self/mountinfo does, and
 * STATX_ATTR_MOUNT_ROOT is set on mount roots only (a bind mount of a file too). */
#include "mnt_common.h"
#include <sys/stat.h>

static int mountinfo_id(const char *mp) {
  FILE *f = fopen("/proc/self/mountinfo", "r");
  char line[1024];
  int id = -1;
  while (f && fgets(line, sizeof line, f)) {
    int i;
    char m[512];
    if (sscanf(line, "%d %*d %*u:%*u %*s %511s", &i, m) == 2 && strcmp(m, mp) == 0) id = i;
  }
  if (f) fclose(f);
  return id;
}

static void show(const char *label, const char *path, const char *mp) {
  struct statx x;
  if (statx(AT_FDCWD, path, 0, STATX_BASIC_STATS | STATX_MNT_ID, &x) != 0) {
    printf("%s: %s\n", label, errname(errno));
    return;
  }
  char abs[256];
  snprintf(abs, sizeof abs, "%s%s", mnt_base, mp);
  printf("%s: mnt_id matches %d, mask has MNT_ID %d, mount root attr known %d set %d\n", label,
         (int)x.stx_mnt_id == mountinfo_id(abs), !!(x.stx_mask & STATX_MNT_ID),
         !!(x.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT),
         !!(x.stx_attributes & STATX_ATTR_MOUNT_ROOT));
}

int main(void) {
  mnt_setup();
  MUST(mkdir("m", 0755));
  T(mount("none", "m", "tmpfs", 0, NULL));
  MUST(mkdir("m/d", 0755));
  MUST(write_file("m/f", "x"));
  MUST(write_file("target", ""));
  T(mount("m/f", "target", NULL, MS_BIND, NULL));
  show("mount root", "m", "/m");
  show("dir inside", "m/d", "/m");
  show("file inside", "m/f", "/m");
  show("file bind", "target", "/target");
  show("base root", ".", "");
  T(umount2("target", 0));
  T(umount2("m", 0));
  mnt_done();
  return 0;
}
