/* AF_UNIX SOCK_STREAM over a file-system path: bind creates a socket file,
 * listen/connect/accept, data both ways, names, EADDRINUSE, EINVAL on a
 * second bind, ECONNREFUSED once the listener is closed, ENOENT after unlink. */
#include "unix_common.h"

int main(int argc, char **argv) {
  init(argc, argv);
  struct sockaddr_un a, b, got;
  socklen_t len = upath(&a, "s"), glen;
  int l = xsock(SOCK_STREAM);
  T(bind(l, (struct sockaddr *)&a, len));
  struct stat st;
  T(stat(a.sun_path, &st));
  CHECK(S_ISSOCK(st.st_mode));
  printf("perm %o\n", st.st_mode & 0777 & ~0022);
  /* A socket file cannot be opened. */
  T(open(a.sun_path, O_RDONLY));
  T(open(a.sun_path, O_PATH) >= 0);
  T(listen(l, 5));
  int c = xsock(SOCK_STREAM);
  T(connect(c, (struct sockaddr *)&a, len));
  glen = sizeof got;
  int s = accept(l, (struct sockaddr *)&got, &glen);
  CHECK(s >= 0);
  printf("accept addrlen %d family %d\n", glen, got.sun_family);
  char buf[64];
  T(write(c, "ping", 4));
  T(read(s, buf, sizeof buf));
  T(write(s, "pong!", 5));
  T(read(c, buf, sizeof buf));
  CHECK(memcmp(buf, "pong!", 5) == 0);
  glen = sizeof got;
  T(getsockname(l, (struct sockaddr *)&got, &glen));
  printf("listener name len %d == %d, same %d\n", glen, len, strcmp(got.sun_path, a.sun_path) == 0);
  glen = sizeof got;
  T(getsockname(s, (struct sockaddr *)&got, &glen));
  printf("accepted name same %d\n", glen == len && strcmp(got.sun_path, a.sun_path) == 0);
  glen = sizeof got;
  T(getpeername(c, (struct sockaddr *)&got, &glen));
  printf("client peer same %d\n", glen == len && strcmp(got.sun_path, a.sun_path) == 0);
  glen = sizeof got;
  T(getsockname(c, (struct sockaddr *)&got, &glen));
  printf("client name len %d\n", glen);
  glen = sizeof got;
  T(getpeername(s, (struct sockaddr *)&got, &glen));
  printf("accepted peer len %d\n", glen);
  /* The path is taken, even by another socket type. */
  int d = xsock(SOCK_DGRAM);
  T(bind(d, (struct sockaddr *)&a, len));
  /* A bound socket cannot be bound again. */
  socklen_t blen = upath(&b, "s2");
  T(bind(l, (struct sockaddr *)&b, blen));
  T(access(b.sun_path, F_OK));
  /* Type mismatch. */
  T(connect(d, (struct sockaddr *)&a, len));
  /* A client with a bound name: the accepted side sees it. */
  int c2 = xsock(SOCK_STREAM);
  T(bind(c2, (struct sockaddr *)&b, blen));
  T(connect(c2, (struct sockaddr *)&a, len));
  int s2 = accept(l, (struct sockaddr *)&got, &glen);
  printf("accept named peer len %d same %d\n", glen, glen == blen && strcmp(got.sun_path, b.sun_path) == 0);
  close(s2);
  close(c2);
  unlink(b.sun_path);
  /* Closing the listener: the file stays but refuses. */
  close(l);
  T(access(a.sun_path, F_OK));
  int c3 = xsock(SOCK_STREAM);
  T(connect(c3, (struct sockaddr *)&a, len));
  T(unlink(a.sun_path));
  T(connect(c3, (struct sockaddr *)&a, len));
  /* The connection outlives the listener. */
  T(write(c, "x", 1));
  T(read(s, buf, 1));
  close(s);
  T(read(c, buf, sizeof buf));
  return 0;
}
