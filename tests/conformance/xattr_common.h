/* Extended attribute checks shared by gw_xattr (a host-backed directory) and
 * xattr_tmpfs (/dev/shm). Runs in the current directory. */
#include <sys/xattr.h>

static void show_list(const char *path) {
  char buf[1024];
  ssize_t n = listxattr(path, buf, sizeof buf);
  if (n < 0) {
    printf("listxattr %s = -1 %s\n", path, errname(errno));
    return;
  }
  /* Sorted, and only user.* (the host may add security.* labels). */
  char *names[64];
  int k = 0;
  for (char *p = buf; p < buf + n && k < 64; p += strlen(p) + 1)
    if (strncmp(p, "user.", 5) == 0)
      names[k++] = p;
  for (int i = 0; i < k; i++)
    for (int j = i + 1; j < k; j++)
      if (strcmp(names[j], names[i]) < 0) {
        char *t = names[i];
        names[i] = names[j];
        names[j] = t;
      }
  printf("list %s:", path);
  for (int i = 0; i < k; i++)
    printf(" %s", names[i]);
  printf("\n");
}

static void xattr_checks(void) {
  put("f", "x");
  mkdir("d", 0755);
  symlink("f", "l");
  mkfifo("p", 0644);
  char v[128] = {0};
  T(setxattr("f", "user.a", "one", 3, 0));
  T(setxattr("f", "user.b", "", 0, 0));
  T(getxattr("f", "user.a", v, sizeof v));
  SAY("value %s", v);
  T(getxattr("f", "user.a", NULL, 0));
  T(getxattr("f", "user.a", v, 1));
  T(getxattr("f", "user.b", v, sizeof v));
  T(getxattr("f", "user.missing", v, sizeof v));
  T(setxattr("f", "user.a", "two", 3, XATTR_CREATE));
  T(setxattr("f", "user.c", "two", 3, XATTR_REPLACE));
  T(setxattr("f", "user.a", "three", 5, XATTR_REPLACE));
  memset(v, 0, sizeof v);
  T(getxattr("l", "user.a", v, sizeof v)); /* follows the link */
  SAY("value %s", v);
  T(lgetxattr("l", "user.a", v, sizeof v));
  T(lsetxattr("l", "user.a", "x", 1, 0));
  T(setxattr("f", "user.a", "x", 1, 8));
  T(setxattr("f", "", "x", 1, 0));
  T(setxattr("f", "nonamespace", "x", 1, 0));
  T(getxattr("f", "bogus.x", v, sizeof v));
  char longname[300];
  memset(longname, 'n', sizeof longname);
  memcpy(longname, "user.", 5);
  longname[299] = 0;
  T(setxattr("f", longname, "x", 1, 0));
  T(setxattr("p", "user.a", "x", 1, 0));
  T(getxattr("p", "user.a", v, sizeof v));
  T(setxattr("d", "user.dir", "D", 1, 0));
  show_list("f");
  show_list("d");
  T(listxattr("f", v, 2) == -1 && errno == ERANGE);
  int fd = open("f", O_RDWR);
  memset(v, 0, sizeof v);
  T(fgetxattr(fd, "user.a", v, sizeof v));
  SAY("value %s", v);
  T(fsetxattr(fd, "user.fd", "F", 1, 0));
  T(fremovexattr(fd, "user.b"));
  T(fremovexattr(fd, "user.b"));
  T(removexattr("f", "user.missing"));
  show_list("f");
  T(flistxattr(fd, NULL, 0) > 0);
  int path = open("f", O_PATH);
  T(fgetxattr(path, "user.a", v, sizeof v));
  T(getxattr("missing", "user.a", v, sizeof v));
  T(getxattr("f", "user.a", BADPTR, sizeof v));
  T(setxattr("f", "user.a", BADPTR, 4, 0));
  T(setxattr("f", BADPTR, "x", 1, 0));
}
