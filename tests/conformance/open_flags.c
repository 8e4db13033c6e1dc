/* open/openat: flags and the errors of path resolution (read-only friendly). */
#include "common.h"

static void show_open(const char *label, int fd) {
  if (fd < 0) {
    printf("%s = -1 %s\n", label, errname(errno));
    return;
  }
  struct stat st;
  fstat(fd, &st);
  printf("%s = fd %d type %o flags %#o\n", label, fd, st.st_mode & S_IFMT,
         fcntl(fd, F_GETFL));
  close(fd);
}
#define O(expr) show_open(#expr, (errno = 0, (int)(expr)))

int main(int argc, char **argv) {
  init(argc, argv);
  O(open(fx("file.txt"), O_RDONLY));
  O(open(fx("file.txt"), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOATIME));
  O(open(fx("file.txt"), O_RDONLY | O_DIRECTORY));
  O(open(fx("file.txt"), O_RDONLY | O_NOFOLLOW));
  O(open(fx("file.txt/"), O_RDONLY));
  O(open(fx("file.txt/x"), O_RDONLY));
  O(open(fx("nonexistent"), O_RDONLY));
  O(open(fx("nonexistent/x"), O_RDONLY));
  O(open("", O_RDONLY));
  O(open(fx("dir"), O_RDONLY));
  O(open(fx("dir"), O_RDONLY | O_DIRECTORY));
  O(open(fx("dir/"), O_RDONLY));
  O(open(fx("dir/."), O_RDONLY));
  O(open(fx("dir/.."), O_RDONLY | O_DIRECTORY));
  O(open(fx("dir/sub/../a"), O_RDONLY));
  O(open(fx("dir"), O_WRONLY));
  O(open(fx("dir"), O_RDWR));
  O(open(fx("dir"), O_WRONLY | O_CREAT, 0644));
  O(open(fx("file.txt"), O_RDONLY | O_CREAT | O_EXCL, 0644));
  O(open(fx("dir"), O_RDONLY | O_CREAT | O_EXCL, 0644));
  /* symlinks */
  O(open(fx("link_rel"), O_RDONLY));
  O(open(fx("link_abs"), O_RDONLY));
  O(open(fx("link_rel"), O_RDONLY | O_NOFOLLOW));
  O(open(fx("link_dir"), O_RDONLY | O_DIRECTORY));
  O(open(fx("link_dir"), O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
  O(open(fx("link_dir/a"), O_RDONLY | O_NOFOLLOW));
  O(open(fx("link_dir/link"), O_RDONLY));
  O(open(fx("link_dangling"), O_RDONLY));
  O(open(fx("loop1"), O_RDONLY));
  O(open(fx("loop1/x"), O_RDONLY));
  O(open(fx("link_rel"), O_PATH | O_NOFOLLOW));
  O(open(fx("link_dangling"), O_PATH | O_NOFOLLOW));
  O(open(fx("file.txt"), O_PATH));
  O(open(fx("dir"), O_PATH | O_DIRECTORY));
  /* names too long */
  char longname[300];
  memset(longname, 'n', 256);
  longname[256] = 0;
  O(open(fx(longname), O_RDONLY));
  longname[255] = 0;
  O(open(fx(longname), O_RDONLY));
  static char longpath[PATH_MAX + 100];
  strcpy(longpath, fixture_dir);
  while (strlen(longpath) < PATH_MAX + 10)
    strcat(longpath, "/.");
  O(open(longpath, O_RDONLY));
  longpath[PATH_MAX - 1] = 0;
  if (longpath[PATH_MAX - 2] == '/')
    longpath[PATH_MAX - 2] = '.';
  O(open(longpath, O_RDONLY));
  /* mode 0000: root may still read it */
  O(open(fx("mode0000"), O_RDONLY));
  /* devices */
  O(open("/dev/null", O_RDWR | O_APPEND));
  O(open("/dev/zero", O_RDONLY | O_DIRECTORY));

  /* openat */
  int dfd = T(open(fixture_dir, O_RDONLY | O_DIRECTORY));
  O(openat(dfd, "file.txt", O_RDONLY));
  O(openat(dfd, "dir/a", O_RDONLY));
  O(openat(dfd, "../", O_RDONLY | O_DIRECTORY));
  O(openat(dfd, "nonexistent", O_RDONLY));
  O(openat(dfd, "", O_RDONLY));
  O(openat(-1, "file.txt", O_RDONLY));
  O(openat(1000, "file.txt", O_RDONLY));
  O(openat(-1, "/dev/null", O_RDONLY));
  O(openat(AT_FDCWD, "dev/null", O_RDONLY));
  int ffd = T(open(fx("file.txt"), O_RDONLY));
  O(openat(ffd, "x", O_RDONLY));
  O(openat(ffd, "/dev/null", O_RDONLY));
  T(close(ffd));
  int pfd = T(open(fixture_dir, O_PATH));
  O(openat(pfd, "small.txt", O_RDONLY));
  T(close(pfd));
  T(fchdir(dfd));
  O(open("small.txt", O_RDONLY));
  O(openat(AT_FDCWD, "dir/b", O_RDONLY));
  O(open("./dir/../dir/c", O_RDONLY));
  T(close(dfd));
  /* reading from O_PATH fds fails */
  int p = open(fx("small.txt"), O_PATH);
  char c;
  T(read(p, &c, 1));
  T(close(p));
  /* creat of an existing directory */
  T(creat(fx("dir"), 0644));
  return 0;
}
