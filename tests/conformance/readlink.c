/* readlink/readlinkat: contents, truncation, errors. */
#include "common.h"

#define RL(call)                                                               \
  do {                                                                         \
    memset(buf, '#', sizeof buf);                                              \
    errno = 0;                                                                 \
    long _r = (call);                                                          \
    if (_r < 0)                                                                \
      printf("%s = -1 %s\n", #call, errname(errno));                           \
    else                                                                       \
      printf("%s = %ld \"%.*s\" next '%c'\n", #call, _r, (int)_r, buf,         \
             buf[_r]);                                                         \
  } while (0)

int main(int argc, char **argv) {
  init(argc, argv);
  char buf[256];
  RL(readlink(fx("link_rel"), buf, sizeof buf));
  RL(readlink(fx("link_dir"), buf, sizeof buf));
  RL(readlink(fx("link_dangling"), buf, sizeof buf));
  RL(readlink(fx("loop1"), buf, sizeof buf));
  RL(readlink(fx("dir/link"), buf, sizeof buf));
  RL(readlink(fx("link_dir/link"), buf, sizeof buf));
  RL(readlink(fx("link_rel"), buf, 3));
  RL(readlink(fx("link_rel"), buf, 1));
  RL(readlink(fx("link_rel"), buf, 0));
  RL(readlink(fx("link_rel"), buf, HUGELEN));
  RL(readlink(fx("file.txt"), buf, sizeof buf));
  RL(readlink(fx("dir"), buf, sizeof buf));
  RL(readlink(fx("link_dir/"), buf, sizeof buf));
  RL(readlink(fx("nonexistent"), buf, sizeof buf));
  RL(readlink(fx("file.txt/x"), buf, sizeof buf));
  RL(readlink("", buf, sizeof buf));
  RL(readlink("/dev/null", buf, sizeof buf));
  RL(readlink(fx("link_rel"), BADPTR, sizeof buf));
  /* the absolute link: compare with the expected target instead of printing it */
  memset(buf, 0, sizeof buf);
  long n = readlink(fx("link_abs"), buf, sizeof buf);
  CHECK(n == (long)strlen(fx("file.txt")) && strcmp(buf, fx("file.txt")) == 0);

  int dfd = T(open(fixture_dir, O_RDONLY | O_DIRECTORY));
  RL(readlinkat(dfd, "link_rel", buf, sizeof buf));
  RL(readlinkat(dfd, "dir/link", buf, sizeof buf));
  RL(readlinkat(dfd, "small.txt", buf, sizeof buf));
  RL(readlinkat(dfd, "", buf, sizeof buf));
  RL(readlinkat(-1, "link_rel", buf, sizeof buf));
  RL(readlinkat(AT_FDCWD, fx("link_rel"), buf, sizeof buf));
  /* empty path on an O_PATH|O_NOFOLLOW fd of the link itself */
  int lfd = T(open(fx("link_dir"), O_PATH | O_NOFOLLOW));
  RL(readlinkat(lfd, "", buf, sizeof buf));
  int ffd = T(open(fx("small.txt"), O_PATH));
  RL(readlinkat(ffd, "", buf, sizeof buf));
  RL(readlinkat(ffd, "x", buf, sizeof buf));
  T(fchdir(dfd));
  RL(readlink("link_rel", buf, sizeof buf));
  RL(readlink("./dir/../link_dir", buf, sizeof buf));
  return 0;
}
