/* eventfd(2): counter and semaphore reads, 8-byte I/O (EINVAL when shorter),
 * the u64::MAX - 1 ceiling (EAGAIN) and u64::MAX (EINVAL), flags, poll
 * readiness, fstat, and blocking read/write woken by a child. */
#include "common.h"
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/wait.h>

static void rd(int fd) {
  uint64_t v = 0;
  long r = read(fd, &v, sizeof v);
  if (r < 0)
    SAY("read = -1 %s", errname(errno));
  else
    SAY("read = %ld value %llu", r, (unsigned long long)v);
}

static void wr(int fd, uint64_t v) {
  long r = write(fd, &v, sizeof v);
  if (r < 0)
    SAY("write %llu = -1 %s", (unsigned long long)v, errname(errno));
  else
    SAY("write %llu = %ld", (unsigned long long)v, r);
}

static int revents(int fd) {
  struct pollfd p = {fd, POLLIN | POLLOUT, 0};
  poll(&p, 1, 0);
  return p.revents;
}

int main(int argc, char **argv) {
  init(argc, argv);
  T(eventfd(0, 0x12345) >= 0);
  T(syscall(SYS_eventfd2, 0, 0x8) >= 0);
  int fd = TOK(eventfd(3, EFD_NONBLOCK));
  T(fcntl(fd, F_GETFL) & (O_NONBLOCK | O_ACCMODE));
  T(fcntl(fd, F_GETFD));
  SAY("revents %#x", revents(fd));
  rd(fd);
  rd(fd);
  SAY("revents %#x", revents(fd));
  char small[4];
  T(read(fd, small, 4));
  T(write(fd, small, 4));
  wr(fd, 5);
  wr(fd, 7);
  char big[16] = {0};
  big[0] = 1;
  T(write(fd, big, 16));
  uint64_t v16[2] = {0, 99};
  T(read(fd, v16, 16));
  SAY("v16 %llu %llu", (unsigned long long)v16[0], (unsigned long long)v16[1]);
  wr(fd, UINT64_MAX);
  wr(fd, UINT64_MAX - 1);
  SAY("revents %#x", revents(fd));
  wr(fd, 1);
  rd(fd);
  T(lseek(fd, 0, SEEK_SET));
  struct stat st;
  T(fstat(fd, &st));
  SAY("mode %o size %lld", st.st_mode, (long long)st.st_size);
  close(fd);

  /* semaphore */
  int s = TOK(eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC));
  T(fcntl(s, F_GETFD));
  rd(s);
  rd(s);
  rd(s);
  close(s);

  /* blocking read woken by a child's write */
  int b = TOK(eventfd(0, 0));
  pid_t pid = fork();
  if (pid == 0) {
    usleep(50000);
    uint64_t one = 42;
    write(b, &one, 8);
    _exit(0);
  }
  rd(b);
  waitpid(pid, NULL, 0);

  /* blocking write woken by a child's read */
  wr(b, UINT64_MAX - 1);
  pid = fork();
  if (pid == 0) {
    usleep(50000);
    uint64_t x;
    read(b, &x, 8);
    _exit(x == UINT64_MAX - 1 ? 0 : 1);
  }
  wr(b, 3);
  int status;
  waitpid(pid, &status, 0);
  SAY("child status %d", WEXITSTATUS(status));
  rd(b);
  return 0;
}
