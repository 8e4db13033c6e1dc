/* listen(2) backlog of AF_UNIX stream sockets: nonblocking connects succeed
 * up to backlog + 1 pending connections, then EAGAIN; accepting one makes
 * room; a blocking connect waits for an accept (here: SO_SNDTIMEO expires
 * with EAGAIN, then a child's accept lets it in); closing the listener
 * resets pending connections. */
#include "unix_common.h"

int main(int argc, char **argv) {
  init(argc, argv);
  struct sockaddr_un a;
  socklen_t al = uabs(&a, "bl");
  int l = xlisten(SOCK_STREAM, &a, al, 2);
  int cs[16], n = 0;
  for (int i = 0; i < 16; i++) {
    int c = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (connect(c, (struct sockaddr *)&a, al) < 0) {
      printf("connect %d: %s\n", i, errname(errno));
      close(c);
      break;
    }
    cs[n++] = c;
  }
  printf("pending %d\n", n);
  pollshow("listener", l);
  int s = accept(l, NULL, NULL);
  CHECK(s >= 0);
  int c = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
  T(connect(c, (struct sockaddr *)&a, al));
  int c2 = socket(AF_UNIX, SOCK_STREAM, 0);
  struct timeval tv = {0, 100000};
  T(setsockopt(c2, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv));
  T(connect(c2, (struct sockaddr *)&a, al));
  /* A larger backlog lets it in. */
  T(listen(l, 10));
  T(connect(c2, (struct sockaddr *)&a, al));
  /* Blocking connect woken by a child's accept (backlog 0: one may wait). */
  struct sockaddr_un b;
  socklen_t bl = uabs(&b, "bl0");
  int l0 = xlisten(SOCK_STREAM, &b, bl, 0);
  int w0 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
  T(connect(w0, (struct sockaddr *)&b, bl));
  int w1 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
  T(connect(w1, (struct sockaddr *)&b, bl));
  int c3 = socket(AF_UNIX, SOCK_STREAM, 0);
  pid_t p = fork();
  if (p == 0) {
    usleep(100000);
    int x = accept(l0, NULL, NULL);
    _exit(x < 0);
  }
  T(connect(c3, (struct sockaddr *)&b, bl));
  int st;
  waitpid(p, &st, 0);
  printf("child status %d\n", st);
  /* Data sent before accept arrives; closing the listener resets the rest. */
  T(send(cs[1], "early", 5, 0));
  close(l);
  char buf[8];
  T(recv(cs[1], buf, sizeof buf, 0));
  T(recv(cs[2], buf, sizeof buf, 0));
  T(recv(cs[2], buf, sizeof buf, 0));
  T(send(cs[2], "x", 1, MSG_NOSIGNAL));
  /* The accepted one still works. */
  T(send(cs[0], "ok", 2, 0));
  T(recv(s, buf, sizeof buf, 0));
  return 0;
}
