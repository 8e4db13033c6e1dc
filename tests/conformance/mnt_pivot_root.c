/* pivot_root: errors (EINVAL when new_root is not a mount point or put_old is not under
 * it, ENOTDIR, ENOENT, EBUSY for the current root), then a real pivot in a child: the new
 * root is "/", the old one is reachable under put_old until it is detached, and the cwd
 * moved with the root. */
#include "mnt_common.h"

int main(void) {
  mnt_setup();
  MUST(mkdir("new", 0755));
  MUST(mkdir("plain", 0755));
  MUST(write_file("file", ""));
  T(pivot_root("plain", "plain"));
  T(pivot_root("nothere", "plain"));
  T(pivot_root("file", "plain"));
  T(pivot_root("new", "file"));
  T(mount("newroot", "new", "tmpfs", 0, NULL));
  MUST(mkdir("new/old", 0755));
  MUST(mkdir("new/proc", 0755));
  MUST(write_file("new/hello", "hi"));
  T(pivot_root("new", "plain"));
  T(pivot_root("/", "new/old"));
  T(pivot_root("new", "plain/../new/../plain"));
  T(pivot_root("new", "new/nothere"));
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    /* Natively a namespace of its own, so the parent keeps its root (in the sandbox the
     * mount table is shared, which the parent does not look at). */
    MUST(unshare(CLONE_NEWNS));
    /* The cwd is the root being replaced: it follows to the new root. */
    MUST(chdir("/"));
    char p[128];
    snprintf(p, sizeof p, "%s/new", mnt_base);
    char q[128];
    snprintf(q, sizeof q, "%s/new/old", mnt_base);
    T(pivot_root(p, q));
    char buf[256];
    char *c = getcwd(buf, sizeof buf);
    printf("getcwd: %s\n", c ? c : errname(errno));
    printf("/hello %d\n", exists("/hello"));
    snprintf(p, sizeof p, "/old%s/file", mnt_base);
    printf("old root reachable under /old: %d\n", exists(p));
    T(mount("proc", "/proc", "proc", 0, NULL));
    FILE *f = fopen("/proc/self/mountinfo", "r");
    int n = 0, root_seen = 0, old_seen = 0;
    char line[1024];
    while (f && fgets(line, sizeof line, f)) {
      char root[256], mp[256];
      if (sscanf(line, "%*d %*d %*u:%*u %255s %255s", root, mp) != 2) continue;
      n++;
      if (strcmp(mp, "/") == 0) root_seen = 1;
      if (strcmp(mp, "/old") == 0) old_seen = 1;
    }
    if (f) fclose(f);
    printf("mountinfo: / %d, /old %d, more than 2 lines %d\n", root_seen, old_seen, n > 2);
    T(umount2("/proc", 0));
    T(umount2("/old", MNT_DETACH));
    printf("after detach: old root reachable %d\n", exists(p));
    T(pivot_root("/", "/"));
    fflush(stdout);
    _exit(0);
  }
  waitpid(pid, NULL, 0);
  mnt_done();
  return 0;
}
