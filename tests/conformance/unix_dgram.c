/* AF_UNIX SOCK_DGRAM over paths and abstract names: unconnected sendto from
 * unbound and bound senders (recvfrom's address), message boundaries,
 * MSG_TRUNC returning the real length, connected sockets, EPERM towards a
 * socket connected elsewhere, AF_UNSPEC disconnect, EISCONN-free sendto. */
#include "unix_common.h"

static void run(struct sockaddr_un *ra, socklen_t rlen, struct sockaddr_un *sa, socklen_t slen) {
  struct sockaddr_un got;
  socklen_t glen;
  char buf[64];
  int r = xsock(SOCK_DGRAM);
  T(bind(r, (struct sockaddr *)ra, rlen));
  int u = xsock(SOCK_DGRAM);
  T(sendto(u, "one", 3, 0, (struct sockaddr *)ra, rlen));
  T(send(u, "x", 1, 0));
  int b = xsock(SOCK_DGRAM);
  T(bind(b, (struct sockaddr *)sa, slen));
  T(sendto(b, "two-longer", 10, 0, (struct sockaddr *)ra, rlen));
  T(sendto(b, "", 0, 0, (struct sockaddr *)ra, rlen));
  glen = sizeof got;
  T(recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&got, &glen));
  printf("from unbound len %d\n", glen);
  glen = sizeof got;
  T(recvfrom(r, buf, 3, MSG_TRUNC, (struct sockaddr *)&got, &glen));
  printf("from bound len %d same %d\n", glen, glen == slen && memcmp(&got, sa, slen) == 0);
  T(recv(r, buf, sizeof buf, 0));
  T(recv(r, buf, sizeof buf, MSG_DONTWAIT));
  /* Connected: send() goes to the peer, getpeername names it. */
  T(connect(u, (struct sockaddr *)ra, rlen));
  glen = sizeof got;
  T(getpeername(u, (struct sockaddr *)&got, &glen));
  printf("peer len %d\n", glen);
  T(send(u, "via-connect", 11, 0));
  T(recv(r, buf, sizeof buf, 0));
  /* r connected to b: others may not send to r. */
  T(connect(r, (struct sockaddr *)sa, slen));
  T(sendto(u, "no", 2, 0, (struct sockaddr *)ra, rlen));
  T(send(u, "no", 2, 0));
  T(sendto(b, "yes", 3, 0, (struct sockaddr *)ra, rlen));
  T(recv(r, buf, sizeof buf, 0));
  /* Disconnect with AF_UNSPEC. */
  struct sockaddr unspec = {.sa_family = AF_UNSPEC};
  T(connect(r, &unspec, sizeof unspec));
  glen = sizeof got;
  T(getpeername(r, (struct sockaddr *)&got, &glen));
  T(send(u, "again", 5, 0));
  T(recv(r, buf, sizeof buf, 0));
  /* Bad addresses. */
  T(sendto(u, "x", 1, 0, (struct sockaddr *)ra, 2));
  T(sendto(u, "x", 1, 0, (struct sockaddr *)ra, sizeof(struct sockaddr_un) + 1));
  close(r);
  close(u);
  close(b);
}

int main(int argc, char **argv) {
  init(argc, argv);
  struct sockaddr_un a, b;
  SAY("path");
  socklen_t al = upath(&a, "dr"), bl = upath(&b, "ds");
  run(&a, al, &b, bl);
  unlink(a.sun_path);
  unlink(b.sun_path);
  SAY("abstract");
  al = uabs(&a, "dr");
  bl = uabs(&b, "ds");
  run(&a, al, &b, bl);
  return 0;
}
