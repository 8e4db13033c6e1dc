/* Shared helpers of the seccomp conformance programs: building classic-BPF
 * filters and installing them. */
#ifndef SECCOMP_COMMON_H
#define SECCOMP_COMMON_H

#include "common.h"
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

#define NR_OFF offsetof(struct seccomp_data, nr)
#define ARCH_OFF offsetof(struct seccomp_data, arch)
#define ARG_OFF(i) (offsetof(struct seccomp_data, args) + 8 * (i))

static inline long sys_seccomp(unsigned op, unsigned flags, void *args) {
  return syscall(SYS_seccomp, op, flags, args);
}

/* A filter: kill on a foreign arch, `ret` for syscall `nr`, allow the rest. */
static inline long install_rule(int nr, unsigned ret, unsigned flags) {
  struct sock_filter f[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARCH_OFF),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFF),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, ret),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog p = {.len = sizeof f / sizeof f[0], .filter = f};
  return sys_seccomp(SECCOMP_SET_MODE_FILTER, flags, &p);
}

/* Install a raw program of n instructions. */
static inline long install_prog(struct sock_filter *f, unsigned short n, unsigned flags) {
  struct sock_fprog p = {.len = n, .filter = f};
  return sys_seccomp(SECCOMP_SET_MODE_FILTER, flags, &p);
}

/* No core files from the deliberate SIGSYS deaths (natively). */
static inline void no_core(void) {
  struct rlimit r = {0, 0};
  setrlimit(RLIMIT_CORE, &r);
}

/* Wait for a child and describe how it ended. */
static inline void report_child(pid_t pid, const char *what) {
  int st = 0;
  if (waitpid(pid, &st, 0) != pid) {
    printf("%s: waitpid failed\n", what);
    return;
  }
  if (WIFEXITED(st))
    printf("%s: exited %d\n", what, WEXITSTATUS(st));
  else if (WIFSIGNALED(st))
    printf("%s: killed by signal %d\n", what, WTERMSIG(st));
  else
    printf("%s: status %#x\n", what, st);
}

#endif
