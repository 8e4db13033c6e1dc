/* SA_RESETHAND: the first delivery runs the handler and resets the action to SIG_DFL
 * (visible from inside the handler), the next one takes the default action. */
#include "proc.h"

static volatile int hits, dfl_inside, masked_inside, flags_inside;

static void handler(int sig) {
  hits++;
  struct sigaction now;
  sigaction(sig, NULL, &now);
  dfl_inside = now.sa_handler == SIG_DFL;
  flags_inside = (now.sa_flags & SA_RESETHAND) != 0;
  masked_inside = is_blocked(sig);
}

int main(int argc, char **argv) {
  init(argc, argv);
  install_handler(SIGUSR1, handler, SA_RESETHAND);
  struct sigaction now;
  sigaction(SIGUSR1, NULL, &now);
  SAY("installed: resethand flag %d", (now.sa_flags & SA_RESETHAND) != 0);
  raise(SIGUSR1);
  SAY("first: hits=%d SIG_DFL inside %d resethand flag inside %d masked inside %d", hits, dfl_inside, flags_inside,
      masked_inside);
  sigaction(SIGUSR1, NULL, &now);
  SAY("after: SIG_DFL %d", now.sa_handler == SIG_DFL);
  pid_t p = fork();
  if (p == 0) {
    install_handler(SIGUSR2, handler, SA_RESETHAND);
    raise(SIGUSR2);
    printf("child first: hits=%d\n", hits);
    raise(SIGUSR2); /* default: terminate */
    printf("child survived: FAIL\n");
    _exit(0);
  }
  reap(p, "child");
  /* SA_RESETHAND|SA_NODEFER on SIGWINCH (default ignore): second raise is ignored */
  install_handler(SIGWINCH, handler, SA_RESETHAND | SA_NODEFER);
  raise(SIGWINCH);
  SAY("winch first: hits=%d masked inside %d", hits, masked_inside);
  raise(SIGWINCH);
  SAY("winch second (default ignore): hits=%d", hits);
  return 0;
}
