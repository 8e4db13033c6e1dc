/* tmpfs (/tmp): create/write/read/append/truncate, stat sizes and link counts, rename,
 * link, unlink, rmdir ENOTEMPTY, sorted getdents, symlink/readlink, chmod, lseek
 * SEEK_DATA/SEEK_HOLE, statfs. Natively this runs on the host's /tmp: names include the
 * pid (never printed) and everything is removed at the end. */
#include "common.h"
#include <dirent.h>
#include <sys/statfs.h>
#include <sys/vfs.h>

static char base[128];

static const char *p(const char *name) {
  static char buf[4][256];
  static int i;
  i = (i + 1) % 4;
  snprintf(buf[i], sizeof buf[i], "%s/%s", base, name);
  return buf[i];
}

static int cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) {
    printf("opendir: %s\n", errname(errno));
    return;
  }
  char *names[64];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 64) {
    char t = e->d_type == DT_DIR ? 'd' : e->d_type == DT_REG ? 'f' : e->d_type == DT_LNK ? 'l' : '?';
    char *s = malloc(300);
    snprintf(s, 300, "%s:%c", e->d_name, t);
    names[n++] = s;
  }
  closedir(d);
  qsort(names, n, sizeof names[0], cmp);
  printf("list:");
  for (int i = 0; i < n; i++) {
    printf(" %s", names[i]);
    free(names[i]);
  }
  printf("\n");
}

static void st(const char *name) {
  struct stat s;
  if (lstat(p(name), &s) < 0) {
    printf("stat %s: %s\n", name, errname(errno));
    return;
  }
  if (S_ISDIR(s.st_mode))
    printf("stat %s: mode=%o nlink=%lu\n", name, s.st_mode, (unsigned long)s.st_nlink);
  else
    printf("stat %s: mode=%o nlink=%lu size=%ld blocks=%ld\n", name, s.st_mode,
           (unsigned long)s.st_nlink, (long)s.st_size, (long)s.st_blocks);
}

