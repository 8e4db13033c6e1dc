/* getrlimit/setrlimit/prlimit64: read back, lower and restore, EINVAL, EMFILE. */
#include "common.h"
#include <sys/resource.h>

static const char *lim(rlim_t v, char *b) {
  if (v == RLIM_INFINITY)
    return "inf";
  sprintf(b, "%llu", (unsigned long long)v);
  return b;
}

int main(int argc, char **argv) {
  init(argc, argv);
  struct rlimit r, r2, saved;
  char b1[32], b2[32];
  /* consistency of the three interfaces for every resource */
  for (int res = 0; res < RLIM_NLIMITS; res++) {
    int a = getrlimit(res, &r);
    int b = syscall(SYS_prlimit64, 0, res, NULL, &r2);
    int ok = a == 0 && b == 0 && r.rlim_cur == r2.rlim_cur && r.rlim_max == r2.rlim_max &&
             r.rlim_cur <= r.rlim_max;
    int c = syscall(SYS_prlimit64, getpid(), res, NULL, &r2);
    ok &= c == 0 && r.rlim_cur == r2.rlim_cur;
    SAY("resource %d consistent: %s", res, ok ? "ok" : "FAIL");
  }
  T(getrlimit(RLIM_NLIMITS, &r));
  T(getrlimit(1000, &r));
  T(syscall(SYS_getrlimit, RLIMIT_NOFILE, BADPTR));
  T(syscall(SYS_prlimit64, 0, RLIM_NLIMITS, NULL, &r));
  T(syscall(SYS_prlimit64, INT_MAX, RLIMIT_NOFILE, NULL, &r));
  T(syscall(SYS_prlimit64, -1, RLIMIT_NOFILE, NULL, &r));

  /* RLIMIT_CORE: lower the soft limit, read back, restore */
  getrlimit(RLIMIT_CORE, &saved);
  r = saved;
  r.rlim_cur = 0;
  T(setrlimit(RLIMIT_CORE, &r));
  getrlimit(RLIMIT_CORE, &r2);
  SAY("core now: %s / max unchanged: %d", lim(r2.rlim_cur, b1), r2.rlim_max == saved.rlim_max);
  T(setrlimit(RLIMIT_CORE, &saved));
  getrlimit(RLIMIT_CORE, &r2);
  CHECK(r2.rlim_cur == saved.rlim_cur && r2.rlim_max == saved.rlim_max);

  /* soft > hard */
  r.rlim_cur = 100;
  r.rlim_max = 50;
  T(setrlimit(RLIMIT_NOFILE, &r));
  T(setrlimit(RLIMIT_STACK, &r));
  T(setrlimit(RLIM_NLIMITS, &saved));
  T(syscall(SYS_setrlimit, RLIMIT_CORE, BADPTR));

  /* RLIMIT_NOFILE decides which descriptors exist */
  getrlimit(RLIMIT_NOFILE, &saved);
  r.rlim_cur = 16;
  r.rlim_max = saved.rlim_max;
  T(setrlimit(RLIMIT_NOFILE, &r));
  getrlimit(RLIMIT_NOFILE, &r2);
  SAY("nofile: %s", lim(r2.rlim_cur, b1));
  T(dup2(0, 15));
  T(dup2(0, 16));
  T(fcntl(0, F_DUPFD, 16));
  T(fcntl(0, F_DUPFD, 14));
  T(close(15));
  int opened = 0;
  while (open("/dev/null", O_RDONLY) >= 0)
    opened++;
  SAY("opened until failure: %d, errno %s", opened, errname(errno));
  T(dup(0));
  T(sysconf(_SC_OPEN_MAX));
  /* prlimit64 sets and returns the old value at once */
  r.rlim_cur = 20;
  r2.rlim_cur = 0;
  T(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &r, &r2));
  SAY("old via prlimit64: %s", lim(r2.rlim_cur, b1));
  T(open("/dev/null", O_RDONLY));
  T(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &saved, NULL));
  getrlimit(RLIMIT_NOFILE, &r2);
  CHECK(r2.rlim_cur == saved.rlim_cur && r2.rlim_max == saved.rlim_max);
  (void)b2;
  return 0;
}
