/* rename and renameat2 edge cases on a host-backed directory. */
#include "gw_common.h"
#include <linux/fs.h>

static long rn2(const char *a, const char *b, unsigned flags) {
  return syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, flags);
}

int main(int argc, char **argv) {
  gw_init(argc, argv);
  put("a", "A");
  put("b", "B");
  mkdir("d1", 0755);
  mkdir("d2", 0755);
  mkdir("full", 0755);
  put("full/x", "X");
  T(rename("a", "a"));
  T(rename("a", "b"));
  show("b");
  T(rename("a", "c"));
  T(rename("b", "d1/b"));
  show("d1/b");
  T(rename("d1", "d2"));
  ls(".");
  T(rename("d2", "full"));
  put("f", "F");
  T(rename("f", "full"));
  T(rename("full", "f"));
  T(rename("full", "full/sub"));
  T(rename("d2", "d2/b/c"));
  T(rename(".", "x"));
  T(rename("missing/a", "x"));
  /* A hard link onto its other name: nothing happens. */
  T(link("f", "f2"));
  T(rename("f", "f2"));
  st("f");
  put("g", "G");
  T(rn2("g", "f", RENAME_NOREPLACE));
  T(rn2("g", "new", RENAME_NOREPLACE));
  show("new");
  T(rn2("new", "full", RENAME_EXCHANGE));
  st("new");
  st("full");
  show("full");
  T(rn2("new", "missing", RENAME_EXCHANGE));
  T(rn2("new", "full", RENAME_EXCHANGE | RENAME_NOREPLACE));
  T(rn2("new", "x", 0x100));
  /* Across directories with an open fd: the fd keeps reading the file. */
  put("h", "H");
  int fd = open("h", O_RDONLY);
  T(rename("h", "d2/h2"));
  char c = 0;
  T(read(fd, &c, 1));
  SAY("read %c", c);
  ls(".");
  ls("d2");
  return 0;
}
