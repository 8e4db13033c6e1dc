/* Directory listings of a host-backed directory follow creations, removals and renames. */
#include "gw_common.h"

int main(int argc, char **argv) {
  gw_init(argc, argv);
  char n[32];
  for (int i = 0; i < 60; i++) {
    snprintf(n, sizeof n, "f%02d", i);
    put(n, "");
  }
  ls(".");
  for (int i = 0; i < 60; i += 3) {
    snprintf(n, sizeof n, "f%02d", i);
    unlink(n);
  }
  ls(".");
  mkdir("sub", 0755);
  for (int i = 1; i < 60; i += 3) {
    char to[40];
    snprintf(n, sizeof n, "f%02d", i);
    snprintf(to, sizeof to, "sub/g%02d", i);
    rename(n, to);
  }
  ls(".");
  ls("sub");
  /* A directory fd kept open sees the changes after rewinddir. */
  DIR *d = opendir("sub");
  int c1 = 0, c2 = 0;
  while (readdir(d))
    c1++;
  put("sub/new", "");
  rewinddir(d);
  while (readdir(d))
    c2++;
  SAY("entries %d then %d", c1, c2);
  closedir(d);
  return 0;
}
