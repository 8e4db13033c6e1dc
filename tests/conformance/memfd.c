/* memfd_create: flags, names, read/write/mmap, and seals (F_ADD_SEALS/F_GET_SEALS with
 * the EPERM rules of SEAL_SEAL/SHRINK/GROW/WRITE/FUTURE_WRITE). */
#include "common.h"
#include <sys/wait.h>

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

static int mfd(const char *name, unsigned flags) {
  return syscall(SYS_memfd_create, name, flags);
}

int main(void) {
  T(mfd("x", 0x100));
  T(mfd("x", MFD_EXEC | MFD_NOEXEC_SEAL));
  char longname[300];
  memset(longname, 'a', sizeof longname);
  longname[249] = 0;
  int fd = TOK(mfd(longname, 0));
  close(fd);
  longname[249] = 'a';
  longname[250] = 0;
  T(mfd(longname, 0));
  T(mfd(BADPTR, 0));

  fd = TOK(mfd("plain", MFD_CLOEXEC));
  T(fcntl(fd, F_GETFD));
  T(fcntl(fd, F_GETFL) & O_ACCMODE);
  struct stat st;
  T(fstat(fd, &st));
  SAY("mode %o nlink %lu size %ld", st.st_mode, (unsigned long)st.st_nlink, (long)st.st_size);
  T(fcntl(fd, F_GET_SEALS));
  T(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
  T(write(fd, "hello", 5));
  T(lseek(fd, 0, SEEK_SET));
  char buf[32] = {0};
  T(read(fd, buf, sizeof buf));
  SAY("read: %s", buf);
  T(ftruncate(fd, PAGE));
  char *m = TMAP(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
  strcpy(m + 5, " world");
  memset(buf, 0, sizeof buf);
  T(pread(fd, buf, 11, 0));
  SAY("read: %s", buf);
  munmap(m, PAGE);
  close(fd);

  fd = TOK(mfd("sealed", MFD_ALLOW_SEALING));
  T(fcntl(fd, F_GET_SEALS));
  T(write(fd, "0123456789", 10));
  T(fcntl(fd, F_ADD_SEALS, 0x1000));
  T(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK));
  T(fcntl(fd, F_GET_SEALS));
  T(ftruncate(fd, 5));
  T(ftruncate(fd, 20));
  T(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
  T(ftruncate(fd, 30));
  T(pwrite(fd, "x", 1, 19));
  T(pwrite(fd, "x", 1, 20));
  T(pwrite(fd, "ab", 2, 19));
  T(ftruncate(fd, 20));
  T(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
  T(pwrite(fd, "x", 1, 0));
  TMAP(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
  char *r = TMAP(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0));
  if (r != MAP_FAILED) {
    T(mprotect(r, PAGE, PROT_READ | PROT_WRITE));
    munmap(r, PAGE);
  }
  char *pm = TMAP(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
  if (pm != MAP_FAILED)
    munmap(pm, PAGE);
  T(fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL));
  T(fcntl(fd, F_GET_SEALS));
  T(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK));
  int ro = open("/dev/null", O_RDONLY);
  T(fcntl(ro, F_GET_SEALS));
  close(ro);
  close(fd);

  fd = TOK(mfd("future", MFD_ALLOW_SEALING));
  T(write(fd, "abc", 3));
  T(fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE));
  T(write(fd, "d", 1));
  T(ftruncate(fd, 10));
  close(fd);

  fd = TOK(mfd("noexec", MFD_NOEXEC_SEAL));
  T(fstat(fd, &st));
  SAY("mode %o", st.st_mode);
  T(fcntl(fd, F_GET_SEALS));
  close(fd);

  /* fallocate: allocation, KEEP_SIZE, hole punching (memfds are tmpfs natively too). */
  fd = TOK(mfd("falloc", MFD_ALLOW_SEALING));
  T(fallocate(fd, 0, 0, 3 * PAGE));
  T(fstat(fd, &st));
  SAY("size %ld blocks %ld", (long)st.st_size, (long)st.st_blocks);
  T(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 5 * PAGE));
  T(fstat(fd, &st));
  SAY("size %ld blocks %ld", (long)st.st_size, (long)st.st_blocks);
  char big[3 * PAGE];
  memset(big, 'x', sizeof big);
  T(pwrite(fd, big, sizeof big, 0));
  T(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 100, 2 * PAGE));
  T(fstat(fd, &st));
  SAY("size %ld blocks %ld", (long)st.st_size, (long)st.st_blocks);
  T(pread(fd, big, sizeof big, 0));
  SAY("bytes: %c %d %d %d %c", big[99], big[100], big[PAGE + 5], big[2 * PAGE + 99], big[2 * PAGE + 100]);
  T(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 1));
  T(fallocate(fd, 0, -1, 1));
  T(fallocate(fd, 0, 0, 0));
  T(fallocate(fd, FALLOC_FL_ZERO_RANGE, 0, 1));
  T(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
  T(fallocate(fd, 0, 0, 10 * PAGE));
  T(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 10 * PAGE));
  T(fallocate(fd, 0, 0, PAGE));
  T(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
  T(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 1));
  close(fd);
  ro = open("/dev/null", O_RDWR);
  T(fallocate(ro, 0, 0, 1));
  close(ro);

  /* Shared across fork. */
  fd = TOK(mfd("fork", 0));
  T(ftruncate(fd, PAGE));
  m = TMAP(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
  fflush(stdout);
  if (fork() == 0) {
    strcpy(m, "child wrote");
    _exit(0);
  }
  wait(NULL);
  memset(buf, 0, sizeof buf);
  T(pread(fd, buf, 11, 0));
  SAY("read: %s", buf);
  return 0;
}
