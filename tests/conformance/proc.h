/* Helpers of the process, signal, futex, wait and thread conformance programs. */
#ifndef SYSTESTS_PROC_H
#define SYSTESTS_PROC_H

#include "common.h"
#include <linux/futex.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

static inline const char *signame(int s) {
  static char other[32];
  switch (s) {
  case 0: return "0";
  case SIGHUP: return "SIGHUP";
  case SIGINT: return "SIGINT";
  case SIGQUIT: return "SIGQUIT";
  case SIGILL: return "SIGILL";
  case SIGTRAP: return "SIGTRAP";
  case SIGABRT: return "SIGABRT";
  case SIGBUS: return "SIGBUS";
  case SIGFPE: return "SIGFPE";
  case SIGKILL: return "SIGKILL";
  case SIGUSR1: return "SIGUSR1";
  case SIGSEGV: return "SIGSEGV";
  case SIGUSR2: return "SIGUSR2";
  case SIGPIPE: return "SIGPIPE";
  case SIGALRM: return "SIGALRM";
  case SIGTERM: return "SIGTERM";
  case SIGSTKFLT: return "SIGSTKFLT";
  case SIGCHLD: return "SIGCHLD";
  case SIGCONT: return "SIGCONT";
  case SIGSTOP: return "SIGSTOP";
  case SIGTSTP: return "SIGTSTP";
  case SIGTTIN: return "SIGTTIN";
  case SIGTTOU: return "SIGTTOU";
  case SIGURG: return "SIGURG";
  case SIGXCPU: return "SIGXCPU";
  case SIGXFSZ: return "SIGXFSZ";
  case SIGVTALRM: return "SIGVTALRM";
  case SIGPROF: return "SIGPROF";
  case SIGWINCH: return "SIGWINCH";
  case SIGIO: return "SIGIO";
  case SIGPWR: return "SIGPWR";
  case SIGSYS: return "SIGSYS";
  }
  if (s >= SIGRTMIN && s <= SIGRTMAX) snprintf(other, sizeof other, "SIGRTMIN+%d", s - SIGRTMIN);
  else snprintf(other, sizeof other, "SIG#%d", s);
  return other;
}

/* "what: exited N" / "what: signaled SIGX core C" / "what: stopped SIGX" / "what: continued". */
static inline void show_status(const char *what, int st) {
  if (WIFEXITED(st)) printf("%s: exited %d\n", what, WEXITSTATUS(st));
  else if (WIFSIGNALED(st)) printf("%s: signaled %s core %d\n", what, signame(WTERMSIG(st)), WCOREDUMP(st) ? 1 : 0);
  else if (WIFSTOPPED(st)) printf("%s: stopped %s\n", what, signame(WSTOPSIG(st)));
  else if (WIFCONTINUED(st)) printf("%s: continued\n", what);
  else printf("%s: other %#x\n", what, st);
}

static inline const char *cldname(int code) {
  static char other[32];
  switch (code) {
  case CLD_EXITED: return "CLD_EXITED";
  case CLD_KILLED: return "CLD_KILLED";
  case CLD_DUMPED: return "CLD_DUMPED";
  case CLD_TRAPPED: return "CLD_TRAPPED";
  case CLD_STOPPED: return "CLD_STOPPED";
  case CLD_CONTINUED: return "CLD_CONTINUED";
  }
  snprintf(other, sizeof other, "code#%d", code);
  return other;
}

/* si_code of user-sent signals. */
static inline const char *sicode_name(int code) {
  static char other[32];
  switch (code) {
  case SI_USER: return "SI_USER";
  case SI_KERNEL: return "SI_KERNEL";
  case SI_QUEUE: return "SI_QUEUE";
  case SI_TIMER: return "SI_TIMER";
  case SI_MESGQ: return "SI_MESGQ";
  case SI_ASYNCIO: return "SI_ASYNCIO";
  case SI_SIGIO: return "SI_SIGIO";
  case SI_TKILL: return "SI_TKILL";
  }
  snprintf(other, sizeof other, "si_code#%d", code);
  return other;
}

/* waitpid that reports, and retries on EINTR. */
static inline int reap(pid_t p, const char *what) {
  int st = 0;
  pid_t r;
  do r = waitpid(p, &st, 0); while (r == -1 && errno == EINTR);
  if (r != p) {
    printf("%s: waitpid failed %s\n", what, errname(errno));
    return -1;
  }
  show_status(what, st);
  return st;
}

static inline void msleep(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {}
}

static inline long futex(void *uaddr, int op, int val, const void *timeout_or_val2, void *uaddr2, int val3) {
  return syscall(SYS_futex, uaddr, op, val, timeout_or_val2, uaddr2, val3);
}

static inline pid_t tid(void) { return (pid_t)syscall(SYS_gettid); }

/* Core dumps off, natively like in the sandbox (whose RLIMIT_CORE is 0). */
static inline void no_core(void) {
  struct rlimit rl = {0, 0};
  setrlimit(RLIMIT_CORE, &rl);
}

/* A MAP_SHARED anonymous page for cross-process state. */
static inline void *shared_page(void) {
  void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    printf("FAIL shared mmap %s\n", errname(errno));
    exit(1);
  }
  return p;
}

static inline void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = fn;
  sa.sa_flags = SA_SIGINFO | flags;
  sigemptyset(&sa.sa_mask);
  if (sigaction(sig, &sa, NULL)) printf("FAIL sigaction %d %s\n", sig, errname(errno));
}

static inline void install_handler(int sig, void (*fn)(int), int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = fn;
  sa.sa_flags = flags;
  sigemptyset(&sa.sa_mask);
  if (sigaction(sig, &sa, NULL)) printf("FAIL sigaction %d %s\n", sig, errname(errno));
}

static inline void block1(int how, int sig) {
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, sig);
  sigprocmask(how, &s, NULL);
}

static inline int is_blocked(int sig) {
  sigset_t s;
  sigprocmask(SIG_BLOCK, NULL, &s);
  return sigismember(&s, sig);
}

static inline int is_pending(int sig) {
  sigset_t s;
  sigpending(&s);
  return sigismember(&s, sig);
}

#endif
