/* getcwd, chdir, fchdir: results, ERANGE, errors. */
#include "common.h"

static char buf[PATH_MAX];

static void pwd(void) {
  long r = syscall(SYS_getcwd, buf, sizeof buf);
  if (r < 0)
    SAY("getcwd = -1 %s", errname(errno));
  else if (strncmp(buf, fixture_dir, strlen(fixture_dir)) == 0)
    SAY("getcwd = %ld (len %zu) <fixtures>%s", r, strlen(buf), buf + strlen(fixture_dir));
  else
    SAY("getcwd = %ld \"%s\"", r, buf);
}

int main(int argc, char **argv) {
  init(argc, argv);
  pwd();
  T(chdir("/usr"));
  pwd();
  T(chdir("lib/.."));
  pwd();
  T(chdir(".."));
  pwd();
  T(chdir(".."));
  pwd();
  T(chdir("/../../usr/./include//"));
  pwd();
  T(chdir(fixture_dir));
  pwd();
  T(chdir("link_dir"));
  pwd();
  T(chdir("sub"));
  pwd();
  T(chdir("../.."));
  pwd();
  T(chdir("file.txt"));
  T(chdir("nonexistent"));
  T(chdir("link_dangling"));
  T(chdir("loop1"));
  T(chdir(""));
  T(chdir((char *)1));
  pwd();
  /* small buffers */
  T(syscall(SYS_getcwd, buf, 1));
  T(syscall(SYS_getcwd, buf, 0));
  size_t need = strlen(fixture_dir) + 1;
  T(syscall(SYS_getcwd, buf, need) == (long)need);
  T(syscall(SYS_getcwd, buf, need - 1));
  T(syscall(SYS_getcwd, (char *)1, sizeof buf));
  T(syscall(SYS_getcwd, NULL, sizeof buf));
  CHECK(getcwd(buf, 2) == NULL && errno == ERANGE);
  T(chdir("/"));
  T(syscall(SYS_getcwd, buf, 2));
  T(syscall(SYS_getcwd, buf, 1));
  /* fchdir */
  int d = T(open(fx("dir"), O_RDONLY | O_DIRECTORY));
  T(fchdir(d));
  pwd();
  int p = T(open(fx("dir/sub"), O_PATH));
  T(fchdir(p));
  pwd();
  int f = T(open(fx("file.txt"), O_RDONLY));
  T(fchdir(f));
  T(fchdir(-1));
  T(fchdir(555));
  pwd();
  int r = T(open("/", O_RDONLY));
  T(fchdir(r));
  pwd();
  return 0;
}
