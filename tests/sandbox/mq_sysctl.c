/* Inside the sandbox only (it writes /proc/sys/fs/mqueue/*, which natively would change
 * the host): the fs.mqueue sysctls govern new POSIX message queues. Prints CHECK lines;
 * a FAIL line or a non-zero exit fails the test (tests/tests/mqueue.rs). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int fails;
#define CHECK(cond)                                                            \
  do {                                                                         \
    int ok_ = (cond);                                                          \
    printf("%s: %s\n", #cond, ok_ ? "ok" : "FAIL");                            \
    fails += !ok_;                                                             \
  } while (0)

static int put(const char *key, const char *v) {
  char path[128];
  snprintf(path, sizeof path, "/proc/sys/fs/mqueue/%s", key);
  int fd = open(path, O_WRONLY);
  if (fd < 0) return -1;
  int r = write(fd, v, strlen(v)) == (ssize_t)strlen(v) ? 0 : -1;
  close(fd);
  return r;
}

static long attr_of(mqd_t q, int which) {
  struct mq_attr a;
  if (mq_getattr(q, &a)) return -1;
  return which ? a.mq_msgsize : a.mq_maxmsg;
}

int main(void) {
  /* The sandbox's /dev has no mqueue directory unless one is mounted (as runc). */
  CHECK(access("/dev/mqueue", F_OK) == -1 && errno == ENOENT);
  /* Defaults come from msg_default / msgsize_default, capped by the maxima. */
  CHECK(put("msg_default", "5") == 0);
  CHECK(put("msgsize_default", "256") == 0);
  mqd_t q = mq_open("/sysctl_a", O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
  CHECK(q >= 0 && attr_of(q, 0) == 5 && attr_of(q, 1) == 256);
  mq_close(q);
  mq_unlink("/sysctl_a");
  CHECK(put("msg_max", "3") == 0);
  CHECK(put("msgsize_max", "128") == 0);
  q = mq_open("/sysctl_a", O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
  CHECK(q >= 0 && attr_of(q, 0) == 3 && attr_of(q, 1) == 128);
  mq_close(q);
  mq_unlink("/sysctl_a");
  CHECK(put("msg_max", "0") == -1 && errno == EINVAL);
  CHECK(put("msgsize_max", "127") == -1 && errno == EINVAL);
  /* Without CAP_SYS_RESOURCE the maxima and queues_max bind. */
  struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
  struct __user_cap_data_struct d[2];
  CHECK(syscall(SYS_capget, &h, d) == 0);
  d[0].effective &= ~(1u << CAP_SYS_RESOURCE);
  CHECK(syscall(SYS_capset, &h, d) == 0);
  struct mq_attr a = {.mq_maxmsg = 4, .mq_msgsize = 16};
  CHECK(mq_open("/sysctl_b", O_RDWR | O_CREAT, 0600, &a) == -1 && errno == EINVAL);
  a.mq_maxmsg = 3, a.mq_msgsize = 129;
  CHECK(mq_open("/sysctl_b", O_RDWR | O_CREAT, 0600, &a) == -1 && errno == EINVAL);
  a.mq_msgsize = 128;
  q = mq_open("/sysctl_b", O_RDWR | O_CREAT | O_EXCL, 0600, &a);
  CHECK(q >= 0);
  CHECK(put("queues_max", "1") == 0);
  CHECK(mq_open("/sysctl_c", O_RDWR | O_CREAT, 0600, &a) == -1 && errno == ENOSPC);
  mq_close(q);
  mq_unlink("/sysctl_b");
  q = mq_open("/sysctl_c", O_RDWR | O_CREAT | O_EXCL, 0600, &a);
  CHECK(q >= 0);
  mq_close(q);
  mq_unlink("/sysctl_c");
  return fails ? 1 : 0;
}
