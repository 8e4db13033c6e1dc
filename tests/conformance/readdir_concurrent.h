/* Shared by gw_readdir_concurrent.c (a volume) and ovl_readdir_concurrent.c (the
 * overlay root): directory listings while another process creates and removes
 * files in the same directory, then listings right after each change (a cached
 * listing must never hide a change the sandbox made). */
#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>

#define RC_STABLE 300

/* Reads `dir` to the end: 1 if every s### entry appeared exactly once. */
static int rc_list_ok(const char *dir) {
  static unsigned char seen[RC_STABLE];
  memset(seen, 0, sizeof seen);
  DIR *d = opendir(dir);
  if (!d)
    return 0;
  struct dirent *e;
  int ok = 1;
  while ((e = readdir(d))) {
    int i;
    if (sscanf(e->d_name, "s%03d", &i) == 1 && e->d_name[4] == 0 && i >= 0 && i < RC_STABLE)
      if (seen[i]++)
        ok = 0;
  }
  closedir(d);
  for (int i = 0; i < RC_STABLE; i++)
    if (seen[i] != 1)
      ok = 0;
  return ok;
}

/* Whether `name` is listed in `dir` (a fresh opendir). */
static int rc_has(const char *dir, const char *name) {
  DIR *d = opendir(dir);
  if (!d)
    return -1;
  struct dirent *e;
  int n = 0;
  while ((e = readdir(d)))
    if (!strcmp(e->d_name, name))
      n++;
  closedir(d);
  return n;
}

static void rc_path(char *out, size_t len, const char *dir, const char *name) {
  snprintf(out, len, "%s/%s", dir, name);
}

static void rc_touch(const char *dir, const char *name) {
  char p[4096];
  rc_path(p, sizeof p, dir, name);
  int fd = open(p, O_CREAT | O_WRONLY, 0644);
  if (fd < 0)
    printf("FAIL create %s: %s\n", name, errname(errno));
  else
    close(fd);
}

static void rc_rm(const char *dir, const char *name) {
  char p[4096];
  rc_path(p, sizeof p, dir, name);
  if (unlink(p) != 0)
    printf("FAIL unlink %s: %s\n", name, errname(errno));
}

static void readdir_concurrent(const char *dir) {
  for (int i = 0; i < RC_STABLE; i++) {
    char n[16];
    snprintf(n, sizeof n, "s%03d", i);
    rc_touch(dir, n);
  }
  printf("quiet listing ok: %d\n", rc_list_ok(dir));
  pid_t child = fork();
  if (child == 0) {
    char p[4096];
    for (int i = 0;; i++) {
      char n[16];
      snprintf(n, sizeof n, "t%02d", i % 50);
      rc_path(p, sizeof p, dir, n);
      int fd = open(p, O_CREAT | O_WRONLY, 0644);
      if (fd >= 0)
        close(fd);
      if (i % 3 == 0)
        unlink(p);
      if (i % 7 == 0) {
        snprintf(n, sizeof n, "t%02d", (i / 7) % 50);
        rc_path(p, sizeof p, dir, n);
        unlink(p);
      }
    }
  }
  int bad = 0;
  for (int k = 0; k < 40; k++)
    if (!rc_list_ok(dir))
      bad++;
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  printf("listings during creates and unlinks with a stable entry missing or repeated: %d\n", bad);
  for (int i = 0; i < 50; i++) {
    char n[16], p[4096];
    snprintf(n, sizeof n, "t%02d", i);
    rc_path(p, sizeof p, dir, n);
    unlink(p);
  }
  printf("listing after the storm ok: %d, t00 listed %d\n", rc_list_ok(dir), rc_has(dir, "t00"));
  /* Each change shows in the very next listing. */
  for (int k = 0; k < 3; k++) {
    rc_touch(dir, "new");
    int a = rc_has(dir, "new");
    rc_rm(dir, "new");
    int b = rc_has(dir, "new");
    printf("new listed after create %d, after unlink %d\n", a, b);
  }
  char from[4096], to[4096];
  rc_path(from, sizeof from, dir, "s007");
  rc_path(to, sizeof to, dir, "moved");
  printf("rename %d\n", rename(from, to));
  printf("after rename: s007 %d moved %d\n", rc_has(dir, "s007"), rc_has(dir, "moved"));
  rename(to, from);
  printf("renamed back: s007 %d moved %d\n", rc_has(dir, "s007"), rc_has(dir, "moved"));
  /* An open directory sees a new entry after rewinddir, not before the rewind
   * of a listing it already read to the end. */
  DIR *d = opendir(dir);
  int n1 = 0, n2 = 0;
  while (readdir(d))
    n1++;
  rc_touch(dir, "late");
  rewinddir(d);
  while (readdir(d))
    n2++;
  closedir(d);
  printf("entries before %d, after create and rewind %d\n", n1, n2);
  rc_rm(dir, "late");
  for (int i = 0; i < RC_STABLE; i++) {
    char n[16];
    snprintf(n, sizeof n, "s%03d", i);
    rc_rm(dir, n);
  }
  printf("left after cleanup: s000 %d\n", rc_has(dir, "s000"));
}
