/* membarrier: QUERY (restricted to the commands the sandbox implements),
 * registration rules, errnos. */
#include "common.h"
#include <linux/membarrier.h>
#include <pthread.h>
#include <sys/wait.h>

static long mb(int cmd, unsigned flags, int cpu) { return syscall(SYS_membarrier, cmd, flags, cpu); }

static void show(const char *what, long r) {
  if (r < 0)
    printf("%s: -1 %s\n", what, errname(errno));
  else
    printf("%s: %ld\n", what, r);
  errno = 0;
}

#define IMPLEMENTED 0x27f

static volatile int stop;
static void *spin(void *arg) {
  (void)arg;
  while (!stop) {
  }
  return NULL;
}

int main(void) {
  long q = mb(MEMBARRIER_CMD_QUERY, 0, 0);
  printf("query: %lx\n", q & IMPLEMENTED);
  show("query flags", mb(MEMBARRIER_CMD_QUERY, 1, 0));
  show("bad cmd", mb(3, 0, 0));
  show("bad cmd 1024", mb(1024, 0, 0));
  show("global flags", mb(MEMBARRIER_CMD_GLOBAL, 2, 0));
  show("get registrations", mb(512, 0, 0));
  show("private unregistered", mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0));
  show("sync core unregistered", mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0));
  show("global", mb(MEMBARRIER_CMD_GLOBAL, 0, 0));
  show("global expedited", mb(MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0, 0));
  show("register global exp", mb(MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, 0, 0));
  show("register private", mb(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0));
  show("get registrations", mb(512, 0, 0));
  show("sync core still unregistered", mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0));
  pthread_t th;
  pthread_create(&th, NULL, spin, NULL);
  for (int i = 0; i < 100; i++) {
    if (mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) != 0) {
      printf("private expedited FAIL %s\n", errname(errno));
      break;
    }
  }
  show("private", mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0));
  show("private flags", mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 1, 0));
  show("register sync core", mb(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0));
  show("sync core", mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0));
  show("get registrations", mb(512, 0, 0));
  stop = 1;
  pthread_join(th, NULL);
  pid_t c = fork();
  if (c == 0) {
    show("child registrations", mb(512, 0, 0));
    show("child private", mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0));
    fflush(stdout);
    _exit(0);
  }
  waitpid(c, NULL, 0);
  return 0;
}
