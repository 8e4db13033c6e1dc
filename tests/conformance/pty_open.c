/* posix_openpt/grantpt/unlockpt/ptsname, openpty, TIOCGPTN/TIOCSPTLCK/
 * TIOCGPTPEER, the device numbers of /dev/ptmx and /dev/pts/N, ttyname and
 * /proc/self/fd of a slave, /dev/pts/N disappearing with the master. */
#include "pty_util.h"
#include <pty.h>
#include <sys/sysmacros.h>

int main(void) {
  int m = TOK(posix_openpt(O_RDWR | O_NOCTTY));
  T(grantpt(m));
  char name[64];
  snprintf(name, sizeof name, "%s", ptsname(m));
  printf("ptsname prefix ok: %d\n", strncmp(name, "/dev/pts/", 9) == 0);
  unsigned int n = 99999;
  T(ioctl(m, TIOCGPTN, &n));
  char byn[64];
  snprintf(byn, sizeof byn, "/dev/pts/%u", n);
  printf("TIOCGPTN matches ptsname: %d\n", strcmp(byn, name) == 0);
  int lk = -1;
  T(ioctl(m, TIOCGPTLCK, &lk));
  printf("locked: %d\n", lk);
  T(open(name, O_RDWR | O_NOCTTY));
  T(unlockpt(m));
  T(ioctl(m, TIOCGPTLCK, &lk));
  printf("locked: %d\n", lk);
  int s = TOK(open(name, O_RDWR | O_NOCTTY));

  struct stat st, st2;
  T(fstat(s, &st));
  printf("slave: chr %d major %u minor==N %d mode %o\n", S_ISCHR(st.st_mode),
         major(st.st_rdev), minor(st.st_rdev) == n, st.st_mode & 07777);
  T(stat(name, &st2));
  printf("stat == fstat: %d\n", st.st_ino == st2.st_ino && st.st_dev == st2.st_dev &&
                                    st.st_rdev == st2.st_rdev);
  T(fstat(m, &st2));
  printf("master: chr %d major %u minor %u\n", S_ISCHR(st2.st_mode), major(st2.st_rdev),
         minor(st2.st_rdev));
  T(stat("/dev/ptmx", &st2));
  printf("/dev/ptmx: chr %d major %u minor %u mode %o\n", S_ISCHR(st2.st_mode),
         major(st2.st_rdev), minor(st2.st_rdev), st2.st_mode & 07777);
  T(stat("/dev/pts/ptmx", &st2));
  printf("/dev/pts/ptmx: chr %d major %u minor %u\n", S_ISCHR(st2.st_mode),
         major(st2.st_rdev), minor(st2.st_rdev));
  T(stat("/dev/tty", &st2));
  printf("/dev/tty: chr %d major %u minor %u mode %o\n", S_ISCHR(st2.st_mode),
         major(st2.st_rdev), minor(st2.st_rdev), st2.st_mode & 07777);

  printf("isatty: %d %d\n", isatty(m), isatty(s));
  char *tn = ttyname(s);
  printf("ttyname(slave) == ptsname: %d\n", tn && strcmp(tn, name) == 0);
  char link[64], path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", s);
  long l = readlink(path, link, sizeof link - 1);
  link[l < 0 ? 0 : l] = 0;
  printf("/proc/self/fd/slave == ptsname: %d\n", strcmp(link, name) == 0);

  /* TIOCGPTPEER: the slave through the master. */
  int p = TOK(ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY));
  T(fstat(p, &st2));
  printf("peer rdev == slave rdev: %d\n", st2.st_rdev == st.st_rdev);
  snprintf(path, sizeof path, "/proc/self/fd/%d", p);
  l = readlink(path, link, sizeof link - 1);
  link[l < 0 ? 0 : l] = 0;
  printf("/proc/self/fd/peer == ptsname: %d\n", strcmp(link, name) == 0);
  T(fcntl(p, F_GETFL) & O_ACCMODE);
  T(ioctl(s, TIOCGPTN, &n));
  T(ioctl(s, TIOCGPTPEER, O_RDWR));

  /* Not a pty master. */
  int nul = open("/dev/null", O_RDWR);
  T(grantpt(nul));
  T(unlockpt(nul));
  T(ptsname(nul) == NULL);
  T(ioctl(nul, TIOCGPTN, &n));

  /* The directory lists ptmx and the slave while the master is open. */
  T(access(name, F_OK));
  T(close(m));
  T(access(name, F_OK));
  T(open(name, O_RDWR | O_NOCTTY));
  close(s);
  close(p);

  /* openpty with a window size and termios. */
  int am, as;
  struct winsize ws = {.ws_row = 24, .ws_col = 80};
  struct termios t;
  memset(&t, 0, sizeof t);
  cfmakeraw(&t);
  t.c_cflag |= CREAD;
  cfsetspeed(&t, B38400);
  T(openpty(&am, &as, NULL, &t, &ws));
  struct winsize got = {0};
  T(ioctl(as, TIOCGWINSZ, &got));
  printf("winsize %d %d\n", got.ws_row, got.ws_col);
  struct termios t2;
  T(tcgetattr(as, &t2));
  printf("raw: icanon %d echo %d\n", !!(t2.c_lflag & ICANON), !!(t2.c_lflag & ECHO));
  return 0;
}
