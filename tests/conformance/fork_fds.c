/* File descriptors across fork: the open file description (offset, flags) is shared,
 * the descriptor table is not (close/dup in the child does not affect the parent);
 * FD_CLOEXEC is per descriptor and inherited. */
#include "proc.h"

int main(int argc, char **argv) {
  init(argc, argv);
  int fd = open(fx("file.txt"), O_RDONLY);
  int cl = open(fx("small.txt"), O_RDONLY | O_CLOEXEC);
  lseek(fd, 100, SEEK_SET);
  pid_t p = fork();
  if (p == 0) {
    printf("child: offset %ld cloexec %d\n", (long)lseek(fd, 0, SEEK_CUR), fcntl(cl, F_GETFD) & FD_CLOEXEC);
    lseek(fd, 500, SEEK_SET);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    close(cl);
    dup2(fd, 40);
    _exit(0);
  }
  reap(p, "child");
  SAY("parent: shared offset now %ld", (long)lseek(fd, 0, SEEK_CUR));
  SAY("parent: O_NONBLOCK set by child visible %d", (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
  SAY("parent: fd closed by child still open %d", fcntl(cl, F_GETFD) != -1);
  SAY("parent: fd 40 dup'ed by child exists %d", fcntl(40, F_GETFD) != -1);
  /* a read in the child advances the parent's offset */
  p = fork();
  if (p == 0) {
    char b[10];
    _exit(read(fd, b, 10) == 10 ? 0 : 1);
  }
  reap(p, "reader");
  SAY("after child's read: %ld", (long)lseek(fd, 0, SEEK_CUR));
  /* a file opened in the child is not visible to the parent */
  p = fork();
  if (p == 0) {
    int n = open(fx("small.txt"), O_RDONLY);
    _exit(n);
  }
  int st = reap(p, "opener (exit code = its new fd)");
  SAY("that fd in the parent: %s", fcntl(WEXITSTATUS(st), F_GETFD) == -1 ? errname(errno) : "open");
  /* pipe EOF needs every copy of the write end closed */
  int pf[2];
  if (pipe(pf)) return 1;
  p = fork();
  if (p == 0) {
    close(pf[0]);
    (void)!write(pf[1], "abc", 3);
    _exit(0);
  }
  close(pf[1]);
  char b[8];
  ssize_t n1 = read(pf[0], b, 8), n2 = read(pf[0], b, 8);
  SAY("pipe: read %zd then %zd (EOF)", n1, n2);
  reap(p, "writer");
  return 0;
}
