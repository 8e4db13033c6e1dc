/* POSIX locks go when the process closes ANY fd of the file (and at exit);
 * OFD and flock locks stay until their own description is closed. */
#include "lockutil.h"

static void child_probe(const char *what, int fd, pid_t holder) {
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) {
    lk_get(what, fd, F_GETLK, F_WRLCK, 0, 0, holder);
    printf("%s: flock(LOCK_EX|LOCK_NB) via new open = %s\n", what,
           ({
             int f2 = open(lk_path, O_RDWR);
             int r = flock(f2, LOCK_EX | LOCK_NB);
             const char *s = r == 0 ? "0" : errname(errno);
             close(f2);
             s;
           }));
    fflush(stdout);
    _exit(0);
  }
  lk_wait(c);
}

int main(int argc, char **argv) {
  (void)argc; (void)argv;
  pid_t me = getpid();
  int fd = lk_open("lock_close", O_RDWR);
  T(lk_set(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
  int other = open(lk_path, O_RDONLY);
  child_probe("before close", fd, me);
  close(other);
  child_probe("after closing another fd", fd, me);
  /* dup'ed fds: closing the dup drops the lock too. */
  T(lk_set(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
  int d = dup(fd);
  close(d);
  child_probe("after closing a dup", fd, me);
  /* OFD locks survive the close of another fd. */
  int ofd = open(lk_path, O_RDWR);
  T(lk_set(ofd, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10));
  other = open(lk_path, O_RDONLY);
  close(other);
  child_probe("ofd after closing another fd", fd, -1);
  /* ... and go with their description. */
  close(ofd);
  child_probe("ofd after closing its fd", fd, -1);
  /* flock: held by the description, survives other closes. */
  T(flock(fd, LOCK_EX));
  other = open(lk_path, O_RDONLY);
  close(other);
  child_probe("flock after closing another fd", fd, me);
  /* Exit of the holder drops POSIX locks. */
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) {
    int f = open(lk_path, O_RDWR);
    lk_set(f, F_SETLK, F_WRLCK, SEEK_SET, 50, 10);
    _exit(0);
  }
  lk_wait(c);
  lk_get("after holder exit", fd, F_GETLK, F_WRLCK, 0, 0, c);
  unlink(lk_path);
  return 0;
}
