/* MAP_SHARED mappings of a tmpfs file (/dev/shm): stores are visible to read(2), writes
 * are visible in the mapping, a forked child's stores are visible to the parent, and a
 * MAP_PRIVATE mapping copies on write. Names include the pid (never printed). */
#include "common.h"
#include <sys/wait.h>

int main(void) {
  char path[128];
  snprintf(path, sizeof path, "/dev/shm/tmpfs_mmap.%d", getpid());
  int fd = TOK(open(path, O_CREAT | O_RDWR | O_EXCL, 0600));
  T(ftruncate(fd, 2 * PAGE));
  char *m = TMAP(mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
  if (m == MAP_FAILED)
    return 1;
  strcpy(m, "stored via mapping");
  strcpy(m + PAGE, "second page");
  char buf[64] = {0};
  T(pread(fd, buf, 18, 0));
  SAY("read: %s", buf);
  memset(buf, 0, sizeof buf);
  T(pread(fd, buf, 11, PAGE));
  SAY("read page 2: %s", buf);
  T(pwrite(fd, "WRITTEN", 7, 0));
  SAY("mapping: %.18s", m);

  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    strcpy(m + 100, "from the child");
    _exit(0);
  }
  int status;
  waitpid(pid, &status, 0);
  SAY("child exit %d", WEXITSTATUS(status));
  SAY("parent sees: %s", m + 100);
  memset(buf, 0, sizeof buf);
  T(pread(fd, buf, 14, 100));
  SAY("read: %s", buf);

  /* A second, independent shared mapping sees the same pages. */
  char *m2 = TMAP(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0));
  SAY("second mapping: %.7s", m2);

  /* MAP_PRIVATE: copy on write, the file is unchanged. */
  char *pm = TMAP(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
  SAY("private sees: %.7s", pm);
  strcpy(pm, "private");
  SAY("after private store: file %.7s, private %.7s", m, pm);

  /* A read-only open cannot be mapped shared-writable. */
  int ro = open(path, O_RDONLY);
  TMAP(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0));
  TMAP(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ro, 0));
  close(ro);

  /* A mapping longer than the file: SIGBUS past the end, until the file grows. */
  char *big = TMAP(mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
  fflush(stdout);
  pid = fork();
  if (pid == 0) {
    big[3 * PAGE] = 1;
    _exit(0);
  }
  waitpid(pid, &status, 0);
  SAY("child touching past EOF: signaled %d sig %d", WIFSIGNALED(status),
      WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  T(ftruncate(fd, 4 * PAGE));
  strcpy(big + 3 * PAGE, "grown");
  memset(buf, 0, sizeof buf);
  T(pread(fd, buf, 5, 3 * PAGE));
  SAY("read after growth: %s", buf);
  T(munmap(big, 4 * PAGE));

  struct stat st;
  T(fstat(fd, &st));
  SAY("size %ld blocks %ld", (long)st.st_size, (long)st.st_blocks);
  T(munmap(m, 2 * PAGE));
  T(munmap(m2, PAGE));
  T(munmap(pm, PAGE));
  close(fd);
  T(unlink(path));
  return 0;
}
