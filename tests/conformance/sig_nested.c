/* Nested delivery: a handler raising another signal runs its handler at once
 * (nested), unless sa_mask blocks it, in which case it runs after the first handler
 * returns; the same signal is deferred unless SA_NODEFER. */
#include "proc.h"

static char log_[256];
static int len;
static void note(const char *s) {
  size_t l = strlen(s);
  memcpy(log_ + len, s, l);
  len += l;
}

static void h2(int sig) { (void)sig; note("[usr2]"); }
static void h1(int sig) {
  (void)sig;
  note("[usr1 ");
  raise(SIGUSR2);
  note("usr1]");
}
static volatile int depth, maxdepth, again;
static void self(int sig) {
  depth++;
  if (depth > maxdepth) maxdepth = depth;
  note("(");
  if (again-- > 0) raise(sig);
  note(")");
  depth--;
}

static void flush(const char *what) {
  log_[len] = 0;
  SAY("%s: %s", what, log_);
  len = 0;
}

int main(int argc, char **argv) {
  init(argc, argv);
  install_handler(SIGUSR2, h2, 0);
  install_handler(SIGUSR1, h1, 0);
  raise(SIGUSR1);
  flush("unmasked other signal");
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = h1;
  sigaddset(&sa.sa_mask, SIGUSR2);
  sigaction(SIGUSR1, &sa, NULL);
  raise(SIGUSR1);
  flush("sa_mask blocks other");
  install_handler(SIGHUP, self, 0);
  again = 3;
  raise(SIGHUP);
  flush("same signal deferred");
  SAY("  maxdepth=%d", maxdepth);
  maxdepth = 0;
  install_handler(SIGHUP, self, SA_NODEFER);
  again = 3;
  raise(SIGHUP);
  flush("SA_NODEFER");
  SAY("  maxdepth=%d", maxdepth);
  /* an rt signal sent 3 times from its own handler without SA_NODEFER queues */
  maxdepth = 0;
  install_handler(SIGRTMIN + 1, self, 0);
  again = 3;
  raise(SIGRTMIN + 1);
  flush("rt deferred");
  SAY("  maxdepth=%d", maxdepth);
  return 0;
}
