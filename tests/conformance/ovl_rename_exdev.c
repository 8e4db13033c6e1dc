/* Moving a directory that comes from the lower layer: Linux overlayfs without
 * redirect_dir refuses with EXDEV and mv copies instead. This does what mv does (rename,
 * or on EXDEV copy and remove) and prints the result, which must be the same natively.
 * Directories created in the sandbox move with rename. */
#include "ovl.h"

static void copy_tree(const char *from, const char *to) {
  struct stat s;
  lstat(P(from), &s);
  if (S_ISDIR(s.st_mode)) {
    mkdir(P(to), s.st_mode & 07777);
    DIR *d = opendir(P(from));
    struct dirent *e;
    char names[64][256];
    int n = 0;
    while (d && (e = readdir(d)) && n < 64)
      if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
        snprintf(names[n++], 256, "%s", e->d_name);
    if (d)
      closedir(d);
    for (int i = 0; i < n; i++) {
      char f[512], t[512];
      snprintf(f, sizeof f, "%s/%s", from, names[i]);
      snprintf(t, sizeof t, "%s/%s", to, names[i]);
      copy_tree(f, t);
    }
    return;
  }
  char buf[4096];
  int in = open(P(from), O_RDONLY), out = open(P(to), O_WRONLY | O_CREAT | O_EXCL, s.st_mode & 07777);
  ssize_t n;
  while ((n = read(in, buf, sizeof buf)) > 0)
    if (write(out, buf, n) != n)
      printf("copy: FAIL\n");
  close(in);
  close(out);
}

static void mv(const char *from, const char *to) {
  if (rename(P(from), P(to)) == 0) {
    SAY("mv %s %s: renamed", from, to);
    return;
  }
  if (errno != EXDEV) {
    SAY("mv %s %s: %s", from, to, errname(errno));
    return;
  }
  copy_tree(from, to);
  ovl_rm_abs(P(from));
  SAY("mv %s %s: renamed", from, to); /* what the user sees either way */
}

int main(int argc, char **argv) {
  init(argc, argv);
  mv("dir", "moved");
  ovl_list(".");
  ovl_list("moved");
  ovl_list("moved/sub");
  ovl_cat("moved/sub/c");
  mv("empty", "dir2/empty");
  ovl_list("dir2");
  T(mkdir(P("fresh"), 0755));
  ovl_write("fresh/f", "f\n", 0644);
  T(rename(P("fresh"), P("dir2/fresh")));
  ovl_list("dir2/fresh");
  /* a moved directory keeps its contents after a second move */
  T(rename(P("dir2/fresh"), P("fresh2")));
  ovl_cat("fresh2/f");
  ovl_reset();
  return 0;
}