int main(void) {
  umask(022);
  snprintf(base, sizeof base, "/tmp/tmpfs_files.%d", getpid());
  T(mkdir(base, 0755));
  struct stat bs;
  stat(base, &bs);
  printf("dir nlink=%lu\n", (unsigned long)bs.st_nlink);

  int fd = open(p("f"), O_CREAT | O_EXCL | O_RDWR, 0666);
  printf("open new: %s\n", fd >= 0 ? "ok" : errname(errno));
  T(open(p("f"), O_CREAT | O_EXCL | O_RDWR, 0666));
  T(write(fd, "hello world", 11));
  st("f");
  char buf[64] = {0};
  T(pread(fd, buf, sizeof buf, 6));
  printf("read: %s\n", buf);
  T(lseek(fd, 0, SEEK_CUR));
  T(lseek(fd, 0, SEEK_END));
  close(fd);

  fd = open(p("f"), O_WRONLY | O_APPEND);
  T(lseek(fd, 0, SEEK_SET));
  T(write(fd, "!!", 2));
  T(lseek(fd, 0, SEEK_CUR));
  T(pwrite(fd, "?", 1, 0));
  close(fd);
  fd = open(p("f"), O_RDONLY);
  memset(buf, 0, sizeof buf);
  T(read(fd, buf, sizeof buf));
  printf("content: %s\n", buf);
  T(write(fd, "x", 1));
  close(fd);

  T(truncate(p("f"), 5));
  st("f");
  T(truncate(p("f"), 3 * 4096 + 10));
  st("f");
  fd = open(p("f"), O_RDWR);
  memset(buf, 'z', sizeof buf);
  T(pread(fd, buf, 8, 3));
  printf("after truncate:");
  for (int i = 0; i < 8; i++)
    printf(" %02x", (unsigned char)buf[i]);
  printf("\n");
  T(pwrite(fd, "end", 3, 2 * 4096 + 7));
  T(lseek(fd, 0, SEEK_DATA));
  T(lseek(fd, 0, SEEK_HOLE));
  T(lseek(fd, 4096, SEEK_DATA));
  T(lseek(fd, 3 * 4096 + 10, SEEK_DATA));
  T(ftruncate(fd, 0));
  st("f");
  close(fd);
  fd = open(p("f"), O_WRONLY | O_TRUNC);
  T(write(fd, "abc", 3));
  close(fd);
  fd = open(p("f"), O_WRONLY | O_TRUNC);
  close(fd);
  st("f");

  /* links and renames */
  T(link(p("f"), p("g")));
  st("f");
  T(link(p("f"), p("g")));
  T(rename(p("f"), p("h")));
  st("h");
  T(rename(p("g"), p("h")));
  st("h");
  T(access(p("g"), F_OK));
  T(unlink(p("g")));
  st("h");
  T(mkdir(p("d"), 0700));
  stat(base, &bs);
  printf("dir nlink=%lu\n", (unsigned long)bs.st_nlink);
  T(mkdir(p("d"), 0700));
  T(rename(p("h"), p("d/h")));
  T(rmdir(p("d")));
  T(unlink(p("d")));
  T(rename(p("d"), p("d/sub")));
  T(mkdir(p("e"), 0755));
  T(rename(p("e"), p("d")));
  T(rename(p("d"), p("e")));
  T(rename(p("e"), p("d")));
  T(mkdir(p("e"), 0755));
  T(rename(p("e"), p("d/h")));
  T(rename(p("d/h"), p("e")));
  T(rename(p("d/h"), p("d/h")));
  T(syscall(SYS_renameat2, AT_FDCWD, p("d/h"), AT_FDCWD, p("e"), RENAME_NOREPLACE));
  TOK(open(p("x"), O_CREAT | O_WRONLY, 0600));
  T(syscall(SYS_renameat2, AT_FDCWD, p("x"), AT_FDCWD, p("e"), RENAME_EXCHANGE));
  st("x");
  st("e");
  stat(base, &bs);
  printf("dir nlink=%lu\n", (unsigned long)bs.st_nlink);
  T(syscall(SYS_renameat2, AT_FDCWD, p("x"), AT_FDCWD, p("nope"), RENAME_EXCHANGE));
  list(base);
  list(p("d"));

  /* symlinks */
  T(symlink("d/h", p("l")));
  memset(buf, 0, sizeof buf);
  T(readlink(p("l"), buf, sizeof buf));
  printf("link: %s\n", buf);
  st("l");
  fd = open(p("l"), O_RDONLY);
  printf("open via link: %s\n", fd >= 0 ? "ok" : errname(errno));
  close(fd);
  T(open(p("l"), O_RDONLY | O_NOFOLLOW));
  T(symlink("dangling-target", p("dl")));
  fd = open(p("dl"), O_CREAT | O_WRONLY, 0644);
  printf("create via dangling link: %s\n", fd >= 0 ? "ok" : errname(errno));
  close(fd);
  st("dangling-target");

  /* chmod / utimes */
  T(chmod(p("d/h"), 04751));
  st("d/h");
  T(fchmodat(AT_FDCWD, p("l"), 0600, AT_SYMLINK_NOFOLLOW));
  struct timespec ts[2] = {{1000, 5}, {2000, 6}};
  T(utimensat(AT_FDCWD, p("d/h"), ts, 0));
  struct stat s;
  stat(p("d/h"), &s);
  printf("times: %ld.%ld %ld.%ld\n", (long)s.st_atime, s.st_atim.tv_nsec, (long)s.st_mtime, s.st_mtim.tv_nsec);
  ts[0].tv_nsec = UTIME_OMIT;
  ts[1].tv_nsec = UTIME_NOW;
  T(utimensat(AT_FDCWD, p("d/h"), ts, 0));
  stat(p("d/h"), &s);
  printf("times: atime kept %d, mtime now %d\n", s.st_atime == 1000, s.st_mtime > 2000);

  /* O_TMPFILE: an unnamed file, linkable unless O_EXCL */
  fd = TOK(open(base, O_TMPFILE | O_RDWR, 0640));
  T(write(fd, "anon", 4));
  T(fstat(fd, &s));
  printf("tmpfile nlink=%lu mode=%o size=%ld\n", (unsigned long)s.st_nlink, s.st_mode, (long)s.st_size);
  T(linkat(fd, "", AT_FDCWD, p("tmpf"), AT_EMPTY_PATH));
  st("tmpf");
  close(fd);
  fd = TOK(open(base, O_TMPFILE | O_RDWR | O_EXCL, 0600));
  T(linkat(fd, "", AT_FDCWD, p("tmpf2"), AT_EMPTY_PATH));
  close(fd);
  T(open(base, O_TMPFILE | O_RDONLY, 0600));
  T(open(base, O_TMPFILE | O_CREAT | O_RDWR, 0600));
  T(open(p("tmpf"), O_TMPFILE | O_RDWR, 0600));
  T(unlink(p("tmpf")));

  /* statfs */
  struct statfs sf;
  T(statfs(base, &sf));
  printf("namelen=%ld\n", (long)sf.f_namelen);
  T(statfs("/dev/shm", &sf));
  printf("/dev/shm f_type=%lx\n", (long)sf.f_type);

  /* errors on the namespace */
  T(mkdir(p("nodir/x"), 0755));
  T(unlink(p("d")));
  T(rmdir(p("d/h")));
  T(rmdir(p(".")));
  T(link(p("d"), p("dlink")));
  T(open(p("d"), O_RDWR));
  T(open(p("new/"), O_CREAT | O_RDWR, 0644));
  T(rename(p("d"), "/proc/x"));

  /* cleanup */
  T(unlink(p("d/h")));
  T(rmdir(p("d")));
  T(unlink(p("e")));
  T(rmdir(p("x")));
  T(unlink(p("l")));
  T(unlink(p("dl")));
  T(unlink(p("dangling-target")));
  list(base);
  T(rmdir(base));
  return 0;
}
