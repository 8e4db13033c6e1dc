/* Link counts of files and directories through link, unlink, mkdir, rmdir. */
#include "gw_common.h"

int main(int argc, char **argv) {
  gw_init(argc, argv);
  put("f", "data");
  st("f");
  T(link("f", "g"));
  st("f");
  T(link("f", "h"));
  st("g");
  T(link("f", "g"));
  T(link("missing", "x"));
  mkdir("d", 0755);
  st("d");
  T(link("d", "d2"));
  mkdir("d/s1", 0755);
  mkdir("d/s2", 0755);
  st("d");
  T(rmdir("d/s1"));
  st("d");
  int fd = open("f", O_RDONLY);
  T(unlink("g"));
  T(unlink("h"));
  st("f");
  T(unlink("f"));
  struct stat s;
  T(fstat(fd, &s));
  SAY("nlink after unlink %lu size %ld", (unsigned long)s.st_nlink, (long)s.st_size);
  char buf[8] = {0};
  T(pread(fd, buf, 8, 0));
  SAY("still %s", buf);
  T(linkat(AT_FDCWD, "d/s2", AT_FDCWD, "s3", 0));
  put("p", "P");
  T(linkat(AT_FDCWD, "p", AT_FDCWD, "d/p2", 0));
  st("d/p2");
  symlink("p", "sl");
  T(linkat(AT_FDCWD, "sl", AT_FDCWD, "sl2", 0)); /* links the symlink itself */
  st("sl2");
  T(linkat(AT_FDCWD, "sl", AT_FDCWD, "sl3", AT_SYMLINK_FOLLOW));
  st("sl3");
  st("p");
  ls(".");
  return 0;
}
