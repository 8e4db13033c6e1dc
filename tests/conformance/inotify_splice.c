/* inotify events of the data-movement calls: sendfile, splice (file to pipe,
 * pipe to file), copy_file_range, truncating opens and ftruncate. */
#include "inotifyutil.h"
#include <sys/sendfile.h>

int main(int argc, char **argv) {
  (void)argc; (void)argv;
  in_setup("inotify_splice");
  int src = open(in_p("src"), O_CREAT | O_RDWR, 0600);
  write(src, "0123456789", 10);
  int dst = open(in_p("dst"), O_CREAT | O_RDWR, 0600);
  int fd = inotify_init1(IN_NONBLOCK);
  in_label(inotify_add_watch(fd, in_dir, IN_ALL_EVENTS), "dir");
  off_t off = 0;
  T(sendfile(dst, src, &off, 5));
  in_drain(fd, "sendfile");
  int p[2];
  pipe(p);
  loff_t lo = 0;
  T(splice(src, &lo, p[1], NULL, 4, 0));
  in_drain(fd, "splice file to pipe");
  T(splice(p[0], NULL, dst, NULL, 4, 0));
  in_drain(fd, "splice pipe to file");
  loff_t a = 0, b = 20;
  T(copy_file_range(src, &a, dst, &b, 3, 0));
  in_drain(fd, "copy_file_range");
  T(ftruncate(dst, 1));
  in_drain(fd, "ftruncate");
  close(open(in_p("dst"), O_WRONLY | O_TRUNC));
  in_drain(fd, "open O_TRUNC");
  close(src);
  close(dst);
  in_drain(fd, "close both");
  unlink(in_p("src"));
  unlink(in_p("dst"));
  rmdir(in_dir);
  return 0;
}
