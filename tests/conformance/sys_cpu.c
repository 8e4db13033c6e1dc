/* sysfs: /sys/devices/system/cpu/{online,possible,present} agree with
 * sysconf(_SC_NPROCESSORS_ONLN/CONF) and sched_getaffinity, cpuN/topology exists for each
 * online CPU, transparent_hugepage/enabled has one bracketed choice, /sys/fs/cgroup and
 * /sys/class/net are directories, and statfs says sysfs. */
#include "common.h"
#include <sched.h>
#include <sys/statfs.h>

static int read_line(const char *p, char *buf, size_t n) {
  FILE *f = fopen(p, "r");
  if (!f) return -1;
  if (!fgets(buf, n, f)) buf[0] = 0;
  fclose(f);
  buf[strcspn(buf, "\n")] = 0;
  return 0;
}

/* The number of CPUs in a cpulist like "0-3,5". */
static int list_count(const char *s) {
  int n = 0;
  while (*s) {
    int a, b, used;
    if (sscanf(s, "%d-%d%n", &a, &b, &used) == 2) n += b - a + 1;
    else if (sscanf(s, "%d%n", &a, &used) == 1) n += 1;
    else break;
    s += used;
    if (*s == ',') s++;
  }
  return n;
}

int main(void) {
  char buf[256];
  cpu_set_t set;
  sched_getaffinity(0, sizeof set, &set);
  int aff = CPU_COUNT(&set);
  long onln = sysconf(_SC_NPROCESSORS_ONLN), conf = sysconf(_SC_NPROCESSORS_CONF);
  const char *files[] = {"online", "possible", "present"};
  for (int i = 0; i < 3; i++) {
    char p[128];
    snprintf(p, sizeof p, "/sys/devices/system/cpu/%s", files[i]);
    if (read_line(p, buf, sizeof buf) != 0) {
      printf("%s: %s\n", files[i], errname(errno));
      continue;
    }
    int n = list_count(buf);
    printf("%s: count >= 1 %d, == affinity %d, == sysconf onln %d, == sysconf conf %d\n",
           files[i], n >= 1, n == aff, n == onln, n == conf);
  }
  int topo = 0;
  for (int c = 0; c < onln; c++) {
    char p[128];
    snprintf(p, sizeof p, "/sys/devices/system/cpu/cpu%d/topology/core_id", c);
    topo += read_line(p, buf, sizeof buf) == 0;
    snprintf(p, sizeof p, "/sys/devices/system/cpu/cpu%d/topology/physical_package_id", c);
    topo += read_line(p, buf, sizeof buf) == 0;
  }
  printf("topology files for every online cpu: %d\n", topo == 2 * onln);
  if (read_line("/sys/kernel/mm/transparent_hugepage/enabled", buf, sizeof buf) == 0) {
    char *l = strchr(buf, '['), *r = strchr(buf, ']');
    printf("thp enabled: one choice %d, words have always/madvise/never %d\n",
           l && r && l < r && strchr(r + 1, '[') == NULL,
           strstr(buf, "always") && strstr(buf, "madvise") && strstr(buf, "never"));
  } else {
    printf("thp enabled: %s\n", errname(errno));
  }
  struct stat st;
  printf("/sys/fs/cgroup dir: %d\n", stat("/sys/fs/cgroup", &st) == 0 && S_ISDIR(st.st_mode));
  printf("/sys/class/net dir: %d\n", stat("/sys/class/net", &st) == 0 && S_ISDIR(st.st_mode));
  struct statfs sf;
  T(statfs("/sys", &sf));
  printf("sysfs magic: %d\n", sf.f_type == 0x62656572);
  return 0;
}
