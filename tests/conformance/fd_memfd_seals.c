/* memfd seals and mappings: F_SEAL_WRITE is EBUSY while a shared mapping
 * that may write exists (also PROT_READ from a writable fd, also in a forked
 * child), fine once it is unmapped or with a private mapping; F_SEAL_FUTURE_WRITE
 * keeps existing mappings; writes and writable shared mmaps fail after the
 * seals; F_SEAL_GROW/SHRINK on ftruncate and writes past the end. */
#include "common.h"
#include <sys/wait.h>

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

static int mfd(void) {
  int fd = memfd_create("seals", MFD_ALLOW_SEALING);
  ftruncate(fd, 4096);
  return fd;
}

int main(int argc, char **argv) {
  (void)argc; (void)argv;
  int fd = mfd();
  char *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  T(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
  munmap(w, 4096);
  char *r = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
  T(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
  munmap(r, 4096);
  char *pv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  T(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
  T(write(fd, "x", 1));
  T(pwrite(fd, "x", 1, 0));
  void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  printf("shared writable mmap after F_SEAL_WRITE: %s\n", m == MAP_FAILED ? errname(errno) : "ok");
  m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
  printf("shared read-only mmap after F_SEAL_WRITE: %s\n", m == MAP_FAILED ? errname(errno) : "ok");
  if (m != MAP_FAILED)
    T(mprotect(m, 4096, PROT_READ | PROT_WRITE));
  munmap(pv, 4096);

  /* A mapping in another process counts too. */
  int fd2 = mfd();
  int p[2];
  pipe(p);
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) {
    char *cm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0);
    write(p[1], "m", 1);
    usleep(300000);
    munmap(cm, 4096);
    _exit(0);
  }
  char ch;
  read(p[0], &ch, 1);
  T(fcntl(fd2, F_ADD_SEALS, F_SEAL_WRITE));
  waitpid(c, NULL, 0);
  T(fcntl(fd2, F_ADD_SEALS, F_SEAL_WRITE));

  /* F_SEAL_FUTURE_WRITE: existing writable mappings stay usable. */
  int fd3 = mfd();
  char *w3 = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd3, 0);
  T(fcntl(fd3, F_ADD_SEALS, F_SEAL_FUTURE_WRITE));
  w3[0] = 'y';
  char b = 0;
  pread(fd3, &b, 1, 0);
  printf("old mapping still writes: %c\n", b);
  T(write(fd3, "x", 1));
  m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd3, 0);
  printf("new shared writable mmap: %s\n", m == MAP_FAILED ? errname(errno) : "ok");

  /* GROW and SHRINK. */
  int fd4 = mfd();
  T(fcntl(fd4, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK));
  T(ftruncate(fd4, 8192));
  T(ftruncate(fd4, 100));
  T(ftruncate(fd4, 4096));
  T(pwrite(fd4, "abc", 3, 4094));
  T(pwrite(fd4, "abc", 3, 0));
  T(fcntl(fd4, F_ADD_SEALS, F_SEAL_SEAL));
  T(fcntl(fd4, F_ADD_SEALS, F_SEAL_WRITE));
  T(fcntl(fd4, F_GET_SEALS));
  return 0;
}
