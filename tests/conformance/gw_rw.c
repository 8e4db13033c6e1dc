/* Reads and writes of a host-backed file: offsets, holes, SEEK_END, access modes. */
#include "gw_common.h"
#include <sys/uio.h>

int main(int argc, char **argv) {
  gw_init(argc, argv);
  int fd = open("f", O_RDWR | O_CREAT, 0644);
  T(write(fd, "hello world", 11));
  T(lseek(fd, 0, SEEK_CUR));
  T(lseek(fd, 0, SEEK_END));
  T(pwrite(fd, "W", 1, 6));
  show("f");
  T(lseek(fd, 20, SEEK_END));
  T(write(fd, "!", 1));
  char buf[64];
  T(pread(fd, buf, 64, 0));
  SAY("%d %d %c", buf[11], buf[30], buf[31]);
  struct iovec iov[2] = {{"ab", 2}, {"cd", 2}};
  T(pwritev(fd, iov, 2, 2));
  T(pread(fd, buf, 8, 0));
  SAY("%.8s", buf);
  int wo = open("f", O_WRONLY);
  T(read(wo, buf, 1));
  T(write(wo, "Z", 1));
  int ro = open("f", O_RDONLY);
  T(write(ro, "Z", 1));
  T(read(ro, buf, 3));
  SAY("%.3s", buf);
  /* Large write and read back across page boundaries. */
  static char big[300000];
  for (size_t i = 0; i < sizeof big; i++)
    big[i] = (char)(i * 7 + 3);
  int g = open("big", O_RDWR | O_CREAT | O_TRUNC, 0644);
  T(write(g, big, sizeof big));
  static char back[300000];
  T(pread(g, back, sizeof back, 0));
  CHECK(memcmp(big, back, sizeof big) == 0);
  T(pread(g, back, 10, 4090));
  CHECK(memcmp(back, big + 4090, 10) == 0);
  st("big");
  return 0;
}
