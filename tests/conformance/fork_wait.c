/* fork, copy-on-write isolation both ways, exit statuses through wait4 and
 * waitid, pipes between parent and child, orphans and ECHILD. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static int global = 1;

static void status(const char *what, int st) {
  if (WIFEXITED(st)) printf("%s: exited %d\n", what, WEXITSTATUS(st));
  else if (WIFSIGNALED(st)) printf("%s: signaled %d core %d\n", what, WTERMSIG(st), WCOREDUMP(st) ? 1 : 0);
  else printf("%s: other %#x\n", what, st);
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  /* exit codes */
  int codes[] = {0, 1, 7, 255};
  for (int i = 0; i < 4; i++) {
    pid_t p = fork();
    if (p == 0) _exit(codes[i]);
    int st;
    pid_t w = waitpid(p, &st, 0);
    printf("waitpid==pid: %d ", w == p);
    status("child", st);
  }
  /* death by signal */
  pid_t p = fork();
  if (p == 0) { *(volatile int *)8 = 1; _exit(0); }
  int st;
  waitpid(p, &st, 0);
  status("segv child", st);
  p = fork();
  if (p == 0) { kill(getpid(), SIGTERM); pause(); _exit(0); }
  waitpid(p, &st, 0);
  status("sigterm child", st);
  /* copy-on-write both ways */
  char *heap = malloc(1 << 20);
  memset(heap, 'p', 1 << 20);
  char *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  shared[0] = 's';
  int fds[2];
  if (pipe(fds)) return 1;
  p = fork();
  if (p == 0) {
    global = 2;
    heap[12345] = 'c';
    shared[0] = 'C';
    char c;
    if (read(fds[0], &c, 1) != 1) _exit(9);
    /* the parent wrote after the fork: we must still see our own values */
    printf("child sees global=%d heap=%c shared=%c parent_heap_write_invisible=%d\n", global, heap[12345], shared[0],
           heap[54321] == 'p');
    _exit(0);
  }
  heap[54321] = 'P';
  global = 3;
  if (write(fds[1], "x", 1) != 1) return 1;
  waitpid(p, &st, 0);
  status("cow child", st);
  printf("parent sees global=%d heap=%c shared=%c\n", global, heap[12345], shared[0]);
  /* pipe EOF after the writer's exit */
  int q[2];
  if (pipe(q)) return 1;
  p = fork();
  if (p == 0) {
    close(q[0]);
    const char *msg = "hello through a pipe";
    if (write(q[1], msg, strlen(msg)) < 0) _exit(2);
    _exit(0);
  }
  close(q[1]);
  char buf[64] = {0};
  ssize_t n, total = 0;
  while ((n = read(q[0], buf + total, sizeof buf - 1 - total)) > 0) total += n;
  printf("pipe read %zd bytes: %s, then EOF %zd\n", total, buf, n);
  waitpid(p, &st, 0);
  /* waitid with WNOWAIT leaves the zombie, then reaps */
  p = fork();
  if (p == 0) _exit(42);
  siginfo_t si;
  memset(&si, 0, sizeof si);
  int r = waitid(P_PID, p, &si, WEXITED | WNOWAIT);
  printf("waitid nowait r=%d code_exited=%d status=%d pid_ok=%d\n", r, si.si_code == CLD_EXITED, si.si_status, si.si_pid == p);
  r = waitid(P_PID, p, &si, WEXITED);
  printf("waitid reap r=%d status=%d\n", r, si.si_status);
  r = waitpid(p, &st, 0);
  printf("again: %d %s\n", r, r < 0 && errno == ECHILD ? "ECHILD" : "?");
  /* WNOHANG with a running child */
  int hold[2];
  if (pipe(hold)) return 1;
  p = fork();
  if (p == 0) { char c; close(hold[1]); while (read(hold[0], &c, 1) > 0) {} _exit(5); }
  close(hold[0]);
  printf("wnohang running: %d\n", waitpid(p, &st, WNOHANG));
  close(hold[1]);
  waitpid(p, &st, 0);
  status("held child", st);
  printf("no children: %d %s\n", wait(&st), errno == ECHILD ? "ECHILD" : "?");
  /* bad options */
  errno = 0;
  printf("bad options: %d %s\n", waitpid(-1, &st, 0x1000), errno == EINVAL ? "EINVAL" : "?");
  return 0;
}
