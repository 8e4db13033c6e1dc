/* POSIX record locks between processes: the parent holds locks, a child probes
 * them with F_GETLK (type, range, l_pid) and F_SETLK (EAGAIN), with splitting,
 * merging, SEEK_CUR/SEEK_END and negative lengths. */
#include "lockutil.h"

static void probe(int fd, pid_t parent, const char *what) {
  printf("-- %s\n", what);
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) {
    lk_get("wr 0..100", fd, F_GETLK, F_WRLCK, 0, 100, parent);
    lk_get("wr 0..eof", fd, F_GETLK, F_WRLCK, 0, 0, parent);
    lk_get("rd 0..eof", fd, F_GETLK, F_RDLCK, 0, 0, parent);
    lk_get("wr 15..20", fd, F_GETLK, F_WRLCK, 15, 5, parent);
    lk_get("wr 50..60", fd, F_GETLK, F_WRLCK, 50, 10, parent);
    lk_get("rd 200..", fd, F_GETLK, F_RDLCK, 200, 0, parent);
    T(lk_set(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
    T(lk_set(fd, F_SETLK, F_RDLCK, SEEK_SET, 10, 5));
    T(lk_set(fd, F_SETLK, F_WRLCK, SEEK_SET, 95, 1));
    T(lk_set(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
    fflush(stdout);
    _exit(0);
  }
  printf("child: %d\n", lk_wait(c));
}

int main(int argc, char **argv) {
  (void)argc; (void)argv;
  int fd = lk_open("lock_conflict", O_RDWR);
  pid_t me = getpid();
  T(lk_set(fd, F_SETLK, F_WRLCK, SEEK_SET, 10, 20));
  probe(fd, me, "wr 10..30");
  /* Split: unlock the middle. */
  T(lk_set(fd, F_SETLK, F_UNLCK, SEEK_SET, 15, 5));
  probe(fd, me, "wr 10..15 + 20..30");
  /* Downgrade part to a read lock. */
  T(lk_set(fd, F_SETLK, F_RDLCK, SEEK_SET, 20, 5));
  probe(fd, me, "wr 10..15, rd 20..25, wr 25..30");
  /* Merge everything back into one write lock. */
  T(lk_set(fd, F_SETLK, F_WRLCK, SEEK_SET, 10, 20));
  probe(fd, me, "wr 10..30 again");
  T(lk_set(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
  /* SEEK_CUR with a negative length, SEEK_END to EOF. */
  T(lseek(fd, 60, SEEK_SET));
  T(lk_set(fd, F_SETLK, F_WRLCK, SEEK_CUR, 0, -10));
  T(lk_set(fd, F_SETLK, F_RDLCK, SEEK_END, -5, 0));
  probe(fd, me, "wr 50..60, rd 95..eof");
  T(lk_set(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
  probe(fd, me, "nothing");
  /* The child's own locks do not conflict with each other. */
  T(lk_set(fd, F_SETLK, F_RDLCK, SEEK_SET, 0, 0));
  pid_t c = fork();
  if (c == 0) {
    T(lk_set(fd, F_SETLK, F_RDLCK, SEEK_SET, 0, 10));
    T(lk_set(fd, F_SETLK, F_RDLCK, SEEK_SET, 5, 10));
    T(lk_set(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
    fflush(stdout);
    _exit(0);
  }
  printf("child: %d\n", lk_wait(c));
  unlink(lk_path);
  return 0;
}
