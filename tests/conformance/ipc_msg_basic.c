/* System V message queues: msgget/msgsnd/msgrcv/msgctl semantics, type
 * selection (0, >0, <0, MSG_EXCEPT, MSG_NOERROR, MSG_COPY), blocking send
 * and receive woken by another process, EINTR after a handler, EIDRM,
 * permissions as a non-root uid. Every queue is removed at the end. */
#include "common.h"
#include <signal.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/wait.h>

struct m {
  long mtype;
  char mtext[64];
};

static key_t test_key(const char *dir, int proj) {
  key_t k = ftok(dir, proj);
  if (k == -1) {
    printf("FAIL ftok: %s\n", errname(errno));
    exit(1);
  }
  return (k ^ getpid()) | 1;
}

static int snd(int id, long type, const char *text, int flg) {
  struct m b;
  b.mtype = type;
  strncpy(b.mtext, text, sizeof b.mtext);
  return msgsnd(id, &b, strlen(text), flg);
}

static void rcv(int id, long type, int flg, size_t sz) {
  struct m b;
  memset(&b, 0, sizeof b);
  errno = 0;
  long n = msgrcv(id, &b, sz, type, flg);
  if (n < 0)
    printf("msgrcv(type %ld, flags %#o, size %zu) = -1 %s\n", type, flg, sz, errname(errno));
  else
    printf("msgrcv(type %ld, flags %#o, size %zu) = %ld type=%ld text=%.*s\n", type, flg,
           sz, n, b.mtype, (int)n, b.mtext);
}

static int wait_qnum(int id, unsigned long n) {
  struct msqid_ds ds;
  for (int i = 0; i < 2000; i++) {
    if (msgctl(id, IPC_STAT, &ds) == 0 && ds.msg_qnum == n) return 1;
    usleep(1000);
  }
  return 0;
}

static void on_alarm(int s) { (void)s; }

