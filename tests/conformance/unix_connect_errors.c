/* connect(2) errors of AF_UNIX sockets: ENOENT, ECONNREFUSED (a regular
 * file, a socket file with no listener, a bound but not listening socket,
 * an unknown abstract name), EPROTOTYPE (another socket type), EISCONN,
 * EINVAL (bad length or family, connecting a listener), ENOTDIR, and a
 * nonblocking connect that succeeds at once. */
#include "unix_common.h"

int main(int argc, char **argv) {
  init(argc, argv);
  struct sockaddr_un a, f, b;
  socklen_t al = upath(&a, "ce");
  int c = xsock(SOCK_STREAM);
  T(connect(c, (struct sockaddr *)&a, al));
  socklen_t fl = upath(&f, "regular");
  int fd = open(f.sun_path, O_CREAT | O_WRONLY, 0600);
  close(fd);
  T(connect(c, (struct sockaddr *)&f, fl));
  struct sockaddr_un nd = f;
  strcat(nd.sun_path, "/x");
  T(connect(c, (struct sockaddr *)&nd, SUNLEN(strlen(nd.sun_path) + 1)));
  unlink(f.sun_path);
  /* Bound, not listening. */
  int s = xsock(SOCK_STREAM);
  T(bind(s, (struct sockaddr *)&a, al));
  T(connect(c, (struct sockaddr *)&a, al));
  /* A socket file left behind by a closed socket. */
  close(s);
  T(connect(c, (struct sockaddr *)&a, al));
  unlink(a.sun_path);
  int l = xlisten(SOCK_STREAM, &a, al, 4);
  int sp = xsock(SOCK_SEQPACKET);
  T(connect(sp, (struct sockaddr *)&a, al));
  int dg = xsock(SOCK_DGRAM);
  T(connect(dg, (struct sockaddr *)&a, al));
  socklen_t bl = uabs(&b, "ce-none");
  T(connect(c, (struct sockaddr *)&b, bl));
  T(connect(c, (struct sockaddr *)&a, 2));
  T(connect(c, (struct sockaddr *)&a, 1));
  struct sockaddr_un w = a;
  w.sun_family = AF_INET;
  T(connect(c, (struct sockaddr *)&w, al));
  /* Nonblocking connect completes immediately. */
  int nb = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
  T(connect(nb, (struct sockaddr *)&a, al));
  T(connect(nb, (struct sockaddr *)&a, al));
  T(connect(c, (struct sockaddr *)&a, al));
  T(connect(c, (struct sockaddr *)&a, al));
  T(connect(c, (struct sockaddr *)&b, bl));
  /* A listener cannot connect. */
  T(connect(l, (struct sockaddr *)&a, al));
  /* A socketpair end is connected already. */
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  T(connect(sv[0], (struct sockaddr *)&a, al));
  /* send/recv on unconnected sockets. */
  int u = xsock(SOCK_STREAM);
  char buf[4];
  T(send(u, "x", 1, MSG_NOSIGNAL));
  T(recv(u, buf, 1, MSG_DONTWAIT));
  T(sendto(u, "x", 1, MSG_NOSIGNAL, (struct sockaddr *)&a, al));
  T(sendto(nb, "x", 1, MSG_NOSIGNAL, (struct sockaddr *)&a, al));
  T(read(u, buf, 1));
  int ud = xsock(SOCK_DGRAM);
  T(send(ud, "x", 1, 0));
  T(recv(ud, buf, 1, MSG_DONTWAIT));
  /* Not a socket at all. */
  T(connect(0 + 99, (struct sockaddr *)&a, al));
  int p[2];
  pipe(p);
  T(connect(p[0], (struct sockaddr *)&a, al));
  unlink(a.sun_path);
  return 0;
}
