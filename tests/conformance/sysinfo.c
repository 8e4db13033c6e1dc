/* sysinfo: succeeds with sane values; EFAULT. */
#include "common.h"
#include <sys/sysinfo.h>

int main(int argc, char **argv) {
  init(argc, argv);
  struct sysinfo si;
  memset(&si, 0, sizeof si);
  T(sysinfo(&si));
  CHECK(si.mem_unit > 0);
  CHECK(si.totalram > 0);
  CHECK(si.freeram <= si.totalram);
  CHECK(si.procs >= 1);
  CHECK(si.uptime >= 0);
  CHECK(si.totalswap >= si.freeswap);
  T(syscall(SYS_sysinfo, BADPTR));
  T(syscall(SYS_sysinfo, NULL));
  return 0;
}
