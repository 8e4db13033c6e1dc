/* /proc/sysvipc/{shm,sem,msg} listings in Linux's format, and the IPC
 * limits taken from /proc/sys/kernel (msgmax, sem's SEMMSL and SEMOPM,
 * shmmni is not exhausted). Prints no ids, pids or times. */
#include "common.h"
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>

/* Print the header, and for the object `id` the line's length, field
 * count and the fields at the given positions. */
static void show(const char *file, int id, const int *fields, int n) {
  FILE *f = fopen(file, "r");
  char line[512];
  if (!f) {
    printf("%s: open %s\n", file, errname(errno));
    return;
  }
  if (fgets(line, sizeof line, f)) printf("%s header: %s", file, line);
  int found = 0;
  while (fgets(line, sizeof line, f)) {
    int k, i;
    if (sscanf(line, "%d %d", &k, &i) != 2 || i != id) continue;
    found = 1;
    printf("%s line length: %zu\n", file, strlen(line));
    char *save = NULL, *tok = strtok_r(line, " \n", &save);
    int pos = 0, count = 0;
    char out[256] = "";
    while (tok) {
      for (int j = 0; j < n; j++)
        if (fields[j] == pos) {
          strcat(out, " ");
          strcat(out, tok);
        }
      pos++;
      count++;
      tok = strtok_r(NULL, " \n", &save);
    }
    printf("%s fields: %d:%s\n", file, count, out);
  }
  printf("%s found: %d\n", file, found);
  fclose(f);
}

static long sysctl_long(const char *path, int idx) {
  FILE *f = fopen(path, "r");
  long v[4] = {0, 0, 0, 0};
  if (!f) return -1;
  if (fscanf(f, "%ld %ld %ld %ld", &v[0], &v[1], &v[2], &v[3]) < 1) v[idx] = -1;
  fclose(f);
  return v[idx];
}

int main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  setvbuf(stdout, NULL, _IONBF, 0);
  int shm = shmget(IPC_PRIVATE, 5000, IPC_CREAT | 0640);
  int sem = semget(IPC_PRIVATE, 3, IPC_CREAT | 0600);
  int msg = msgget(IPC_PRIVATE, IPC_CREAT | 0604);
  printf("created: %d %d %d\n", shm >= 0, sem >= 0, msg >= 0);
  char *p = shmat(shm, NULL, 0);
  p[0] = 1;
  struct {
    long t;
    char x[16];
  } m = {1, "hello"};
  msgsnd(msg, &m, 5, 0);
  msgsnd(msg, &m, 3, 0);

  /* shm: perms size nattch uid gid cuid cgid rss swap */
  int fs[] = {2, 3, 6, 7, 8, 9, 10, 14, 15};
  show("/proc/sysvipc/shm", shm, fs, 9);
  /* sem: perms nsems uid gid cuid cgid */
  int fsem[] = {2, 3, 4, 5, 6, 7};
  show("/proc/sysvipc/sem", sem, fsem, 6);
  /* msg: perms cbytes qnum uid gid cuid cgid */
  int fmsg[] = {2, 3, 4, 7, 8, 9, 10};
  show("/proc/sysvipc/msg", msg, fmsg, 7);

  /* The *_STAT commands take an index and return the id. */
  struct shmid_ds sds;
  struct semid_ds xds;
  union {
    int val;
    struct semid_ds *buf;
  } su;
  su.buf = &xds;
  struct msqid_ds mds;
  T(shmctl(shm & 0x7fff, SHM_STAT, &sds) == shm);
  T(shmctl(shm & 0x7fff, SHM_STAT_ANY, &sds) == shm);
  printf("SHM_STAT segsz=%zu\n", sds.shm_segsz);
  T(semctl(sem & 0x7fff, 0, SEM_STAT, su) == sem);
  T(semctl(sem & 0x7fff, 0, SEM_STAT_ANY, su) == sem);
  printf("SEM_STAT nsems=%lu\n", (unsigned long)xds.sem_nsems);
  T(msgctl(msg & 0x7fff, MSG_STAT, &mds) == msg);
  T(msgctl(msg & 0x7fff, MSG_STAT_ANY, &mds) == msg);
  printf("MSG_STAT qnum=%lu\n", (unsigned long)mds.msg_qnum);
  T(shmctl(-1, SHM_STAT, &sds));
  T(semctl(-1, 0, SEM_STAT, su));
  T(msgctl(-1, MSG_STAT, &mds));
  int child = fork();
  if (child == 0) {
    if (setgid(65534) || setuid(65534)) _exit(9);
    /* shm 0640, sem 0600: no read permission for others; msg 0604 has it. */
    T(shmctl(shm & 0x7fff, SHM_STAT, &sds));
    T(shmctl(shm & 0x7fff, SHM_STAT_ANY, &sds) == shm);
    T(semctl(sem & 0x7fff, 0, SEM_STAT, su));
    T(semctl(sem & 0x7fff, 0, SEM_STAT_ANY, su) == sem);
    T(msgctl(msg & 0x7fff, MSG_STAT, &mds) == msg);
    _exit(0);
  }
  int cst;
  waitpid(child, &cst, 0);
  printf("child exit=%d\n", WEXITSTATUS(cst));

  /* Limits come from /proc/sys/kernel. */
  long msgmax = sysctl_long("/proc/sys/kernel/msgmax", 0);
  long semmsl = sysctl_long("/proc/sys/kernel/sem", 0);
  long semopm = sysctl_long("/proc/sys/kernel/sem", 2);
  printf("limits read: %d %d %d\n", msgmax > 0, semmsl > 0, semopm > 0);
  char *big = calloc(1, msgmax + 16);
  *(long *)big = 1;
  msgctl(msg, IPC_RMID, NULL);
  msg = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
  struct msqid_ds ds;
  msgctl(msg, IPC_STAT, &ds);
  ds.msg_qbytes = msgmax * 2;
  msgctl(msg, IPC_SET, &ds);
  T(msgsnd(msg, big, msgmax + 1, IPC_NOWAIT));
  T(msgsnd(msg, big, msgmax, IPC_NOWAIT));
  T(semget(IPC_PRIVATE, semmsl + 1, IPC_CREAT | 0600));
  struct sembuf *ops = calloc(semopm + 1, sizeof *ops);
  for (long i = 0; i <= semopm; i++) ops[i].sem_op = 1;
  T(semop(sem, ops, semopm + 1));
  ops[0].sem_op = 0;
  T(semop(sem, ops, semopm));
  T(semctl(sem, 0, GETVAL));

  shmdt(p);
  T(shmctl(shm, IPC_RMID, NULL));
  T(semctl(sem, 0, IPC_RMID));
  T(msgctl(msg, IPC_RMID, NULL));
  show("/proc/sysvipc/shm", shm, fs, 0);
  return 0;
}
