/* O_PATH descriptors: no I/O (EBADF), but fstat, fchdir, *at dirfd,
 * /proc/self/fd re-open, dup and fcntl F_GETFL/F_GETFD work. */
#include "common.h"
#include <sys/ioctl.h>
#include <sys/file.h>

int main(int argc, char **argv) {
  (void)argc; (void)argv;
  char base[128], file[160];
  snprintf(base, sizeof base, "/tmp/fd_opath-%d", (int)getpid());
  snprintf(file, sizeof file, "%s/f", base);
  mkdir(base, 0700);
  int w = open(file, O_CREAT | O_WRONLY, 0600);
  write(w, "data", 4);
  close(w);
  int f = open(file, O_PATH);
  int d = open(base, O_PATH | O_DIRECTORY);
  char buf[8];
  T(read(f, buf, 4));
  T(write(f, "x", 1));
  T(pread(f, buf, 4, 0));
  T(lseek(f, 0, SEEK_SET));
  T(ioctl(f, FIONREAD, &w));
  void *m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, f, 0);
  printf("mmap: %s\n", m == MAP_FAILED ? errname(errno) : "ok");
  T(fsync(f));
  T(ftruncate(f, 0));
  T(fchmod(f, 0644));
  T(flock(f, LOCK_SH));
  T(fallocate(f, 0, 0, 10));
  T(syscall(SYS_getdents64, d, buf, sizeof buf));
  struct stat st;
  T(fstat(f, &st));
  printf("size = %ld\n", (long)st.st_size);
  T(fcntl(f, F_GETFL) & (O_PATH | O_ACCMODE));
  T(fcntl(f, F_GETFD));
  T(fcntl(f, F_SETFL, O_NONBLOCK));
  int dd = dup(f);
  T(dd >= 0);
  T(fstatat(d, "f", &st, 0));
  T(fstatat(f, "", &st, AT_EMPTY_PATH));
  int g = openat(d, "f", O_RDONLY);
  T(read(g, buf, 4));
  char self[64];
  snprintf(self, sizeof self, "/proc/self/fd/%d", f);
  int h = open(self, O_RDONLY);
  T(read(h, buf, 4));
  T(openat(f, "x", O_RDONLY));
  T(fchdir(d));
  T(access("f", R_OK));
  T(fchdir(f));
  T(close(f));
  unlink(file);
  rmdir(base);
  return 0;
}
