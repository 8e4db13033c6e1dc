/* SCM_RIGHTS over an AF_UNIX stream connection: passing both ends of a pipe,
 * which stay alive while in flight after the sender closed them; reading and
 * writing through the received fds; a forked receiver. */
#include "unix_common.h"

int main(int argc, char **argv) {
  init(argc, argv);
  struct sockaddr_un a;
  socklen_t al = upath(&a, "scmp");
  int l = xlisten(SOCK_STREAM, &a, al, 1);
  int c = xconnect(SOCK_STREAM, &a, al);
  int s = accept(l, NULL, NULL);
  int p[2];
  T(pipe(p));
  T(write(p[1], "through-pipe", 12));
  T(sendfds(c, p, 2));
  close(p[0]);
  close(p[1]);
  int fds[4], mf = 0;
  T(recvfds(s, fds, 4, 0, &mf));
  printf("msg_flags %d\n", mf);
  char buf[32] = {0};
  T(read(fds[0], buf, sizeof buf));
  printf("read '%s'\n", buf);
  struct stat st;
  T(fstat(fds[0], &st));
  CHECK(S_ISFIFO(st.st_mode));
  /* Send the write end back to a child that writes through it. */
  pid_t pid = fork();
  if (pid == 0) {
    int f[2];
    if (recvfds(c, f, 2, 0, NULL) != 1)
      _exit(1);
    write(f[0], "from-child", 10);
    _exit(0);
  }
  T(sendfds(s, &fds[1], 1));
  close(fds[1]);
  int stt;
  waitpid(pid, &stt, 0);
  printf("child %d\n", stt);
  memset(buf, 0, sizeof buf);
  T(read(fds[0], buf, sizeof buf));
  printf("read '%s'\n", buf);
  /* Every writer is gone now (the child exited): EOF. */
  T(read(fds[0], buf, sizeof buf));
  return 0;
}
