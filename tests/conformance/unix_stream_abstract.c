/* AF_UNIX SOCK_STREAM in the abstract namespace: exact name lengths, names
 * with embedded NULs, EADDRINUSE while bound and free again after close,
 * per-type names, ECONNREFUSED for unknown names. */
#include "unix_common.h"

int main(int argc, char **argv) {
  init(argc, argv);
  struct sockaddr_un a, got;
  socklen_t len = uabs(&a, "abs"), glen;
  int l = xsock(SOCK_STREAM);
  T(bind(l, (struct sockaddr *)&a, len));
  T(listen(l, 5));
  glen = sizeof got;
  T(getsockname(l, (struct sockaddr *)&got, &glen));
  printf("name len %d == %d, same %d\n", glen, len, memcmp(&got, &a, len) == 0);
  /* The file system has no such file. */
  int c = xsock(SOCK_STREAM);
  T(connect(c, (struct sockaddr *)&a, len));
  int s = accept(l, NULL, NULL);
  CHECK(s >= 0);
  char buf[16];
  T(send(c, "abc", 3, 0));
  T(recv(s, buf, sizeof buf, 0));
  glen = sizeof got;
  T(getpeername(c, (struct sockaddr *)&got, &glen));
  printf("peer len %d same %d\n", glen, memcmp(&got, &a, len) == 0);
  /* A shorter length names another socket. */
  int c2 = xsock(SOCK_STREAM);
  T(connect(c2, (struct sockaddr *)&a, len - 1));
  /* The same name is busy for the same type, free for another. */
  int l2 = xsock(SOCK_STREAM);
  T(bind(l2, (struct sockaddr *)&a, len));
  int d = xsock(SOCK_DGRAM);
  T(bind(d, (struct sockaddr *)&a, len));
  /* A name with an embedded NUL, and its length. */
  struct sockaddr_un e = a;
  e.sun_path[len - 2] = 0;
  e.sun_path[len - 1] = 'z';
  int l3 = xsock(SOCK_SEQPACKET);
  T(bind(l3, (struct sockaddr *)&e, len + 1));
  glen = sizeof got;
  T(getsockname(l3, (struct sockaddr *)&got, &glen));
  printf("nul name len %d same %d\n", glen, memcmp(&got, &e, len + 1) == 0);
  /* Freed when the socket closes. */
  close(l);
  close(s);
  T(connect(c2, (struct sockaddr *)&a, len));
  T(bind(l2, (struct sockaddr *)&a, len));
  T(listen(l2, 1));
  T(connect(c2, (struct sockaddr *)&a, len));
  T(connect(c2, (struct sockaddr *)&a, len));
  /* The old connection sees the close. */
  T(recv(c, buf, sizeof buf, 0));
  return 0;
}
