/* Bind mounts of a file over a file (what container runtimes do for /etc/hosts): the
 * target shows the source's contents and attributes, writes through it reach the source,
 * a read-only remount gives EROFS for every write (open for writing, O_TRUNC, truncate,
 * chmod) while the source stays writable, the mount point cannot be unlinked or renamed
 * (EBUSY, on either side of a rename), a file cannot go on a directory nor a directory
 * on a file (ENOTDIR), mountinfo lists it, and unmounting shows the file underneath. */
#include "mnt_common.h"

static void show_file(const char *label, const char *path) {
  char buf[64] = {0};
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    printf("%s: open %s\n", label, errname(errno));
    return;
  }
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  printf("%s: %zd \"%s\"\n", label, n, n > 0 ? buf : "");
}

int main(void) {
  mnt_setup();
  MUST(write_file("src", "from source\n"));
  MUST(write_file("hosts", ""));
  MUST(write_file("other", "o"));
  MUST(mkdir("dir", 0755));
  T(mount("src", "hosts", NULL, MS_BIND, NULL));
  char p[128];
  snprintf(p, sizeof p, "%s/hosts", mnt_base);
  show_mount("file bind", p);
  struct stat a, b;
  MUST(stat("src", &a));
  MUST(stat("hosts", &b));
  printf("same file %d regular %d size %ld\n", a.st_ino == b.st_ino && a.st_dev == b.st_dev,
         S_ISREG(b.st_mode), (long)b.st_size);
  show_file("hosts", "hosts");

  /* Writes through the mount point reach the source. */
  int fd = TOK(open("hosts", O_WRONLY | O_APPEND));
  T(write(fd, "more\n", 5));
  close(fd);
  show_file("src after append", "src");

  /* The mount point is busy; the source is not a mount point. */
  T(unlink("hosts"));
  T(rename("hosts", "moved"));
  T(rename("other", "hosts"));
  T(rename("src", "src2"));
  T(rename("src2", "src"));
  T(rmdir("hosts"));
  T(mkdir("hosts", 0755));

  /* Files go on files, directories on directories. */
  T(mount("src", "dir", NULL, MS_BIND, NULL));
  T(mount("dir", "other", NULL, MS_BIND, NULL));

  /* Read-only. */
  T(mount(NULL, "hosts", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
  show_mount("ro file bind", p);
  T(open("hosts", O_WRONLY));
  T(open("hosts", O_RDWR));
  T(open("hosts", O_RDONLY | O_TRUNC));
  T(truncate("hosts", 0));
  T(chmod("hosts", 0600));
  T(access("hosts", W_OK));
  T(write_file("src", "changed\n"));
  show_file("hosts after source write", "hosts");

  /* Unmounted: the empty file underneath is back and can go. */
  T(umount2("hosts", 0));
  show_file("hosts unmounted", "hosts");
  T(unlink("hosts"));
  mnt_done();
  return 0;
}
