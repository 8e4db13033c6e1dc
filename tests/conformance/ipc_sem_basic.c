/* System V semaphores: semget/semctl/semop/semtimedop semantics, blocking
 * woken by another process, EINTR, EIDRM, SEM_UNDO at exit, a shared
 * counter in shm guarded by a semaphore, permissions as a non-root uid.
 * Every object is removed at the end. */
#include "common.h"
#include <sched.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <time.h>

union semun {
  int val;
  struct semid_ds *buf;
  unsigned short *array;
  struct seminfo *__buf;
};

static key_t test_key(const char *dir, int proj) {
  key_t k = ftok(dir, proj);
  if (k == -1) {
    printf("FAIL ftok: %s\n", errname(errno));
    exit(1);
  }
  return (k ^ getpid()) | 1;
}

static int op(int id, int num, int delta, int flg) {
  struct sembuf b = {(unsigned short)num, (short)delta, (short)flg};
  return semop(id, &b, 1);
}

/* Wait (bounded) until GETNCNT/GETZCNT of sem 0 reaches n. */
static int wait_cnt(int id, int cmd, int n) {
  for (int i = 0; i < 2000; i++) {
    if (semctl(id, 0, cmd) == n) return 1;
    usleep(1000);
  }
  return 0;
}

static void on_alarm(int s) { (void)s; }

