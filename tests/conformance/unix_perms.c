/* Permission checks of AF_UNIX names, as an unprivileged child: bind needs
 * write permission on the directory (EACCES), connect and sendto need write
 * permission on the socket file (EACCES), the socket file's mode follows the
 * umask, and a connectable file lets the child in. Skipped (same output)
 * when not started as root. */
#include "unix_common.h"

int main(int argc, char **argv) {
  init(argc, argv);
  if (getuid() != 0) {
    SAY("not root: skipped");
    return 0;
  }
  char dir[64];
  snprintf(dir, sizeof dir, "/tmp/ut%08d.dir", (int)getpid());
  rmdir(dir);
  T(mkdir(dir, 0755));
  struct sockaddr_un a = {.sun_family = AF_UNIX}, d = {.sun_family = AF_UNIX};
  snprintf(a.sun_path, sizeof a.sun_path, "%s/s", dir);
  snprintf(d.sun_path, sizeof d.sun_path, "%s/d", dir);
  socklen_t al = SUNLEN(strlen(a.sun_path) + 1), dl = SUNLEN(strlen(d.sun_path) + 1);
  umask(077);
  int l = xlisten(SOCK_STREAM, &a, al, 4);
  int r = xsock(SOCK_DGRAM);
  T(bind(r, (struct sockaddr *)&d, dl));
  umask(022);
  struct stat st;
  T(stat(a.sun_path, &st));
  printf("mode %o\n", st.st_mode & 07777);
  pid_t p = fork();
  if (p == 0) {
    if (setgid(65534) || setuid(65534)) {
      printf("setuid: %s\n", errname(errno));
      _exit(1);
    }
    struct sockaddr_un b = {.sun_family = AF_UNIX};
    snprintf(b.sun_path, sizeof b.sun_path, "%s/mine", dir);
    int s = xsock(SOCK_STREAM);
    T(bind(s, (struct sockaddr *)&b, SUNLEN(strlen(b.sun_path) + 1)));
    T(connect(s, (struct sockaddr *)&a, al));
    T(sendto(s, "x", 1, 0, (struct sockaddr *)&d, dl));
    int u = xsock(SOCK_DGRAM);
    T(sendto(u, "x", 1, 0, (struct sockaddr *)&d, dl));
    _exit(0);
  }
  waitpid(p, NULL, 0);
  T(chmod(a.sun_path, 0777));
  T(chmod(d.sun_path, 0722));
  p = fork();
  if (p == 0) {
    if (setgid(65534) || setuid(65534))
      _exit(1);
    int s = xsock(SOCK_STREAM);
    T(connect(s, (struct sockaddr *)&a, al));
    int u = xsock(SOCK_DGRAM);
    T(sendto(u, "y", 1, 0, (struct sockaddr *)&d, dl));
    _exit(0);
  }
  waitpid(p, NULL, 0);
  char buf[4];
  T(recv(r, buf, sizeof buf, 0));
  close(l);
  unlink(a.sun_path);
  unlink(d.sun_path);
  T(rmdir(dir));
  return 0;
}
