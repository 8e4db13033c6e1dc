/* O_APPEND with two concurrent writer processes: no record is lost or torn. */
#include "gw_common.h"

#define N 500
#define REC 32

static void writer(char tag) {
  int fd = open("log", O_WRONLY | O_APPEND);
  char rec[REC];
  for (int i = 0; i < N; i++) {
    memset(rec, tag, REC - 1);
    rec[REC - 1] = '\n';
    if (write(fd, rec, REC) != REC)
      _exit(1);
  }
  _exit(0);
}

int main(int argc, char **argv) {
  gw_init(argc, argv);
  put("log", "");
  fflush(stdout);
  pid_t a = fork();
  if (a == 0)
    writer('a');
  pid_t b = fork();
  if (b == 0)
    writer('b');
  int s1, s2;
  waitpid(a, &s1, 0);
  waitpid(b, &s2, 0);
  T(WEXITSTATUS(s1) + WEXITSTATUS(s2));
  struct stat s;
  T(stat("log", &s));
  SAY("size %ld", (long)s.st_size);
  int fd = open("log", O_RDONLY);
  static char buf[2 * N * REC];
  T(read(fd, buf, sizeof buf));
  int na = 0, nb = 0, torn = 0;
  for (int i = 0; i < 2 * N; i++) {
    char *r = buf + i * REC;
    int same = 1;
    for (int j = 1; j < REC - 1; j++)
      same &= r[j] == r[0];
    if (!same || r[REC - 1] != '\n')
      torn++;
    else if (r[0] == 'a')
      na++;
    else if (r[0] == 'b')
      nb++;
  }
  SAY("a %d b %d torn %d", na, nb, torn);
  /* The position after an append is the end; pwrite on O_APPEND appends too (Linux). */
  int w = open("log", O_WRONLY | O_APPEND);
  T(lseek(w, 0, SEEK_SET));
  T(write(w, "X", 1));
  T(lseek(w, 0, SEEK_CUR));
  T(pwrite(w, "Y", 1, 0));
  T(fstat(w, &s));
  SAY("size %ld", (long)s.st_size);
  T(pread(fd, buf, 2, 2 * N * REC));
  SAY("tail %.2s", buf);
  T(pread(fd, buf, 1, 0));
  CHECK(buf[0] == 'a' || buf[0] == 'b'); /* pwrite did not write at 0 */
  return 0;
}
