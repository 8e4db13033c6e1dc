/* Locks on the root file system (the fixture directory, served by the
 * gofer): read locks from two processes, a write lock needs a writable fd,
 * flock on a file and a directory, F_GETLK across processes, and the same
 * lock reached through a symlink. */
#include "lockutil.h"

int main(int argc, char **argv) {
  fixture_dir = argc > 1 ? argv[1] : ".";
  int a = open(fx("file.txt"), O_RDONLY);
  int viasym = open(fx("link_rel"), O_RDONLY);
  T(lk_set(a, F_SETLK, F_RDLCK, SEEK_SET, 0, 100));
  T(lk_set(a, F_SETLK, F_WRLCK, SEEK_SET, 0, 100));
  T(flock(a, LOCK_EX | LOCK_NB));
  int d = open(fx("dir"), O_RDONLY | O_DIRECTORY);
  T(flock(d, LOCK_SH | LOCK_NB));
  fflush(stdout);
  pid_t me = getpid();
  pid_t c = fork();
  if (c == 0) {
    int b = open(fx("file.txt"), O_RDONLY);
    T(lk_set(b, F_SETLK, F_RDLCK, SEEK_SET, 50, 100));
    lk_get("wr probe", b, F_GETLK, F_WRLCK, 0, 0, me);
    lk_get("wr probe via symlink", viasym, F_GETLK, F_WRLCK, 0, 0, me);
    T(flock(b, LOCK_SH | LOCK_NB));
    int d2 = open(fx("dir"), O_RDONLY | O_DIRECTORY);
    T(flock(d2, LOCK_SH | LOCK_NB));
    T(flock(d2, LOCK_EX | LOCK_NB));
    fflush(stdout);
    _exit(0);
  }
  printf("child: %d\n", lk_wait(c));
  return 0;
}
