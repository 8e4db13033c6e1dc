/* Process and user identity: relations that hold natively and in the sandbox. */
#include "common.h"
#include <grp.h>

int main(int argc, char **argv) {
  init(argc, argv);
  pid_t pid = getpid();
  CHECK(pid > 0);
  CHECK(pid == syscall(SYS_gettid));
  CHECK(pid == syscall(SYS_getpid));
  CHECK(getppid() != pid);
  CHECK(getppid() >= 0);
  CHECK(getpgid(0) >= 0 && getsid(0) >= 0);
  T(getuid());
  T(geteuid());
  T(getgid());
  T(getegid());
  uid_t r, e, s;
  T(getresuid(&r, &e, &s));
  SAY("resuid: %u %u %u", r, e, s);
  gid_t gr, ge, gs;
  T(getresgid(&gr, &ge, &gs));
  SAY("resgid: %u %u %u", gr, ge, gs);
  T(syscall(SYS_getresuid, BADPTR, &e, &s));
  T(syscall(SYS_getresgid, &gr, &ge, BADPTR));
  gid_t groups[64];
  int n = T(getgroups(0, NULL));
  int m = T(getgroups(64, groups));
  CHECK(n == m);
  for (int i = 0; i < m; i++)
    SAY("group[%d] = %u", i, groups[i]);
  T(syscall(SYS_getgroups, -1, groups));
  if (n > 0) {
    T(syscall(SYS_getgroups, n - 1, groups));
    T(syscall(SYS_getgroups, 64, BADPTR));
  }
  return 0;
}
