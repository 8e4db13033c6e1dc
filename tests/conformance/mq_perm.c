/* POSIX message queues: permissions and ownership for a non-root process, the sticky
 * directory rule of mq_unlink, the non-root attribute limits and RLIMIT_MSGQUEUE. */
#include "mq_common.h"
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/wait.h>

/* A uid of our own: RLIMIT_MSGQUEUE charges are per user, and natively the other
 * build of this program runs at the same time. */
static uid_t other_uid;
#define NOBODY other_uid

/* Drop CAP_SYS_RESOURCE from the effective set (test hosts differ in whether root has
 * it; the sandbox's root does): root then gets the limits of everyone. */
static void drop_sys_resource(void) {
  struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
  struct __user_cap_data_struct d[2];
  if (syscall(SYS_capget, &h, d) != 0) return;
  d[CAP_SYS_RESOURCE / 32].effective &= ~(1u << (CAP_SYS_RESOURCE % 32));
  if (syscall(SYS_capset, &h, d) != 0) printf("FAIL capset: %s\n", errname(errno));
}

int main(int argc, char **argv) {
  init(argc, argv);
  drop_sys_resource();
  other_uid = 50000 + getpid() % 10000;
  const char *priv = qname("p0"), *pub = qname("p1"), *mine = qname("p2"),
             *more = qname("p3"), *tiny = qname("p4");
  struct mq_attr a = {.mq_maxmsg = 2, .mq_msgsize = 8};
  mqd_t q0 = TOK(mq_open(priv, O_RDWR | O_CREAT | O_EXCL, 0600, &a));
  mqd_t q1 = TOK(mq_open(pub, O_RDWR | O_CREAT | O_EXCL, 0644, &a));
  pid_t c = fork();
  if (c == 0) {
    if (setgid(NOBODY) || setuid(NOBODY)) {
      printf("FAIL setuid: %s\n", errname(errno));
      _exit(1);
    }
    T(mq_open(priv, O_RDONLY));
    T(mq_open(pub, O_RDWR));
    T(mq_open(pub, O_WRONLY));
    mqd_t r = TOK(mq_open(pub, O_RDONLY));
    T(mq_close(r));
    T(mq_open(pub, O_RDONLY | O_CREAT | O_EXCL, 0600, &a));
    T(mq_unlink(pub)); /* sticky directory: not the owner (glibc turns EPERM into EACCES) */
    T(syscall(SYS_mq_unlink, pub + 1));
    /* Above fs.mqueue.msg_max (10) / msgsize_max (8192) without CAP_SYS_RESOURCE. */
    struct mq_attr big = {.mq_maxmsg = 11, .mq_msgsize = 8};
    T(mq_open(mine, O_RDWR | O_CREAT, 0600, &big));
    big.mq_maxmsg = 10, big.mq_msgsize = 8193;
    T(mq_open(mine, O_RDWR | O_CREAT, 0600, &big));
    /* RLIMIT_MSGQUEUE: one default queue (82880 bytes) fits in 100000, a second
     * does not, a small one does. */
    struct rlimit rl = {100000, 100000};
    T(setrlimit(RLIMIT_MSGQUEUE, &rl));
    mqd_t m = TOK(mq_open(mine, O_RDWR | O_CREAT | O_EXCL, 0640, NULL));
    struct stat st;
    T(fstat(m, &st));
    printf("owner uid=%s gid=%s perm=%o\n", st.st_uid == NOBODY ? "ours" : "other",
           st.st_gid == NOBODY ? "ours" : "other", st.st_mode & 0777);
    T(mq_open(more, O_RDWR | O_CREAT | O_EXCL, 0600, NULL));
    /* A queue unlinked but open is still charged; closed, it is refunded. */
    struct mq_attr mid = {.mq_maxmsg = 2, .mq_msgsize = 5000};
    mqd_t t = TOK(mq_open(tiny, O_RDWR | O_CREAT | O_EXCL, 0600, &mid));
    T(mq_unlink(tiny));
    T(mq_open(tiny, O_RDWR | O_CREAT | O_EXCL, 0600, &mid));
    T(mq_close(t));
    t = TOK(mq_open(tiny, O_RDWR | O_CREAT | O_EXCL, 0600, &mid));
    T(mq_close(t));
    T(mq_unlink(tiny));
    T(mq_close(m));
    fflush(stdout);
    _exit(0);
  }
  int ws;
  waitpid(c, &ws, 0);
  printf("child exit=%d\n", WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
  /* Root opens and removes what nobody made. */
  mqd_t m = TOK(mq_open(mine, O_RDWR));
  T(fchmod(m, 0600));
  T(mq_close(m));
  T(mq_unlink(mine));
  T(mq_unlink(more));
  /* Without CAP_SYS_RESOURCE root too is held to msg_max. */
  struct mq_attr big = {.mq_maxmsg = 100, .mq_msgsize = 8};
  mqd_t b = TOK(mq_open(more, O_RDWR | O_CREAT | O_EXCL, 0600, &big));
  show_attr("root big", b);
  T(mq_close(b));
  T(mq_unlink(more));
  T(mq_unlink(priv));
  T(mq_unlink(pub));
  T(mq_close(q0));
  T(mq_close(q1));
  return 0;
}
