/* flock(2): per open file description; shared vs exclusive; dup and fork
 * share the lock; conversions; LOCK_NB; independent of fcntl locks. */
#include "lockutil.h"

int main(int argc, char **argv) {
  (void)argc; (void)argv;
  int a = lk_open("lock_flock", O_RDWR);
  int b = open(lk_path, O_RDONLY);
  T(flock(a, LOCK_EX | LOCK_NB));
  T(flock(b, LOCK_SH | LOCK_NB));
  T(flock(b, LOCK_EX | LOCK_NB));
  T(flock(a, LOCK_EX | LOCK_NB));
  /* Downgrade, then another shared lock fits. */
  T(flock(a, LOCK_SH | LOCK_NB));
  T(flock(b, LOCK_SH | LOCK_NB));
  T(flock(a, LOCK_EX | LOCK_NB));
  T(flock(b, LOCK_UN));
  T(flock(a, LOCK_EX | LOCK_NB));
  /* fcntl locks do not see flock locks. */
  T(lk_set(b, F_SETLK, F_RDLCK, SEEK_SET, 0, 0));
  T(lk_set(b, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
  /* A dup shares it; closing the dup keeps it. */
  int d = dup(a);
  T(flock(d, LOCK_EX | LOCK_NB));
  close(d);
  T(flock(b, LOCK_SH | LOCK_NB));
  /* A forked child can unlock the shared description. */
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) {
    T(flock(b, LOCK_SH | LOCK_NB));
    T(flock(a, LOCK_UN));
    T(flock(b, LOCK_SH | LOCK_NB));
    fflush(stdout);
    _exit(0);
  }
  printf("child: %d\n", lk_wait(c));
  T(flock(b, LOCK_EX | LOCK_NB));
  /* Closing the last fd of the description releases its lock. */
  close(b);
  T(flock(a, LOCK_EX | LOCK_NB));
  /* Errors. */
  T(flock(a, 0));
  T(flock(a, LOCK_SH | LOCK_EX));
  T(flock(a, 8));
  T(flock(-1, LOCK_SH));
  T(flock(999, LOCK_SH));
  int path = open(lk_path, O_PATH);
  T(flock(path, LOCK_SH));
  /* Locks on a read-only and a write-only description both work. */
  int w = open(lk_path, O_WRONLY);
  T(flock(w, LOCK_SH | LOCK_NB));
  T(flock(a, LOCK_UN));
  T(flock(w, LOCK_EX | LOCK_NB));
  unlink(lk_path);
  return 0;
}
