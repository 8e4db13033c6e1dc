/* CLONE_CHILD_CLEARTID / CLONE_PARENT_SETTID with a raw thread made by clone(): the
 * new tid is stored in the parent's and the child's words before the child runs; at the
 * thread's exit the kernel zeroes the child tid word and wakes a futex waiter on it. */
#include "proc.h"
#include <sched.h>

static volatile pid_t ptid, ctid;
static volatile pid_t seen_tid, seen_ctid;

static int thread_fn(void *arg) {
  (void)arg;
  seen_tid = tid();
  seen_ctid = ctid;
  msleep(50);
  syscall(SYS_exit, 0);
  return 0;
}

int main(int argc, char **argv) {
  init(argc, argv);
  size_t sz = 256 * 1024;
  char *stack = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
              CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID;
  int r = clone(thread_fn, stack + sz, flags, NULL, (pid_t *)&ptid, NULL, (pid_t *)&ctid);
  SAY("clone returned the tid: %d, ptid set %d", r == ptid, ptid != 0);
  /* Whether the child ran before the parent looks at ctid is a race: wait for it. */
  while (seen_tid == 0) sched_yield();
  /* wait for the kernel to clear ctid */
  int waits = 0;
  for (;;) {
    pid_t v = ctid;
    if (v == 0) break;
    long w = futex((void *)&ctid, FUTEX_WAIT, v, NULL, NULL, 0);
    waits += w == 0 || (w == -1 && errno == EAGAIN);
  }
  SAY("ctid cleared after thread exit: %d", ctid == 0);
  SAY("thread saw own tid %d, ctid set (CLONE_CHILD_SETTID) %d, tid != pid %d", seen_tid == r, seen_ctid == r,
      r != getpid());
  SAY("tgkill of the finished thread: %ld %s", syscall(SYS_tgkill, getpid(), r, 0), errname(errno));
  /* pthread_join is the same mechanism */
  return 0;
}
