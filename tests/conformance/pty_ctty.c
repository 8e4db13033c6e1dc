/* Controlling terminals on ptys: acquiring one by opening the slave as a
 * session leader (not with O_NOCTTY), TIOCSCTTY rules, /dev/tty, tcgetsid,
 * tcsetpgrp rules, TIOCNOTTY, SIGTTIN for a background reader. */
#include "pty_util.h"
#include <sys/sysmacros.h>

/* Fields 7 (tty_nr) and 8 (tpgid) of /proc/self/stat. */
static void stat_tty(int *tty_nr, int *tpgid) {
  char buf[512];
  int fd = open("/proc/self/stat", O_RDONLY);
  long n = read(fd, buf, sizeof buf - 1);
  close(fd);
  buf[n < 0 ? 0 : n] = 0;
  char *p = strrchr(buf, ')');
  *tty_nr = *tpgid = -2;
  if (p) sscanf(p + 2, "%*c %*d %*d %*d %d %d", tty_nr, tpgid);
}

int main(void) {
  pid_t a = fork();
  if (a == 0) {
    T(open("/dev/tty", O_RDWR) >= 0 ? 0 : -1);
    setsid();
    T(open("/dev/tty", O_RDWR));
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    grantpt(m);
    unlockpt(m);
    int s1 = TOK(open(ptsname(m), O_RDWR | O_NOCTTY));
    T(tcgetsid(s1) == -1);
    T(tcgetpgrp(s1));
    int nr, tpgid;
    stat_tty(&nr, &tpgid);
    printf("stat without ctty: tty_nr %d tpgid %d\n", nr, tpgid);
    int s2 = TOK(open(ptsname(m), O_RDWR));
    printf("tcgetsid is me: %d\n", tcgetsid(s2) == getpid());
    struct stat sst;
    fstat(s2, &sst);
    stat_tty(&nr, &tpgid);
    printf("stat tty_nr matches: %d, tpgid is me: %d\n",
           (unsigned)nr == ((minor(sst.st_rdev) & 0xff) | (major(sst.st_rdev) << 8) |
                            ((minor(sst.st_rdev) & ~0xffu) << 12)),
           tpgid == getpid());
    printf("tcgetpgrp is me: %d\n", tcgetpgrp(s1) == getpid());
    pid_t sid = -1;
    T(ioctl(m, TIOCGSID, &sid));
    printf("master TIOCGSID is me: %d\n", sid == getpid());
    T(ioctl(s1, TIOCSCTTY, 0));
    int tty = TOK(open("/dev/tty", O_RDWR));
    char link[64], path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", tty);
    long l = readlink(path, link, sizeof link - 1);
    link[l < 0 ? 0 : l] = 0;
    printf("/dev/tty link: %s\n", link);
    pty_write(tty, "via tty\n");
    pty_show_drain("master", m);
    /* A second pty: the session has a terminal already. */
    int m2 = posix_openpt(O_RDWR | O_NOCTTY);
    grantpt(m2);
    unlockpt(m2);
    int o = TOK(open(ptsname(m2), O_RDWR));
    T(tcgetsid(o) == -1);
    T(ioctl(o, TIOCSCTTY, 0));
    /* tcsetpgrp to a group that does not exist in the session. */
    T(tcsetpgrp(s1, 999999));
    /* A non-leader child cannot take a terminal, and reads from the
     * background stop it with SIGTTIN. */
    int go[2];
    pipe(go);
    fflush(stdout);
    pid_t b = fork();
    if (b == 0) {
      setpgid(0, 0);
      T(ioctl(o, TIOCSCTTY, 0));
      printf("B sees same session: %d\n", tcgetsid(s1) == getsid(0));
      fflush(stdout);
      char x;
      read(go[0], &x, 1);
      char buf[16];
      long n = read(s1, buf, sizeof buf);
      printf("B read %ld\n", n);
      fflush(stdout);
      _exit(3);
    }
    setpgid(b, b);
    write(go[1], "g", 1);
    int st;
    T(waitpid(b, &st, WUNTRACED) == b);
    printf("B stopped %d by %d\n", WIFSTOPPED(st), WIFSTOPPED(st) ? WSTOPSIG(st) : 0);
    T(tcsetpgrp(s1, b));
    kill(b, SIGCONT);
    pty_write(m, "fg now\n");
    pty_reap("B", b);
    T(tcsetpgrp(s1, getpgrp()) == 0 || errno == 0);
    /* Giving the terminal up. */
    signal(SIGHUP, SIG_IGN);
    T(ioctl(s1, TIOCNOTTY));
    T(tcgetsid(s1) == -1);
    T(open("/dev/tty", O_RDWR));
    T(ioctl(s1, TIOCNOTTY));
    fflush(stdout);
    _exit(0);
  }
  pty_reap("A", a);
  return 0;
}
