/* Blocking splice/tee/vmsplice: a reader blocked on an empty pipe is woken by
 * a writer in another process; a vmsplice into a full pipe waits for room;
 * a blocked splice ends with 0 when the last writer goes away. */
#include "common.h"
#include <sys/uio.h>
#include <sys/wait.h>

int main(int argc, char **argv) {
  (void)argc; (void)argv;
  char path[64];
  snprintf(path, sizeof path, "/tmp/splice_block-%d", (int)getpid());
  int out = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  unlink(path);
  int p[2], q[2];
  pipe(p);
  pipe(q);
  pid_t c = fork();
  if (c == 0) {
    usleep(100000);
    write(p[1], "late", 4);
    usleep(100000);
    write(p[1], "more", 4);
    _exit(0);
  }
  T(splice(p[0], NULL, out, NULL, 100, 0));
  T(tee(p[0], q[1], 100, 0));
  waitpid(c, NULL, 0);
  char buf[16] = {0};
  T(pread(out, buf, sizeof buf, 0));
  printf("file: %s\n", buf);
  memset(buf, 0, sizeof buf);
  T(read(q[0], buf, sizeof buf));
  printf("tee copy: %s\n", buf);
  /* The last writer goes away: a blocked splice returns 0. */
  c = fork();
  if (c == 0) {
    usleep(100000);
    _exit(0);
  }
  close(p[1]);
  /* The child still holds p[1] until it exits. */
  T(splice(p[0], NULL, out, NULL, 100, 0));
  waitpid(c, NULL, 0);
  T(splice(p[0], NULL, out, NULL, 100, 0));
  /* vmsplice into a full pipe waits for a reader. */
  int r[2];
  pipe(r);
  fcntl(r[1], F_SETPIPE_SZ, 4096);
  static char big[4096] __attribute__((aligned(4096)));
  memset(big, 'z', sizeof big);
  struct iovec iov = {big, sizeof big};
  T(vmsplice(r[1], &iov, 1, 0));
  c = fork();
  if (c == 0) {
    usleep(100000);
    char sink[4096];
    read(r[0], sink, sizeof sink);
    _exit(0);
  }
  T(vmsplice(r[1], &iov, 1, 0));
  waitpid(c, NULL, 0);
  return 0;
}
