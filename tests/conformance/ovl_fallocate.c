/* fallocate and ftruncate on lower files copy them up with their data. */
#include "ovl.h"

int main(int argc, char **argv) {
  init(argc, argv);
  int fd = TOK(open(P("f.txt"), O_RDWR));
  T(fallocate(fd, 0, 0, 8192));
  close(fd);
  ovl_stat("f.txt");
  ovl_cat("f.txt");
  fd = TOK(open(P("g.txt"), O_RDWR));
  T(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 8192));
  close(fd);
  ovl_stat("g.txt");
  ovl_cat("g.txt");
  fd = TOK(open(P("ro.txt"), O_RDONLY));
  T(fallocate(fd, 0, 0, 10));
  close(fd);
  ovl_reset();
  return 0;
}
