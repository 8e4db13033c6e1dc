/* Standard signals coalesce while pending (one delivery however many were sent);
 * realtime ones queue (one delivery per send), also through kill(2). */
#include "proc.h"

static volatile int count[65];
static void handler(int sig) { count[sig]++; }

int main(int argc, char **argv) {
  init(argc, argv);
  int sigs[] = {SIGUSR1, SIGHUP, SIGRTMIN, SIGRTMIN + 5};
  sigset_t set;
  sigemptyset(&set);
  for (int i = 0; i < 4; i++) {
    install_handler(sigs[i], handler, 0);
    sigaddset(&set, sigs[i]);
  }
  sigprocmask(SIG_BLOCK, &set, NULL);
  for (int k = 0; k < 5; k++)
    for (int i = 0; i < 4; i++) kill(getpid(), sigs[i]);
  for (int i = 0; i < 4; i++) SAY("%s pending=%d delivered=%d", signame(sigs[i]), is_pending(sigs[i]), count[sigs[i]]);
  sigprocmask(SIG_UNBLOCK, &set, NULL);
  for (int i = 0; i < 4; i++) SAY("%s after unblock: delivered=%d pending=%d", signame(sigs[i]), count[sigs[i]],
                                  is_pending(sigs[i]));
  /* from children: 5 children each send SIGUSR2 and SIGRTMIN+2 to the blocked parent */
  sigemptyset(&set);
  sigaddset(&set, SIGUSR2);
  sigaddset(&set, SIGRTMIN + 2);
  install_handler(SIGUSR2, handler, 0);
  install_handler(SIGRTMIN + 2, handler, 0);
  sigprocmask(SIG_BLOCK, &set, NULL);
  for (int i = 0; i < 5; i++) {
    pid_t p = fork();
    if (p == 0) {
      kill(getppid(), SIGUSR2);
      kill(getppid(), SIGRTMIN + 2);
      _exit(0);
    }
    waitpid(p, NULL, 0);
  }
  sigprocmask(SIG_UNBLOCK, &set, NULL);
  SAY("from children: SIGUSR2 delivered=%d SIGRTMIN+2 delivered=%d", count[SIGUSR2], count[SIGRTMIN + 2]);
  return 0;
}
