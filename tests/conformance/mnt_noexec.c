/* noexec mounts: execve and access(X_OK) give EACCES, mmap PROT_EXEC of a file gives
 * EPERM and a later mprotect PROT_EXEC EACCES; after a remount without noexec the same
 * file runs. nodev: opening a device node gives EACCES. */
#include "mnt_common.h"

static int copy_self(const char *to) {
  int in = open("/proc/self/exe", O_RDONLY);
  if (in < 0) return -1;
  int out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
  if (out < 0) return -1;
  char buf[65536];
  ssize_t n;
  while ((n = read(in, buf, sizeof buf)) > 0)
    if (write(out, buf, n) != n) return -1;
  close(in);
  close(out);
  return n < 0 ? -1 : 0;
}

static void try_exec(const char *path) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    char *argv[] = {(char *)path, "child", NULL};
    execv(path, argv);
    printf("execv %s: %s\n", path, errname(errno));
    fflush(stdout);
    _exit(99);
  }
  int st;
  waitpid(pid, &st, 0);
  printf("exec status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "child") == 0) {
    printf("child ran\n");
    return 7;
  }
  mnt_setup();
  MUST(mkdir("x", 0755));
  T(mount("none", "x", "tmpfs", MS_NOEXEC | MS_NODEV, NULL));
  MUST(copy_self("x/prog"));
  T(access("x/prog", X_OK));
  T(access("x/prog", R_OK));
  try_exec("x/prog");
  int fd = TOK(open("x/prog", O_RDONLY));
  void *m = mmap(NULL, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
  printf("mmap PROT_EXEC: %s\n", m == MAP_FAILED ? errname(errno) : "ok");
  m = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
  printf("mmap PROT_READ: %s\n", m == MAP_FAILED ? errname(errno) : "ok");
  T(mprotect(m, PAGE, PROT_READ | PROT_EXEC));
  munmap(m, PAGE);
  close(fd);
  /* Device nodes on a nodev mount cannot be opened (mknod itself works). */
  T(mknod("x/null", S_IFCHR | 0666, makedev(1, 3)));
  T(open("x/null", O_RDONLY));
  T(open("x/null", O_PATH) >= 0);
  /* Remount without noexec: the same file runs. */
  T(mount(NULL, "x", NULL, MS_REMOUNT | MS_BIND, NULL));
  T(access("x/prog", X_OK));
  try_exec("x/prog");
  fd = open("x/prog", O_RDONLY);
  m = mmap(NULL, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
  printf("mmap PROT_EXEC after remount: %s\n", m == MAP_FAILED ? errname(errno) : "ok");
  close(fd);
  T(umount2("x", MNT_DETACH));
  mnt_done();
  return 0;
}
