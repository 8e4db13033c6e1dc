/* procfs across processes and threads: task/ directories, another process's
 * cmdline and (as another user) environ, /proc/sys and the global files. */
#include "common.h"
#include <dirent.h>
#include <pthread.h>
#include <sys/wait.h>

static char buf[1 << 16];

static ssize_t slurp(const char *path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -errno;
  ssize_t n = 0, r;
  while ((r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0) n += r;
  close(fd);
  buf[n] = 0;
  return r < 0 ? -errno : n;
}

static const char *yes(int c) { return c ? "yes" : "no"; }

static pthread_barrier_t bar;
static volatile int tid2;

static void *thread(void *arg) {
  (void)arg;
  tid2 = (int)syscall(SYS_gettid);
  pthread_barrier_wait(&bar);
  pthread_barrier_wait(&bar);
  return NULL;
}

static int count_tasks(void) {
  DIR *d = opendir("/proc/self/task");
  struct dirent *de;
  int n = 0;
  while (d && (de = readdir(d)))
    if (de->d_name[0] != '.') n++;
  if (d) closedir(d);
  return n;
}

int main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  char path[128];
  ssize_t n;

  /* threads */
  printf("tasks before: %d\n", count_tasks());
  pthread_t th;
  pthread_barrier_init(&bar, NULL, 2);
  pthread_create(&th, NULL, thread, NULL);
  pthread_barrier_wait(&bar);
  printf("tasks with a thread: %d\n", count_tasks());
  snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid2);
  n = slurp(path);
  printf("task/[tid]/stat starts with tid: %s\n", yes(n > 0 && atoi(buf) == tid2));
  snprintf(path, sizeof path, "/proc/self/task/%d/status", tid2);
  slurp(path);
  char want[64];
  snprintf(want, sizeof want, "\nPid:\t%d\n", tid2);
  printf("task/[tid]/status Pid is tid: %s\n", yes(strstr(buf, want) != NULL));
  snprintf(path, sizeof path, "/proc/self/status");
  slurp(path);
  printf("status Threads: %s\n", yes(strstr(buf, "\nThreads:\t2\n") != NULL));
  snprintf(path, sizeof path, "/proc/self/task/%d/task", tid2);
  printf("task/[tid]/task: %s\n", access(path, F_OK) == 0 ? "exists" : errname(errno));
  snprintf(path, sizeof path, "/proc/%d", tid2);
  printf("/proc/[tid] reachable: %s\n", yes(access(path, F_OK) == 0));
  DIR *d = opendir("/proc");
  struct dirent *de;
  int listed = 0;
  while (d && (de = readdir(d)))
    if (atoi(de->d_name) == tid2) listed = 1;
  if (d) closedir(d);
  printf("/proc lists the thread id: %s\n", yes(listed));
  pthread_barrier_wait(&bar);
  pthread_join(th, NULL);

  /* another process */
  int ready[2], go[2];
  if (pipe(ready) || pipe(go)) printf("FAIL pipe\n");
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) {
    if (setuid(65534) != 0) _exit(1);
    /* as nobody: the parent's environ is out of reach */
    char pp[64];
    snprintf(pp, sizeof pp, "/proc/%d/environ", getppid());
    int fd = open(pp, O_RDONLY);
    int e = fd < 0 ? errno : 0;
    snprintf(pp, sizeof pp, "/proc/%d/cmdline", getppid());
    int fd2 = open(pp, O_RDONLY);
    snprintf(pp, sizeof pp, "/proc/%d/auxv", getppid());
    int fd3 = open(pp, O_RDONLY);
    int e3 = fd3 < 0 ? errno : 0;
    int fd4 = open("/proc/sys/kernel/hostname", O_WRONLY);
    int e4 = fd4 < 0 ? errno : 0;
    snprintf(pp, sizeof pp, "/proc/%d/mem", getppid());
    int fd5 = open(pp, O_RDONLY);
    int e5 = fd5 < 0 ? errno : 0;
    char lb[64];
    snprintf(pp, sizeof pp, "/proc/%d/cwd", getppid());
    int e6 = readlink(pp, lb, sizeof lb) < 0 ? errno : 0;
    printf("child as nobody: parent environ %s, cmdline %s, auxv %s, hostname write %s, mem %s, "
           "readlink cwd %s\n",
           fd < 0 ? errname(e) : "opened", fd2 < 0 ? "denied" : "opened",
           fd3 < 0 ? errname(e3) : "opened", fd4 < 0 ? errname(e4) : "opened",
           fd5 < 0 ? errname(e5) : "opened", e6 ? errname(e6) : "ok");
    fflush(stdout);
    if (write(ready[1], "x", 1) != 1) _exit(2);
    char b;
    if (read(go[0], &b, 1) != 1) _exit(3);
    _exit(0);
  }
  char b;
  if (read(ready[0], &b, 1) != 1) printf("FAIL ready\n");
  snprintf(path, sizeof path, "/proc/%d/status", c);
  slurp(path);
  printf("child status Uid nobody: %s\n", yes(strstr(buf, "\nUid:\t65534\t65534\t65534\t65534\n") != NULL));
  snprintf(want, sizeof want, "\nPPid:\t%d\n", getpid());
  printf("child status PPid is us: %s\n", yes(strstr(buf, want) != NULL));
  snprintf(path, sizeof path, "/proc/%d/cmdline", c);
  n = slurp(path);
  printf("child cmdline == ours: %s\n", yes(n > 0 && strcmp(buf, argv[0]) == 0));
  snprintf(path, sizeof path, "/proc/%d/environ", c);
  n = slurp(path);
  printf("root reads child's environ: %s\n", yes(n >= 0));
  snprintf(path, sizeof path, "/proc/%d/comm", c);
  int fd = open(path, O_WRONLY);
  errno = 0;
  n = write(fd, "x", 1);
  printf("write another process's comm: %zd %s\n", n, errname(errno));
  close(fd);
  snprintf(path, sizeof path, "/proc/%d/stat", c);
  slurp(path);
  char *rp = strrchr(buf, ')');
  printf("child state valid: %s\n", yes(rp && strchr("RS", rp[2]) != NULL));
  if (write(go[1], "x", 1) != 1) printf("FAIL go\n");
  int st;
  waitpid(c, &st, 0);
  printf("child exit: %d\n", WEXITSTATUS(st));

  /* /proc/sys */
  struct { const char *p; } sys[] = {
      {"/proc/sys/kernel/ostype"},        {"/proc/sys/kernel/ngroups_max"},
      {"/proc/sys/kernel/overflowuid"},   {"/proc/sys/kernel/overflowgid"},
      {"/proc/sys/kernel/cap_last_cap"},
  };
  for (size_t i = 0; i < sizeof sys / sizeof sys[0]; i++) {
    n = slurp(sys[i].p);
    printf("%s: %s", sys[i].p, n > 0 ? buf : "?\n");
  }
  char host[128];
  gethostname(host, sizeof host);
  slurp("/proc/sys/kernel/hostname");
  printf("hostname matches: %s\n", yes(strncmp(buf, host, strlen(host)) == 0 && buf[strlen(host)] == '\n'));
  n = slurp("/proc/sys/kernel/osrelease");
  printf("osrelease nonempty line: %s\n", yes(n > 1 && buf[n - 1] == '\n'));
  char u1[64], u2[64];
  slurp("/proc/sys/kernel/random/uuid");
  strncpy(u1, buf, sizeof u1);
  slurp("/proc/sys/kernel/random/uuid");
  strncpy(u2, buf, sizeof u2);
  printf("uuid shape: %s, differs per read: %s\n",
         yes(strlen(u1) == 37 && u1[8] == '-' && u1[14] == '4'), yes(strcmp(u1, u2) != 0));
  slurp("/proc/sys/kernel/random/boot_id");
  strncpy(u1, buf, sizeof u1);
  slurp("/proc/sys/kernel/random/boot_id");
  printf("boot_id stable: %s\n", yes(strcmp(u1, buf) == 0 && strlen(u1) == 37));
  fd = open("/proc/sys/kernel/ostype", O_WRONLY);
  printf("open ostype O_WRONLY: %s\n", fd < 0 ? errname(errno) : "opened");
  n = slurp("/proc/sys/vm/overcommit_memory");
  printf("overcommit_memory is a digit: %s\n", yes(n == 2 && buf[0] >= '0' && buf[0] <= '2'));
  n = slurp("/proc/sys/fs/nr_open");
  printf("nr_open positive: %s\n", yes(atol(buf) > 0));
  n = slurp("/proc/sys/kernel/pid_max");
  printf("pid_max positive: %s\n", yes(atol(buf) > 0));

  /* global files */
  n = slurp("/proc/cpuinfo");
  int procs = 0;
  for (char *p = buf; (p = strstr(p, "processor\t: ")); p++) procs++;
  printf("cpuinfo lists processors: %s\n", yes(procs >= 1));
  printf("cpuinfo has model name: %s\n", yes(strstr(buf, "model name\t: ") != NULL));
  slurp("/proc/meminfo");
  unsigned long total = 0;
  printf("meminfo MemTotal: %s\n", yes(sscanf(buf, "MemTotal: %lu kB", &total) == 1 && total > 0));
  printf("meminfo has MemAvailable: %s\n", yes(strstr(buf, "\nMemAvailable:") != NULL));
  slurp("/proc/stat");
  printf("stat starts with cpu and has btime: %s\n", yes(strncmp(buf, "cpu ", 4) == 0 && strstr(buf, "\nbtime ") != NULL));
  slurp("/proc/uptime");
  double up = -1, idle = -1;
  printf("uptime two numbers: %s\n", yes(sscanf(buf, "%lf %lf", &up, &idle) == 2 && up >= 0));
  slurp("/proc/loadavg");
  double l1, l5, l15;
  int run, tot, last;
  printf("loadavg shape: %s\n", yes(sscanf(buf, "%lf %lf %lf %d/%d %d", &l1, &l5, &l15, &run, &tot, &last) == 6));
  slurp("/proc/version");
  printf("version starts with Linux version: %s\n", yes(strncmp(buf, "Linux version ", 14) == 0));
  slurp("/proc/filesystems");
  printf("filesystems has proc and tmpfs: %s\n", yes(strstr(buf, "\tproc\n") && strstr(buf, "\ttmpfs\n")));
  char l[64];
  n = readlink("/proc/mounts", l, sizeof l - 1);
  l[n < 0 ? 0 : n] = 0;
  printf("/proc/mounts -> %s\n", l);
  printf("/proc/nonexistent: %s\n", access("/proc/nonexistent", F_OK) ? errname(errno) : "exists");
  printf("/proc/0: %s\n", access("/proc/0", F_OK) ? errname(errno) : "exists");
  return 0;
}
