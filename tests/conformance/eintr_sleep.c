/* Calls that are never restarted: nanosleep returns EINTR with the remaining time
 * even with SA_RESTART, pause() returns EINTR, and a blocking read with a handler that
 * is SIG_IGN is not interrupted at all. */
#include "proc.h"

static volatile int hits;
static void handler(int sig) { (void)sig; hits++; }

static pid_t poke_after(int ms, int sig) {
  pid_t p = fork();
  if (p == 0) {
    msleep(ms);
    kill(getppid(), sig);
    _exit(0);
  }
  return p;
}

int main(int argc, char **argv) {
  init(argc, argv);
  install_handler(SIGUSR1, handler, SA_RESTART);
  pid_t p = poke_after(200, SIGUSR1);
  struct timespec req = {5, 0}, rem = {0, 0};
  errno = 0;
  int r = nanosleep(&req, &rem);
  SAY("nanosleep with SA_RESTART: %d %s hits=%d remaining between 3s and 5s %d", r, errname(errno), hits,
      rem.tv_sec >= 3 && rem.tv_sec < 5);
  reap(p, "poker");
  p = poke_after(200, SIGUSR1);
  errno = 0;
  r = pause();
  SAY("pause: %d %s hits=%d", r, errname(errno), hits);
  reap(p, "poker");
  /* clock_nanosleep returns the error number instead */
  p = poke_after(200, SIGUSR1);
  req.tv_sec = 5;
  r = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem);
  SAY("clock_nanosleep: %s hits=%d", errname(r), hits);
  reap(p, "poker");
  return 0;
}
