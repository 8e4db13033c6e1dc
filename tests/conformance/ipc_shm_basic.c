/* System V shared memory: shmget/shmat/shmdt/shmctl semantics, sharing
 * across fork, IPC_RMID while attached, permissions as a non-root uid,
 * /proc/self/maps and /proc/sysvipc/shm. Every segment is removed. */
#include "common.h"
#include <signal.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>

static int maps_has_sysv(void) {
  FILE *f = fopen("/proc/self/maps", "r");
  char line[512];
  int n = 0;
  if (!f) return -1;
  while (fgets(line, sizeof line, f))
    if (strstr(line, "/SYSV") && strstr(line, "(deleted)")) n++;
  fclose(f);
  return n;
}

static int listed(int id) {
  FILE *f = fopen("/proc/sysvipc/shm", "r");
  char line[512];
  int found = 0, k, i;
  if (!f) return -1;
  if (!fgets(line, sizeof line, f)) { fclose(f); return -1; }
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "%d %d", &k, &i) == 2 && i == id) found = 1;
  fclose(f);
  return found;
}

/* A key from ftok on the fixture directory, mixed with the pid so the
 * static and dynamic runs of this test can run at the same time. */
static key_t test_key(const char *dir, int proj) {
  key_t k = ftok(dir, proj);
  if (k == -1) {
    printf("FAIL ftok: %s\n", errname(errno));
    exit(1);
  }
  return (k ^ getpid()) | 1;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  struct shmid_ds ds;
  if (argc > 3 && strcmp(argv[2], "after-exec") == 0) {
    int sid = atoi(argv[3]);
    T(shmctl(sid, IPC_STAT, &ds));
    printf("after exec: nattch=%lu maps entries: %d\n", (unsigned long)ds.shm_nattch,
           maps_has_sysv());
    return 0;
  }
  int id = shmget(IPC_PRIVATE, 10000, IPC_CREAT | 0640);
  printf("shmget private ok: %d\n", id >= 0);
  TOK(shmctl(id, IPC_STAT, &ds));
  printf("segsz=%zu nattch=%lu mode=%o cpid_self=%d lpid=%d uid=%u key=%d\n",
         ds.shm_segsz, (unsigned long)ds.shm_nattch, ds.shm_perm.mode,
         ds.shm_cpid == getpid(), ds.shm_lpid, ds.shm_perm.uid,
         ds.shm_perm.__key);
  printf("listed: %d\n", listed(id));

  char *p = shmat(id, NULL, 0);
  printf("shmat ok: %d aligned: %d\n", p != (void *)-1,
         ((unsigned long)p & (PAGE - 1)) == 0);
  printf("zero-filled: %d %d\n", p[0], p[9999]);
  strcpy(p, "hello");
  p[12287] = 7; /* the last page is mapped whole */
  TOK(shmctl(id, IPC_STAT, &ds));
  printf("nattch=%lu lpid_self=%d atime_set=%d\n", (unsigned long)ds.shm_nattch,
         ds.shm_lpid == getpid(), ds.shm_atime != 0);
  printf("maps entries: %d\n", maps_has_sysv());

  /* A second attachment sees the same memory. */
  char *q = shmat(id, NULL, SHM_RDONLY);
  printf("second shmat ok: %d same data: %d\n", q != (void *)-1,
         q != (void *)-1 && strcmp(q, "hello") == 0);
  TOK(shmctl(id, IPC_STAT, &ds));
  printf("nattch=%lu\n", (unsigned long)ds.shm_nattch);
  T(mprotect(q, PAGE, PROT_READ | PROT_WRITE));

  /* A child inherits both attachments and writes through the segment. */
  pid_t c = fork();
  if (c == 0) {
    struct shmid_ds d2;
    shmctl(id, IPC_STAT, &d2);
    printf("child nattch=%lu\n", (unsigned long)d2.shm_nattch);
    fflush(stdout);
    strcpy(p + 100, "from child");
    _exit(0);
  }
  int st;
  waitpid(c, &st, 0);
  printf("parent sees: %s\n", q + 100);
  TOK(shmctl(id, IPC_STAT, &ds));
  printf("nattch after child exit=%lu\n", (unsigned long)ds.shm_nattch);

  /* Writing through the read-only attachment faults. */
  c = fork();
  if (c == 0) {
    q[0] = 'x';
    _exit(0);
  }
  waitpid(c, &st, 0);
  printf("rdonly write: signaled=%d sig=%d\n", WIFSIGNALED(st),
         WIFSIGNALED(st) ? WTERMSIG(st) : 0);

  /* exec detaches: the new image sees only the parent's attachments. */
  c = fork();
  if (c == 0) {
    char ids[16];
    snprintf(ids, sizeof ids, "%d", id);
    execl("/proc/self/exe", argv[0], argv[1], "after-exec", ids, (char *)NULL);
    _exit(127);
  }
  waitpid(c, &st, 0);
  printf("exec child exit=%d\n", WEXITSTATUS(st));

  /* shmdt errors and success. */
  T(shmdt(p + 1));
  T(shmdt(p + PAGE));
  T(shmdt(q));
  T(shmdt(q));
  TOK(shmctl(id, IPC_STAT, &ds));
  printf("nattch=%lu\n", (unsigned long)ds.shm_nattch);
  printf("maps entries: %d\n", maps_has_sysv());

  /* IPC_RMID while attached: still usable, key private, SHM_DEST set. */
  T(shmctl(id, IPC_RMID, NULL));
  TOK(shmctl(id, IPC_STAT, &ds));
  printf("after rmid: key=%d dest=%d nattch=%lu data=%s\n", ds.shm_perm.__key,
         (ds.shm_perm.mode & SHM_DEST) != 0, (unsigned long)ds.shm_nattch, p);
  T(shmdt(p));
  T(shmctl(id, IPC_STAT, &ds));
  printf("listed after last detach: %d\n", listed(id));

  /* Errors of shmget/shmat/shmctl. */
  T(shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600));
  T(shmget(IPC_PRIVATE, (size_t)-1 / 2, IPC_CREAT | 0600));
  T(shmget(IPC_PRIVATE, (size_t)-1 - 4096, IPC_CREAT | 0600));
  T(shmat(-1, NULL, 0) == (void *)-1 ? -1 : 0);
  T(shmctl(-1, IPC_STAT, &ds));
  T(shmctl(0x7ffffff, IPC_STAT, &ds));

  key_t key = test_key(argv[1], 'S');
  int k1 = shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600);
  printf("keyed create ok: %d\n", k1 >= 0);
  T(shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600));
  printf("same id: %d\n", shmget(key, 100, 0) == k1);
  printf("same id with IPC_CREAT: %d\n", shmget(key, 4096, IPC_CREAT) == k1);
  T(shmget(key, 8192, 0));
  T(shmget(key ^ 0x40000000, 4096, 0));
  T(shmctl(k1, IPC_STAT, (struct shmid_ds *)8));
  T(shmctl(k1, 12345, &ds));

  /* Attach at a given address: alignment, SHM_RND, overlap, SHM_REMAP. */
  char *area = mmap(NULL, 4 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  T(shmat(k1, area + 1, 0) == (void *)-1 ? -1 : 0);
  T(shmat(k1, area, 0) == (void *)-1 ? -1 : 0);
  char *r = shmat(k1, area + 1, SHM_RND | SHM_REMAP);
  printf("SHM_RND|SHM_REMAP at area: %d\n", r == area);
  T(shmat(k1, NULL, SHM_REMAP) == (void *)-1 ? -1 : 0);
  r[0] = 1;
  T(shmdt(r));
  munmap(area, 4 * PAGE);

  /* IPC_SET and permissions as another uid. */
  TOK(shmctl(k1, IPC_STAT, &ds));
  ds.shm_perm.mode = 0604;
  T(shmctl(k1, IPC_SET, &ds));
  TOK(shmctl(k1, IPC_STAT, &ds));
  printf("mode after set=%o\n", ds.shm_perm.mode);
  c = fork();
  if (c == 0) {
    if (setgid(65534) || setuid(65534)) _exit(9);
    struct shmid_ds d3;
    T(shmget(key, 0, 0) == k1);
    T(shmget(key, 0, 0600));
    T(shmget(key, 0, 0004) == k1);
    T(shmat(k1, NULL, 0) == (void *)-1 ? -1 : 0);
    void *ro = shmat(k1, NULL, SHM_RDONLY);
    printf("rdonly attach as other: %d\n", ro != (void *)-1);
    T(shmctl(k1, IPC_STAT, &d3));
    T(shmctl(k1, IPC_RMID, NULL));
    T(shmctl(k1, IPC_SET, &d3));
    fflush(stdout);
    _exit(0);
  }
  waitpid(c, &st, 0);
  printf("child exit=%d\n", WEXITSTATUS(st));
  ds.shm_perm.mode = 0600;
  T(shmctl(k1, IPC_SET, &ds));
  c = fork();
  if (c == 0) {
    if (setgid(65534) || setuid(65534)) _exit(9);
    struct shmid_ds d3;
    T(shmget(key, 0, 0) == k1);
    T(shmctl(k1, IPC_STAT, &d3));
    fflush(stdout);
    _exit(0);
  }
  waitpid(c, &st, 0);

  /* IPC_INFO and SHM_INFO. */
  struct shminfo si;
  printf("IPC_INFO ok: %d\n", shmctl(0, IPC_INFO, (struct shmid_ds *)&si) >= 0);
  printf("shmmin=%lu\n", si.shmmin);
  struct shm_info sinfo;
  int r_info = shmctl(0, SHM_INFO, (struct shmid_ds *)&sinfo);
  printf("SHM_INFO ok: %d used>=1: %d\n", r_info >= 0, sinfo.used_ids >= 1);
  T(shmctl(k1, IPC_RMID, NULL));
  T(shmctl(k1, IPC_RMID, NULL));
  T(shmget(key, 4096, 0));
  return 0;
}
