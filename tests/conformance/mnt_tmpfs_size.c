/* tmpfs mounted with size=, mode=, uid=, gid=: ENOSPC at the limit, the root's
 * mode and owner, statfs, the options shown by mountinfo, bad options. */
#include "mnt_common.h"
#include <sys/statfs.h>

int main(void) {
  mnt_setup();
  MUST(mkdir("small", 0755));
  T(mount("none", "small", "tmpfs", 0, "size=16k,mode=700,uid=12,gid=34"));
  char p[128];
  snprintf(p, sizeof p, "%s/small", mnt_base);
  show_mount("small", p);
  struct stat st;
  T(stat("small", &st));
  printf("root mode %o uid %u gid %u\n", st.st_mode, st.st_uid, st.st_gid);
  struct statfs sf;
  T(statfs("small", &sf));
  printf("f_type tmpfs: %d, f_bsize %ld, f_blocks %ld\n", sf.f_type == 0x01021994, (long)sf.f_bsize,
         (long)sf.f_blocks);
  int fd = T(open("small/f", O_WRONLY | O_CREAT, 0644));
  char buf[4096];
  memset(buf, 'x', sizeof buf);
  long total = 0;
  for (int i = 0; i < 8; i++) {
    ssize_t n = write(fd, buf, sizeof buf);
    if (n < 0) {
      printf("write %d: %s\n", i, errname(errno));
      break;
    }
    total += n;
  }
  printf("written before ENOSPC: %ld\n", total);
  T(statfs("small", &sf));
  printf("f_bfree %ld\n", (long)sf.f_bfree);
  close(fd);
  /* A remount can grow the limit, not shrink it below what is used. */
  T(mount(NULL, "small", NULL, MS_REMOUNT, "size=32k"));
  show_mount("small remounted", p);
  fd = open("small/f", O_WRONLY | O_APPEND);
  T(write(fd, buf, sizeof buf));
  close(fd);
  T(mount(NULL, "small", NULL, MS_REMOUNT, "size=8k"));
  show_mount("small after failed shrink", p);
  T(unlink("small/f"));
  T(statfs("small", &sf));
  printf("f_bfree after unlink %ld\n", (long)sf.f_bfree);
  /* Rounded up to whole pages. */
  MUST(mkdir("odd", 0755));
  T(mount("none", "odd", "tmpfs", 0, "size=5000"));
  snprintf(p, sizeof p, "%s/odd", mnt_base);
  show_mount("odd", p);
  T(mount("none", "odd", "tmpfs", 0, "size=1m,mode=1777"));
  show_mount("odd stacked", p);
  T(mount("none", "odd", "tmpfs", 0, "size=2g"));
  show_mount("odd 2g", p);
  /* Bad options. */
  T(mount("none", "odd", "tmpfs", 0, "size=abc"));
  T(mount("none", "odd", "tmpfs", 0, "bogus=1"));
  T(mount("none", "odd", "tmpfs", 0, "mode=9"));
  T(umount2("odd", 0));
  T(umount2("odd", 0));
  T(umount2("odd", 0));
  T(umount2("odd", 0));
  T(umount2("small", 0));
  mnt_done();
  return 0;
}
