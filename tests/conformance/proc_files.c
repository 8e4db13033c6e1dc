/* The procfs entries programs rely on exist with Linux's types and modes:
 * /proc/[pid] files, fd links whose mode follows the open mode, /proc/thread-self, the
 * system-wide files, /proc/net tables (header line), and /proc/sys entries that are
 * readable. Only presence, type and mode are printed. */
#include "common.h"

static void show(const char *p) {
  struct stat st;
  if (lstat(p, &st) != 0) {
    printf("%-40s %s\n", p, errname(errno));
    return;
  }
  char t = S_ISDIR(st.st_mode) ? 'd' : S_ISLNK(st.st_mode) ? 'l' : S_ISREG(st.st_mode) ? '-' : '?';
  printf("%-40s %c%04o\n", p, t, st.st_mode & 07777);
}

static void first_line(const char *p) {
  char buf[512] = "";
  FILE *f = fopen(p, "r");
  if (!f) {
    printf("%s: %s\n", p, errname(errno));
    return;
  }
  if (!fgets(buf, sizeof buf, f)) strcpy(buf, "(empty)\n");
  fclose(f);
  printf("%s: %s", p, buf);
}

int main(void) {
  static const char *files[] = {
      "/proc/self/auxv", "/proc/self/cgroup", "/proc/self/cmdline", "/proc/self/comm",
      "/proc/self/cwd", "/proc/self/environ", "/proc/self/exe", "/proc/self/fd",
      "/proc/self/fdinfo", "/proc/self/io", "/proc/self/limits", "/proc/self/maps",
      "/proc/self/mem", "/proc/self/mountinfo", "/proc/self/mounts", "/proc/self/mountstats", "/proc/self/net",
      "/proc/self/ns", "/proc/self/ns/mnt", "/proc/self/ns/pid", "/proc/self/ns/net",
      "/proc/self/ns/uts", "/proc/self/ns/ipc", "/proc/self/ns/user", "/proc/self/ns/cgroup",
      "/proc/self/oom_score_adj", "/proc/self/oom_score", "/proc/self/root",
      "/proc/self/smaps", "/proc/self/smaps_rollup", "/proc/self/stat", "/proc/self/statm",
      "/proc/self/status", "/proc/self/task", "/proc/self/wchan", "/proc/self",
      "/proc/thread-self", "/proc/cpuinfo", "/proc/meminfo", "/proc/stat", "/proc/uptime",
      "/proc/loadavg", "/proc/version", "/proc/filesystems", "/proc/mounts", "/proc/cmdline",
      "/proc/net", "/proc/net/unix", "/proc/net/tcp", "/proc/net/udp", "/proc/net/tcp6",
      "/proc/net/udp6", "/proc/sys", "/proc/sys/kernel/hostname",
      "/proc/sys/kernel/domainname", "/proc/sys/kernel/osrelease", "/proc/sys/kernel/ostype",
      "/proc/sys/kernel/version", "/proc/sys/kernel/ngroups_max",
      "/proc/sys/kernel/random/boot_id", "/proc/sys/kernel/random/uuid",
      "/proc/sys/kernel/cap_last_cap", "/proc/sys/kernel/pid_max",
      "/proc/sys/kernel/overflowuid", "/proc/sys/kernel/overflowgid",
      "/proc/sys/vm/overcommit_memory", "/proc/sys/vm/max_map_count",
      "/proc/sys/vm/mmap_min_addr", "/proc/sys/fs/file-max", "/proc/sys/fs/nr_open",
      "/proc/sys/fs/pipe-max-size", "/proc/sys/fs/inotify/max_user_watches",
      "/proc/sys/fs/inotify/max_user_instances", "/proc/sys/fs/inotify/max_queued_events",
      NULL};
  for (int i = 0; files[i]; i++) show(files[i]);
  /* fd links: r-x for read-only, -wx for write-only, rwx for read-write. */
  int r = open("/proc/self/status", O_RDONLY);
  int w = open("/dev/null", O_WRONLY);
  int rw = open("/dev/null", O_RDWR);
  int pth = open("/", O_PATH);
  char p[64];
  int fds[] = {r, w, rw, pth};
  const char *what[] = {"rdonly", "wronly", "rdwr", "path"};
  for (int i = 0; i < 4; i++) {
    snprintf(p, sizeof p, "/proc/self/fd/%d", fds[i]);
    struct stat st;
    lstat(p, &st);
    printf("fd link %s: %04o\n", what[i], st.st_mode & 07777);
    snprintf(p, sizeof p, "/proc/self/fdinfo/%d", fds[i]);
    lstat(p, &st);
    printf("fdinfo %s: %04o\n", what[i], st.st_mode & 07777);
  }
  /* Fixed first lines. */
  first_line("/proc/net/unix");
  first_line("/proc/net/tcp");
  first_line("/proc/net/udp");
  first_line("/proc/sys/kernel/ostype");
  first_line("/proc/sys/kernel/cap_last_cap");
  first_line("/proc/sys/kernel/ngroups_max");
  /* filesystems lists what mount(2) accepts. */
  FILE *f = fopen("/proc/filesystems", "r");
  char line[128];
  while (f && fgets(line, sizeof line, f))
    if (strstr(line, "\ttmpfs\n") || strstr(line, "\tproc\n") || strstr(line, "\tsysfs\n"))
      printf("filesystems: %s", line);
  if (f) fclose(f);
  char buf[64];
  ssize_t n = readlink("/proc/thread-self", buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = 0;
  int pid, tid;
  printf("thread-self is pid/task/tid: %d\n",
         sscanf(buf, "%d/task/%d", &pid, &tid) == 2 && pid == getpid() && tid == gettid());
  return 0;
}
