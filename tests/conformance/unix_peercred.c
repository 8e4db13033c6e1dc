/* SO_PEERCRED across fork: a child connects to the parent's listener; each
 * side sees the other's pid (the client sees the listener's credentials from
 * listen time); socketpair ends see their creator; unconnected sockets see
 * nobody. */
#include "unix_common.h"

static void peer(const char *what, int s, pid_t expect) {
  struct ucred u;
  socklen_t l = sizeof u;
  if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &u, &l) < 0) {
    printf("%s: %s\n", what, errname(errno));
    return;
  }
  printf("%s: len %d pid %s uid %s gid %s\n", what, l,
         u.pid == expect ? "expected" : u.pid == 0 ? "0" : "other",
         u.uid == getuid() ? "self" : u.uid == (uid_t)-1 ? "-1" : "other",
         u.gid == getgid() ? "self" : u.gid == (gid_t)-1 ? "-1" : "other");
}

int main(int argc, char **argv) {
  init(argc, argv);
  int u = xsock(SOCK_STREAM);
  peer("unconnected", u, 0);
  int sv[2];
  T(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
  pid_t p = fork();
  if (p == 0) {
    peer("child pair end", sv[1], getppid());
    _exit(0);
  }
  waitpid(p, NULL, 0);
  struct sockaddr_un a;
  socklen_t al = upath(&a, "pc");
  int l = xlisten(SOCK_STREAM, &a, al, 4);
  peer("listener", l, getpid());
  pid_t parent = getpid();
  p = fork();
  if (p == 0) {
    int c = xconnect(SOCK_STREAM, &a, al);
    peer("child client", c, parent);
    write(c, "x", 1);
    char b;
    read(c, &b, 1);
    _exit(0);
  }
  int s = accept(l, NULL, NULL);
  char b;
  T(read(s, &b, 1));
  peer("accepted", s, p);
  T(write(s, "y", 1));
  waitpid(p, NULL, 0);
  /* After the child exits, the credentials remain those from connect time. */
  peer("accepted after exit", s, p);
  struct ucred small;
  socklen_t l4 = 4;
  T(getsockopt(s, SOL_SOCKET, SO_PEERCRED, &small, &l4));
  printf("short len %d\n", l4);
  unlink(a.sun_path);
  return 0;
}
