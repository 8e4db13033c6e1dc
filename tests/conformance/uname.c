/* uname: sysname and machine; EFAULT. */
#include "common.h"
#include <sys/utsname.h>

int main(int argc, char **argv) {
  init(argc, argv);
  struct utsname u;
  memset(&u, 0, sizeof u);
  T(uname(&u));
  SAY("sysname: %s", u.sysname);
  SAY("machine: %s", u.machine);
  CHECK(strlen(u.release) > 0 && strlen(u.version) > 0 && strlen(u.nodename) > 0);
  CHECK(u.release[0] >= '0' && u.release[0] <= '9');
  T(syscall(SYS_uname, BADPTR));
  T(syscall(SYS_uname, NULL));
  /* A buffer that ends in an unmapped page. */
  char *p = page_then_hole();
  T(syscall(SYS_uname, p + PAGE - sizeof u / 2));
  T(syscall(SYS_uname, p + PAGE - sizeof u));
  return 0;
}
