/* What OCI runtimes do to procfs: bind /proc/sys onto itself and remount it read-only
 * (writes give EROFS, reads work), and mask a proc file with a bind of /dev/null. The
 * mounts sit below procfs's computed directories and must stay found. */
#include "mnt_common.h"

int main(void) {
  mnt_setup();
  T(mount("/proc/sys", "/proc/sys", NULL, MS_BIND | MS_REC, NULL));
  T(mount(NULL, "/proc/sys", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID, NULL));
  show_mount("proc/sys", "/proc/sys");
  int fd = open("/proc/sys/kernel/hostname", O_WRONLY);
  printf("open hostname for writing: %s\n", fd >= 0 ? "ok" : errname(errno));
  if (fd >= 0) close(fd);
  char buf[64] = "";
  fd = open("/proc/sys/kernel/ostype", O_RDONLY);
  T(read(fd, buf, sizeof buf - 1));
  printf("ostype: %s", buf);
  close(fd);
  T(access("/proc/sys/kernel/hostname", W_OK));
  /* Mask a file below a computed directory. */
  T(mount("/dev/null", "/proc/sys/kernel/ostype", NULL, MS_BIND, NULL));
  fd = open("/proc/sys/kernel/ostype", O_RDONLY);
  memset(buf, 0, sizeof buf);
  T(read(fd, buf, sizeof buf - 1));
  close(fd);
  struct stat st;
  T(stat("/proc/sys/kernel/ostype", &st));
  printf("masked is a char device: %d\n", S_ISCHR(st.st_mode));
  T(umount2("/proc/sys/kernel/ostype", 0));
  T(umount2("/proc/sys", MNT_DETACH));
  T(access("/proc/sys/kernel/hostname", W_OK));
  mnt_done();
  return 0;
}
