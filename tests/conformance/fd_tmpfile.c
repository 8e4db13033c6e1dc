/* O_TMPFILE on /tmp: an unnamed file (st_nlink 0) that linkat gives a name
 * through AT_EMPTY_PATH or /proc/self/fd with AT_SYMLINK_FOLLOW; O_EXCL
 * prevents linking; invalid flag combinations. */
#include "common.h"

int main(int argc, char **argv) {
  (void)argc; (void)argv;
  char dir[64], a[96], b[96], c[96];
  snprintf(dir, sizeof dir, "/tmp/fd_tmpfile-%d", (int)getpid());
  snprintf(a, sizeof a, "%s/a", dir);
  snprintf(b, sizeof b, "%s/b", dir);
  snprintf(c, sizeof c, "%s/c", dir);
  mkdir(dir, 0700);
  int fd = open(dir, O_TMPFILE | O_RDWR, 0600);
  T(fd >= 0);
  T(write(fd, "tmp", 3));
  struct stat st;
  fstat(fd, &st);
  printf("nlink = %ld, mode = %o\n", (long)st.st_nlink, st.st_mode & 07777);
  T(linkat(fd, "", AT_FDCWD, a, AT_EMPTY_PATH));
  fstat(fd, &st);
  printf("nlink = %ld\n", (long)st.st_nlink);
  char proc[64];
  snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
  T(linkat(AT_FDCWD, proc, AT_FDCWD, b, AT_SYMLINK_FOLLOW));
  fstat(fd, &st);
  printf("nlink = %ld\n", (long)st.st_nlink);
  char buf[8] = {0};
  int r = open(b, O_RDONLY);
  T(read(r, buf, sizeof buf));
  printf("b: %s\n", buf);
  T(linkat(fd, "", AT_FDCWD, a, AT_EMPTY_PATH));
  int ex = open(dir, O_TMPFILE | O_RDWR | O_EXCL, 0600);
  T(ex >= 0);
  T(linkat(ex, "", AT_FDCWD, c, AT_EMPTY_PATH));
  snprintf(proc, sizeof proc, "/proc/self/fd/%d", ex);
  T(linkat(AT_FDCWD, proc, AT_FDCWD, c, AT_SYMLINK_FOLLOW));
  T(open(dir, O_TMPFILE | O_RDONLY, 0600));
  T(open(dir, O_TMPFILE | O_RDWR | O_CREAT, 0600));
  T(open(a, O_TMPFILE | O_RDWR, 0600));
  T(open("/tmp/nonexistent-dir-x", O_TMPFILE | O_RDWR, 0600));
  unlink(a);
  unlink(b);
  rmdir(dir);
  return 0;
}
