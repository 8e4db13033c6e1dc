/* copy_file_range(2): offsets vs positions, EOF, same-file copies (overlap
 * EINVAL), flags, non-regular files, open modes. */
#include "common.h"

static char base[64];

static int mk(const char *name, const char *data, int flags) {
  char p[128];
  snprintf(p, sizeof p, "%s-%s", base, name);
  int fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (data)
    write(fd, data, strlen(data));
  lseek(fd, 0, SEEK_SET);
  if (flags & ~O_NOATIME || flags & O_NOATIME) {
    int f2 = open(p, flags & ~O_NOATIME);
    close(fd);
    fd = f2;
  }
  unlink(p);
  return fd;
}

static void show(const char *label, int fd) {
  char buf[128] = {0};
  long n = pread(fd, buf, sizeof buf - 1, 0);
  for (long i = 0; i < n; i++)
    if (buf[i] == 0)
      buf[i] = '.';
  printf("%s: %ld \"%s\"\n", label, n, buf);
}

int main(int argc, char **argv) {
  (void)argc; (void)argv;
  snprintf(base, sizeof base, "/tmp/splice_cfr-%d", (int)getpid());
  int in = mk("in", "abcdefghijklmnopqrstuvwxyz", 0);
  int out = mk("out", NULL, 0);
  T(copy_file_range(in, NULL, out, NULL, 5, 0));
  T(lseek(in, 0, SEEK_CUR));
  T(lseek(out, 0, SEEK_CUR));
  loff_t oi = 20, oo = 10;
  T(copy_file_range(in, &oi, out, &oo, 100, 0));
  printf("oi=%ld oo=%ld\n", (long)oi, (long)oo);
  T(lseek(in, 0, SEEK_CUR));
  T(lseek(out, 0, SEEK_CUR));
  oi = 26;
  T(copy_file_range(in, &oi, out, NULL, 5, 0));
  oi = 100;
  T(copy_file_range(in, &oi, out, NULL, 5, 0));
  T(copy_file_range(in, NULL, out, NULL, 0, 0));
  show("out", out);
  /* Same file: disjoint ranges work, overlapping ones are EINVAL. */
  oi = 0;
  oo = 30;
  T(copy_file_range(in, &oi, in, &oo, 5, 0));
  oi = 0;
  oo = 3;
  T(copy_file_range(in, &oi, in, &oo, 5, 0));
  oi = 3;
  oo = 0;
  T(copy_file_range(in, &oi, in, &oo, 5, 0));
  oi = 40;
  oo = 0;
  T(copy_file_range(in, &oi, in, &oo, 5, 0));
  show("in", in);
  /* Errors. */
  T(copy_file_range(in, NULL, out, NULL, 5, 1));
  T(copy_file_range(-1, NULL, out, NULL, 5, 0));
  T(copy_file_range(in, NULL, -1, NULL, 5, 0));
  int ro = mk("ro", "data", O_RDONLY | O_NOATIME);
  int wo = mk("wo", "data", O_WRONLY);
  T(copy_file_range(in, NULL, ro, NULL, 5, 0));
  T(copy_file_range(wo, NULL, out, NULL, 5, 0));
  int app = mk("app", NULL, O_WRONLY | O_APPEND);
  T(copy_file_range(in, NULL, app, NULL, 5, 0));
  int p[2];
  pipe(p);
  T(copy_file_range(p[0], NULL, out, NULL, 5, 0));
  T(copy_file_range(in, NULL, p[1], NULL, 5, 0));
  int d = open("/tmp", O_RDONLY | O_DIRECTORY);
  T(copy_file_range(d, NULL, out, NULL, 5, 0));
  oi = -1;
  T(copy_file_range(in, &oi, out, NULL, 5, 0));
  oi = -10;
  T(copy_file_range(in, &oi, out, NULL, 5, 0));
  oo = -10;
  T(copy_file_range(in, NULL, out, &oo, 5, 0));
  T(copy_file_range(in, BADPTR, out, NULL, 5, 0));
  oi = 0x7ffffffffffffff0L;
  T(copy_file_range(in, &oi, out, NULL, 0x100, 0));
  /* readahead and posix_fadvise validation. */
  T(readahead(in, 0, 100));
  T(readahead(p[0], 0, 100));
  T(readahead(wo, 0, 100));
  T(readahead(-1, 0, 100));
  T(posix_fadvise(in, 0, 100, POSIX_FADV_WILLNEED));
  T(posix_fadvise(in, 0, 100, 99));
  T(posix_fadvise(in, 0, -1, POSIX_FADV_NORMAL));
  T(posix_fadvise(p[0], 0, 100, POSIX_FADV_NORMAL));
  return 0;
}
