/* Helpers of the inotify_* programs: a scratch directory under /tmp and an
 * event printer that shows watch labels, mask names and names (never wds or
 * cookies; MOVED_FROM/MOVED_TO cookies are compared instead). */
#ifndef INOTIFYUTIL_H
#define INOTIFYUTIL_H
#include "common.h"
#include <poll.h>
#include <sys/inotify.h>

static char in_dir[128];

static inline const char *in_p(const char *name) {
  static char buf[4][256];
  static int i;
  i = (i + 1) % 4;
  snprintf(buf[i], sizeof buf[i], "%s/%s", in_dir, name);
  return buf[i];
}

static inline void in_setup(const char *tag) {
  snprintf(in_dir, sizeof in_dir, "/tmp/%s-%d", tag, (int)getpid());
  if (mkdir(in_dir, 0700) != 0)
    printf("mkdir: FAIL\n");
}

#define IN_MAXW 8
static int in_wds[IN_MAXW];
static const char *in_labels[IN_MAXW];

static inline void in_label(int wd, const char *label) {
  for (int i = 0; i < IN_MAXW; i++)
    if (!in_labels[i] || in_wds[i] == wd) {
      in_wds[i] = wd;
      in_labels[i] = label;
      return;
    }
}

static inline const char *in_name_of(int wd) {
  for (int i = 0; i < IN_MAXW; i++)
    if (in_labels[i] && in_wds[i] == wd)
      return in_labels[i];
  return wd == -1 ? "-1" : "?";
}

static inline void in_mask(uint32_t m, char *out, size_t n) {
  static const struct { uint32_t bit; const char *name; } names[] = {
      {IN_ACCESS, "ACCESS"}, {IN_MODIFY, "MODIFY"}, {IN_ATTRIB, "ATTRIB"},
      {IN_CLOSE_WRITE, "CLOSE_WRITE"}, {IN_CLOSE_NOWRITE, "CLOSE_NOWRITE"},
      {IN_OPEN, "OPEN"}, {IN_MOVED_FROM, "MOVED_FROM"}, {IN_MOVED_TO, "MOVED_TO"},
      {IN_CREATE, "CREATE"}, {IN_DELETE, "DELETE"}, {IN_DELETE_SELF, "DELETE_SELF"},
      {IN_MOVE_SELF, "MOVE_SELF"}, {IN_UNMOUNT, "UNMOUNT"}, {IN_Q_OVERFLOW, "Q_OVERFLOW"},
      {IN_IGNORED, "IGNORED"}, {IN_ISDIR, "ISDIR"}};
  out[0] = 0;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (m & names[i].bit) {
      if (out[0])
        strncat(out, "|", n - strlen(out) - 1);
      strncat(out, names[i].name, n - strlen(out) - 1);
      m &= ~names[i].bit;
    }
  if (m)
    snprintf(out + strlen(out), n - strlen(out), "|%#x", m);
}

static uint32_t in_last_cookie;

/* Print every queued event (the fd is non-blocking or has data). */
static inline int in_drain(int fd, const char *what) {
  char buf[8192] __attribute__((aligned(8)));
  int total = 0;
  printf("-- %s\n", what);
  for (;;) {
    long n = read(fd, buf, sizeof buf);
    if (n <= 0) {
      if (n < 0 && errno != EAGAIN)
        printf("read: %s\n", errname(errno));
      break;
    }
    for (char *p = buf; p < buf + n;) {
      struct inotify_event *e = (struct inotify_event *)p;
      char m[160];
      in_mask(e->mask, m, sizeof m);
      const char *c = "";
      if (e->mask & IN_MOVED_FROM) {
        in_last_cookie = e->cookie;
        c = e->cookie ? " cookie" : " nocookie";
      } else if (e->mask & IN_MOVED_TO) {
        c = e->cookie == in_last_cookie && e->cookie ? " cookie=from" : " cookie!=from";
      } else if (e->cookie) {
        c = " cookie?";
      }
      printf("%s %s%s%s%s len%%16=%u\n", in_name_of(e->wd), m, e->len ? " " : "",
             e->len ? e->name : "", c, e->len % 16);
      p += sizeof *e + e->len;
      total++;
    }
  }
  return total;
}
#endif
