/* Blocking AF_UNIX calls and signals: with SA_RESTART a recv/accept without
 * a timeout restarts after the handler, with SO_RCVTIMEO it fails with EINTR
 * (Linux's sock_intr_errno); without SA_RESTART EINTR. */
#include "unix_common.h"
#include <sys/time.h>

static volatile sig_atomic_t hits;
static void on_alarm(int s) { (void)s; hits++; }

static void arm(int restart) {
  struct sigaction sa = {0};
  sa.sa_handler = on_alarm;
  sa.sa_flags = restart ? SA_RESTART : 0;
  sigaction(SIGALRM, &sa, NULL);
  struct itimerval it = {{0, 0}, {0, 100000}};
  setitimer(ITIMER_REAL, &it, NULL);
}

int main(int argc, char **argv) {
  init(argc, argv);
  int sv[2];
  char buf[8];
  T(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
  /* Restarted: a child writes after the alarm fired. */
  pid_t p = fork();
  if (p == 0) {
    usleep(400000);
    write(sv[1], "late", 4);
    _exit(0);
  }
  arm(1);
  T(recv(sv[0], buf, sizeof buf, 0));
  printf("hits %d\n", (int)hits);
  waitpid(p, NULL, 0);
  arm(0);
  T(recv(sv[0], buf, sizeof buf, 0));
  struct timeval tv = {5, 0};
  T(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
  arm(1);
  T(recv(sv[0], buf, sizeof buf, 0));
  printf("hits %d\n", (int)hits);
  struct sockaddr_un a;
  socklen_t al = uabs(&a, "eintr");
  int l = xlisten(SOCK_STREAM, &a, al, 1);
  arm(0);
  T(accept(l, NULL, NULL));
  T(setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
  arm(1);
  T(accept(l, NULL, NULL));
  printf("hits %d\n", (int)hits);
  return 0;
}
