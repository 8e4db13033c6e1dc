/* procfs of the calling process: /proc/self, exe, cwd, fd, fdinfo, cmdline,
 * environ, comm, stat, status, statm, maps, limits, mounts, cgroup, auxv, ns,
 * oom_score_adj, and a child's directory before and after it is reaped. */
#include "common.h"
#include <dirent.h>
#include <sys/eventfd.h>
#include <sys/auxv.h>
#include <sys/wait.h>

static char buf[1 << 16];

static ssize_t slurp(const char *path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -errno;
  ssize_t n = 0, r;
  while ((r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0) n += r;
  close(fd);
  buf[n < 0 ? 0 : n] = 0;
  return r < 0 ? -errno : n;
}

static const char *yes(int c) { return c ? "yes" : "no"; }

static int ends_with(const char *s, const char *suf) {
  size_t a = strlen(s), b = strlen(suf);
  return a >= b && strcmp(s + a - b, suf) == 0;
}

static long status_field(const char *name) {
  if (slurp("/proc/self/status") < 0) return -1;
  char key[64];
  snprintf(key, sizeof key, "\n%s:\t", name);
  char *p = strstr(buf, key);
  if (!p) return -1;
  return strtol(p + strlen(key), NULL, 10);
}

int main(int argc, char **argv) {
  (void)argc;
  char link[4096], want[64];
  ssize_t n;

  n = readlink("/proc/self", link, sizeof link - 1);
  link[n < 0 ? 0 : n] = 0;
  snprintf(want, sizeof want, "%d", getpid());
  printf("/proc/self -> getpid(): %s\n", yes(strcmp(link, want) == 0));
  n = readlink("/proc/thread-self", link, sizeof link - 1);
  link[n < 0 ? 0 : n] = 0;
  snprintf(want, sizeof want, "%d/task/%d", getpid(), (int)syscall(SYS_gettid));
  printf("/proc/thread-self -> pid/task/tid: %s\n", yes(strcmp(link, want) == 0));

  n = readlink("/proc/self/exe", link, sizeof link - 1);
  link[n < 0 ? 0 : n] = 0;
  printf("readlink(/proc/self/exe) ends with /proc_self: %s\n",
         yes(n > 0 && (ends_with(link, "/proc_self") || ends_with(link, "/proc_self_dyn") || strstr(link, "proc_self") != NULL)));
  struct stat a, b;
  printf("stat(exe) == stat(argv[0]): %s\n",
         yes(stat("/proc/self/exe", &a) == 0 && stat(argv[0], &b) == 0 && a.st_ino == b.st_ino));

  if (chdir(argv[1]) != 0) printf("FAIL chdir\n");
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd)) printf("FAIL getcwd\n");
  n = readlink("/proc/self/cwd", link, sizeof link - 1);
  link[n < 0 ? 0 : n] = 0;
  printf("cwd link == getcwd: %s\n", yes(strcmp(link, cwd) == 0));
  n = readlink("/proc/self/root", link, sizeof link - 1);
  link[n < 0 ? 0 : n] = 0;
  printf("root link: %s\n", link);
  if (chdir("/") != 0) printf("FAIL chdir /\n");

  /* fds */
  int p[2];
  if (pipe(p) != 0) printf("FAIL pipe\n");
  int efd = eventfd(0, EFD_CLOEXEC);
  int ffd = open("/proc/self/status", O_RDONLY);
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
  n = readlink(path, link, sizeof link - 1);
  link[n < 0 ? 0 : n] = 0;
  printf("fd -> pipe:[...] shape: %s\n", yes(strncmp(link, "pipe:[", 6) == 0 && ends_with(link, "]")));
  snprintf(path, sizeof path, "/proc/self/fd/%d", efd);
  n = readlink(path, link, sizeof link - 1);
  link[n < 0 ? 0 : n] = 0;
  printf("eventfd link: %s\n", link);
  snprintf(path, sizeof path, "/proc/self/fd/%d", ffd);
  n = readlink(path, link, sizeof link - 1);
  link[n < 0 ? 0 : n] = 0;
  printf("file fd link is /proc/<pid>/status: %s\n", yes(strncmp(link, "/proc/", 6) == 0 && ends_with(link, "/status")));
  snprintf(path, sizeof path, "/proc/self/fdinfo/%d", efd);
  slurp(path);
  printf("fdinfo has pos/flags/mnt_id: %s\n",
         yes(strncmp(buf, "pos:\t0\nflags:\t", 14) == 0 && strstr(buf, "\nmnt_id:\t") != NULL));
  long fl = strtol(buf + 14, NULL, 8);
  printf("fdinfo flags has O_CLOEXEC|O_RDWR: %s\n", yes((fl & O_CLOEXEC) && (fl & O_ACCMODE) == O_RDWR));
  DIR *d = opendir("/proc/self/fd");
  int seen_pipe = 0, seen_dot = 0, count = 0;
  struct dirent *de;
  while (d && (de = readdir(d))) {
    if (de->d_name[0] == '.') { seen_dot++; continue; }
    count++;
    if (atoi(de->d_name) == p[1] && de->d_type == DT_LNK) seen_pipe = 1;
  }
  if (d) closedir(d);
  printf("fd dir lists the pipe as a link: %s, dots: %d, at least 6 fds: %s\n",
         yes(seen_pipe), seen_dot, yes(count >= 6));
  snprintf(path, sizeof path, "/proc/self/fd/%d", 999);
  printf("fd/999: %s\n", access(path, F_OK) == 0 ? "exists" : errname(errno));
  close(ffd);

  /* magic links: a pipe and a deleted file reopened through fd/N */
  if (write(p[1], "through", 7) != 7) printf("FAIL write pipe\n");
  snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
  int rfd = open(path, O_RDONLY);
  char got[16] = {0};
  printf("reopen pipe via fd/N: %s, read: %zd %s\n", rfd >= 0 ? "ok" : errname(errno),
         rfd >= 0 ? read(rfd, got, 7) : -1L, got);
  if (rfd >= 0) close(rfd);
  char tmpf[64];
  snprintf(tmpf, sizeof tmpf, "/tmp/proc_self_%d", getpid());
  int tfd = open(tmpf, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (tfd < 0 || write(tfd, "deleted", 7) != 7) printf("FAIL tmp file\n");
  unlink(tmpf);
  snprintf(path, sizeof path, "/proc/self/fd/%d", tfd);
  rfd = open(path, O_RDONLY);
  memset(got, 0, sizeof got);
  printf("reopen deleted file via fd/N: %s, read: %zd %s\n", rfd >= 0 ? "ok" : errname(errno),
         rfd >= 0 ? read(rfd, got, 7) : -1L, got);
  if (rfd >= 0) close(rfd);
  close(tfd);
  struct stat s1, s2;
  printf("stat(/proc/self/cwd) == stat(.): %s\n",
         yes(stat("/proc/self/cwd", &s1) == 0 && stat(".", &s2) == 0 && s1.st_ino == s2.st_ino && s1.st_dev == s2.st_dev));

  /* cmdline, environ */
  n = slurp("/proc/self/cmdline");
  printf("cmdline starts with argv[0] NUL argv[1] NUL: %s\n",
         yes(n > 0 && strcmp(buf, argv[0]) == 0 && strcmp(buf + strlen(argv[0]) + 1, argv[1]) == 0 &&
             buf[n - 1] == 0));
  setenv("PROC_SELF_X", "1", 1); /* does not change the initial environment block */
  n = slurp("/proc/self/environ");
  int has_path = 0;
  for (ssize_t i = 0; i < n; i += strlen(buf + i) + 1)
    if (strncmp(buf + i, "PATH=", 5) == 0 || strncmp(buf + i, "HOME=", 5) == 0) has_path = 1;
  printf("environ readable, NUL-separated: %s\n", yes(n >= 0 && (n == 0 || buf[n - 1] == 0)));
  (void)has_path;

  /* comm */
  slurp("/proc/self/comm");
  printf("comm is basename prefix: %s\n", yes(strncmp(buf, "proc_self", 9) == 0 && ends_with(buf, "\n")));
  int cfd = open("/proc/self/comm", O_WRONLY);
  printf("write comm: %zd\n", write(cfd, "renamed", 7));
  close(cfd);
  slurp("/proc/self/comm");
  printf("comm now: %s", buf);
  char pn[17] = {0};
  syscall(SYS_prctl, 16 /* PR_GET_NAME */, pn, 0, 0, 0);
  printf("PR_GET_NAME: %s\n", pn);

  /* stat */
  slurp("/proc/self/stat");
  char *rp = strrchr(buf, ')');
  int fields = 0;
  for (char *s = rp ? rp + 1 : buf; *s; s++)
    if (*s == ' ') fields++;
  printf("stat fields after comm: %d\n", fields + 2);
  char state = rp ? rp[2] : '?';
  printf("stat field 3 is a valid state: %s\n", yes(strchr("RSDZTtWXxKWIP", state) != NULL));
  int spid = atoi(buf), sppid = rp ? atoi(rp + 4) : -1;
  printf("stat pid == getpid(): %s, ppid == getppid(): %s\n", yes(spid == getpid()), yes(sppid == getppid()));
  printf("stat comm: %s\n", yes(strncmp(strchr(buf, '(') + 1, "renamed)", 8) == 0));

  /* status */
  printf("status Tgid == getpid(): %s\n", yes(status_field("Tgid") == getpid()));
  printf("status Pid == gettid(): %s\n", yes(status_field("Pid") == syscall(SYS_gettid)));
  printf("status PPid == getppid(): %s\n", yes(status_field("PPid") == getppid()));
  printf("status Uid == getuid(): %s\n", yes(status_field("Uid") == (long)getuid()));
  printf("status Threads: %ld\n", status_field("Threads"));
  slurp("/proc/self/status");
  printf("status Name: %s\n", yes(strncmp(buf, "Name:\trenamed\n", 14) == 0));
  printf("status has SigBlk/CapEff/VmRSS/NoNewPrivs: %s\n",
         yes(strstr(buf, "\nSigBlk:\t") && strstr(buf, "\nCapEff:\t") && strstr(buf, "\nVmRSS:\t") &&
             strstr(buf, "\nNoNewPrivs:\t0\n")));
  n = slurp("/proc/self/statm");
  long sz = 0, rss = 0;
  printf("statm: %s\n", yes(sscanf(buf, "%ld %ld", &sz, &rss) == 2 && sz > 0 && rss > 0));

  /* maps */
  slurp("/proc/self/maps");
  printf("maps has [stack]: %s\n", yes(strstr(buf, "[stack]\n") != NULL));
  printf("maps has [vdso]: %s\n", yes(strstr(buf, "[vdso]\n") != NULL));
  unsigned long lo, hi;
  char perms[5];
  printf("maps line shape: %s\n", yes(sscanf(buf, "%lx-%lx %4s", &lo, &hi, perms) == 3 && lo < hi && perms[3] == 'p'));
  char *m = mmap(NULL, 3 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  slurp("/proc/self/maps");
  char mline[64];
  snprintf(mline, sizeof mline, "%lx-%lx r--p 00000000 00:00 0", (unsigned long)m, (unsigned long)m + 3 * PAGE);
  printf("maps has the new mapping: %s\n", yes(strstr(buf, mline) != NULL));

  /* mem */
  static const char secret[] = "in-memory";
  int mfd = open("/proc/self/mem", O_RDWR);
  memset(got, 0, sizeof got);
  n = mfd >= 0 ? pread(mfd, got, 9, (off_t)(uintptr_t)secret) : -1;
  printf("pread /proc/self/mem: %zd %s\n", n, got);
  errno = 0;
  n = mfd >= 0 ? pread(mfd, got, 9, 0x1000) : -1;
  printf("pread mem at unmapped: %zd %s\n", n, errname(errno));
  char *wr = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  n = mfd >= 0 ? pwrite(mfd, "poked", 5, (off_t)(uintptr_t)wr) : -1;
  printf("pwrite mem: %zd %s\n", n, wr);
  if (mfd >= 0) close(mfd);

  /* limits, mounts, cgroup */
  slurp("/proc/self/limits");
  const char *hdr = "Limit                     Soft Limit           Hard Limit           Units     \n";
  printf("limits header: %s\n", yes(strncmp(buf, hdr, strlen(hdr)) == 0));
  printf("limits has Max open files: %s\n", yes(strstr(buf, "\nMax open files            ") != NULL));
  slurp("/proc/self/mounts");
  printf("mounts has / and /proc: %s\n", yes(strstr(buf, " / ") && strstr(buf, " /proc proc ")));
  n = slurp("/proc/self/mountinfo");
  printf("mountinfo readable: %s\n", yes(n > 0 && strstr(buf, " - proc ") != NULL));
  printf("/proc/mounts readable: %s\n", yes(slurp("/proc/mounts") > 0));

  /* auxv */
  n = slurp("/proc/self/auxv");
  int pagesz_ok = 0;
  for (ssize_t i = 0; i + 16 <= n; i += 16) {
    unsigned long k = *(unsigned long *)(buf + i), v = *(unsigned long *)(buf + i + 8);
    if (k == AT_PAGESZ && v == 4096) pagesz_ok = 1;
  }
  printf("auxv has AT_PAGESZ 4096 and ends with AT_NULL: %s\n",
         yes(pagesz_ok && n % 16 == 0 && *(unsigned long *)(buf + n - 16) == 0));

  /* ns */
  n = readlink("/proc/self/ns/pid", link, sizeof link - 1);
  link[n < 0 ? 0 : n] = 0;
  printf("ns/pid shape: %s\n", yes(strncmp(link, "pid:[", 5) == 0 && ends_with(link, "]")));

  /* oom_score_adj */
  int ofd = open("/proc/self/oom_score_adj", O_RDWR);
  printf("oom_score_adj write 100: %zd\n", write(ofd, "100", 3));
  close(ofd);
  slurp("/proc/self/oom_score_adj");
  printf("oom_score_adj: %s", buf);
  ofd = open("/proc/self/oom_score_adj", O_WRONLY);
  errno = 0;
  n = write(ofd, "5000", 4);
  printf("oom_score_adj write 5000: %zd %s\n", n, errname(errno));
  close(ofd);

  /* read-only files */
  errno = 0;
  int wfd = open("/proc/self/stat", O_WRONLY);
  if (wfd >= 0) {
    errno = 0;
    n = write(wfd, "x", 1);
    printf("write stat: %zd %s\n", n, errname(errno));
    close(wfd);
  } else {
    printf("open stat O_WRONLY: %s\n", errname(errno));
  }
  errno = 0;
  int r = unlink("/proc/self/stat");
  printf("unlink /proc/self/stat: %d %s\n", r, errname(errno));
  errno = 0;
  r = mkdir("/proc/x", 0755);
  printf("mkdir /proc/x: %d %s\n", r, errname(errno));

  /* a child's directory exists while it is a zombie, then vanishes */
  pid_t c = fork();
  if (c == 0) _exit(3);
  siginfo_t si;
  waitid(P_PID, c, &si, WEXITED | WNOWAIT);
  char cp[64];
  snprintf(cp, sizeof cp, "/proc/%d/stat", c);
  n = slurp(cp);
  rp = strrchr(buf, ')');
  printf("/proc/[child]/stat of zombie: %s state %c\n", n > 0 ? "exists" : errname(-n), rp ? rp[2] : '?');
  waitpid(c, NULL, 0);
  n = slurp(cp);
  printf("/proc/[child]/stat after reap: %s\n", n >= 0 ? "exists" : errname(-n));
  snprintf(cp, sizeof cp, "/proc/%d", c);
  printf("/proc/[child] after reap: %s\n", access(cp, F_OK) == 0 ? "exists" : errname(errno));

  /* the process directory lists itself */
  d = opendir("/proc");
  int self_listed = 0, has_selflink = 0;
  while (d && (de = readdir(d))) {
    if (atoi(de->d_name) == getpid() && de->d_type == DT_DIR) self_listed = 1;
    if (strcmp(de->d_name, "self") == 0 && de->d_type == DT_LNK) has_selflink = 1;
  }
  if (d) closedir(d);
  printf("/proc lists getpid() and self: %s %s\n", yes(self_listed), yes(has_selflink));
  return 0;
}
