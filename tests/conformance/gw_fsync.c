/* fsync, fdatasync, syncfs, sync_file_range on host-backed files. */
#include "gw_common.h"

int main(int argc, char **argv) {
  gw_init(argc, argv);
  int fd = open("f", O_RDWR | O_CREAT, 0644);
  T(write(fd, "abc", 3));
  T(fsync(fd));
  T(fdatasync(fd));
  T(syncfs(fd));
  T(sync_file_range(fd, 0, 3, SYNC_FILE_RANGE_WRITE));
  T(sync_file_range(fd, 0, 3, 0x100));
  T(sync_file_range(fd, -1, 3, 0));
  int ro = open("f", O_RDONLY);
  T(fsync(ro));
  T(fdatasync(ro));
  int dir = open(".", O_RDONLY | O_DIRECTORY);
  T(fsync(dir));
  T(fsync(-1));
  T(fsync(12345));
  int p[2];
  pipe(p);
  T(fsync(p[0]));
  T(fdatasync(p[1]));
  show("f");
  return 0;
}
