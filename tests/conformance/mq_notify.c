/* POSIX message queues: mq_notify with a signal (SI_MESGQ, the sender's pid and uid,
 * one shot, only on empty -> non-empty), SIGEV_NONE, EBUSY for another process,
 * removal by mq_notify(NULL) and by closing, argument errors, the status line. */
#include "mq_common.h"
#include <sys/socket.h>
#include <sys/wait.h>

static mqd_t q;

/* The NOTIFY and SIGNO fields of the status line, and whether NOTIFY_PID is ours. */
static void status(const char *label) {
  char line[128] = "";
  ssize_t n = pread(q, line, sizeof line - 1, 0);
  int qsize = -1, notify = -1, signo = -1, npid = -1;
  if (n > 0)
    sscanf(line, "QSIZE:%d NOTIFY:%d SIGNO:%d NOTIFY_PID:%d", &qsize, &notify, &signo,
           &npid);
  printf("%s: len=%zd qsize=%d notify=%d signo=%d pid=%s\n", label, n, qsize, notify, signo,
         npid == 0 ? "0" : npid == getpid() ? "self" : "other");
}

/* Send from a child process; returns its pid. */
static pid_t child_send(const char *msg) {
  pid_t pid = fork();
  if (pid == 0) {
    int r = mq_send(q, msg, strlen(msg), 0);
    _exit(r == 0 ? 0 : 1);
  }
  int ws;
  waitpid(pid, &ws, 0);
  return pid;
}

static void wait_sig(pid_t sender) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  struct timespec ts = {.tv_sec = 0, .tv_nsec = 100000000};
  siginfo_t si;
  int s = sigtimedwait(&set, &si, &ts);
  if (s < 0) {
    printf("no signal (%s)\n", errname(errno));
    return;
  }
  printf("signal %d code=%d pid=%s uid=%d value=%d\n", s, si.si_code,
         si.si_pid == sender ? "sender" : si.si_pid == getpid() ? "self" : "other",
         si.si_uid, si.si_value.sival_int);
}

static void drain(void) {
  char buf[64];
  while (mq_receive(q, buf, sizeof buf, NULL) >= 0) {
  }
}

int main(int argc, char **argv) {
  init(argc, argv);
  const char *n = qname("n");
  struct mq_attr a = {.mq_maxmsg = 4, .mq_msgsize = 64};
  q = TOK(mq_open(n, O_RDWR | O_CREAT | O_EXCL | O_NONBLOCK, 0600, &a));
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, NULL);

  struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1};
  ev.sigev_value.sival_int = 77;
  status("none");
  T(mq_notify(q, &ev));
  status("registered");
  T(mq_notify(q, &ev)); /* EBUSY even for the owner */
  pid_t c = fork();
  if (c == 0) {
    int r = mq_notify(q, &ev);
    printf("child mq_notify = %d %s\n", r, r ? errname(errno) : "0");
    r = mq_notify(q, NULL); /* not the owner: nothing happens */
    printf("child mq_notify(NULL) = %d\n", r);
    fflush(stdout);
    _exit(0);
  }
  int ws;
  waitpid(c, &ws, 0);
  status("after child");
  pid_t sender = child_send("m1");
  wait_sig(sender);
  status("fired");
  /* One shot: the next message signals nothing. */
  child_send("m2");
  wait_sig(0);
  drain();
  /* Only an empty queue becoming non-empty notifies. */
  T(mq_send(q, "x", 1, 0));
  T(mq_notify(q, &ev));
  child_send("m3");
  wait_sig(0);
  status("still registered");
  drain();
  T(mq_send(q, "self", 4, 0));
  wait_sig(getpid());
  drain();
  /* mq_notify(NULL) unregisters. */
  T(mq_notify(q, &ev));
  T(mq_notify(q, NULL));
  status("unregistered");
  child_send("m4");
  wait_sig(0);
  drain();
  /* Closing any descriptor of the queue unregisters its owner. */
  T(mq_notify(q, &ev));
  mqd_t other = TOK(mq_open(n, O_RDONLY));
  T(mq_close(other));
  status("after close");
  /* SIGEV_NONE registers without a signal; signal 0 is accepted and never sent. */
  struct sigevent none = {.sigev_notify = SIGEV_NONE};
  T(mq_notify(q, &none));
  status("none registered");
  child_send("m5");
  wait_sig(0);
  status("none fired");
  drain();
  struct sigevent zero = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = 0};
  T(mq_notify(q, &zero));
  status("signo 0");
  child_send("m6");
  wait_sig(0);
  drain();

  /* Argument errors. */
  struct sigevent badev = {.sigev_notify = 99};
  T(mq_notify(q, &badev));
  badev.sigev_notify = SIGEV_SIGNAL, badev.sigev_signo = 65;
  T(mq_notify(q, &badev));
  badev.sigev_signo = -1;
  T(mq_notify(q, &badev));
  T(mq_notify(0, &ev));
  T(mq_notify(-1, NULL));
  T(syscall(SYS_mq_notify, q, BADPTR));
  /* SIGEV_THREAD (raw): the fd in sigev_signo must be a netlink socket. */
  char cookie[32] = {0};
  struct sigevent th = {.sigev_notify = SIGEV_THREAD};
  th.sigev_value.sival_ptr = cookie;
  int p[2];
  pipe(p);
  th.sigev_signo = p[0];
  T(syscall(SYS_mq_notify, q, &th));
  int sv[2];
  socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
  th.sigev_signo = sv[0];
  T(syscall(SYS_mq_notify, q, &th));
  th.sigev_signo = 999;
  T(syscall(SYS_mq_notify, q, &th));
  th.sigev_value.sival_ptr = BADPTR;
  T(syscall(SYS_mq_notify, q, &th));
  status("end");

  T(mq_unlink(n));
  T(mq_close(q));
  return 0;
}
