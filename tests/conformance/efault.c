/* EFAULT for bad pointers in reads, writes, paths, stat buffers and more: (void*)1,
 * NULL and an address in a munmap'd region. */
#include "common.h"
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <sys/resource.h>

int main(int argc, char **argv) {
  init(argc, argv);
  char *gone = unmapped_page();
  char buf[64];
  struct stat st;
  int zero = T(open("/dev/zero", O_RDONLY));
  int null = T(open("/dev/null", O_WRONLY));
  int file = T(open(fx("file.txt"), O_RDONLY));
  /* read into bad buffers */
  T(read(zero, BADPTR, 10));
  T(read(zero, gone, 10));
  T(syscall(SYS_read, zero, NULL, 10));
  T(read(zero, BADPTR, 0));
  T(read(file, BADPTR, 10));
  T(read(file, gone, 10));
  T(lseek(file, 0, SEEK_CUR)); /* nothing was consumed */
  T(pread(file, gone, 10, 0));
  /* /dev/null never reads the buffer of a write */
  T(write(null, BADPTR, 10));
  T(write(null, gone, 10));
  /* writes to stdout (a pipe) from bad buffers fail and write nothing */
  T(write(1, BADPTR, 10));
  T(write(1, gone, 10));
  T(write(1, gone, 0));
  /* iovecs */
  struct iovec iov[2] = {{buf, 8}, {gone, 8}};
  T(readv(zero, BADPTR, 1));
  T(readv(zero, (struct iovec *)gone, 1));
  T(readv(zero, iov + 1, 1));
  T(writev(null, BADPTR, 2));
  T(writev(null, iov, 2));
  T(writev(1, iov + 1, 1));
  /* paths */
  T(open(BADPTR, O_RDONLY));
  T(open(gone, O_RDONLY));
  T(syscall(SYS_open, NULL, O_RDONLY));
  T(openat(AT_FDCWD, gone, O_RDONLY));
  T(syscall(SYS_stat, gone, &st));
  T(syscall(SYS_lstat, BADPTR, &st));
  T(syscall(SYS_newfstatat, AT_FDCWD, gone, &st, 0));
  T(syscall(SYS_readlink, gone, buf, sizeof buf));
  T(syscall(SYS_access, gone, F_OK));
  T(syscall(SYS_chdir, gone));
  T(syscall(SYS_statfs, gone, buf));
  T(syscall(SYS_execve, gone, NULL, NULL));
  /* result buffers */
  T(syscall(SYS_fstat, file, BADPTR));
  T(syscall(SYS_fstat, file, gone));
  T(syscall(SYS_stat, fx("file.txt"), gone));
  T(syscall(SYS_lstat, fx("link_rel"), BADPTR));
  T(syscall(SYS_newfstatat, AT_FDCWD, fx("file.txt"), NULL, 0));
  T(syscall(SYS_getcwd, gone, 100));
  T(syscall(SYS_uname, gone));
  T(syscall(SYS_clock_gettime, CLOCK_REALTIME, gone));
  T(syscall(SYS_clock_getres, CLOCK_REALTIME, gone));
  T(syscall(SYS_gettimeofday, gone, NULL));
  T(syscall(SYS_sysinfo, gone));
  T(syscall(SYS_getrlimit, RLIMIT_NOFILE, gone));
  T(syscall(SYS_getdents64, open(fx("dir"), O_RDONLY), gone, 4096));
  T(syscall(SYS_pipe, gone));
  /* a failed call must not have side effects on the fd offset */
  T(lseek(file, 0, SEEK_CUR));
  T(read(file, buf, 4));
  SAY("still readable: %.4s", buf);
  return 0;
}
