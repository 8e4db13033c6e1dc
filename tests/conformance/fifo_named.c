/* Named FIFOs (fifo(7)) on tmpfs (/tmp) and on the root file system
 * (/var/tmp): open rules with and without O_NONBLOCK, O_RDWR, blocking
 * opens met by another process, EINTR, data discarded after the last
 * close, POLLHUP only after a writer has come, fstat of an open FIFO. */
#include "common.h"
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

static void on_alarm(int sig) { (void)sig; }

static int revents(int fd) {
  struct pollfd p = {.fd = fd, .events = POLLIN | POLLOUT};
  int r = poll(&p, 1, 0);
  return r < 0 ? -errno : p.revents;
}

static void check_dir(const char *base) {
  char dir[256], path[300];
  snprintf(dir, sizeof dir, "%s/fifoXXXXXX", base);
  if (!mkdtemp(dir)) {
    printf("mkdtemp %s: %s\n", base, errname(errno));
    return;
  }
  snprintf(path, sizeof path, "%s/p", dir);
  printf("[%s]\n", base);
  printf("mkfifo: %d\n", mkfifo(path, 0600));
  struct stat st, fst;
  stat(path, &st);
  printf("is fifo: %d\n", S_ISFIFO(st.st_mode));

  /* No reader: a non-blocking writer gets ENXIO. */
  int w = open(path, O_WRONLY | O_NONBLOCK);
  printf("nonblock writer alone: %s\n", w < 0 ? errname(errno) : "opened");
  if (w >= 0)
    close(w);
  printf("accmode 3: %s\n", open(path, 3) < 0 ? errname(errno) : "opened");

  /* A non-blocking reader opens at once and sees no hang-up yet. */
  int r = open(path, O_RDONLY | O_NONBLOCK);
  printf("nonblock reader: %d\n", r >= 0);
  printf("reader revents alone: %#x\n", revents(r));
  char buf[64] = {0};
  ssize_t n = read(r, buf, sizeof buf);
  printf("read alone: %zd %s\n", n, n < 0 ? errname(errno) : "");
  w = open(path, O_WRONLY | O_NONBLOCK);
  printf("nonblock writer with reader: %d\n", w >= 0);
  printf("writer revents: %#x\n", revents(w));
  printf("write: %zd\n", write(w, "hello", 5));
  printf("reader revents with data: %#x\n", revents(r));
  fstat(w, &fst);
  printf("fstat same inode: %d fifo %d\n", fst.st_ino == st.st_ino && fst.st_dev == st.st_dev,
         S_ISFIFO(fst.st_mode));
  n = read(r, buf, sizeof buf);
  printf("read: %zd %.*s\n", n, (int)(n > 0 ? n : 0), buf);
  n = read(r, buf, sizeof buf);
  printf("read empty: %zd %s\n", n, n < 0 ? errname(errno) : "");
  close(w);
  printf("reader revents after writer left: %#x\n", revents(r));
  printf("read after writer left: %zd\n", read(r, buf, sizeof buf));
  close(r);

  /* O_RDWR never blocks and is both ends; data dies with the last end. */
  int rw = open(path, O_RDWR);
  printf("rdwr: %d revents %#x\n", rw >= 0, revents(rw));
  printf("rdwr write: %zd\n", write(rw, "abc", 3));
  n = read(rw, buf, 2);
  printf("rdwr read: %zd %.2s\n", n, buf);
  close(rw);
  rw = open(path, O_RDWR | O_NONBLOCK);
  n = read(rw, buf, sizeof buf);
  printf("after last close: %zd %s\n", n, n < 0 ? errname(errno) : "");
  close(rw);

  /* Blocking opens wait for the other side. */
  pid_t c = fork();
  if (c == 0) {
    int fd = open(path, O_WRONLY);
    if (fd < 0)
      _exit(1);
    if (write(fd, "from child", 10) != 10)
      _exit(2);
    _exit(0);
  }
  r = open(path, O_RDONLY);
  printf("blocking reader: %d\n", r >= 0);
  int status;
  waitpid(c, &status, 0);
  printf("child: %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  n = read(r, buf, sizeof buf);
  printf("read from child: %zd %.*s\n", n, (int)(n > 0 ? n : 0), buf);
  printf("eof: %zd\n", read(r, buf, sizeof buf));
  close(r);

  c = fork();
  if (c == 0) {
    int fd = open(path, O_RDONLY);
    if (fd < 0)
      _exit(1);
    ssize_t got = read(fd, buf, sizeof buf);
    _exit(got == 4 && memcmp(buf, "ping", 4) == 0 ? 0 : 3);
  }
  w = open(path, O_WRONLY);
  printf("blocking writer: %d\n", w >= 0);
  printf("write ping: %zd\n", write(w, "ping", 4));
  waitpid(c, &status, 0);
  printf("child: %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  /* The reader is gone: SIGPIPE (ignored here) and EPIPE. */
  signal(SIGPIPE, SIG_IGN);
  n = write(w, "x", 1);
  printf("write without reader: %zd %s\n", n, n < 0 ? errname(errno) : "");
  signal(SIGPIPE, SIG_DFL);
  close(w);

  /* A signal interrupts a blocking open (no SA_RESTART). */
  struct sigaction sa = {.sa_handler = on_alarm};
  sigaction(SIGALRM, &sa, NULL);
  alarm(1);
  r = open(path, O_RDONLY);
  printf("interrupted open: %s\n", r < 0 ? errname(errno) : "opened");
  alarm(0);

  printf("unlink: %d\n", unlink(path));
  printf("rmdir: %d\n", rmdir(dir));
}

int main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  setvbuf(stdout, NULL, _IONBF, 0);
  check_dir("/tmp");
  check_dir("/var/tmp");
  return 0;
}
