/* Record-lock argument errors: open modes, types, whence, ranges, bad
 * pointers, O_PATH, non-regular files. */
#include "lockutil.h"

int main(int argc, char **argv) {
  (void)argc; (void)argv;
  int rw = lk_open("lock_errors", O_RDWR);
  int ro = open(lk_path, O_RDONLY);
  int wo = open(lk_path, O_WRONLY);
  T(lk_set(ro, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
  T(lk_set(wo, F_SETLK, F_RDLCK, SEEK_SET, 0, 1));
  T(lk_set(ro, F_SETLK, F_RDLCK, SEEK_SET, 0, 1));
  T(lk_set(wo, F_SETLK, F_WRLCK, SEEK_SET, 2, 1));
  T(lk_set(ro, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
  T(lk_set(wo, F_OFD_SETLK, F_RDLCK, SEEK_SET, 0, 1));
  T(lk_set(ro, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 1));
  /* F_GETLK ignores the open mode but needs a lock type. */
  T(lk_set(ro, F_GETLK, F_WRLCK, SEEK_SET, 0, 1));
  T(lk_set(rw, F_GETLK, F_UNLCK, SEEK_SET, 0, 1));
  T(lk_set(rw, F_SETLK, 7, SEEK_SET, 0, 1));
  T(lk_set(rw, F_SETLK, F_WRLCK, 3, 0, 1));
  T(lk_set(rw, F_SETLK, F_WRLCK, SEEK_SET, -1, 1));
  T(lk_set(rw, F_SETLK, F_WRLCK, SEEK_SET, 5, -6));
  T(lk_set(rw, F_SETLK, F_WRLCK, SEEK_SET, 5, -5));
  T(lk_set(rw, F_SETLK, F_WRLCK, SEEK_END, -101, 1));
  T(lk_set(rw, F_SETLK, F_WRLCK, SEEK_SET, 0x7fffffffffffffffL, 2));
  T(lk_set(rw, F_SETLK, F_WRLCK, SEEK_SET, 0x7ffffffffffffff0L, 0));
  T(fcntl(rw, F_SETLK, BADPTR));
  T(fcntl(rw, F_GETLK, BADPTR));
  T(fcntl(rw, F_OFD_GETLK, BADPTR));
  T(lk_set(-1, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
  int path = open(lk_path, O_PATH);
  T(lk_set(path, F_SETLK, F_RDLCK, SEEK_SET, 0, 1));
  T(lk_set(path, F_GETLK, F_RDLCK, SEEK_SET, 0, 1));
  /* Locks on a pipe work (any open file). */
  int p[2];
  if (pipe(p) == 0) {
    T(lk_set(p[1], F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
    T(lk_set(p[0], F_SETLK, F_RDLCK, SEEK_SET, 0, 1));
    T(flock(p[0], LOCK_EX | LOCK_NB));
  }
  unlink(lk_path);
  return 0;
}
