/* seccomp(2) and prctl(PR_SET_SECCOMP) errors: bad operations and flags,
 * EFAULT, EINVAL for every kind of bad program, EACCES without
 * no_new_privs or CAP_SYS_ADMIN (and its place in the checking order).
 * Installs happen in children. (ENOMEM for a long filter chain is not
 * tested: natively it comes from memory accounting first, host-dependent.) */
#include "seccomp_common.h"

#define RET_ALLOW BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

static struct sock_filter big[4096];

static void bad_programs(void) {
  struct sock_filter one[] = {RET_ALLOW};
  T(install_prog(one, 0, 0));
  T(install_prog(big, 4097, 0));
  T(install_prog(NULL, 1, 0));
  T(install_prog(BADPTR, 1, 0));
  struct sock_filter jump_out[] = {BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), RET_ALLOW};
  T(install_prog(jump_out, 2, 0));
  struct sock_filter ja_out[] = {BPF_STMT(BPF_JMP | BPF_JA, 1), RET_ALLOW};
  T(install_prog(ja_out, 2, 0));
  struct sock_filter half[] = {BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 0), RET_ALLOW};
  T(install_prog(half, 2, 0));
  struct sock_filter ind[] = {BPF_STMT(BPF_LD | BPF_W | BPF_IND, 0), RET_ALLOW};
  T(install_prog(ind, 2, 0));
  struct sock_filter mod[] = {BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, 3), RET_ALLOW};
  T(install_prog(mod, 2, 0));
  struct sock_filter junk[] = {{0xffff, 0, 0, 0}, RET_ALLOW};
  T(install_prog(junk, 2, 0));
  struct sock_filter unaligned[] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 2), RET_ALLOW};
  T(install_prog(unaligned, 2, 0));
  struct sock_filter past[] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 64), RET_ALLOW};
  T(install_prog(past, 2, 0));
  struct sock_filter anc[] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_PROTOCOL),
                              RET_ALLOW};
  T(install_prog(anc, 2, 0));
  struct sock_filter div0[] = {BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 0), RET_ALLOW};
  T(install_prog(div0, 2, 0));
  struct sock_filter shift[] = {BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 32), RET_ALLOW};
  T(install_prog(shift, 2, 0));
  struct sock_filter slot[] = {BPF_STMT(BPF_ST, 16), RET_ALLOW};
  T(install_prog(slot, 2, 0));
  struct sock_filter uninit[] = {BPF_STMT(BPF_LD | BPF_MEM, 3), RET_ALLOW};
  T(install_prog(uninit, 2, 0));
  struct sock_filter noret[] = {RET_ALLOW, BPF_STMT(BPF_LD | BPF_IMM, 0)};
  T(install_prog(noret, 2, 0));
  T(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, NULL, 0, 0));
  T(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, BADPTR, 0, 0));
  T(prctl(PR_SET_SECCOMP, 3, 0, 0, 0));
  T(prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
}

static void run_child(const char *what, void (*fn)(void)) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    fn();
    fflush(stdout);
    _exit(0);
  }
  report_child(pid, what);
}

static void as_root(void) {
  /* Root has CAP_SYS_ADMIN: no_new_privs is not needed. */
  bad_programs();
  T(install_prog(big, 4096, 0));
  T(prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
  T(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
}

static void as_nobody(void) {
  T(setuid(65534));
  struct sock_filter junk[] = {{0xffff, 0, 0, 0}, RET_ALLOW};
  /* Length is checked before permission, the program after it. */
  T(install_prog(junk, 0, 0));
  T(install_prog(junk, 2, 0));
  T(install_prog(BADPTR, 1, 0));
  T(install_prog(big, 1, 0));
  T(sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, NULL));
  /* Strict mode needs no privilege: checked in another child. */
  T(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
  T(install_prog(junk, 2, 0));
  T(install_prog(big, 1, 0));
  T(prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
}

int main(int argc, char **argv) {
  init(argc, argv);
  for (int i = 0; i < 4096; i++)
    big[i] = (struct sock_filter)RET_ALLOW;
  unsigned action = SECCOMP_RET_ALLOW;
  T(sys_seccomp(99, 0, NULL));
  T(sys_seccomp(SECCOMP_GET_ACTION_AVAIL, 1, &action));
  T(sys_seccomp(SECCOMP_GET_ACTION_AVAIL, 0, BADPTR));
  T(sys_seccomp(SECCOMP_GET_NOTIF_SIZES, 1, NULL));
  T(sys_seccomp(SECCOMP_GET_NOTIF_SIZES, 0, BADPTR));
  T(sys_seccomp(SECCOMP_SET_MODE_FILTER, 1 << 10, NULL));
  T(sys_seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_NEW_LISTENER,
                NULL));
  T(sys_seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, NULL));
  /* Known flags: the missing program is found. */
  T(sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, NULL));
  T(sys_seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, NULL));
  T(sys_seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_LOG, NULL));
  T(sys_seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_SPEC_ALLOW, NULL));
  T(sys_seccomp(SECCOMP_SET_MODE_FILTER,
                SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH, NULL));
  T(sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, BADPTR));
  run_child("root", as_root);
  run_child("nobody", as_nobody);
  T(prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
  return 0;
}
