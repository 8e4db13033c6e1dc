/* Signal state across fork: handlers, SIG_IGN, the mask and the alternate stack are
 * inherited; pending signals are not. */
#include "proc.h"

static volatile int hits;
static void handler(int sig) { (void)sig; hits++; }
static char alt[32768];

int main(int argc, char **argv) {
  init(argc, argv);
  install_handler(SIGUSR1, handler, SA_RESTART);
  signal(SIGUSR2, SIG_IGN);
  block1(SIG_BLOCK, SIGHUP);
  block1(SIG_BLOCK, SIGTERM);
  raise(SIGTERM);
  stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
  sigaltstack(&ss, NULL);
  SAY("parent: TERM pending %d", is_pending(SIGTERM));
  pid_t p = fork();
  if (p == 0) {
    struct sigaction sa;
    sigaction(SIGUSR1, NULL, &sa);
    printf("child: USR1 handler inherited %d flags restart %d\n", sa.sa_handler == handler,
           (sa.sa_flags & SA_RESTART) != 0);
    sigaction(SIGUSR2, NULL, &sa);
    printf("child: USR2 ignored %d\n", sa.sa_handler == SIG_IGN);
    printf("child: HUP blocked %d TERM blocked %d\n", is_blocked(SIGHUP), is_blocked(SIGTERM));
    printf("child: TERM pending %d\n", is_pending(SIGTERM));
    stack_t cur;
    sigaltstack(NULL, &cur);
    printf("child: altstack same %d flags %#x\n", cur.ss_sp == alt && cur.ss_size == sizeof alt, cur.ss_flags);
    raise(SIGUSR1);
    raise(SIGUSR2);
    printf("child: handler hits %d\n", hits);
    _exit(0);
  }
  reap(p, "child");
  SAY("parent: hits %d TERM still pending %d", hits, is_pending(SIGTERM));
  signal(SIGTERM, SIG_IGN);
  return 0;
}
