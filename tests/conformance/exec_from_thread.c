/* execve from a non-main thread: the other threads are gone, the process keeps its pid
 * (the new image's getpid() is the old pid and gettid() == getpid()), and the parent
 * sees the exit status of the new image. */
#include "proc.h"
#include <dirent.h>

static char **g_argv;
static char pidbuf[32];

static void *execer(void *arg) {
  (void)arg;
  snprintf(pidbuf, sizeof pidbuf, "%d", getpid());
  char *args[] = {g_argv[0], g_argv[1], "after-exec", pidbuf, NULL};
  execv(g_argv[0], args);
  printf("FAIL execv %s\n", errname(errno));
  _exit(1);
}

static void *spinner(void *arg) {
  (void)arg;
  for (;;) pause();
  return NULL;
}

int main(int argc, char **argv) {
  init(argc, argv);
  if (argc > 3 && !strcmp(argv[2], "after-exec")) {
    printf("new image: same pid %d, gettid == getpid %d\n", getpid() == atoi(argv[3]), tid() == getpid());
    return 21;
  }
  g_argv = argv;
  pid_t p = fork();
  if (p == 0) {
    pthread_t a, b;
    pthread_create(&a, NULL, spinner, NULL);
    pthread_create(&b, NULL, execer, NULL);
    pthread_join(a, NULL);
    _exit(99);
  }
  reap(p, "child that exec'd from a thread");
  return 0;
}
