/* Writes of many pages to a tmpfs file (/dev/shm): unaligned offsets, over holes and
 * existing pages, seen by read(2) and by a MAP_SHARED mapping made before the write;
 * memfd F_SEAL_GROW cuts a multi-page write at the size, page by page. */
#include "common.h"
#include <sys/syscall.h>

#define BIG (40 * PAGE + 123)

static unsigned char src[BIG], got[BIG + 2 * PAGE];

int main(void) {
  char path[128];
  snprintf(path, sizeof path, "/dev/shm/tmpfs_big_write.%d", getpid());
  int fd = TOK(open(path, O_CREAT | O_RDWR | O_EXCL, 0600));
  unlink(path);
  for (size_t i = 0; i < BIG; i++)
    src[i] = pattern_byte(i);
  /* A mapping of the first 64 pages before anything is written. */
  T(ftruncate(fd, 64 * PAGE));
  unsigned char *m = TMAP(mmap(NULL, 64 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
  if (m == MAP_FAILED)
    return 1;
  m[5 * PAGE + 7] = 'M'; /* one page present before the write */
  SAY("pwrite at 1000: %zd", pwrite(fd, src, BIG, 1000));
  size_t n = pread(fd, got, BIG + 2000, 0);
  SAY("pread: %zu", n);
  int ok = 1;
  for (size_t i = 0; i < 1000; i++)
    ok &= got[i] == 0;
  ok &= memcmp(got + 1000, src, BIG) == 0;
  for (size_t i = 1000 + BIG; i < n; i++)
    ok &= got[i] == 0;
  CHECK(ok);
  CHECK(memcmp(m + 1000, src, BIG) == 0);
  CHECK(m[999] == 0);
  /* Overwrite the middle through write(2) at the file position, not page aligned. */
  T(lseek(fd, 3 * PAGE + 17, SEEK_SET));
  memset(src, 'x', 9 * PAGE);
  SAY("write: %zd", write(fd, src, 9 * PAGE));
  SAY("position: %ld", (long)lseek(fd, 0, SEEK_CUR));
  T(pread(fd, got, 12 * PAGE + 100, 3 * PAGE));
  ok = got[16] != 'x' && got[17] == 'x' && got[17 + 9 * PAGE - 1] == 'x' && got[17 + 9 * PAGE] != 'x';
  CHECK(ok);
  CHECK(m[3 * PAGE + 17] == 'x' && m[12 * PAGE + 16] == 'x' && m[12 * PAGE + 17] != 'x');
  /* Past the end: the file grows, the gap reads as zeros. */
  T(ftruncate(fd, PAGE));
  SAY("pwrite past the end: %zd", pwrite(fd, src, 5 * PAGE, 20 * PAGE + 1));
  struct stat st;
  T(fstat(fd, &st));
  SAY("size: %ld", (long)st.st_size);
  T(pread(fd, got, 2 * PAGE, 19 * PAGE));
  CHECK(got[0] == 0 && got[PAGE] == 0 && got[PAGE + 1] == 'x' && got[2 * PAGE - 1] == 'x');
  munmap(m, 64 * PAGE);
  close(fd);
  /* memfd with F_SEAL_GROW: a 10-page write from inside page 2 of a 4-page file. */
  int mfd = TOK(syscall(SYS_memfd_create, "big", 2 /* MFD_ALLOW_SEALING */));
  T(ftruncate(mfd, 4 * PAGE));
  T(fcntl(mfd, F_ADD_SEALS, F_SEAL_GROW));
  SAY("sealed pwrite: %zd", pwrite(mfd, src, 10 * PAGE, 2 * PAGE + 5));
  T(fstat(mfd, &st));
  SAY("sealed size: %ld", (long)st.st_size);
  close(mfd);
  return 0;
}
