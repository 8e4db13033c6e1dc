/* F_SETLKW blocks until the holder unlocks (the waiter then holds it), and a
 * signal interrupts it: EINTR without SA_RESTART (flock too), restarted with
 * SA_RESTART. */
#include "lockutil.h"
#include <signal.h>
#include <time.h>

static volatile int alarms;
static void on_alarm(int s) { (void)s; alarms++; }

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static void handler(int flags) {
  struct sigaction sa = {0};
  sa.sa_handler = on_alarm;
  sa.sa_flags = flags;
  sigaction(SIGALRM, &sa, NULL);
}

int main(int argc, char **argv) {
  (void)argc; (void)argv;
  int fd = lk_open("lock_setlkw", O_RDWR);
  int p[2], q[2];
  if (pipe(p) != 0 || pipe(q) != 0)
    return 1;
  T(lk_set(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) {
    close(p[0]);
    close(q[1]);
    T(lk_set(fd, F_SETLK, F_WRLCK, SEEK_SET, 5, 1));
    fflush(stdout);
    write(p[1], "w", 1);
    int r = lk_set(fd, F_SETLKW, F_WRLCK, SEEK_SET, 5, 1);
    printf("child setlkw = %d\n", r);
    fflush(stdout);
    write(p[1], "g", 1);
    char ch;
    read(q[0], &ch, 1);
    _exit(0);
  }
  close(p[1]);
  close(q[0]);
  char ch;
  read(p[0], &ch, 1);
  sleep_ms(100);
  int u = lk_set(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
  read(p[0], &ch, 1);
  printf("unlock = %d, child got it: %c\n", u, ch);
  lk_get("after grant", fd, F_GETLK, F_WRLCK, 0, 0, c);
  T(lk_set(fd, F_SETLK, F_RDLCK, SEEK_SET, 5, 1));
  T(lk_set(fd, F_SETLK, F_RDLCK, SEEK_SET, 6, 1));
  fflush(stdout);
  close(q[1]);
  printf("child: %d\n", lk_wait(c));

  /* Interrupted waits: EINTR without SA_RESTART. */
  T(lk_set(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 0));
  T(flock(fd, LOCK_EX));
  fflush(stdout);
  c = fork();
  if (c == 0) {
    handler(0);
    int f2 = open(lk_path, O_RDWR);
    alarm(1);
    T(lk_set(fd, F_SETLKW, F_RDLCK, SEEK_SET, 0, 0));
    alarm(1);
    T(flock(f2, LOCK_EX));
    printf("alarms: %d\n", alarms);
    fflush(stdout);
    _exit(0);
  }
  printf("child: %d\n", lk_wait(c));

  /* With SA_RESTART the wait goes on after the handler and succeeds once
   * the parent unlocks. */
  c = fork();
  if (c == 0) {
    handler(SA_RESTART);
    alarm(1);
    T(lk_set(fd, F_SETLKW, F_RDLCK, SEEK_SET, 0, 0));
    printf("alarms: %d\n", alarms);
    fflush(stdout);
    _exit(0);
  }
  sleep_ms(1500);
  u = lk_set(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
  int st = lk_wait(c);
  printf("unlock = %d, child: %d\n", u, st);
  unlink(lk_path);
  return 0;
}
