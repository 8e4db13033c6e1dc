/* inotify on the root file system (the fixture directory, served by the
 * gofer): watches, IN_OPEN/IN_ACCESS/IN_CLOSE_NOWRITE of reads, the same wd
 * through a symlink, IN_ONLYDIR. */
#include "inotifyutil.h"

int main(int argc, char **argv) {
  fixture_dir = argc > 1 ? argv[1] : ".";
  int fd = inotify_init1(IN_NONBLOCK);
  int wd = inotify_add_watch(fd, fx("dir"), IN_ALL_EVENTS);
  in_label(wd, "dir");
  int wf = inotify_add_watch(fd, fx("file.txt"), IN_ALL_EVENTS | IN_ONLYDIR);
  printf("IN_ONLYDIR on a file: %s\n", wf == -1 ? errname(errno) : "ok");
  wf = inotify_add_watch(fd, fx("file.txt"), IN_ALL_EVENTS);
  in_label(wf, "file.txt");
  int wl = inotify_add_watch(fd, fx("link_rel"), IN_ALL_EVENTS);
  printf("same wd through a symlink: %d\n", wl == wf);
  int wd2 = inotify_add_watch(fd, fx("link_dir"), IN_ALL_EVENTS | IN_ONLYDIR);
  printf("same wd through a dir symlink: %d\n", wd2 == wd);
  char buf[64];
  int f = open(fx("file.txt"), O_RDONLY);
  read(f, buf, sizeof buf);
  pread(f, buf, sizeof buf, 100);
  close(f);
  in_drain(fd, "read file.txt");
  f = open(fx("dir/a"), O_RDONLY);
  read(f, buf, sizeof buf);
  read(f, buf, sizeof buf);
  close(f);
  in_drain(fd, "read dir/a");
  struct stat st;
  stat(fx("dir/a"), &st);
  in_drain(fd, "stat (no event)");
  T(inotify_rm_watch(fd, wd));
  in_drain(fd, "rm_watch");
  return 0;
}
