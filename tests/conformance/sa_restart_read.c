/* SA_RESTART vs EINTR on a pipe read blocked in the kernel: a child sends SIGUSR1
 * after 200 ms, then writes after another 200 ms. Without SA_RESTART the read fails
 * with EINTR; with SA_RESTART it is restarted and returns the data. */
#include "proc.h"

static volatile int hits;
static void handler(int sig) { (void)sig; hits++; }

static void round_(int flags, const char *what) {
  install_handler(SIGUSR1, handler, flags);
  hits = 0;
  int fds[2];
  if (pipe(fds)) return;
  pid_t p = fork();
  if (p == 0) {
    close(fds[0]);
    msleep(200);
    kill(getppid(), SIGUSR1);
    msleep(200);
    if (write(fds[1], "data", 4) != 4) _exit(1);
    _exit(0);
  }
  close(fds[1]);
  char buf[16] = {0};
  errno = 0;
  ssize_t n = read(fds[0], buf, sizeof buf);
  SAY("%s: read = %zd %s hits=%d", what, n, n < 0 ? errname(errno) : buf, hits);
  if (n < 0) {
    n = read(fds[0], buf, sizeof buf);
    SAY("%s: read again = %zd %s", what, n, n > 0 ? buf : "");
  }
  close(fds[0]);
  reap(p, "child");
}

int main(int argc, char **argv) {
  init(argc, argv);
  round_(0, "no SA_RESTART");
  round_(SA_RESTART, "SA_RESTART");
  return 0;
}
