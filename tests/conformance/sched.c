/* sched_getaffinity, sched_yield, getcpu. */
#include "common.h"
#include <sched.h>

int main(int argc, char **argv) {
  init(argc, argv);
  cpu_set_t set;
  CPU_ZERO(&set);
  long r = syscall(SYS_sched_getaffinity, 0, sizeof set, &set);
  CHECK(r > 0 && r % sizeof(long) == 0 && r <= (long)sizeof set);
  CHECK(CPU_COUNT(&set) >= 1);
  int ncpu = CPU_COUNT(&set);
  long r2 = syscall(SYS_sched_getaffinity, getpid(), sizeof set, &set);
  CHECK(r2 == r);
  T(syscall(SYS_sched_getaffinity, 0, 1, &set));
  T(syscall(SYS_sched_getaffinity, 0, 7, &set));
  T(syscall(SYS_sched_getaffinity, 0, sizeof set, BADPTR));
  T(syscall(SYS_sched_getaffinity, INT_MAX, sizeof set, &set));
  T(syscall(SYS_sched_getaffinity, -1, sizeof set, &set));
  T(sched_getaffinity(0, sizeof set, &set));
  for (int i = 0; i < 10; i++)
    if (sched_yield() != 0)
      SAY("FAIL: sched_yield");
  T(sched_yield());
  unsigned cpu = 99999, node = 99999;
  T(syscall(SYS_getcpu, &cpu, &node, NULL));
  CHECK(cpu < CPU_SETSIZE && CPU_ISSET(cpu, &set));
  CHECK(node < 1024);
  T(syscall(SYS_getcpu, NULL, NULL, NULL));
  T(syscall(SYS_getcpu, &cpu, NULL, NULL));
  T(syscall(SYS_getcpu, BADPTR, NULL, NULL));
  CHECK(sched_getcpu() >= 0);
  CHECK(sysconf(_SC_NPROCESSORS_ONLN) >= 1);
  CHECK(ncpu <= sysconf(_SC_NPROCESSORS_CONF));
  return 0;
}
