/* Extended attributes (user.*) on tmpfs (/dev/shm). */
#include "gw_common.h"
#include "xattr_common.h"

int main(int argc, char **argv) {
  init(argc, argv);
  umask(022);
  char dir[] = "/dev/shm/xattr-XXXXXX";
  if (!mkdtemp(dir) || chdir(dir) != 0) {
    printf("FAIL mkdtemp %s\n", errname(errno));
    return 1;
  }
  xattr_checks();
  unlink("f");
  unlink("l");
  unlink("p");
  rmdir("d");
  chdir("/");
  T(rmdir(dir));
  return 0;
}
