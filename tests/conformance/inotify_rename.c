/* inotify and rename: across two watched directories (cookies pair up),
 * over an existing file (its watch sees ATTRIB/DELETE_SELF/IGNORED), out of
 * and into a watched directory, a directory with its own watch; listing a
 * watched directory (OPEN/ACCESS/CLOSE with ISDIR). */
#include "inotifyutil.h"
#include <dirent.h>

int main(int argc, char **argv) {
  (void)argc; (void)argv;
  in_setup("inotify_rename");
  mkdir(in_p("A"), 0700);
  mkdir(in_p("B"), 0700);
  close(creat(in_p("A/x"), 0600));
  close(creat(in_p("B/y"), 0600));
  close(creat(in_p("top"), 0600));
  int fd = inotify_init1(IN_NONBLOCK);
  in_label(inotify_add_watch(fd, in_p("A"), IN_ALL_EVENTS), "A");
  in_label(inotify_add_watch(fd, in_p("B"), IN_ALL_EVENTS), "B");
  in_label(inotify_add_watch(fd, in_p("A/x"), IN_ALL_EVENTS), "x");
  in_label(inotify_add_watch(fd, in_p("B/y"), IN_ALL_EVENTS), "y");
  rename(in_p("A/x"), in_p("B/x2"));
  in_drain(fd, "rename A/x B/x2");
  rename(in_p("B/x2"), in_p("B/y"));
  in_drain(fd, "rename B/x2 over B/y");
  rename(in_p("B/y"), in_p("out"));
  in_drain(fd, "rename B/y out of the watched dirs");
  rename(in_p("top"), in_p("A/top"));
  in_drain(fd, "rename top into A");
  rename(in_p("A"), in_p("A2"));
  in_drain(fd, "rename the watched dir A (its parent is not watched)");
  rename(in_p("A2/top"), in_p("A2/top"));
  in_drain(fd, "rename onto itself");
  DIR *d = opendir(in_p("B"));
  while (readdir(d))
    ;
  closedir(d);
  in_drain(fd, "list B");
  /* Exchange. */
  close(creat(in_p("B/e1"), 0600));
  close(creat(in_p("A2/e2"), 0600));
  in_drain(fd, "creates");
  T(syscall(SYS_renameat2, AT_FDCWD, in_p("B/e1"), AT_FDCWD, in_p("A2/e2"), 2 /* RENAME_EXCHANGE */));
  in_drain(fd, "renameat2 RENAME_EXCHANGE");
  unlink(in_p("B/e1"));
  unlink(in_p("A2/e2"));
  unlink(in_p("A2/top"));
  unlink(in_p("out"));
  rmdir(in_p("A2"));
  rmdir(in_p("B"));
  in_drain(fd, "cleanup");
  rmdir(in_dir);
  return 0;
}
