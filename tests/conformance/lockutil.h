/* Helpers of the lock_* programs: a scratch file under /tmp and a compact
 * F_GETLK/F_SETLK wrapper. */
#ifndef LOCKUTIL_H
#define LOCKUTIL_H
#include "common.h"
#include <sys/file.h>
#include <sys/wait.h>

static char lk_path[128];

static inline int lk_open(const char *tag, int flags) {
  snprintf(lk_path, sizeof lk_path, "/tmp/%s-%d", tag, (int)getpid());
  int fd = open(lk_path, flags | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) {
    printf("open %s: FAIL\n", errname(errno));
    exit(1);
  }
  if (ftruncate(fd, 100) != 0)
    printf("ftruncate: FAIL\n");
  return fd;
}

static inline int lk_set(int fd, int cmd, short type, short whence, long start, long len) {
  struct flock fl = {.l_type = type, .l_whence = whence, .l_start = start, .l_len = len};
  return fcntl(fd, cmd, &fl);
}

static inline const char *lk_type(short t) {
  return t == F_RDLCK ? "RD" : t == F_WRLCK ? "WR" : t == F_UNLCK ? "UN" : "??";
}

/* F_GETLK-style probe: prints the conflicting lock (pid shown as "holder"
 * when it equals `holder`, else the number). */
static inline void lk_get(const char *label, int fd, int cmd, short type, long start, long len,
                   pid_t holder) {
  struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
  if (fcntl(fd, cmd, &fl) != 0) {
    printf("%s: getlk -1 %s\n", label, errname(errno));
    return;
  }
  if (fl.l_type == F_UNLCK) {
    printf("%s: UN\n", label);
    return;
  }
  char who[32];
  if (fl.l_pid == holder)
    snprintf(who, sizeof who, "holder");
  else
    snprintf(who, sizeof who, "%d", (int)fl.l_pid);
  printf("%s: %s start=%ld len=%ld pid=%s\n", label, lk_type(fl.l_type), (long)fl.l_start,
         (long)fl.l_len, who);
}

static inline int lk_wait(pid_t c) {
  int st;
  if (waitpid(c, &st, 0) != c)
    return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
#endif
