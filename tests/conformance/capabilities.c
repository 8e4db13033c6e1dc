/* capget/capset: root's sets, dropping, EPERM on raising, versions. */
#include "common.h"
#include <linux/capability.h>
#include <sys/wait.h>

static int capget_(struct __user_cap_header_struct *h, struct __user_cap_data_struct *d) {
  return syscall(SYS_capget, h, d);
}
static int capset_(struct __user_cap_header_struct *h, struct __user_cap_data_struct *d) {
  return syscall(SYS_capset, h, d);
}

static void show(const char *what, long r) {
  if (r < 0)
    printf("%s: -1 %s\n", what, errname(errno));
  else
    printf("%s: %ld\n", what, r);
  errno = 0;
}

static int has(struct __user_cap_data_struct *d, int cap, int which) {
  uint32_t w = which == 0 ? d[cap / 32].effective : which == 1 ? d[cap / 32].permitted : d[cap / 32].inheritable;
  return (w >> (cap % 32)) & 1;
}

static void dump(const char *what) {
  struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct d[2];
  memset(d, 0, sizeof d);
  capget_(&h, d);
  printf("%s: eff chown %d setuid %d nice %d setpcap %d | perm chown %d setuid %d nice %d | inh 0: %d\n",
         what, has(d, CAP_CHOWN, 0), has(d, CAP_SETUID, 0), has(d, CAP_SYS_NICE, 0),
         has(d, CAP_SETPCAP, 0), has(d, CAP_CHOWN, 1), has(d, CAP_SETUID, 1), has(d, CAP_SYS_NICE, 1),
         d[0].inheritable == 0 && d[1].inheritable == 0);
}

int main(void) {
  struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct d[2];
  show("capget v3", capget_(&h, d));
  dump("root");
  h.version = 0x12345678;
  show("capget bad version", capget_(&h, d));
  printf("version written back: %x\n", h.version);
  h.version = 0x12345678;
  show("capget bad version null data", capget_(&h, NULL));
  printf("version written back: %x\n", h.version);
  h.version = _LINUX_CAPABILITY_VERSION_3;
  show("capget null data", capget_(&h, NULL));
  h.pid = -1;
  show("capget pid -1", capget_(&h, d));
  h.pid = 4000000;
  show("capget missing pid", capget_(&h, d));
  h.pid = getpid();
  show("capget own pid", capget_(&h, d));
  h.pid = 0;
  h.version = _LINUX_CAPABILITY_VERSION_1;
  struct __user_cap_data_struct d1[2];
  memset(d1, 0xaa, sizeof d1);
  show("capget v1", capget_(&h, d1));
  printf("v1 second word untouched: %d\n", d1[1].effective == 0xaaaaaaaau);
  show("capget efault", syscall(SYS_capget, &h, (void *)8));

  pid_t c = fork();
  if (c == 0) {
    h.version = _LINUX_CAPABILITY_VERSION_3;
    h.pid = 0;
    capget_(&h, d);
    /* Drop CAP_SYS_NICE from effective only, then from permitted. */
    d[0].effective &= ~(1u << CAP_SYS_NICE);
    show("capset drop eff nice", capset_(&h, d));
    dump("after drop eff");
    d[0].effective |= 1u << CAP_SYS_NICE;
    show("capset raise eff nice", capset_(&h, d));
    d[0].permitted &= ~(1u << CAP_SYS_NICE);
    d[0].effective &= ~(1u << CAP_SYS_NICE);
    show("capset drop perm nice", capset_(&h, d));
    dump("after drop perm");
    d[0].permitted |= 1u << CAP_SYS_NICE;
    show("capset raise perm nice", capset_(&h, d));
    d[0].permitted &= ~(1u << CAP_SYS_NICE);
    d[0].effective |= 1u << CAP_SYS_NICE;
    show("capset eff not in perm", capset_(&h, d));
    d[0].effective &= ~(1u << CAP_SYS_NICE);
    d[0].inheritable = 1u << CAP_CHOWN;
    show("capset inheritable chown", capset_(&h, d));
    dump("after inheritable");
    d[0].inheritable = 0;
    h.pid = getppid();
    show("capset other pid", capset_(&h, d));
    h.pid = 0;
    h.version = 0x1;
    show("capset bad version", capset_(&h, d));
    printf("version written back: %x\n", h.version);
    /* Without CAP_SYS_NICE, lowering nice fails. */
    show("nice up", syscall(SYS_setpriority, 0, 0, 5));
    show("nice down without cap", syscall(SYS_setpriority, 0, 0, 0));
    /* setuid transitions: seteuid drops effective, back to 0 restores. */
    show("seteuid 1000", syscall(SYS_setresuid, -1, 1000, -1));
    dump("euid 1000");
    show("seteuid 0", syscall(SYS_setresuid, -1, 0, -1));
    dump("euid 0 again");
    show("setresuid 1000", syscall(SYS_setresuid, 1000, 1000, 1000));
    dump("all 1000");
    fflush(stdout);
    _exit(0);
  }
  int st;
  waitpid(c, &st, 0);
  printf("child: %d\n", WEXITSTATUS(st));
  return 0;
}
