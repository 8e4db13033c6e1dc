/* sendmmsg/recvmmsg on AF_UNIX datagram sockets (several messages per
 * call, msg_len of each, MSG_WAITFORONE), and sendmsg to a named datagram
 * socket with msg_name; recvmsg's msg_namelen. */
#include "unix_common.h"

int main(int argc, char **argv) {
  init(argc, argv);
  struct sockaddr_un a, got[4];
  socklen_t al = upath(&a, "mm");
  int r = xsock(SOCK_DGRAM);
  T(bind(r, (struct sockaddr *)&a, al));
  int s = xsock(SOCK_DGRAM);
  struct mmsghdr mm[4];
  struct iovec iov[4];
  const char *msgs[4] = {"one", "two!", "three", ""};
  memset(mm, 0, sizeof mm);
  for (int i = 0; i < 4; i++) {
    iov[i].iov_base = (void *)msgs[i];
    iov[i].iov_len = strlen(msgs[i]);
    mm[i].msg_hdr.msg_iov = &iov[i];
    mm[i].msg_hdr.msg_iovlen = 1;
    mm[i].msg_hdr.msg_name = &a;
    mm[i].msg_hdr.msg_namelen = al;
  }
  T(sendmmsg(s, mm, 4, 0));
  for (int i = 0; i < 4; i++)
    printf("sent %d: %u\n", i, mm[i].msg_len);
  char bufs[4][8];
  memset(mm, 0, sizeof mm);
  for (int i = 0; i < 4; i++) {
    iov[i].iov_base = bufs[i];
    iov[i].iov_len = 4;
    mm[i].msg_hdr.msg_iov = &iov[i];
    mm[i].msg_hdr.msg_iovlen = 1;
    mm[i].msg_hdr.msg_name = &got[i];
    mm[i].msg_hdr.msg_namelen = sizeof got[i];
  }
  T(recvmmsg(r, mm, 2, 0, NULL));
  for (int i = 0; i < 2; i++)
    printf("recv %d: len %u flags %d namelen %d\n", i, mm[i].msg_len, mm[i].msg_hdr.msg_flags,
           mm[i].msg_hdr.msg_namelen);
  T(recvmmsg(r, mm, 4, MSG_WAITFORONE, NULL));
  for (int i = 0; i < 2; i++)
    printf("recv %d: len %u flags %d\n", i, mm[i].msg_len, mm[i].msg_hdr.msg_flags);
  T(recvmmsg(r, mm, 4, MSG_DONTWAIT, NULL));
  /* A bound sender is named in msg_name. */
  struct sockaddr_un b;
  socklen_t bl = upath(&b, "mm2");
  T(bind(s, (struct sockaddr *)&b, bl));
  T(sendto(s, "n", 1, 0, (struct sockaddr *)&a, al));
  struct msghdr m = {0};
  char c;
  struct iovec v = {&c, 1};
  m.msg_iov = &v;
  m.msg_iovlen = 1;
  m.msg_name = &got[0];
  m.msg_namelen = 5;
  T(recvmsg(r, &m, 0));
  printf("namelen %d family %d\n", m.msg_namelen, got[0].sun_family);
  unlink(a.sun_path);
  unlink(b.sun_path);
  return 0;
}
