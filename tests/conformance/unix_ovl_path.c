/* AF_UNIX names on the root file system (run by tests/overlay.rs on a fresh
 * fixture tree, the lower layer of the in-memory overlay in the sandbox, so
 * the host tree must stay unchanged): bind creates a socket file there,
 * connect finds the socket through it, also after a rename and through a
 * hard link (the socket is found by inode), and refuses once the socket is
 * closed; the native run removes what it created. */
#include "unix_common.h"

static socklen_t fpath(struct sockaddr_un *a, const char *name) {
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  snprintf(a->sun_path, sizeof a->sun_path, "%s/ut%08d.%s", fixture_dir, (int)getpid(), name);
  unlink(a->sun_path);
  return SUNLEN(strlen(a->sun_path) + 1);
}

int main(int argc, char **argv) {
  init(argc, argv);
  struct sockaddr_un a, b, h;
  socklen_t al = fpath(&a, "fs"), bl = fpath(&b, "moved"), hl = fpath(&h, "link");
  if (strlen(a.sun_path) + 8 >= sizeof a.sun_path) {
    SAY("fixture path too long: skipped");
    return 0;
  }
  int l = xsock(SOCK_STREAM);
  T(bind(l, (struct sockaddr *)&a, al));
  T(listen(l, 4));
  struct stat st;
  T(lstat(a.sun_path, &st));
  CHECK(S_ISSOCK(st.st_mode));
  int c = xconnect(SOCK_STREAM, &a, al);
  int s = accept(l, NULL, NULL);
  char buf[8];
  T(write(c, "fs", 2));
  T(read(s, buf, sizeof buf));
  T(rename(a.sun_path, b.sun_path));
  int c2 = xsock(SOCK_STREAM);
  T(connect(c2, (struct sockaddr *)&a, al));
  T(connect(c2, (struct sockaddr *)&b, bl));
  T(link(b.sun_path, h.sun_path));
  int c3 = xsock(SOCK_STREAM);
  T(connect(c3, (struct sockaddr *)&h, hl));
  /* getsockname still reports the bound path. */
  struct sockaddr_un got;
  socklen_t gl = sizeof got;
  T(getsockname(l, (struct sockaddr *)&got, &gl));
  printf("name is the bound path: %d\n", gl == al && strcmp(got.sun_path, a.sun_path) == 0);
  /* The same name cannot be bound while the file exists. */
  int d = xsock(SOCK_DGRAM);
  T(bind(d, (struct sockaddr *)&b, bl));
  close(l);
  int c4 = xsock(SOCK_STREAM);
  T(connect(c4, (struct sockaddr *)&b, bl));
  T(unlink(b.sun_path));
  T(unlink(h.sun_path));
  /* A datagram socket in the same place. */
  T(bind(d, (struct sockaddr *)&b, bl));
  int e = xsock(SOCK_DGRAM);
  T(sendto(e, "dg", 2, 0, (struct sockaddr *)&b, bl));
  T(recv(d, buf, sizeof buf, 0));
  T(unlink(b.sun_path));
  T(sendto(e, "dg", 2, 0, (struct sockaddr *)&b, bl));
  return 0;
}
