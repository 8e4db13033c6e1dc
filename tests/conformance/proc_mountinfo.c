/* /proc/self/mountinfo and /proc/self/mounts for mounts this program made: field
 * layout, parent ids linking child to parent, st_dev as major:minor, the root field of a
 * bind of a subdirectory, escaping, /proc/mounts == /proc/self/mounts, /proc/<pid>/ files
 * of a child, and that an unmounted entry disappears. */
#include "mnt_common.h"

struct ent {
  int id, parent;
  unsigned ma, mi;
  char root[256], mp[256];
};

static int find(const char *path, const char *mp, struct ent *e) {
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  char line[1024];
  int found = -1;
  while (fgets(line, sizeof line, f)) {
    struct ent x;
    if (sscanf(line, "%d %d %u:%u %255s %255s", &x.id, &x.parent, &x.ma, &x.mi, x.root,
               x.mp) != 6)
      continue;
    if (strcmp(x.mp, mp) == 0) {
      *e = x;
      found = 0;
    }
  }
  fclose(f);
  return found;
}

static int count_lines(const char *path, const char *needle) {
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  char line[1024];
  int n = 0;
  while (fgets(line, sizeof line, f))
    if (!needle || strstr(line, needle)) n++;
  fclose(f);
  return n;
}

static int same_file(const char *a, const char *b) {
  char x[65536], y[65536];
  int fa = open(a, O_RDONLY), fb = open(b, O_RDONLY);
  ssize_t na = read(fa, x, sizeof x), nb = read(fb, y, sizeof y);
  close(fa);
  close(fb);
  return na == nb && na >= 0 && memcmp(x, y, na) == 0;
}

int main(void) {
  mnt_setup();
  MUST(mkdir("outer", 0755));
  T(mount("outer src", "outer", "tmpfs", MS_NOSUID | MS_NOEXEC, "size=8k,mode=750"));
  MUST(mkdir("outer/in ner", 0755));
  MUST(mkdir("outer/in ner/deep", 0755));
  T(mount("inner", "outer/in ner", "tmpfs", MS_RDONLY, NULL));
  MUST(mkdir("outer/b", 0755));
  MUST(mkdir("outer/src", 0755));
  MUST(mkdir("outer/src/x", 0755));
  T(mount("outer/src/x", "outer/b", NULL, MS_BIND, NULL));
  char p[256];
  snprintf(p, sizeof p, "%s/outer", mnt_base);
  show_mount("outer", p);
  struct ent o, i, b, base;
  MUST(find("/proc/self/mountinfo", mnt_base, &base));
  MUST(find("/proc/self/mountinfo", p, &o));
  snprintf(p, sizeof p, "%s/outer/in\\040ner", mnt_base);
  show_mount("inner", p);
  MUST(find("/proc/self/mountinfo", p, &i));
  snprintf(p, sizeof p, "%s/outer/b", mnt_base);
  show_mount("bind", p);
  MUST(find("/proc/self/mountinfo", p, &b));
  printf("outer's parent is base: %d\n", o.parent == base.id);
  printf("inner's parent is outer: %d\n", i.parent == o.id);
  printf("bind's parent is outer: %d, same dev as outer: %d\n", b.parent == o.id,
         b.ma == o.ma && b.mi == o.mi);
  printf("ids distinct: %d\n", o.id != i.id && i.id != b.id && o.id != b.id);
  struct stat st;
  MUST(stat("outer", &st));
  printf("major:minor is st_dev: %d\n", major(st.st_dev) == o.ma && minor(st.st_dev) == o.mi);
  /* /proc/self/mounts has the same mounts, escaped the same way. */
  FILE *f = fopen("/proc/self/mounts", "r");
  char line[1024];
  size_t bl = strlen(mnt_base);
  while (f && fgets(line, sizeof line, f)) {
    char src[256], mp[256], type[64], opts[256];
    int a, c;
    if (sscanf(line, "%255s %255s %63s %255s %d %d", src, mp, type, opts, &a, &c) != 6) continue;
    if (strncmp(mp, mnt_base, bl) != 0 || !mp[bl]) continue;
    printf("mounts: %s %s %s %s %d %d\n", src, mp + bl, type, opts, a, c);
  }
  if (f) fclose(f);
  printf("/proc/mounts == /proc/self/mounts: %d\n", same_file("/proc/mounts", "/proc/self/mounts"));
  f = fopen("/proc/self/mountstats", "r");
  while (f && fgets(line, sizeof line, f)) {
    char *on = strstr(line, " mounted on ");
    if (on && strncmp(on + 12, mnt_base, bl) == 0 && on[12 + bl] == '/')
      printf("mountstats: %.*s%s", (int)(on + 12 - line), line, on + 12 + bl);
  }
  if (f) fclose(f);
  /* A child's /proc/<pid>/mountinfo shows the same table. */
  fflush(stdout);
  int pfd[2];
  MUST(pipe(pfd));
  pid_t pid = fork();
  if (pid == 0) {
    char c;
    read(pfd[0], &c, 1);
    _exit(0);
  }
  char q[64];
  snprintf(q, sizeof q, "/proc/%d/mountinfo", pid);
  printf("child's mountinfo == ours: %d\n", same_file(q, "/proc/self/mountinfo"));
  snprintf(q, sizeof q, "/proc/%d/mounts", pid);
  printf("child's mounts == ours: %d\n", same_file(q, "/proc/self/mounts"));
  write(pfd[1], "x", 1);
  waitpid(pid, NULL, 0);
  int before = count_lines("/proc/self/mountinfo", NULL);
  T(umount2("outer/b", 0));
  printf("one line less after umount: %d\n", count_lines("/proc/self/mountinfo", NULL) == before - 1);
  printf("bind gone: %d\n", find("/proc/self/mountinfo", p, &b) == -1);
  T(umount2("outer", MNT_DETACH));
  printf("outer and inner gone: %d\n", count_lines("/proc/self/mountinfo", NULL) == before - 3);
  mnt_done();
  return 0;
}
