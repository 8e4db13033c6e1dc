/* getsockname/getpeername address lengths of AF_UNIX sockets: unnamed
 * (sizeof(sa_family_t)), paths (strlen + 3, the NUL included, whatever
 * length bind was given), abstract names (exactly as bound), autobind (bind
 * with only the family), truncation to a short buffer, ENOTCONN, EINVAL. */
#include "unix_common.h"

static void name(const char *what, int s, int peer) {
  struct sockaddr_un got;
  memset(&got, 0x55, sizeof got);
  socklen_t l = sizeof got;
  int r = peer ? getpeername(s, (struct sockaddr *)&got, &l) : getsockname(s, (struct sockaddr *)&got, &l);
  if (r < 0) {
    printf("%s: %s\n", what, errname(errno));
    return;
  }
  printf("%s: len %d family %d abstract %d\n", what, l, got.sun_family,
         l > 2 && got.sun_path[0] == 0);
}

int main(int argc, char **argv) {
  init(argc, argv);
  int u = xsock(SOCK_STREAM);
  name("unbound", u, 0);
  name("unbound peer", u, 1);
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  name("pair", sv[0], 0);
  name("pair peer", sv[0], 1);
  int d[2];
  socketpair(AF_UNIX, SOCK_DGRAM, 0, d);
  name("dgram pair peer", d[0], 1);
  /* A path bound with extra bytes after the NUL, and with the whole struct. */
  struct sockaddr_un a;
  socklen_t al = upath(&a, "n");
  int s1 = xsock(SOCK_STREAM);
  T(bind(s1, (struct sockaddr *)&a, sizeof a));
  name("path (sizeof)", s1, 0);
  close(s1);
  unlink(a.sun_path);
  int s2 = xsock(SOCK_DGRAM);
  T(bind(s2, (struct sockaddr *)&a, al + 5));
  name("path (+5)", s2, 0);
  close(s2);
  unlink(a.sun_path);
  int s3 = xsock(SOCK_DGRAM);
  T(bind(s3, (struct sockaddr *)&a, al - 1));
  name("path (no NUL)", s3, 0);
  unlink(a.sun_path);
  /* Abstract. */
  struct sockaddr_un b;
  socklen_t bl = uabs(&b, "nm");
  int s4 = xsock(SOCK_DGRAM);
  T(bind(s4, (struct sockaddr *)&b, bl));
  name("abstract", s4, 0);
  int s5 = xsock(SOCK_DGRAM);
  T(bind(s5, (struct sockaddr *)&b, bl + 3));
  name("abstract +3", s5, 0);
  /* Autobind. */
  int s6 = xsock(SOCK_STREAM);
  sa_family_t fam = AF_UNIX;
  T(bind(s6, (struct sockaddr *)&fam, sizeof fam));
  name("autobind", s6, 0);
  T(bind(s6, (struct sockaddr *)&fam, sizeof fam));
  T(bind(s6, (struct sockaddr *)&b, bl + 7));
  /* Truncation. */
  struct sockaddr_un got;
  memset(&got, 0, sizeof got);
  socklen_t l = 4;
  T(getsockname(s4, (struct sockaddr *)&got, &l));
  printf("short: len %d family %d byte2 %d\n", l, got.sun_family, got.sun_path[0]);
  l = 0;
  T(getsockname(s4, (struct sockaddr *)&got, &l));
  printf("zero: len %d\n", l);
  l = -1;
  T(getsockname(s4, (struct sockaddr *)&got, &l));
  T(getsockname(s4, (struct sockaddr *)&got, NULL));
  l = sizeof got;
  T(getsockname(s4, NULL, &l));
  /* Bad bind addresses. */
  int s7 = xsock(SOCK_STREAM);
  T(bind(s7, (struct sockaddr *)&b, 1));
  T(bind(s7, (struct sockaddr *)&b, sizeof b + 1));
  T(bind(s7, (struct sockaddr *)&b, 200));
  T(bind(s7, (struct sockaddr *)&b, -1));
  struct sockaddr_un w = b;
  w.sun_family = AF_INET;
  T(bind(s7, (struct sockaddr *)&w, bl));
  T(bind(s7, NULL, bl));
  /* Empty path. */
  memset(&w, 0, sizeof w);
  w.sun_family = AF_UNIX;
  T(bind(s7, (struct sockaddr *)&w, 3));
  T(bind(s7, (struct sockaddr *)&w, 2));
  name("autobind via len 2", s7, 0);
  /* A path in a missing directory. */
  int s8 = xsock(SOCK_STREAM);
  strcpy(w.sun_path, "/tmp/no-such-dir-ut/x");
  T(bind(s8, (struct sockaddr *)&w, SUNLEN(strlen(w.sun_path) + 1)));
  return 0;
}
