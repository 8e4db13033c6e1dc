/* MAP_SHARED writable mappings of a host-backed file: stores reach the file
 * (read(2), another process, after munmap), write(2) reaches the mapping. */
#include "gw_common.h"

int main(int argc, char **argv) {
  gw_init(argc, argv);
  int fd = open("m", O_RDWR | O_CREAT, 0644);
  T(ftruncate(fd, 8192));
  char *p = TMAP(mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
  memcpy(p, "mapped!", 7);
  memcpy(p + 4096, "page2", 5);
  T(msync(p, 8192, MS_SYNC));
  char buf[8] = {0};
  T(pread(fd, buf, 7, 0));
  SAY("read after msync: %s", buf);
  T(pwrite(fd, "WRITE", 5, 100));
  SAY("mapping after write: %.5s", p + 100);
  memcpy(p + 200, "nosync", 6);
  T(pread(fd, buf, 6, 200));
  SAY("read without msync: %.6s", buf);
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) {
    char *q = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    memcpy(q + 300, "child", 5);
    _exit(q[4096] == 'p' ? 0 : 1);
  }
  int status;
  waitpid(c, &status, 0);
  T(WEXITSTATUS(status));
  SAY("child store: %.5s", p + 300);
  memcpy(p + 400, "unmap", 5);
  T(munmap(p, 8192));
  T(pread(fd, buf, 5, 400));
  SAY("after munmap: %.5s", buf);
  int ro = open("m", O_RDONLY);
  TMAP(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0));
  TMAP(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0));
  char *priv = TMAP(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
  memcpy(priv, "PRIVATE", 7);
  T(pread(fd, buf, 7, 0));
  SAY("private store stays private: %.7s", buf);
  return 0;
}
