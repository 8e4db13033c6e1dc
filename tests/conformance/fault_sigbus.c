/* SIGBUS for an access to a file mapping past the end of the file: BUS_ADRERR and
 * the exact address, caught and left with siglongjmp; the page holding EOF works. */
#include "proc.h"

static sigjmp_buf env;
static volatile int got_sig, got_code;
static void *volatile got_addr;

static void handler(int sig, siginfo_t *si, void *uc) {
  (void)uc; (void)sig;
  got_sig = si->si_signo;
  got_code = si->si_code;
  got_addr = si->si_addr;
  siglongjmp(env, 1);
}

static void attempt(const char *what, volatile char *p, int write) {
  got_sig = 0;
  if (sigsetjmp(env, 1) == 0) {
    if (write) *p = 1;
    else (void)*p;
    SAY("%s: no fault", what);
    return;
  }
  SAY("%s: %s %s si_addr==target %d", what, signame(got_sig), got_code == BUS_ADRERR ? "BUS_ADRERR" : "other",
      got_addr == (void *)p);
}

int main(int argc, char **argv) {
  init(argc, argv);
  install(SIGBUS, handler, 0);
  int fd = open(fx("small.txt"), O_RDONLY);
  if (fd < 0) { SAY("FAIL open small.txt"); return 1; }
  char *m = mmap(NULL, 3 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
  SAY("first byte: %c", m[0]);
  attempt("read within the EOF page past EOF", m + 100, 0);
  SAY("zero fill past EOF: %d", m[100] == 0);
  attempt("read one page past EOF", m + PAGE, 0);
  attempt("read two pages past EOF", m + 2 * PAGE + 17, 0);
  munmap(m, 3 * PAGE);
  /* writable private mapping: writes past EOF fault too */
  char *w = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  attempt("write in the EOF page", w + 200, 1);
  attempt("write past EOF", w + PAGE + 8, 1);
  /* an empty file: every page is past EOF */
  int e = open(fx("empty"), O_RDONLY);
  char *z = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, e, 0);
  attempt("read of an empty file's mapping", z, 0);
  return 0;
}
