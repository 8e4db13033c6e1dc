/* /proc/self/limits against getrlimit for every resource (after changing some), the
 * header and the units column; /proc/<pid>/limits of a child that lowered its own. */
#include "common.h"
#include <sys/resource.h>
#include <sys/wait.h>

static const char *names[] = {"Max cpu time",      "Max file size",      "Max data size",
                              "Max stack size",    "Max core file size", "Max resident set",
                              "Max processes",     "Max open files",     "Max locked memory",
                              "Max address space", "Max file locks",     "Max pending signals",
                              "Max msgqueue size", "Max nice priority",  "Max realtime priority",
                              "Max realtime timeout"};

static void check(const char *file, int show_units) {
  FILE *f = fopen(file, "r");
  if (!f) {
    printf("open %s: %s\n", file, errname(errno));
    return;
  }
  char line[256];
  if (fgets(line, sizeof line, f))
    printf("header: %s", line);
  for (int r = 0; r < 16 && fgets(line, sizeof line, f); r++) {
    struct rlimit rl;
    getrlimit(r, &rl);
    int name_ok = strncmp(line, names[r], strlen(names[r])) == 0;
    char soft[32], hard[32], units[32] = "";
    int n = sscanf(line + 26, "%31s %31s %31s", soft, hard, units);
    char want_s[32], want_h[32];
    if (rl.rlim_cur == RLIM_INFINITY) strcpy(want_s, "unlimited");
    else snprintf(want_s, sizeof want_s, "%llu", (unsigned long long)rl.rlim_cur);
    if (rl.rlim_max == RLIM_INFINITY) strcpy(want_h, "unlimited");
    else snprintf(want_h, sizeof want_h, "%llu", (unsigned long long)rl.rlim_max);
    printf("%-22s name %d soft %s hard %s", names[r], name_ok,
           strcmp(soft, want_s) == 0 ? "ok" : "FAIL", strcmp(hard, want_h) == 0 ? "ok" : "FAIL");
    if (show_units) printf(" units %s", n == 3 ? units : "-");
    printf(" len %zu\n", strlen(line));
  }
  fclose(f);
}

int main(void) {
  struct rlimit rl = {1000, 2000};
  setrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = 1 << 20;
  rl.rlim_max = RLIM_INFINITY;
  setrlimit(RLIMIT_STACK, &rl);
  rl.rlim_cur = 0;
  rl.rlim_max = 0;
  setrlimit(RLIMIT_CORE, &rl);
  check("/proc/self/limits", 1);
  fflush(stdout);
  int pfd[2], qfd[2];
  pipe(pfd);
  pipe(qfd);
  pid_t pid = fork();
  if (pid == 0) {
    struct rlimit c = {64, 64};
    setrlimit(RLIMIT_NOFILE, &c);
    write(qfd[1], "r", 1);
    char x;
    read(pfd[0], &x, 1);
    _exit(0);
  }
  char x;
  read(qfd[0], &x, 1);
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/limits", pid);
  FILE *f = fopen(path, "r");
  char line[256];
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, "Max open files", 14) == 0) printf("child: %s", line);
  if (f) fclose(f);
  write(pfd[1], "x", 1);
  waitpid(pid, NULL, 0);
  return 0;
}
