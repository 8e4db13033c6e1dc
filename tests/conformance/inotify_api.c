/* inotify API: init flags, add_watch flags and errors (same wd for the same
 * inode, MASK_ADD, MASK_CREATE, ONLYDIR, DONT_FOLLOW, ONESHOT), rm_watch and
 * IN_IGNORED, read buffer sizes and name padding, FIONREAD, poll/epoll
 * readiness, a blocking read woken by another process. */
#include "inotifyutil.h"
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

int main(int argc, char **argv) {
  (void)argc; (void)argv;
  in_setup("inotify_api");
  T(inotify_init1(0x1234));
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  T(fcntl(fd, F_GETFD));
  T(fcntl(fd, F_GETFL) & O_NONBLOCK);
  int b = inotify_init();
  T(fcntl(b, F_GETFL) & O_NONBLOCK);
  close(creat(in_p("f"), 0600));
  link(in_p("f"), in_p("hard"));
  symlink("f", in_p("sym"));
  int w1 = inotify_add_watch(fd, in_p("f"), IN_OPEN);
  int w2 = inotify_add_watch(fd, in_p("f"), IN_CLOSE);
  int w3 = inotify_add_watch(fd, in_p("hard"), IN_CLOSE);
  int w4 = inotify_add_watch(fd, in_p("sym"), IN_CLOSE);
  int w5 = inotify_add_watch(fd, in_p("sym"), IN_CLOSE | IN_DONT_FOLLOW);
  printf("w1 > 0: %d, same inode same wd: %d %d %d, link itself differs: %d\n", w1 > 0,
         w1 == w2, w1 == w3, w1 == w4, w5 != w1);
  in_label(w1, "f");
  in_label(w5, "sym");
  long mc = inotify_add_watch(fd, in_p("f"), IN_OPEN | IN_MASK_CREATE);
  printf("IN_MASK_CREATE on a watched inode: %s\n", mc == -1 ? errname(errno) : "ok");
  T(inotify_add_watch(fd, in_p("f"), IN_OPEN | IN_MASK_CREATE | IN_MASK_ADD));
  T(inotify_add_watch(fd, in_p("f"), 0));
  T(inotify_add_watch(fd, in_p("f"), IN_ISDIR));
  T(inotify_add_watch(fd, in_p("f"), IN_OPEN | IN_ONLYDIR));
  T(inotify_add_watch(fd, in_p("none"), IN_OPEN));
  T(inotify_add_watch(fd, BADPTR, IN_OPEN));
  T(inotify_add_watch(0, in_p("f"), IN_OPEN));
  T(inotify_add_watch(-1, in_p("f"), IN_OPEN));
  T(inotify_add_watch(fd, in_p("f"), 0x00800000 | IN_OPEN));
  /* The mask was replaced by IN_CLOSE: opens are not reported. */
  close(open(in_p("f"), O_RDONLY));
  in_drain(fd, "open+close with IN_CLOSE");
  T(inotify_add_watch(fd, in_p("f"), IN_OPEN | IN_MASK_ADD) == w1);
  close(open(in_p("f"), O_RDONLY));
  in_drain(fd, "open+close with IN_CLOSE|IN_OPEN");
  /* rm_watch: IN_IGNORED, then EINVAL. */
  T(inotify_rm_watch(fd, w1));
  T(inotify_rm_watch(fd, w1));
  T(inotify_rm_watch(fd, 12345));
  T(inotify_rm_watch(0, w5));
  T(inotify_rm_watch(-1, w5));
  in_drain(fd, "after rm_watch");
  /* A new watch on the same inode gets a new wd. */
  int w6 = inotify_add_watch(fd, in_p("f"), IN_OPEN | IN_ONESHOT);
  printf("new wd differs: %d\n", w6 != w1);
  in_label(w6, "f-oneshot");
  close(open(in_p("f"), O_RDONLY));
  close(open(in_p("f"), O_RDONLY));
  in_drain(fd, "oneshot");
  T(inotify_rm_watch(fd, w6));
  /* Read sizes: an event with a name takes 16 + a multiple of 16. */
  int wd = inotify_add_watch(fd, in_dir, IN_CREATE | IN_DELETE);
  in_label(wd, "dir");
  close(creat(in_p("fifteen-chars-x"), 0600));
  close(creat(in_p("sixteen-chars-xy"), 0600));
  int n = -1;
  T(ioctl(fd, FIONREAD, &n));
  printf("FIONREAD = %d\n", n);
  char buf[256] __attribute__((aligned(8)));
  T(read(fd, buf, 16));
  T(read(fd, buf, 47));
  T(read(fd, buf, 48));
  T(read(fd, buf, sizeof buf));
  T(read(fd, buf, sizeof buf));
  T(ioctl(fd, FIONREAD, &n));
  printf("FIONREAD = %d\n", n);
  unlink(in_p("fifteen-chars-x"));
  unlink(in_p("sixteen-chars-xy"));
  in_drain(fd, "unlinks");
  /* poll and epoll readiness. */
  struct pollfd pfd = {fd, POLLIN, 0};
  T(poll(&pfd, 1, 0));
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 7}, out;
  T(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
  T(epoll_wait(ep, &out, 1, 0));
  close(creat(in_p("p"), 0600));
  T(poll(&pfd, 1, 0));
  printf("revents = %#x\n", pfd.revents);
  T(epoll_wait(ep, &out, 1, 0));
  in_drain(fd, "poll");
  /* A blocking read woken by another process. */
  int wb = inotify_add_watch(b, in_dir, IN_CREATE);
  in_label(wb, "dir(b)");
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) {
    usleep(100000);
    close(creat(in_p("from-child"), 0600));
    _exit(0);
  }
  long r = read(b, buf, sizeof buf);
  struct inotify_event *e = (struct inotify_event *)buf;
  printf("blocking read = %ld, name %s\n", r, r > 0 ? e->name : "-");
  waitpid(c, NULL, 0);
  unlink(in_p("p"));
  unlink(in_p("from-child"));
  unlink(in_p("f"));
  unlink(in_p("hard"));
  unlink(in_p("sym"));
  rmdir(in_dir);
  return 0;
}