int main(int argc, char **argv) {
  (void)argc;
  setvbuf(stdout, NULL, _IONBF, 0);
  struct msqid_ds ds;
  int st;
  key_t key = test_key(argv[1], 'Q');
  T(msgget(key, 0));
  int id = msgget(key, IPC_CREAT | IPC_EXCL | 0600);
  printf("msgget ok: %d\n", id >= 0);
  T(msgget(key, IPC_CREAT | IPC_EXCL | 0600));
  T(msgget(key, 0) == id);
  T(msgctl(id, IPC_STAT, &ds));
  printf("qnum=%lu cbytes=%lu qbytes=%lu mode=%o lspid=%d\n", (unsigned long)ds.msg_qnum,
         (unsigned long)ds.__msg_cbytes, (unsigned long)ds.msg_qbytes, ds.msg_perm.mode,
         ds.msg_lspid);

  /* Sends and type selection. */
  T(snd(id, 3, "three", 0));
  T(snd(id, 1, "one", 0));
  T(snd(id, 2, "two", 0));
  T(snd(id, 1, "uno", 0));
  T(snd(id, 5, "", 0));
  T(msgctl(id, IPC_STAT, &ds));
  printf("qnum=%lu cbytes=%lu lspid_self=%d\n", (unsigned long)ds.msg_qnum,
         (unsigned long)ds.__msg_cbytes, ds.msg_lspid == getpid());
  rcv(id, 0, MSG_COPY | IPC_NOWAIT, 64);
  rcv(id, 2, MSG_COPY | IPC_NOWAIT, 64);
  rcv(id, 9, MSG_COPY | IPC_NOWAIT, 64);
  rcv(id, 0, MSG_COPY, 64);
  rcv(id, 0, MSG_COPY | MSG_EXCEPT | IPC_NOWAIT, 64);
  rcv(id, 2, 0, 64);
  rcv(id, -2, 0, 64);
  rcv(id, 3, MSG_EXCEPT, 64);
  rcv(id, 3, 0, 2);
  rcv(id, 3, MSG_NOERROR, 2);
  rcv(id, 4, IPC_NOWAIT, 64);
  rcv(id, 0, 0, 64);
  rcv(id, 0, IPC_NOWAIT, 64);

  /* Errors. */
  struct m b = {0, "x"};
  T(msgsnd(id, &b, 1, 0));
  b.mtype = 1;
  T(msgsnd(id, &b, 9000, 0));
  T(msgsnd(id, &b, (size_t)-1, 0));
  T(msgsnd(-1, &b, 1, 0));
  T(msgsnd(id, (struct m *)8, 1, 0));
  T(msgrcv(id, &b, (size_t)-1, 0, 0));
  T(msgrcv(-1, &b, 1, 0, IPC_NOWAIT));
  T(msgctl(id, 12345, &ds));
  T(msgctl(id, IPC_STAT, (struct msqid_ds *)8));
  T(snd(id, 7, "lost", 0));
  T(msgrcv(id, (struct m *)8, 8, 0, 0));
  T(msgctl(id, IPC_STAT, &ds));
  printf("qnum after faulting receive=%lu\n", (unsigned long)ds.msg_qnum);

  /* A full queue blocks the sender until a receiver makes room. */
  ds.msg_qbytes = 8;
  T(msgctl(id, IPC_SET, &ds));
  T(snd(id, 1, "12345678", 0));
  T(snd(id, 1, "9", IPC_NOWAIT));
  pid_t c = fork();
  if (c == 0) {
    if (!wait_qnum(id, 1)) _exit(2);
    usleep(20000);
    struct m r;
    _exit(msgrcv(id, &r, 64, 0, 0) == 8 ? 0 : 1);
  }
  T(snd(id, 2, "abc", 0));
  waitpid(c, &st, 0);
  printf("receiver exit=%d\n", WEXITSTATUS(st));
  rcv(id, 0, IPC_NOWAIT, 64);

  /* A blocked receiver woken by a sender. */
  c = fork();
  if (c == 0) {
    usleep(20000);
    _exit(snd(id, 4, "late", 0) == 0 ? 0 : 1);
  }
  rcv(id, 4, 0, 64);
  waitpid(c, &st, 0);
  printf("sender exit=%d\n", WEXITSTATUS(st));

  /* EINTR after a handler, even with SA_RESTART. */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGALRM, &sa, NULL);
  alarm(1);
  rcv(id, 0, 0, 64);
  alarm(0);

  /* Permissions as another uid. */
  TOK(msgctl(id, IPC_STAT, &ds));
  ds.msg_perm.mode = 0620;
  ds.msg_qbytes = 16384;
  T(msgctl(id, IPC_SET, &ds));
  c = fork();
  if (c == 0) {
    if (setgid(65534) || setuid(65534)) _exit(9);
    struct msqid_ds d2;
    T(snd(id, 1, "x", IPC_NOWAIT));
    T(msgget(key, 0600));
    T(msgctl(id, IPC_STAT, &d2));
    T(msgctl(id, IPC_RMID, NULL));
    _exit(0);
  }
  waitpid(c, &st, 0);
  printf("child exit=%d\n", WEXITSTATUS(st));
  ds.msg_perm.mode = 0622;
  T(msgctl(id, IPC_SET, &ds));
  c = fork();
  if (c == 0) {
    if (setgid(65534) || setuid(65534)) _exit(9);
    T(snd(id, 1, "y", IPC_NOWAIT));
    struct m r;
    T(msgrcv(id, &r, 64, 0, IPC_NOWAIT));
    _exit(0);
  }
  waitpid(c, &st, 0);
  rcv(id, 0, IPC_NOWAIT, 64);
  /* A new owner may set msg_qbytes up to msgmnb (more needs
   * CAP_SYS_RESOURCE); the creator keeps control. */
  ds.msg_perm.uid = 65534;
  T(msgctl(id, IPC_SET, &ds));
  c = fork();
  if (c == 0) {
    if (setgid(65534) || setuid(65534)) _exit(9);
    struct msqid_ds d3;
    T(msgctl(id, IPC_STAT, &d3));
    d3.msg_qbytes = 1 << 30;
    T(msgctl(id, IPC_SET, &d3));
    d3.msg_qbytes = 100;
    T(msgctl(id, IPC_SET, &d3));
    _exit(0);
  }
  waitpid(c, &st, 0);
  TOK(msgctl(id, IPC_STAT, &ds));
  printf("qbytes=%lu uid=%u cuid=%u\n", (unsigned long)ds.msg_qbytes, ds.msg_perm.uid,
         ds.msg_perm.cuid);

  struct msginfo mi;
  printf("IPC_INFO ok: %d\n", msgctl(0, IPC_INFO, (struct msqid_ds *)&mi) >= 0);
  printf("msgmax=%d msgmnb=%d\n", mi.msgmax, mi.msgmnb);

  /* IPC_RMID wakes a blocked receiver with EIDRM. */
  c = fork();
  if (c == 0) {
    struct m r;
    long n = msgrcv(id, &r, 64, 0, 0);
    _exit(n == -1 && errno == EIDRM ? 42 : 1);
  }
  /* No waiter count to poll: wait until the child sleeps (in msgrcv), up
   * to 10 s, then a little more. */
  for (int i = 0; i < 1000; i++) {
    char path[64], buf[256] = {0};
    snprintf(path, sizeof path, "/proc/%d/stat", (int)c);
    FILE *f = fopen(path, "r");
    if (f) {
      size_t n = fread(buf, 1, sizeof buf - 1, f);
      fclose(f);
      char *rp = n ? strrchr(buf, ')') : NULL;
      if (rp && rp[1] == ' ' && rp[2] == 'S')
        break;
    }
    usleep(10000);
  }
  usleep(50000);
  T(msgctl(id, IPC_RMID, NULL));
  waitpid(c, &st, 0);
  printf("receiver exit=%d (42: EIDRM)\n", WEXITSTATUS(st));
  T(msgctl(id, IPC_RMID, NULL));
  T(msgget(key, 0));
  return 0;
}
