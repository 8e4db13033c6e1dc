/* select(2)/pselect6(2) on pipes: timeouts and their write-back, readable,
 * writable, hang-up as readable, EBADF, EINVAL, EFAULT, a wake-up by a child
 * writing late, and bits beyond nfds left alone. */
#include "common.h"
#include <signal.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

static long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000L + t.tv_nsec / 1000000;
}

static void show(const char *name, fd_set *s, int n) {
  printf("%s:", name);
  for (int i = 0; i < n; i++)
    if (FD_ISSET(i, s))
      printf(" %d", i);
  putchar('\n');
}

int main(int argc, char **argv) {
  init(argc, argv);
  int p[2];
  /* fixed fd numbers for deterministic output */
  T(pipe(p));
  T(dup2(p[0], 10));
  T(dup2(p[1], 11));
  close(p[0]);
  close(p[1]);
  int r = 10, w = 11;
  fd_set rs, ws, es;

  /* empty pipe: timeout, sets cleared, timeval written back as 0 */
  FD_ZERO(&rs);
  FD_SET(r, &rs);
  struct timeval tv = {0, 50000};
  long t0 = now_ms();
  T(select(r + 1, &rs, NULL, NULL, &tv));
  CHECK(now_ms() - t0 >= 45);
  show("rs", &rs, 64);
  SAY("tv %ld.%06ld", (long)tv.tv_sec, (long)tv.tv_usec);

  /* write end writable, read end not readable */
  FD_ZERO(&rs);
  FD_ZERO(&ws);
  FD_ZERO(&es);
  FD_SET(r, &rs);
  FD_SET(w, &ws);
  FD_SET(r, &es);
  FD_SET(w, &es);
  tv = (struct timeval){5, 0};
  T(select(w + 1, &rs, &ws, &es, &tv));
  show("rs", &rs, 64);
  show("ws", &ws, 64);
  show("es", &es, 64);
  CHECK(tv.tv_sec == 4 || (tv.tv_sec == 5 && tv.tv_usec == 0));

  /* data: readable; the same fd in two sets counts twice */
  T(write(w, "x", 1));
  FD_ZERO(&rs);
  FD_ZERO(&ws);
  FD_SET(r, &rs);
  FD_SET(w, &rs);
  FD_SET(w, &ws);
  T(select(w + 1, &rs, &ws, NULL, NULL));
  show("rs", &rs, 64);
  show("ws", &ws, 64);

  /* usec >= 1e6 is normalized; negative is EINVAL */
  FD_ZERO(&rs);
  FD_SET(r, &rs);
  tv = (struct timeval){0, 1500000};
  T(select(r + 1, &rs, NULL, NULL, &tv));
  tv = (struct timeval){-1, 0};
  T(select(r + 1, &rs, NULL, NULL, &tv));
  tv = (struct timeval){0, -1};
  T(select(r + 1, &rs, NULL, NULL, &tv));
  T(select(-1, NULL, NULL, NULL, NULL));
  T(select(r + 1, BADPTR, NULL, NULL, NULL));
  T(syscall(SYS_select, r + 1, &rs, NULL, NULL, BADPTR));

  /* closed fd in a set: EBADF; above nfds: ignored */
  FD_ZERO(&rs);
  FD_SET(r, &rs);
  FD_SET(20, &rs);
  T(select(21, &rs, NULL, NULL, NULL));
  show("rs after EBADF", &rs, 64);
  T(select(r + 1, &rs, NULL, NULL, NULL));
  show("rs (n bits written back, rounded up to a word)", &rs, 64);

  /* writer closed: hang-up counts as readable */
  char c;
  T(read(r, &c, 1));
  T(close(w));
  FD_ZERO(&rs);
  FD_SET(r, &rs);
  tv = (struct timeval){0, 0};
  T(select(r + 1, &rs, NULL, NULL, &tv));
  show("rs hup", &rs, 64);
  T(close(r));

  /* reader closed: error counts as writable */
  T(pipe(p));
  T(dup2(p[1], 11));
  close(p[0]);
  close(p[1]);
  FD_ZERO(&ws);
  FD_SET(11, &ws);
  T(select(12, NULL, &ws, NULL, NULL));
  show("ws err", &ws, 64);
  close(11);

  /* a child writes after 100 ms */
  T(pipe(p));
  pid_t pid = fork();
  if (pid == 0) {
    usleep(100000);
    write(p[1], "y", 1);
    _exit(0);
  }
  FD_ZERO(&rs);
  FD_SET(p[0], &rs);
  tv = (struct timeval){5, 0};
  t0 = now_ms();
  T(select(p[0] + 1, &rs, NULL, NULL, &tv));
  long dt = now_ms() - t0;
  CHECK(dt >= 90 && dt < 4000);
  CHECK(FD_ISSET(p[0], &rs));
  CHECK(tv.tv_sec == 4 || (tv.tv_sec == 3 && tv.tv_usec > 0));
  int st;
  waitpid(pid, &st, 0);

  /* pselect6: timespec written back (raw syscall), sigmask argument pack */
  struct timespec ts = {0, 20000000};
  FD_ZERO(&rs);
  FD_SET(p[0], &rs);
  T(read(p[0], &c, 1));
  T(syscall(SYS_pselect6, p[0] + 1, &rs, NULL, NULL, &ts, NULL));
  SAY("ts %ld.%09ld", (long)ts.tv_sec, ts.tv_nsec);
  sigset_t ss;
  sigemptyset(&ss);
  struct {
    void *ss;
    size_t len;
  } pack = {&ss, 8};
  T(write(p[1], "z", 1));
  FD_ZERO(&rs);
  FD_SET(p[0], &rs);
  ts = (struct timespec){5, 0};
  T(syscall(SYS_pselect6, p[0] + 1, &rs, NULL, NULL, &ts, &pack));
  CHECK(ts.tv_sec == 4 && ts.tv_nsec > 0);
  pack.len = 4;
  T(syscall(SYS_pselect6, p[0] + 1, &rs, NULL, NULL, &ts, &pack));
  pack.ss = NULL;
  T(syscall(SYS_pselect6, p[0] + 1, &rs, NULL, NULL, &ts, &pack));
  T(syscall(SYS_pselect6, p[0] + 1, &rs, NULL, NULL, &ts, BADPTR));
  ts = (struct timespec){0, 1000000000};
  T(syscall(SYS_pselect6, p[0] + 1, &rs, NULL, NULL, &ts, NULL));
  T(syscall(SYS_pselect6, -1, NULL, NULL, NULL, NULL, NULL));
  T(pselect(0, NULL, NULL, NULL, &(struct timespec){0, 1000000}, NULL));
  return 0;
}
