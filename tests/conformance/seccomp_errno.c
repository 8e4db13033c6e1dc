/* seccomp filters returning ERRNO, TRACE, USER_NOTIF, LOG and ALLOW; stacking
 * precedence; argument checks; prctl(PR_SET_SECCOMP); the query operations. */
#include "seccomp_common.h"

int main(int argc, char **argv) {
  init(argc, argv);
  T(prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
  unsigned actions[] = {SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD, SECCOMP_RET_TRAP,
                        SECCOMP_RET_ERRNO,        SECCOMP_RET_USER_NOTIF,  SECCOMP_RET_TRACE,
                        SECCOMP_RET_LOG,          SECCOMP_RET_ALLOW,       0x12340000,
                        SECCOMP_RET_ERRNO | 5};
  for (unsigned i = 0; i < sizeof actions / sizeof actions[0]; i++) {
    printf("action %#x: ", actions[i]);
    T(sys_seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &actions[i]));
  }
  struct seccomp_notif_sizes sizes = {0};
  T(sys_seccomp(SECCOMP_GET_NOTIF_SIZES, 0, &sizes));
  SAY("sizes: notif %u resp %u data %u", sizes.seccomp_notif, sizes.seccomp_notif_resp,
      sizes.seccomp_data);

  T(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
  T(install_rule(SYS_getppid, SECCOMP_RET_ERRNO | EPERM, 0));
  T(prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
  T(syscall(SYS_getppid));
  CHECK(syscall(SYS_getpid) > 0);

  /* Equal actions: the most recently installed filter's data. */
  T(install_rule(SYS_getppid, SECCOMP_RET_ERRNO | EACCES, 0));
  T(syscall(SYS_getppid));
  /* A less restrictive later filter does not win. */
  T(install_rule(SYS_getppid, SECCOMP_RET_ALLOW, 0));
  T(syscall(SYS_getppid));

  /* The errno is capped at 4095; ERRNO(0) returns 0 without running the call. */
  T(install_rule(SYS_getuid, SECCOMP_RET_ERRNO | 5000, 0));
  errno = 0;
  long r = syscall(SYS_getuid);
  SAY("getuid: r %ld errno %d", r, errno);
  T(install_rule(SYS_getpid, SECCOMP_RET_ERRNO | 0, 0));
  T(syscall(SYS_getpid));

  /* No tracer, no listener: ENOSYS. LOG runs the call. */
  T(install_rule(SYS_getegid, SECCOMP_RET_TRACE | 3, 0));
  T(syscall(SYS_getegid));
  T(install_rule(SYS_getsid, SECCOMP_RET_USER_NOTIF, 0));
  T(syscall(SYS_getsid, 0));
  T(install_rule(SYS_geteuid, SECCOMP_RET_LOG, SECCOMP_FILTER_FLAG_LOG));
  T(syscall(SYS_geteuid));

  /* An argument check, installed through prctl. */
  struct sock_filter argf[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFF),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_close, 0, 5),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_OFF(0) + 4),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 3),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_OFF(0)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1000, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EBUSY),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog argp = {.len = 8, .filter = argf};
  T(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &argp, 0, 0));
  T(close(1000));
  T(close(1001));
  T(syscall(SYS_close, 0x100000000UL + 1000));

  /* Scratch memory, X and ALU: deny getgid when nr * 2 + 1 matches. */
  struct sock_filter alu[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFF),
      BPF_STMT(BPF_ALU | BPF_MUL | BPF_K, 2),
      BPF_STMT(BPF_ST, 5),
      BPF_STMT(BPF_LDX | BPF_IMM, 1),
      BPF_STMT(BPF_LD | BPF_MEM, 5),
      BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getgid * 2 + 1, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOTTY),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  T(install_prog(alu, 9, 0));
  T(syscall(SYS_getgid));
  T(prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
  /* Strict mode on top of filters: EINVAL. */
  T(prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0));
  return 0;
}
