/* chroot: "/" and ".." stop at the new root, the cwd stays where it was (and can walk
 * out, as Linux allows), /proc/self/mountinfo lists only the mounts inside the new root
 * with paths relative to it, /proc/self/root; errors ENOENT, ENOTDIR. */
#include "mnt_common.h"

static void show_info(const char *label) {
  FILE *f = fopen("/proc/self/mountinfo", "r");
  if (!f) {
    printf("%s: mountinfo %s\n", label, errname(errno));
    return;
  }
  char line[1024];
  while (fgets(line, sizeof line, f)) {
    char root[256], mp[256], opts[256], rest[512];
    int id, parent;
    unsigned ma, mi;
    if (sscanf(line, "%d %d %u:%u %255s %255s %255s %511[^\n]", &id, &parent, &ma, &mi, root,
               mp, opts, rest) == 8)
      printf("%s: %s %s %s %s\n", label, root, mp, opts, strstr(rest, "- ") ? strstr(rest, "- ") : rest);
  }
  fclose(f);
}

int main(void) {
  mnt_setup();
  MUST(mkdir("jail", 0755));
  MUST(mkdir("jail/proc", 0755));
  MUST(mkdir("jail/sp ace", 0755));
  MUST(mkdir("jail/in", 0755));
  MUST(write_file("jail/marker", "m"));
  MUST(write_file("outside", "o"));
  T(mount("proc", "jail/proc", "proc", 0, NULL));
  T(mount("tab\there", "jail/sp ace", "tmpfs", MS_NODEV, "mode=711"));
  /* The chroot happens in a child, so the parent can clean up. */
  fflush(stdout);
  pid_t pid = fork();
  if (pid > 0) {
    waitpid(pid, NULL, 0);
    mnt_done();
    return 0;
  }
  T(chroot("jail/marker"));
  T(chroot("jail/nothere"));
  T(chroot("jail"));
  /* The cwd is still the base directory, outside the new root. */
  printf("outside via cwd: %d\n", exists("outside"));
  char buf[256];
  char *c = getcwd(buf, sizeof buf);
  printf("getcwd: %s\n", c ? "ok" : errname(errno));
  T(chdir("/"));
  printf("marker %d, /../marker %d, /../../outside %d\n", exists("/marker"), exists("/../marker"),
         exists("/../../outside"));
  c = getcwd(buf, sizeof buf);
  printf("getcwd: %s\n", c ? c : errname(errno));
  T(chdir("in"));
  c = getcwd(buf, sizeof buf);
  printf("getcwd: %s\n", c ? c : errname(errno));
  ssize_t n = readlink("/proc/self/root", buf, sizeof buf - 1);
  if (n >= 0) buf[n] = 0;
  printf("/proc/self/root -> %s\n", n >= 0 ? buf : errname(errno));
  n = readlink("/proc/self/cwd", buf, sizeof buf - 1);
  if (n >= 0) buf[n] = 0;
  printf("/proc/self/cwd -> %s\n", n >= 0 ? buf : errname(errno));
  show_info("mountinfo");
  FILE *f = fopen("/proc/self/mounts", "r");
  while (f && fgets(buf, sizeof buf, f)) printf("mounts: %s", buf);
  if (f) fclose(f);
  T(umount2("/proc", MNT_DETACH));
  fflush(stdout);
  _exit(0);
}
