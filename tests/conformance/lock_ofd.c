/* OFD locks: owned by the description (two opens in one process conflict),
 * l_pid must be 0, F_OFD_GETLK reports l_pid -1, and they conflict with POSIX
 * locks of the same process. */
#include "lockutil.h"

int main(int argc, char **argv) {
  (void)argc; (void)argv;
  pid_t me = getpid();
  int a = lk_open("lock_ofd", O_RDWR);
  int b = open(lk_path, O_RDWR);
  struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10, .l_pid = 1};
  T(fcntl(a, F_OFD_SETLK, &fl));
  T(fcntl(a, F_OFD_GETLK, &fl));
  T(lk_set(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10));
  T(lk_set(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 5, 10));
  T(lk_set(b, F_OFD_SETLK, F_RDLCK, SEEK_SET, 5, 1));
  T(lk_set(b, F_OFD_SETLK, F_RDLCK, SEEK_SET, 20, 10));
  lk_get("b ofd getlk 0..eof", b, F_OFD_GETLK, F_WRLCK, 0, 0, me);
  lk_get("a ofd getlk 0..eof", a, F_OFD_GETLK, F_WRLCK, 0, 0, me);
  lk_get("a ofd getlk rd 20..", a, F_OFD_GETLK, F_RDLCK, 20, 0, me);
  lk_get("ofd getlk unlck", a, F_OFD_GETLK, F_UNLCK, 0, 0, me);
  lk_get("ofd getlk unlck 15..", a, F_OFD_GETLK, F_UNLCK, 15, 0, me);
  lk_get("ofd getlk unlck b", b, F_OFD_GETLK, F_UNLCK, 0, 0, me);
  /* POSIX locks of this process vs the OFD locks. */
  T(lk_set(a, F_SETLK, F_RDLCK, SEEK_SET, 0, 1));
  T(lk_set(a, F_SETLK, F_WRLCK, SEEK_SET, 40, 10));
  T(lk_set(b, F_SETLK, F_RDLCK, SEEK_SET, 25, 1));
  lk_get("posix getlk 0..eof", a, F_GETLK, F_WRLCK, 0, 0, me);
  lk_get("ofd getlk 40..50", a, F_OFD_GETLK, F_WRLCK, 40, 10, me);
  T(lk_set(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 40, 1));
  /* A dup shares the OFD lock. */
  int d = dup(a);
  T(lk_set(d, F_OFD_SETLK, F_UNLCK, SEEK_SET, 0, 0));
  lk_get("b after dup unlock", b, F_OFD_GETLK, F_WRLCK, 0, 30, me);
  T(lk_set(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 1));
  /* Across fork the child shares the description's lock. */
  T(lk_set(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 60, 10));
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) {
    T(lk_set(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 60, 5));
    T(lk_set(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 60, 5));
    int n = open(lk_path, O_RDWR);
    lk_get("child new open", n, F_OFD_GETLK, F_WRLCK, 60, 1, me);
    fflush(stdout);
    _exit(0);
  }
  printf("child: %d\n", lk_wait(c));
  unlink(lk_path);
  return 0;
}
