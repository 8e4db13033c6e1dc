/* Handler delivery: siginfo contents, the saved mask, SA_RESETHAND,
 * SA_NODEFER, blocked-then-unblocked delivery, SIGCHLD waking sigsuspend,
 * and x87/SSE registers restored after a handler clobbers them. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int hits, last_sig, last_code, masked_self, depth, max_depth;
static volatile pid_t last_pid;

static void on_info(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  hits++;
  last_sig = si->si_signo;
  last_code = si->si_code;
  last_pid = si->si_pid;
  sigset_t cur;
  sigprocmask(SIG_BLOCK, NULL, &cur);
  masked_self = sigismember(&cur, sig);
}

static volatile int raises_left;

static void nested(int sig) {
  depth++;
  if (depth > max_depth) max_depth = depth;
  if (raises_left > 0) {
    raises_left--;
    raise(sig);
  }
  depth--;
}

static void clobber(int sig) {
  (void)sig;
  volatile double a = 123.0, b = 456.0;
  __asm__ volatile("xorps %%xmm0, %%xmm0\n\txorps %%xmm1, %%xmm1\n\txorps %%xmm7, %%xmm7" ::: "xmm0", "xmm1", "xmm7");
  hits += (int)(a + b) > 0;
}

static void on_chld(int sig) { (void)sig; hits += 1000; }

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_info;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGUSR1, &sa, NULL);
  kill(getpid(), SIGUSR1);
  printf("kill: hits=%d sig=%d code_user=%d pid_self=%d masked_in_handler=%d\n", hits, last_sig, last_code == SI_USER,
         last_pid == getpid(), masked_self);
  /* mask restored after the handler */
  sigset_t cur;
  sigprocmask(SIG_BLOCK, NULL, &cur);
  printf("after: usr1 masked=%d\n", sigismember(&cur, SIGUSR1));
  /* blocked, pending, delivered on unblock */
  sigset_t m;
  sigemptyset(&m);
  sigaddset(&m, SIGUSR1);
  sigprocmask(SIG_BLOCK, &m, NULL);
  raise(SIGUSR1);
  raise(SIGUSR1); /* standard signals coalesce */
  sigset_t pend;
  sigpending(&pend);
  printf("pending=%d hits=%d\n", sigismember(&pend, SIGUSR1), hits);
  sigprocmask(SIG_UNBLOCK, &m, NULL);
  printf("unblocked hits=%d code_tkill=%d\n", hits, last_code == SI_TKILL);
  /* SA_RESETHAND: second delivery takes the default (ignored for SIGURG) */
  sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
  sigaction(SIGURG, &sa, NULL);
  raise(SIGURG);
  raise(SIGURG);
  struct sigaction now;
  sigaction(SIGURG, NULL, &now);
  printf("resethand hits=%d now_default=%d\n", hits, now.sa_handler == SIG_DFL);
  /* SA_NODEFER allows nesting */
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = nested;
  sa.sa_flags = SA_NODEFER;
  sigaction(SIGUSR2, &sa, NULL);
  raises_left = 2;
  raise(SIGUSR2);
  printf("nodefer max_depth=%d\n", max_depth);
  max_depth = depth = 0;
  sa.sa_flags = 0;
  sigaction(SIGUSR2, &sa, NULL);
  raises_left = 2;
  raise(SIGUSR2);
  printf("defer max_depth=%d\n", max_depth);
  /* FP state survives a clobbering handler */
  signal(SIGALRM, clobber);
  double x = 1.5, y = 2.25;
  register double keep __asm__("xmm7") = 7.75;
  __asm__ volatile("" : "+x"(keep));
  raise(SIGALRM);
  __asm__ volatile("" : "+x"(keep));
  printf("fp: %.2f %.2f keep=%.2f\n", x * y, x + y, keep);
  /* SIGCHLD interrupts sigsuspend */
  signal(SIGCHLD, on_chld);
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGCHLD);
  sigprocmask(SIG_BLOCK, &block, &old);
  hits = 0;
  pid_t p = fork();
  if (p == 0) _exit(3);
  sigset_t wait_mask = old;
  sigdelset(&wait_mask, SIGCHLD);
  int r = sigsuspend(&wait_mask);
  printf("sigsuspend r=%d hits=%d\n", r, hits);
  int st;
  waitpid(p, &st, 0);
  printf("child exit %d\n", WEXITSTATUS(st));
  return 0;
}
