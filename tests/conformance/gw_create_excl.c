/* Creating files on a host-backed directory: O_CREAT, O_EXCL, O_TRUNC, modes. */
#include "gw_common.h"

int main(int argc, char **argv) {
  gw_init(argc, argv);
  int fd = T(open("a", O_WRONLY | O_CREAT | O_EXCL, 0640) >= 0);
  st("a");
  T(open("a", O_WRONLY | O_CREAT | O_EXCL, 0640));
  fd = open("a", O_WRONLY | O_CREAT, 0600);
  T(write(fd, "hello", 5));
  close(fd);
  st("a");
  fd = open("a", O_RDONLY | O_CREAT, 0600);
  T(fd >= 0);
  close(fd);
  show("a");
  fd = open("a", O_RDWR | O_TRUNC);
  st("a");
  close(fd);
  T(creat("b", 0755) >= 0);
  st("b");
  umask(077);
  T(open("c", O_CREAT | O_RDWR, 0666) >= 0);
  st("c");
  umask(022);
  T(mkdir("d", 0777));
  st("d");
  T(open("d", O_CREAT | O_RDWR, 0644));
  T(open("d", O_RDWR));
  T(open("missing/x", O_CREAT | O_RDWR, 0644));
  T(open("a/x", O_CREAT | O_RDWR, 0644));
  T(open("d/", O_CREAT | O_RDWR, 0644));
  T(open("e/", O_CREAT | O_RDWR, 0644));
  T(open("d", O_RDONLY | O_DIRECTORY) >= 0);
  T(open("a", O_RDONLY | O_DIRECTORY));
  T(open("d/f", O_CREAT | O_EXCL | O_WRONLY, 0) >= 0);
  st("d/f");
  ls(".");
  ls("d");
  return 0;
}
