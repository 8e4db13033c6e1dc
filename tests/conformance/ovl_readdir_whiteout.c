/* Directory listings after whiteouts and new entries: no duplicates, no removed names,
 * and getdents offsets stay stable (telldir/seekdir, small buffers). */
#include "ovl.h"
#include <sys/syscall.h>

int main(int argc, char **argv) {
  init(argc, argv);
  T(unlink(P("dir/a")));
  ovl_write("dir/new", "n\n", 0644);
  ovl_write("dir/b", "b2\n", 0644);
  T(unlink(P("dir/sub/c")));
  T(rmdir(P("dir/sub")));
  T(mkdir(P("dir/sub2"), 0755));
  ovl_list("dir");
  /* telldir/seekdir round trip */
  DIR *d = opendir(P("dir"));
  struct dirent *e;
  long pos[16];
  char names[16][64];
  int n = 0;
  for (;;) {
    long p = telldir(d);
    if (!(e = readdir(d)) || n >= 16)
      break;
    pos[n] = p;
    snprintf(names[n++], 64, "%s", e->d_name);
  }
  SAY("entries with . and ..: %d", n);
  int same = 1;
  for (int i = n - 1; i >= 0; i--) {
    seekdir(d, pos[i]);
    e = readdir(d);
    if (!e || strcmp(e->d_name, names[i]))
      same = 0;
  }
  CHECK(same);
  closedir(d);
  /* getdents64 with a buffer for about one entry at a time */
  int fd = TOK(open(P("dir"), O_RDONLY | O_DIRECTORY));
  char buf[40];
  int count = 0;
  long r;
  while ((r = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
    for (long off = 0; off < r;) {
      unsigned short reclen = *(unsigned short *)(buf + off + 16);
      count++;
      off += reclen;
    }
  }
  SAY("getdents64 small buffer: %d entries, last r=%ld", count, r);
  close(fd);
  ovl_list(".");
  ovl_reset();
  return 0;
}
