/* termios of a new slave, tcsetattr round trips (TCSANOW, TCSADRAIN,
 * TCSAFLUSH), the master acting on the slave's settings, tcflush, CS8
 * forced, TCGETS2. */
#include "pty_util.h"

/* The kernel's struct termios2 (glibc's <termios.h> clashes with
 * <asm/termbits.h>). */
struct ktermios2 {
  tcflag_t c_iflag, c_oflag, c_cflag, c_lflag;
  cc_t c_line;
  cc_t c_cc[19];
  speed_t c_ispeed, c_ospeed;
};
#define K_TCGETS2 0x802C542A

int main(void) {
  int m, s;
  if (pty_pair(&m, &s, O_NOCTTY)) return 1;
  struct termios t;
  T(tcgetattr(s, &t));
  printf("iflag %o oflag %o cflag %o lflag %o line %d\n", t.c_iflag, t.c_oflag, t.c_cflag,
         t.c_lflag, t.c_line);
  printf("cc");
  for (int i = 0; i < NCCS; i++) printf(" %d", t.c_cc[i]);
  printf("\nspeed %d %d\n", (int)cfgetispeed(&t), (int)cfgetospeed(&t));
  struct termios mt;
  T(tcgetattr(m, &mt));
  printf("master shows the slave's: %d\n",
         mt.c_iflag == t.c_iflag && mt.c_oflag == t.c_oflag && mt.c_cflag == t.c_cflag &&
             mt.c_lflag == t.c_lflag && memcmp(mt.c_cc, t.c_cc, NCCS) == 0);

  struct ktermios2 t2;
  T(ioctl(s, K_TCGETS2, &t2));
  printf("termios2 speeds %u %u\n", t2.c_ispeed, t2.c_ospeed);

  /* Round trip. */
  struct termios n = t;
  n.c_lflag &= ~ECHO;
  n.c_iflag |= IUTF8;
  n.c_cc[VINTR] = 7;
  T(tcsetattr(s, TCSADRAIN, &n));
  struct termios g;
  T(tcgetattr(s, &g));
  printf("lflag %o iflag %o intr %d\n", g.c_lflag, g.c_iflag, g.c_cc[VINTR]);
  /* Set through the master. */
  n.c_lflag |= ECHO;
  T(tcsetattr(m, TCSANOW, &n));
  T(tcgetattr(s, &g));
  printf("echo via master %d\n", !!(g.c_lflag & ECHO));
  /* A pty is 8 bits without parity. */
  struct termios x = n;
  x.c_cflag = (n.c_cflag & ~CSIZE) | CS7;
  T(tcsetattr(s, TCSANOW, &x));
  x.c_cflag = n.c_cflag | PARENB;
  T(tcsetattr(s, TCSANOW, &x));
  x.c_cflag = (n.c_cflag & ~CSIZE) | CS5 | CSTOPB | CLOCAL;
  T(tcsetattr(s, TCSANOW, &x));
  T(tcgetattr(s, &g));
  printf("cflag %o\n", g.c_cflag);
  T(tcsetattr(s, TCSANOW, &n));
  /* Speeds are kept. */
  cfsetspeed(&n, B9600);
  T(tcsetattr(s, TCSANOW, &n));
  T(tcgetattr(s, &g));
  printf("speed 9600: %d\n", cfgetospeed(&g) == B9600);

  /* TCSAFLUSH and tcflush discard input. */
  n.c_lflag &= ~ECHO;
  T(tcsetattr(s, TCSANOW, &n));
  pty_write(m, "dropped\n");
  usleep(100000);
  T(tcsetattr(s, TCSAFLUSH, &n));
  int inq = -1;
  T(ioctl(s, FIONREAD, &inq));
  printf("after TCSAFLUSH %d\n", inq);
  pty_write(m, "dropped\n");
  usleep(100000);
  T(ioctl(s, FIONREAD, &inq));
  printf("before tcflush %d\n", inq);
  T(tcflush(s, TCIFLUSH));
  T(ioctl(s, FIONREAD, &inq));
  printf("after tcflush %d\n", inq);
  /* Output not yet read by the master. */
  pty_write(s, "gone");
  usleep(100000);
  T(ioctl(m, FIONREAD, &inq));
  printf("master FIONREAD %d\n", inq);
  T(tcflush(s, TCOFLUSH));
  T(ioctl(m, FIONREAD, &inq));
  printf("master FIONREAD after TCOFLUSH %d\n", inq);
  T(tcflush(s, 7));
  int outq = -1;
  T(ioctl(s, TIOCOUTQ, &outq));
  printf("TIOCOUTQ %d\n", outq);
  int ld = -1;
  T(ioctl(s, TIOCGETD, &ld));
  printf("line discipline %d\n", ld);
  T(tcsendbreak(s, 0));
  T(tcdrain(s));
  int nul = open("/dev/null", O_RDWR);
  T(tcgetattr(nul, &g));
  return 0;
}
