/* Process exit from threads: exit() in a non-main thread ends the whole process with
 * that status while the main thread is blocked; SYS_exit_group likewise; when the main
 * thread calls pthread_exit the process lives on until the last thread exits; a thread
 * returning from its start routine ends only itself. Each case runs in a child. */
#include "proc.h"

static void *exit5(void *arg) {
  (void)arg;
  msleep(50);
  exit(5);
}
static void *exit_group6(void *arg) {
  (void)arg;
  msleep(50);
  syscall(SYS_exit_group, 6);
  return NULL;
}
static void *blocked(void *arg) {
  (void)arg;
  for (;;) pause();
  return NULL;
}
static void *late_exit(void *arg) {
  (void)arg;
  msleep(100);
  printf("worker still running after main's pthread_exit\n");
  exit(7);
}
static void *last_return(void *arg) {
  (void)arg;
  msleep(100);
  printf("last thread returning\n");
  return NULL;
}
static void *just_return(void *arg) { return arg; }

int main(int argc, char **argv) {
  init(argc, argv);
  pid_t p = fork();
  if (p == 0) {
    pthread_t a, b;
    pthread_create(&b, NULL, blocked, NULL);
    pthread_create(&a, NULL, exit5, NULL);
    pthread_join(b, NULL);
    _exit(99);
  }
  reap(p, "exit() in a thread");
  p = fork();
  if (p == 0) {
    pthread_t a;
    pthread_create(&a, NULL, exit_group6, NULL);
    for (;;) pause();
  }
  reap(p, "exit_group in a thread");
  p = fork();
  if (p == 0) {
    pthread_t a;
    pthread_create(&a, NULL, late_exit, NULL);
    pthread_exit(NULL);
  }
  reap(p, "main pthread_exit, worker exit(7)");
  p = fork();
  if (p == 0) {
    pthread_t a;
    pthread_create(&a, NULL, last_return, NULL);
    pthread_exit(NULL);
  }
  reap(p, "main pthread_exit, last thread returns");
  p = fork();
  if (p == 0) {
    pthread_t a;
    void *r;
    pthread_create(&a, NULL, just_return, (void *)33L);
    pthread_join(a, &r);
    _exit((int)(long)r);
  }
  reap(p, "thread returned, main exits with its value");
  /* a fatal signal to one thread kills the whole process */
  p = fork();
  if (p == 0) {
    pthread_t a;
    pthread_create(&a, NULL, blocked, NULL);
    pthread_kill(a, SIGTERM);
    for (;;) pause();
  }
  reap(p, "SIGTERM to a thread");
  return 0;
}