int main(int argc, char **argv) {
  (void)argc;
  setvbuf(stdout, NULL, _IONBF, 0);
  union semun u;
  struct semid_ds ds;
  int st;

  /* semget errors */
  T(semget(IPC_PRIVATE, 0, IPC_CREAT | 0600));
  T(semget(IPC_PRIVATE, -1, IPC_CREAT | 0600));
  T(semget(IPC_PRIVATE, 100000, IPC_CREAT | 0600));
  key_t key = test_key(argv[1], 'M');
  T(semget(key, 1, 0));
  int id = semget(key, 3, IPC_CREAT | IPC_EXCL | 0600);
  printf("semget ok: %d\n", id >= 0);
  T(semget(key, 3, IPC_CREAT | IPC_EXCL | 0600));
  T(semget(key, 4, 0));
  T(semget(key, 2, 0) == id);
  T(semget(key, 0, 0) == id);

  /* stat and values */
  u.buf = &ds;
  T(semctl(id, 0, IPC_STAT, u));
  printf("nsems=%lu mode=%o otime=%ld key_ok=%d\n", (unsigned long)ds.sem_nsems,
         ds.sem_perm.mode, (long)ds.sem_otime, ds.sem_perm.__key == key);
  T(semctl(id, 0, GETVAL));
  u.val = 5;
  T(semctl(id, 1, SETVAL, u));
  T(semctl(id, 1, GETVAL));
  printf("getpid self: %d\n", semctl(id, 1, GETPID) == getpid());
  u.val = 32768;
  T(semctl(id, 1, SETVAL, u));
  u.val = -1;
  T(semctl(id, 1, SETVAL, u));
  u.val = 1;
  T(semctl(id, 3, SETVAL, u));
  T(semctl(id, -1, GETVAL));
  unsigned short all[3] = {1, 2, 3}, got[3] = {9, 9, 9};
  u.array = all;
  T(semctl(id, 0, SETALL, u));
  u.array = got;
  T(semctl(id, 0, GETALL, u));
  printf("all: %d %d %d\n", got[0], got[1], got[2]);
  u.array = (unsigned short *)8;
  T(semctl(id, 0, GETALL, u));
  T(semctl(id, 0, SETALL, u));
  T(semctl(id, 0, 12345));

  /* semop */
  struct sembuf many[2] = {{0, -1, 0}, {1, -2, 0}};
  T(semop(id, many, 2));
  u.array = got;
  semctl(id, 0, GETALL, u);
  printf("after ops: %d %d %d\n", got[0], got[1], got[2]);
  T(op(id, 0, -1, IPC_NOWAIT));
  T(op(id, 2, 0, IPC_NOWAIT));
  T(op(id, 3, 1, 0));
  T(semop(id, many, 0));
  struct sembuf big[600];
  memset(big, 0, sizeof big);
  T(semop(id, big, 501));
  T(semop(id, (struct sembuf *)8, 1));
  T(op(id, 2, 32767, 0));
  T(op(-1, 0, 1, 0));
  /* the set is unchanged after a failing multi-op */
  struct sembuf partial[2] = {{2, 1, 0}, {0, -1, IPC_NOWAIT}};
  T(semop(id, partial, 2));
  T(semctl(id, 2, GETVAL));
  u.buf = &ds;
  semctl(id, 0, IPC_STAT, u);
  printf("otime set: %d\n", ds.sem_otime != 0);

  /* semtimedop */
  struct timespec ts = {0, 20 * 1000 * 1000};
  struct sembuf down = {0, -1, 0};
  T(semtimedop(id, &down, 1, &ts));
  struct timespec bad = {0, 1000000000};
  T(semtimedop(id, &down, 1, &bad));
  T(semtimedop(id, &down, 1, (struct timespec *)8));

  /* A blocked semop woken by another process. */
  pid_t c = fork();
  if (c == 0) {
    if (!wait_cnt(id, GETNCNT, 1)) _exit(2);
    _exit(op(id, 0, 1, 0) == 0 ? 0 : 1);
  }
  T(op(id, 0, -1, 0));
  waitpid(c, &st, 0);
  printf("waker exit=%d\n", WEXITSTATUS(st));
  T(semctl(id, 0, GETNCNT));

  /* Wait for zero. */
  u.val = 1;
  semctl(id, 0, SETVAL, u);
  c = fork();
  if (c == 0) {
    if (!wait_cnt(id, GETZCNT, 1)) _exit(2);
    _exit(op(id, 0, -1, 0) == 0 ? 0 : 1);
  }
  T(op(id, 0, 0, 0));
  waitpid(c, &st, 0);
  printf("waker exit=%d\n", WEXITSTATUS(st));

  /* EINTR even with SA_RESTART. */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGALRM, &sa, NULL);
  c = fork();
  if (c == 0) {
    wait_cnt(id, GETNCNT, 1);
    kill(getppid(), SIGALRM);
    _exit(0);
  }
  T(op(id, 0, -1, 0));
  waitpid(c, &st, 0);
  T(semctl(id, 0, GETNCNT));

  /* SEM_UNDO is applied when the process exits. */
  u.val = 1;
  semctl(id, 0, SETVAL, u);
  c = fork();
  if (c == 0) {
    T(op(id, 0, -1, SEM_UNDO));
    T(op(id, 1, 3, SEM_UNDO));
    _exit(0);
  }
  waitpid(c, &st, 0);
  T(semctl(id, 0, GETVAL));
  T(semctl(id, 1, GETVAL));
  printf("getpid child: %d\n", semctl(id, 0, GETPID) == c);
  /* SETVAL clears the adjustment. */
  c = fork();
  if (c == 0) {
    T(op(id, 2, 4, SEM_UNDO));
    u.val = 0;
    T(semctl(id, 2, SETVAL, u));
    _exit(0);
  }
  waitpid(c, &st, 0);
  T(semctl(id, 2, GETVAL));

  /* A counter in shared memory, guarded by a semaphore. */
  int shm = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
  volatile long *counter = shmat(shm, NULL, 0);
  shmctl(shm, IPC_RMID, NULL);
  u.val = 1;
  semctl(id, 0, SETVAL, u);
  *counter = 0;
  for (int i = 0; i < 4; i++) {
    if (fork() == 0) {
      for (int j = 0; j < 300; j++) {
        if (op(id, 0, -1, SEM_UNDO) != 0) _exit(1);
        long v = *counter;
        if ((j & 31) == 0) sched_yield();
        *counter = v + 1;
        if (op(id, 0, 1, SEM_UNDO) != 0) _exit(1);
      }
      _exit(0);
    }
  }
  int bad_children = 0;
  for (int i = 0; i < 4; i++) {
    wait(&st);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) bad_children++;
  }
  printf("counter=%ld bad=%d sem=%d\n", *counter, bad_children, semctl(id, 0, GETVAL));
  shmdt((void *)counter);

  /* Permissions as another uid. */
  u.val = 1;
  semctl(id, 0, SETVAL, u);
  u.buf = &ds;
  semctl(id, 0, IPC_STAT, u);
  ds.sem_perm.mode = 0644;
  T(semctl(id, 0, IPC_SET, u));
  c = fork();
  if (c == 0) {
    if (setgid(65534) || setuid(65534)) _exit(9);
    union semun v;
    T(semctl(id, 0, GETVAL));
    T(op(id, 0, -1, IPC_NOWAIT));
    T(op(id, 1, 0, IPC_NOWAIT));
    v.val = 3;
    T(semctl(id, 0, SETVAL, v));
    T(semctl(id, 0, IPC_RMID));
    T(semget(key, 1, 0600));
    T(semget(key, 1, 0400) == id);
    _exit(0);
  }
  waitpid(c, &st, 0);
  printf("child exit=%d\n", WEXITSTATUS(st));

  /* IPC_INFO */
  struct seminfo si;
  u.__buf = &si;
  printf("IPC_INFO ok: %d\n", semctl(id, 0, IPC_INFO, u) >= 0);
  printf("semmsl=%d semopm=%d semvmx=%d\n", si.semmsl, si.semopm, si.semvmx);

  /* IPC_RMID wakes a waiter with EIDRM. */
  u.val = 0;
  semctl(id, 0, SETVAL, u);
  c = fork();
  if (c == 0) {
    int r = op(id, 0, -1, 0);
    _exit(r == -1 && errno == EIDRM ? 42 : 1);
  }
  printf("waiting: %d\n", wait_cnt(id, GETNCNT, 1));
  T(semctl(id, 0, IPC_RMID));
  waitpid(c, &st, 0);
  printf("waiter exit=%d (42: EIDRM)\n", WEXITSTATUS(st));
  T(semctl(id, 0, IPC_RMID));
  T(semctl(id, 0, GETVAL));
  return 0;
}
