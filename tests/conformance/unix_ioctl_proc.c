/* FIONREAD/SIOCINQ/SIOCOUTQ on AF_UNIX sockets (stream: all queued bytes,
 * datagram: the next message; EINVAL on a listener), fstat of a socket
 * (S_IFSOCK), /proc/self/fd/N reading socket:[ino] with the fstat inode,
 * the listener's line in /proc/net/unix, and socket(2) argument errors. */
#include "unix_common.h"
#include <linux/sockios.h>

int main(int argc, char **argv) {
  init(argc, argv);
  int sv[2], n = -1;
  T(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
  T(write(sv[0], "abc", 3));
  T(write(sv[0], "de", 2));
  T(ioctl(sv[1], FIONREAD, &n));
  printf("FIONREAD %d\n", n);
  T(ioctl(sv[1], SIOCINQ, &n));
  printf("SIOCINQ %d\n", n);
  int d[2];
  T(socketpair(AF_UNIX, SOCK_DGRAM, 0, d));
  send(d[0], "1234567", 7, 0);
  send(d[0], "12", 2, 0);
  T(ioctl(d[1], FIONREAD, &n));
  printf("dgram FIONREAD %d\n", n);
  struct sockaddr_un a;
  socklen_t al = uabs(&a, "io");
  int l = xlisten(SOCK_STREAM, &a, al, 1);
  T(ioctl(l, FIONREAD, &n));
  /* The listener's line in /proc/net/unix: flags, type, state, name. */
  FILE *pf = fopen("/proc/net/unix", "r");
  char line[512], want[128];
  snprintf(want, sizeof want, "@%s", a.sun_path + 1);
  int found = 0;
  while (pf && fgets(line, sizeof line, pf)) {
    char num[32], path[256] = "";
    unsigned ref, proto, fl, ty, stt;
    unsigned long ino;
    if (sscanf(line, "%31s %x %x %x %x %x %lu %255s", num, &ref, &proto, &fl, &ty, &stt, &ino, path) >= 7 &&
        strcmp(path, want) == 0) {
      printf("proc net unix: flags %08x type %04x st %02x\n", fl, ty, stt);
      found++;
    }
  }
  printf("found %d\n", found);
  T(ioctl(sv[0], TCGETS, &n));
  struct stat st;
  T(fstat(sv[0], &st));
  CHECK(S_ISSOCK(st.st_mode));
  char p[64], link[128];
  snprintf(p, sizeof p, "/proc/self/fd/%d", sv[0]);
  long r = readlink(p, link, sizeof link - 1);
  if (r > 0) {
    link[r] = 0;
    char want[64];
    snprintf(want, sizeof want, "socket:[%lu]", (unsigned long)st.st_ino);
    printf("link matches fstat: %d\n", strcmp(link, want) == 0);
  } else {
    printf("readlink: %s\n", errname(errno));
  }
  struct stat st2;
  T(fstat(sv[1], &st2));
  printf("distinct inodes: %d\n", st.st_ino != st2.st_ino);
  /* socket(2) arguments. */
  T(socket(AF_UNIX, SOCK_STREAM, 1));
  T(socket(AF_UNIX, SOCK_STREAM, 2));
  T(socket(AF_UNIX, SOCK_RDM, 0));
  T(socket(AF_UNIX, 11, 0));
  T(socket(AF_UNIX, SOCK_STREAM | 0x100, 0));
  T(socket(-1, SOCK_STREAM, 0));
  T(socket(4242, SOCK_STREAM, 0));
  int raw = socket(AF_UNIX, SOCK_RAW, 0);
  int t;
  socklen_t tl = sizeof t;
  T(getsockopt(raw, SOL_SOCKET, SO_TYPE, &t, &tl));
  printf("raw is type %d\n", t);
  return 0;
}
