/* EDEADLK: the parent holds byte 0 and the child byte 1; the child waits for
 * byte 0, so the parent's F_SETLKW on byte 1 would close the cycle. */
#include "lockutil.h"
#include <time.h>

int main(int argc, char **argv) {
  (void)argc; (void)argv;
  int fd = lk_open("lock_deadlock", O_RDWR);
  int p[2];
  if (pipe(p) != 0)
    return 1;
  T(lk_set(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) {
    close(p[0]);
    T(lk_set(fd, F_SETLK, F_WRLCK, SEEK_SET, 1, 1));
    fflush(stdout);
    write(p[1], "x", 1);
    int r = lk_set(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1);
    printf("child setlkw byte 0 = %d\n", r);
    fflush(stdout);
    _exit(0);
  }
  close(p[1]);
  char ch;
  read(p[0], &ch, 1);
  /* Give the child time to block. */
  struct timespec ts = {0, 200000000};
  nanosleep(&ts, NULL);
  int r1 = lk_set(fd, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1);
  int e1 = errno;
  /* A non-blocking attempt is just EAGAIN. */
  int r2 = lk_set(fd, F_SETLK, F_WRLCK, SEEK_SET, 1, 1);
  int e2 = errno;
  /* Releasing byte 0 lets the child finish (its exit frees byte 1). */
  int r3 = lk_set(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1);
  int st = lk_wait(c);
  show_result("setlkw byte 1", r1, e1);
  show_result("setlk byte 1", r2, e2);
  printf("unlock byte 0 = %d, child: %d\n", r3, st);
  T(lk_set(fd, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1));
  unlink(lk_path);
  return 0;
}
