/* The queue holds max_queued_events (16384) events, then one IN_Q_OVERFLOW
 * (wd -1); identical consecutive events coalesce and do not count. */
#include "inotifyutil.h"
#include <sys/ioctl.h>

int main(int argc, char **argv) {
  (void)argc; (void)argv;
  in_setup("inotify_overflow");
  int fd = inotify_init1(IN_NONBLOCK);
  int f = open(in_p("f"), O_CREAT | O_RDWR, 0600);
  int wd = inotify_add_watch(fd, in_p("f"), IN_MODIFY | IN_ACCESS);
  /* 1000 writes in a row: one event. */
  for (int i = 0; i < 1000; i++)
    write(f, "x", 1);
  int n = -1;
  ioctl(fd, FIONREAD, &n);
  printf("after 1000 writes: FIONREAD = %d\n", n);
  /* Alternating write/read: distinct consecutive events. */
  for (int i = 0; i < 8300; i++) {
    pwrite(f, "y", 1, 0);
    char c;
    pread(f, &c, 1, 0);
  }
  ioctl(fd, FIONREAD, &n);
  printf("FIONREAD = %d\n", n);
  char buf[4096] __attribute__((aligned(8)));
  long events = 0, overflow = 0, last_overflow = 0, other = 0;
  for (;;) {
    long r = read(fd, buf, sizeof buf);
    if (r <= 0)
      break;
    for (char *p = buf; p < buf + r;) {
      struct inotify_event *e = (struct inotify_event *)p;
      events++;
      last_overflow = e->mask == IN_Q_OVERFLOW && e->wd == -1;
      overflow += last_overflow;
      other += e->wd != wd && !last_overflow;
      p += sizeof *e + e->len;
    }
  }
  printf("events = %ld, overflow = %ld, last is overflow = %ld, foreign = %ld\n", events,
         overflow, last_overflow, other);
  /* After draining, events are queued again. */
  pwrite(f, "z", 1, 0);
  ioctl(fd, FIONREAD, &n);
  printf("after drain: FIONREAD = %d\n", n);
  close(f);
  unlink(in_p("f"));
  rmdir(in_dir);
  return 0;
}
