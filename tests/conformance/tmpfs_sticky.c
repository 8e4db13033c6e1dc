/* Sticky /tmp and permission checks on tmpfs: as uid 65534 in a forked child, another
 * user's file in a sticky directory cannot be removed or renamed (EPERM), one's own can;
 * no write permission means EACCES; chmod/chown of another user's file is EPERM. Runs on
 * the host's /tmp natively: names include the pid (never printed); cleaned up. */
#include "common.h"
#include <sys/wait.h>

static char dir[128], rootfile[160], mine[160], locked[160], sub[160];

int main(void) {
  if (getuid() != 0) {
    SAY("not root: skipped");
    return 0;
  }
  umask(022);
  struct stat st;
  T(stat("/tmp", &st));
  SAY("/tmp mode %o sticky %d", st.st_mode & 07777, (st.st_mode & S_ISVTX) != 0);
  snprintf(dir, sizeof dir, "/tmp/tmpfs_sticky.%d", getpid());
  snprintf(rootfile, sizeof rootfile, "%s/rootfile", dir);
  snprintf(mine, sizeof mine, "%s/mine", dir);
  snprintf(locked, sizeof locked, "%s/locked", dir);
  snprintf(sub, sizeof sub, "%s/sub", dir);
  T(mkdir(dir, 0777));
  T(chmod(dir, 01777));
  T(stat(dir, &st));
  SAY("dir mode %o", st.st_mode & 07777);
  int fd = TOK(open(rootfile, O_CREAT | O_WRONLY, 0644));
  close(fd);
  T(mkdir(locked, 0755));
  T(mkdir(sub, 0777));
  T(chmod(sub, 0777));

  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    if (setgid(65534) || setuid(65534)) {
      SAY("setuid failed");
      _exit(1);
    }
    T(unlink(rootfile));
    char to[200];
    snprintf(to, sizeof to, "%s/renamed", dir);
    T(rename(rootfile, to));
    T(rmdir(locked));
    T(open(rootfile, O_WRONLY));
    T(open(rootfile, O_RDONLY) >= 0);
    T(truncate(rootfile, 0));
    T(chmod(rootfile, 0666));
    T(chown(rootfile, 65534, 65534));
    T(utimensat(AT_FDCWD, rootfile, NULL, 0));
    char inlocked[200];
    snprintf(inlocked, sizeof inlocked, "%s/x", locked);
    T(open(inlocked, O_CREAT | O_WRONLY, 0644));
    T(mkdir(inlocked, 0755));
    int f = TOK(open(mine, O_CREAT | O_WRONLY | O_EXCL, 0600));
    close(f);
    T(stat(mine, &st));
    SAY("mine uid %u gid %u mode %o", st.st_uid, st.st_gid, st.st_mode & 07777);
    T(chmod(mine, 0640));
    T(chown(mine, -1, 65534));
    T(chown(mine, 0, -1));
    T(chown(mine, -1, 0));
    T(rename(mine, to));
    T(rename(to, mine));
    /* A non-sticky, world-writable directory: anyone may remove anything. */
    char other[200];
    snprintf(other, sizeof other, "%s/x", sub);
    f = TOK(open(other, O_CREAT | O_WRONLY, 0600));
    close(f);
    fflush(stdout);
    _exit(0);
  }
  int status;
  waitpid(pid, &status, 0);
  SAY("child exit %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  /* Root may remove the child's file in the sticky directory. */
  T(unlink(mine));
  char other[200];
  snprintf(other, sizeof other, "%s/x", sub);
  T(stat(other, &st));
  SAY("other uid %u", st.st_uid);
  T(unlink(other));
  T(rmdir(sub));
  T(unlink(rootfile));
  T(rmdir(locked));
  T(rmdir(dir));
  return 0;
}
