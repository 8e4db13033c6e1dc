/* sigqueue and rt_sigqueueinfo: si_code SI_QUEUE and si_value reach the handler;
 * a negative custom si_code may be queued to oneself; a non-negative si_code (or
 * SI_TKILL) to another process is EPERM; rt_tgsigqueueinfo to a thread. */
#include "proc.h"

static volatile int n, signo, code, val;
static volatile pid_t spid;

static void handler(int sig, siginfo_t *si, void *uc) {
  (void)sig; (void)uc;
  n++;
  signo = si->si_signo;
  code = si->si_code;
  spid = si->si_pid;
  val = si->si_value.sival_int;
}

int main(int argc, char **argv) {
  init(argc, argv);
  install(SIGRTMIN, handler, 0);
  install(SIGUSR1, handler, 0);
  union sigval v = {.sival_int = 4242};
  T(sigqueue(getpid(), SIGRTMIN, v));
  SAY("sigqueue rt: n=%d %s %s value=%d pid==self %d", n, signame(signo), sicode_name(code), val, spid == getpid());
  v.sival_int = 17;
  T(sigqueue(getpid(), SIGUSR1, v));
  SAY("sigqueue std: n=%d %s %s value=%d", n, signame(signo), sicode_name(code), val);
  siginfo_t si;
  memset(&si, 0, sizeof si);
  si.si_signo = SIGRTMIN;
  si.si_code = -10;
  si.si_pid = 12345;
  si.si_uid = 777;
  si.si_value.sival_int = 99;
  T(syscall(SYS_rt_sigqueueinfo, getpid(), SIGRTMIN, &si));
  SAY("custom code: n=%d code=%d value=%d pid==12345 %d", n, code, val, spid == 12345);
  si.si_code = SI_USER;
  T(syscall(SYS_rt_sigqueueinfo, getpid(), SIGRTMIN, &si));
  SAY("SI_USER to self allowed: n=%d code=%s", n, sicode_name(code));
  si.si_code = -10;
  T(syscall(SYS_rt_tgsigqueueinfo, getpid(), tid(), SIGRTMIN, &si));
  SAY("tgsigqueueinfo: n=%d code=%d value=%d", n, code, val);
  T(syscall(SYS_rt_sigqueueinfo, getpid(), 0, &si));
  T(syscall(SYS_rt_sigqueueinfo, getpid(), SIGRTMIN, BADPTR));
  T(syscall(SYS_rt_sigqueueinfo, getpid(), 70, &si));
  /* to another process */
  pid_t p = fork();
  if (p == 0) { pause(); _exit(0); }
  si.si_signo = SIGTERM;
  si.si_code = SI_USER;
  T(syscall(SYS_rt_sigqueueinfo, p, SIGTERM, &si));
  si.si_code = SI_KERNEL;
  T(syscall(SYS_rt_sigqueueinfo, p, SIGTERM, &si));
  si.si_code = SI_TKILL;
  T(syscall(SYS_rt_sigqueueinfo, p, SIGTERM, &si));
  si.si_code = SI_QUEUE;
  if (T(syscall(SYS_rt_sigqueueinfo, p, SIGTERM, &si)) != 0) kill(p, SIGTERM);
  reap(p, "child");
  T(sigqueue(p, SIGUSR1, v));
  return 0;
}
