/* Bind mounts: the same files through two paths, changes seen both ways, a read-only
 * bind (remount with MS_BIND|MS_RDONLY) gives EROFS for every kind of write while the
 * original stays writable, and a bind mount takes the source mount's flags. */
#include "mnt_common.h"
#include <utime.h>

int main(void) {
  mnt_setup();
  MUST(mkdir("src", 0755));
  MUST(mkdir("src/d", 0755));
  MUST(write_file("src/f", "one"));
  MUST(mkdir("dst", 0755));
  T(mount("src", "dst", NULL, MS_BIND, NULL));
  char p[128];
  snprintf(p, sizeof p, "%s/dst", mnt_base);
  show_mount("bind", p);
  printf("dst/f exists: %d\n", exists("dst/f"));
  /* Changes through one tree are seen through the other. */
  printf("dst/new before: %d\n", exists("dst/new"));
  MUST(write_file("src/new", "n"));
  printf("dst/new after create in src: %d\n", exists("dst/new"));
  T(unlink("dst/new"));
  printf("src/new after unlink in dst: %d\n", exists("src/new"));
  T(rename("src/f", "src/g"));
  printf("dst/f %d dst/g %d\n", exists("dst/f"), exists("dst/g"));
  T(rename("dst/g", "dst/f"));

  /* Read-only bind. */
  T(mount(NULL, "dst", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
  show_mount("ro bind", p);
  T(open("dst/f", O_RDONLY) >= 0);
  T(open("dst/f", O_WRONLY));
  T(open("dst/f", O_RDWR | O_TRUNC));
  T(open("dst/x", O_WRONLY | O_CREAT, 0644));
  T(mkdir("dst/x", 0755));
  T(unlink("dst/f"));
  T(rmdir("dst/d"));
  T(rename("dst/f", "dst/h"));
  T(symlink("f", "dst/l"));
  T(link("dst/f", "dst/l"));
  T(chmod("dst/f", 0600));
  T(chown("dst/f", 1, 1));
  T(truncate("dst/f", 0));
  T(utime("dst/f", NULL));
  T(mknod("dst/fifo", S_IFIFO | 0644, 0));
  T(access("dst/f", W_OK));
  T(access("dst/f", R_OK));
  T(access("dst/d", W_OK));
  /* The original path stays writable and the ro view sees its changes. */
  T(write_file("src/f", "two"));
  char buf[8] = {0};
  int fd = open("dst/f", O_RDONLY);
  T(read(fd, buf, sizeof buf - 1));
  printf("through ro bind: %s\n", buf);
  close(fd);
  /* A bind of a read-only bind is read-only too. */
  MUST(mkdir("dst2", 0755));
  T(mount("dst", "dst2", NULL, MS_BIND, NULL));
  snprintf(p, sizeof p, "%s/dst2", mnt_base);
  show_mount("bind of ro bind", p);
  T(open("dst2/y", O_WRONLY | O_CREAT, 0644));
  /* Remount back to rw. */
  T(mount(NULL, "dst", NULL, MS_REMOUNT | MS_BIND, NULL));
  T(write_file("dst/z", "z"));
  printf("src/z: %d\n", exists("src/z"));
  /* Binding a file on a directory or the reverse. */
  T(mount("src/f", "dst2", NULL, MS_BIND, NULL));
  T(mount("src/d", "src/f", NULL, MS_BIND, NULL));
  MUST(write_file("target", ""));
  T(mount("src/f", "target", NULL, MS_BIND, NULL));
  fd = open("target", O_RDONLY);
  memset(buf, 0, sizeof buf);
  T(read(fd, buf, sizeof buf - 1));
  printf("file bind reads: %s\n", buf);
  close(fd);
  T(mount("missing", "dst", NULL, MS_BIND, NULL));
  T(mount("", "dst", NULL, MS_BIND, NULL));
  T(umount2("target", 0));
  T(umount2("dst2", 0));
  /* The fd opened by the first ro check is still open in dst. */
  T(umount2("dst", 0));
  printf("dst/f after umount: %d\n", exists("dst/f"));
  mnt_done();
  return 0;
}
