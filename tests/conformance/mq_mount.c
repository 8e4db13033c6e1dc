/* POSIX message queues through a mount of the mqueue file system (in a private mount
 * namespace): mountinfo, the directory, queue files (stat, the status line), creating
 * with open(2), removing with unlink(2), chmod, what cannot be made there. */
#include "mnt_common.h"
#include "mq_common.h"
#include <dirent.h>
#include <sys/vfs.h>

static char dir[128];

static char *in_dir(const char *qn) {
  static char bufs[4][256];
  static int i;
  char *b = bufs[i++ % 4];
  snprintf(b, 256, "%s%s", dir, qn);
  return b;
}

/* Our queues in the directory (others may exist natively), sorted. */
static void list(const char *label, const char *a, const char *b) {
  DIR *d = opendir(dir);
  if (!d) {
    printf("%s: opendir %s\n", label, errname(errno));
    return;
  }
  int dots = 0, sa = 0, sb = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) dots++;
    if (!strcmp(e->d_name, a + 1)) sa = e->d_type == DT_REG ? 1 : -1;
    if (!strcmp(e->d_name, b + 1)) sb = e->d_type == DT_REG ? 1 : -1;
  }
  closedir(d);
  printf("%s: dots=%d a=%d b=%d\n", label, dots, sa, sb);
}

static void cat(const char *label, const char *path) {
  char line[128] = "";
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    printf("%s: open %s\n", label, errname(errno));
    return;
  }
  ssize_t n = read(fd, line, sizeof line - 1);
  close(fd);
  printf("%s: %zd %s", label, n, n > 0 ? line : "\n");
}

int main(int argc, char **argv) {
  init(argc, argv);
  mnt_setup();
  snprintf(dir, sizeof dir, "%s/mq", mnt_base);
  MUST(mkdir(dir, 0755));
  T(mount("none", dir, "mqueue", 0, "bogus=1"));
  T(mount("none", dir, "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
  show_mount("mqueue", dir);
  struct stat st;
  T(stat(dir, &st));
  printf("dir: type=%o perm=%o uid=%d\n", st.st_mode & S_IFMT, st.st_mode & 07777, st.st_uid);
  struct statfs sf;
  T(statfs(dir, &sf));
  printf("statfs: type=%#lx namelen=%ld\n", (unsigned long)sf.f_type, (long)sf.f_namelen);

  const char *a = qname("ma"), *b = qname("mb");
  struct mq_attr at = {.mq_maxmsg = 3, .mq_msgsize = 32};
  mqd_t q = TOK(mq_open(a, O_RDWR | O_CREAT | O_EXCL, 0640, &at));
  list("one", a, b);
  T(stat(in_dir(a), &st));
  printf("queue: type=%o perm=%o size=%ld nlink=%ld\n", st.st_mode & S_IFMT, st.st_mode & 07777,
         (long)st.st_size, (long)st.st_nlink);
  cat("empty", in_dir(a));
  T(mq_send(q, "hello", 5, 1));
  T(mq_send(q, "abc", 3, 9));
  cat("two", in_dir(a));
  /* The file opened by path is the queue itself. */
  int fd = TOK(open(in_dir(a), O_RDONLY | O_NONBLOCK));
  char buf[32];
  unsigned prio;
  ssize_t n = T(mq_receive(fd, buf, sizeof buf, &prio));
  printf("by path: %.*s/%u\n", n > 0 ? (int)n : 0, buf, prio);
  T(mq_send(fd, "x", 1, 0));
  close(fd);
  /* open(O_CREAT) makes a queue with the default attributes. */
  fd = TOK(open(in_dir(b), O_RDWR | O_CREAT | O_EXCL, 0600));
  show_attr("created by open", fd);
  close(fd);
  list("two", a, b);
  mqd_t qb = TOK(mq_open(b, O_RDONLY));
  T(mq_close(qb));
  /* chmod through the mount governs mq_open. */
  T(chmod(in_dir(b), 0));
  T(stat(in_dir(b), &st));
  printf("chmod: perm=%o\n", st.st_mode & 07777);
  /* Nothing but queues here. */
  T(mkdir(in_dir("/sub"), 0755));
  T(mknod(in_dir("/fifo"), S_IFIFO | 0600, 0));
  T(symlink("x", in_dir("/link")));
  T(link(in_dir(b), in_dir("/hard")));
  T(rename(in_dir(b), in_dir("/renamed")));
  T(write(q, "x", 1));
  /* unlink(2) removes the queue. */
  T(unlink(in_dir(b)));
  T(mq_open(b, O_RDONLY));
  list("after unlink", a, b);
  T(mq_unlink(a));
  T(stat(in_dir(a), &st));
  list("none", a, b);
  T(mq_close(q));
  T(umount(dir));
  rmdir(dir);
  mnt_done();
  return 0;
}
