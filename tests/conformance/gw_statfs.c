/* statfs/fstatfs of a host-backed directory and file: the stable fields agree. */
#include "gw_common.h"
#include <sys/statfs.h>
#include <sys/statvfs.h>

int main(int argc, char **argv) {
  gw_init(argc, argv);
  put("f", "x");
  struct statfs a, b;
  T(statfs(".", &a));
  int fd = open("f", O_RDONLY);
  T(fstatfs(fd, &b));
  SAY("type %lx bsize %ld namelen %ld frsize %ld", (long)a.f_type, (long)a.f_bsize,
      (long)a.f_namelen, (long)a.f_frsize);
  CHECK(a.f_type == b.f_type && a.f_blocks == b.f_blocks);
  CHECK(a.f_bavail <= a.f_bfree && a.f_bfree <= a.f_blocks);
  SAY("rdonly %d", (int)(a.f_flags & ST_RDONLY) != 0);
  SAY("valid %d", (int)(a.f_flags & 0x20) != 0);
  struct statvfs v;
  T(statvfs(".", &v));
  SAY("vfs namemax %lu rdonly %d", v.f_namemax, (int)(v.f_flag & ST_RDONLY) != 0);
  T(statfs("missing", &a));
  T(fstatfs(-1, &a));
  return 0;
}
