/* Extended attributes on the overlay root: a lower file's attributes
 * (the harness sets user.lower="L" on f.txt) are seen, survive the copy-up
 * a chmod makes, and can be set, replaced and removed afterwards; removing
 * a missing attribute is ENODATA; symlinks take no user.* attributes;
 * directories do. */
#include "ovl.h"
#include <sys/xattr.h>

static void get(const char *name, const char *attr) {
  char v[64] = {0};
  ssize_t n = getxattr(P(name), attr, v, sizeof v - 1);
  if (n < 0)
    printf("get %s %s: %s\n", name, attr, errname(errno));
  else
    printf("get %s %s: %zd \"%s\"\n", name, attr, n, v);
}

/* The user.* names, sorted. */
static void list(const char *name) {
  char buf[1024];
  ssize_t n = listxattr(P(name), buf, sizeof buf);
  if (n < 0) {
    printf("list %s: %s\n", name, errname(errno));
    return;
  }
  char *names[32];
  int k = 0;
  for (char *p = buf; p < buf + n && k < 32; p += strlen(p) + 1)
    if (!strncmp(p, "user.", 5))
      names[k++] = p;
  qsort(names, k, sizeof names[0], ovl_cmp);
  printf("list %s:", name);
  for (int i = 0; i < k; i++)
    printf(" %s", names[i]);
  printf("\n");
}

int main(int argc, char **argv) {
  init(argc, argv);
  get("f.txt", "user.lower");
  list("f.txt");
  T(chmod(P("f.txt"), 0600));
  get("f.txt", "user.lower");
  T(setxattr(P("f.txt"), "user.new", "N", 1, XATTR_CREATE));
  T(setxattr(P("f.txt"), "user.new", "N2", 2, XATTR_CREATE));
  T(setxattr(P("f.txt"), "user.new", "N2", 2, XATTR_REPLACE));
  get("f.txt", "user.new");
  list("f.txt");
  T(removexattr(P("f.txt"), "user.lower"));
  get("f.txt", "user.lower");
  T(removexattr(P("f.txt"), "user.lower"));
  list("f.txt");
  /* A lower-only file. */
  T(removexattr(P("g.txt"), "user.none"));
  T(setxattr(P("g.txt"), "user.g", "G", 1, XATTR_REPLACE));
  T(setxattr(P("g.txt"), "user.g", "G", 1, 0));
  get("g.txt", "user.g");
  /* Symlinks and directories. */
  T(lsetxattr(P("link"), "user.l", "x", 1, 0));
  char v[8];
  ssize_t n = lgetxattr(P("link"), "user.l", v, sizeof v);
  printf("lget link: %s\n", n < 0 ? errname(errno) : "found");
  T(setxattr(P("dir"), "user.d", "D", 1, 0));
  get("dir", "user.d");
  list("dir");
  T(removexattr(P("dir"), "user.d"));
  list("dir");
  ovl_reset();
  return 0;
}
