/* utimensat/futimens/utimes with explicit times, UTIME_NOW and UTIME_OMIT. */
#include "gw_common.h"
#include <sys/time.h>
#include <time.h>

static void times_of(const char *n, int flags) {
  struct stat s;
  if (fstatat(AT_FDCWD, n, &s, flags) != 0) {
    printf("stat %s %s\n", n, errname(errno));
    return;
  }
  printf("%s: atime %ld.%09ld mtime %ld.%09ld\n", n, (long)s.st_atim.tv_sec,
         s.st_atim.tv_nsec, (long)s.st_mtim.tv_sec, s.st_mtim.tv_nsec);
}

int main(int argc, char **argv) {
  gw_init(argc, argv);
  put("f", "x");
  symlink("f", "l");
  struct timespec ts[2] = {{1000000000, 123456789}, {1200000000, 987654321}};
  T(utimensat(AT_FDCWD, "f", ts, 0));
  times_of("f", 0);
  struct timespec omit[2] = {{5, UTIME_OMIT}, {1300000000, 5}};
  T(utimensat(AT_FDCWD, "f", omit, 0));
  times_of("f", 0);
  struct timespec omit2[2] = {{1400000000, 0}, {0, UTIME_OMIT}};
  T(utimensat(AT_FDCWD, "f", omit2, 0));
  times_of("f", 0);
  struct timespec both[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
  T(utimensat(AT_FDCWD, "f", both, 0));
  times_of("f", 0);
  struct timespec before;
  clock_gettime(CLOCK_REALTIME, &before);
  struct timespec now[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
  T(utimensat(AT_FDCWD, "f", now, 0));
  struct stat s;
  stat("f", &s);
  CHECK(s.st_atim.tv_sec >= before.tv_sec - 1 && s.st_mtim.tv_sec == 1300000000);
  T(utimensat(AT_FDCWD, "f", NULL, 0));
  stat("f", &s);
  CHECK(s.st_mtim.tv_sec >= before.tv_sec - 1);
  int fd = open("f", O_RDONLY);
  T(futimens(fd, ts));
  times_of("f", 0);
  struct timespec lts[2] = {{1111111111, 0}, {1111111112, 0}};
  T(utimensat(AT_FDCWD, "l", lts, AT_SYMLINK_NOFOLLOW));
  times_of("l", AT_SYMLINK_NOFOLLOW);
  times_of("f", 0);
  struct timeval tv[2] = {{1500000000, 250000}, {1500000001, 500000}};
  T(utimes("f", tv));
  times_of("f", 0);
  struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
  T(utimensat(AT_FDCWD, "f", bad, 0));
  T(utimensat(AT_FDCWD, "missing", ts, 0));
  return 0;
}
