/* mknod/mkfifo of FIFOs, sockets and regular files on a host-backed directory. */
#include "gw_common.h"

int main(int argc, char **argv) {
  gw_init(argc, argv);
  T(mkfifo("fifo", 0640));
  st("fifo");
  T(mknod("sock", S_IFSOCK | 0600, 0));
  st("sock");
  T(mknod("reg", S_IFREG | 0600, 0));
  st("reg");
  T(mknod("reg0", 0600, 0));
  st("reg0");
  T(mkfifo("fifo", 0640));
  T(mknod("bad", S_IFDIR | 0755, 0));
  T(mknod("missing/x", S_IFIFO | 0600, 0));
  int r = T(open("fifo", O_RDONLY | O_NONBLOCK) >= 0);
  (void)r;
  T(open("sock", O_RDONLY));
  ls(".");
  return 0;
}
