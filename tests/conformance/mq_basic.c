/* POSIX message queues: attributes, priority order, errors, the descriptor as a file
 * (fstat, read, poll, dup, fork), unlink while open. */
#include "mq_common.h"
#include <poll.h>
#include <sys/epoll.h>
#include <sys/vfs.h>
#include <sys/wait.h>

static void recv_all(mqd_t q, const char *label) {
  char buf[128];
  unsigned prio;
  ssize_t n;
  printf("%s:", label);
  while ((n = mq_receive(q, buf, sizeof buf, &prio)) >= 0)
    printf(" %.*s/%u", (int)n, buf, prio);
  printf(" (%s)\n", errname(errno));
}

static void show_poll(const char *label, mqd_t q) {
  struct pollfd p = {.fd = q, .events = POLLIN | POLLOUT};
  int r = poll(&p, 1, 0);
  printf("%s: poll=%d revents=%#x\n", label, r, p.revents);
}

int main(int argc, char **argv) {
  init(argc, argv);
  const char *n1 = qname("b1"), *n2 = qname("b2");
  struct mq_attr a = {.mq_maxmsg = 4, .mq_msgsize = 16};

  /* Names and attribute checks. */
  T(mq_open("noslash", O_RDWR | O_CREAT, 0600, &a));
  T(sys_mq_open("", O_RDWR | O_CREAT, 0600, &a));
  T(sys_mq_open("a/b", O_RDWR | O_CREAT, 0600, &a));
  T(sys_mq_open(n1, O_RDWR | O_CREAT, 0600, &a)); /* the raw name keeps its '/' */
  T(sys_mq_open(".", O_RDWR | O_CREAT, 0600, &a));
  T(sys_mq_open("..", O_RDWR | O_CREAT, 0600, &a));
  T(syscall(SYS_mq_open, BADPTR, O_RDWR, 0, NULL));
  T(syscall(SYS_mq_open, n1 + 1, O_RDWR | O_CREAT, 0600, BADPTR));
  char longname[300];
  memset(longname, 'x', sizeof longname);
  longname[0] = '/';
  longname[299] = 0;
  T(mq_open(longname, O_RDWR | O_CREAT, 0600, &a));
  struct mq_attr bad = {.mq_maxmsg = 0, .mq_msgsize = 16};
  T(mq_open(n1, O_RDWR | O_CREAT, 0600, &bad));
  bad.mq_maxmsg = 4, bad.mq_msgsize = -1;
  T(mq_open(n1, O_RDWR | O_CREAT, 0600, &bad));
  bad.mq_msgsize = (16 << 20) + 1; /* above HARD_MSGSIZEMAX even for root */
  T(mq_open(n1, O_RDWR | O_CREAT, 0600, &bad));
  bad.mq_maxmsg = 65537, bad.mq_msgsize = 16;
  T(mq_open(n1, O_RDWR | O_CREAT, 0600, &bad));
  T(mq_open(n1, O_RDWR, 0));

  mqd_t q = TOK(mq_open(n1, O_RDWR | O_CREAT | O_EXCL, 0640, &a));
  T(mq_open(n1, O_RDWR | O_CREAT | O_EXCL, 0600, &a));
  T(mq_open(n1, O_RDWR | O_WRONLY, 0));
  /* An existing queue ignores the attributes, even invalid ones. */
  bad.mq_maxmsg = 0;
  mqd_t q2 = TOK(mq_open(n1, O_WRONLY | O_CREAT | O_NONBLOCK, 0600, &bad));
  show_attr("q", q);
  show_attr("q2", q2);
  T(fcntl(q, F_GETFD));
  T(fcntl(q, F_GETFL) & (O_ACCMODE | O_NONBLOCK));
  T(fcntl(q2, F_GETFL) & (O_ACCMODE | O_NONBLOCK));

  struct stat st;
  T(fstat(q, &st));
  printf("fstat: type=%o perm=%o size=%ld nlink=%ld uid=%d\n", st.st_mode & S_IFMT,
         st.st_mode & 07777, (long)st.st_size, (long)st.st_nlink, st.st_uid);
  struct statfs sf;
  T(fstatfs(q, &sf));
  printf("fstatfs: type=%#lx\n", (unsigned long)sf.f_type);

  show_poll("empty", q);
  /* Priority order, FIFO within a priority. */
  T(mq_send(q, "a", 1, 1));
  T(mq_send(q, "bb", 2, 5));
  T(mq_send(q2, "c", 1, 1));
  T(mq_send(q2, "dd", 2, 5));
  show_poll("full", q);
  T(mq_send(q2, "e", 1, 0)); /* full, nonblocking */
  T(mq_send(q2, "big-message-here!", 17, 0));
  T(mq_send(q2, "x", 1, 32768));
  T(mq_send(q, "x", 1, 32768));
  show_attr("full", q);
  /* The status line (the notification fields are all zero). */
  char line[128] = "";
  ssize_t r = T(read(q, line, sizeof line));
  if (r > 0) printf("read: %.*s", (int)r, line);
  T(read(q, line, sizeof line));
  T(lseek(q, 0, SEEK_SET));
  T(read(q, line, 6));
  T(write(q, "x", 1));
  T(fsync(q));
  char small[15];
  T(mq_receive(q, small, sizeof small, NULL));
  T(mq_receive(q2, line, sizeof line, NULL)); /* write-only */
  T(mq_send(0, "x", 1, 0));                   /* not a queue */
  T(mq_send(-1, "x", 1, 0));
  T(mq_getattr(1, &a));
  /* A dup shares the description, a fork inherits it. */
  int d = TOK(dup(q));
  pid_t pid = fork();
  if (pid == 0) {
    char b[64];
    unsigned p;
    ssize_t n = mq_receive(d, b, sizeof b, &p);
    printf("child: %zd %.*s/%u\n", n, n > 0 ? (int)n : 0, b, p);
    fflush(stdout);
    _exit(0);
  }
  int ws;
  waitpid(pid, &ws, 0);
  T(close(d));
  show_poll("three", q);
  /* Nonblocking through mq_setattr; only O_NONBLOCK may be set. */
  struct mq_attr nb = {.mq_flags = O_NONBLOCK}, old;
  T(mq_setattr(q, &nb, &old));
  printf("old flags=%#lx curmsgs=%ld\n", old.mq_flags, old.mq_curmsgs);
  nb.mq_flags = O_NONBLOCK | O_APPEND;
  T(mq_setattr(q, &nb, &old));
  T(syscall(SYS_mq_getsetattr, q, BADPTR, NULL));
  T(syscall(SYS_mq_getsetattr, q, NULL, BADPTR));
  T(syscall(SYS_mq_getsetattr, q, NULL, NULL));
  recv_all(q, "drain");
  show_attr("drained", q);
  /* epoll sees a send. */
  int ep = TOK(epoll_create1(0));
  struct epoll_event ev = {.events = EPOLLIN}, out;
  T(epoll_ctl(ep, EPOLL_CTL_ADD, q, &ev));
  T(epoll_wait(ep, &out, 1, 0));
  T(mq_send(q2, "z", 1, 2));
  T(epoll_wait(ep, &out, 1, 0));
  close(ep);
  /* The buffer must take mq_msgsize; the message is consumed on EFAULT. */
  T(syscall(SYS_mq_timedreceive, q, BADPTR, 16, NULL, NULL));
  show_attr("after efault", q);
  T(syscall(SYS_mq_timedsend, q, BADPTR, 4, 0, NULL));

  /* Unlink while open: the queue lives on, the name is free again. */
  T(mq_unlink(n1));
  T(mq_unlink(n1));
  T(fstat(q, &st));
  printf("unlinked nlink=%ld\n", (long)st.st_nlink);
  T(mq_send(q2, "still", 5, 0));
  T(mq_open(n1, O_RDWR, 0));
  mqd_t q3 = TOK(mq_open(n1, O_RDWR | O_CREAT | O_EXCL | O_NONBLOCK, 0600, NULL));
  show_attr("fresh default", q3);
  recv_all(q3, "fresh");
  recv_all(q, "old");
  T(mq_close(q3));
  T(mq_unlink(n1));
  /* Umask applies to the mode. */
  umask(022);
  mqd_t q4 = TOK(mq_open(n2, O_RDONLY | O_CREAT, 0777, &a));
  T(fstat(q4, &st));
  printf("umask perm=%o\n", st.st_mode & 07777);
  T(mq_close(q4));
  T(mq_unlink(n2));
  T(mq_close(q));
  T(mq_close(q2));
  T(mq_close(q));
  return 0;
}
