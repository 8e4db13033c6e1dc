/* Private file mappings of a host file: same bytes as read(), private writes, offsets,
 * the tail of the last page, permission errors. */
#include "common.h"

int main(int argc, char **argv) {
  init(argc, argv);
  static char rbuf[3 * 4096 + 100];
  const size_t size = 3 * PAGE + 100;
  int fd = T(open(fx("big.bin"), O_RDONLY));
  T(pread(fd, rbuf, sizeof rbuf, 0));
  char *m = TMAP(mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0));
  CHECK(memcmp(m, rbuf, size) == 0);
  SAY("sum: %lu", sum(m, size));
  /* beyond EOF, the rest of the last page reads as zero */
  int nz = 0;
  for (size_t i = size; i < 4 * PAGE; i++)
    nz |= m[i];
  CHECK(nz == 0);
  /* a writable private mapping: writes stay private */
  char *w = TMAP(mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
  memset(w + 10, '#', 5000);
  CHECK(w[10] == '#' && w[5009] == '#' && w[5010] == rbuf[5010]);
  CHECK(m[10] == rbuf[10]); /* the other mapping is unaffected */
  char c;
  T(pread(fd, &c, 1, 10));
  CHECK(c == rbuf[10]);
  char *m2 = TMAP(mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0));
  CHECK(m2[10] == rbuf[10] && m2[4000] == rbuf[4000]);
  /* an offset mapping */
  char *o = TMAP(mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, PAGE));
  CHECK(memcmp(o, rbuf + PAGE, 2 * PAGE) == 0);
  TMAP(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 100));
  /* mapping past EOF succeeds (touching it would raise SIGBUS) */
  TMAP(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 16 * PAGE));
  /* PROT_EXEC of a file is allowed */
  TMAP(mmap(NULL, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0));
  /* shared writable mapping of a read-only fd is refused; read-only shared is fine */
  TMAP(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
  char *sh = TMAP(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0));
  CHECK(sh[1] == rbuf[1]);
  T(mprotect(sh, PAGE, PROT_READ | PROT_WRITE));
  /* mprotect of the private read-only mapping to writable is fine */
  T(mprotect(m, PAGE, PROT_READ | PROT_WRITE));
  m[0] = 'X';
  T(pread(fd, &c, 1, 0));
  CHECK(c == rbuf[0]);
  /* directories, O_PATH and write-only fds cannot be mapped */
  int d = T(open(fx("dir"), O_RDONLY | O_DIRECTORY));
  TMAP(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, d, 0));
  int p = T(open(fx("big.bin"), O_PATH));
  TMAP(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, p, 0));
  int wo = T(open("/dev/null", O_WRONLY));
  TMAP(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, wo, 0));
  /* an empty file maps fine */
  int e = T(open(fx("empty"), O_RDONLY));
  TMAP(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, e, 0));
  /* the mapping outlives the fd */
  T(close(fd));
  CHECK(m2[PAGE + 7] == rbuf[PAGE + 7] && m2[size - 1] == rbuf[size - 1]);
  /* a small file */
  int s = T(open(fx("small.txt"), O_RDONLY));
  char *sm = TMAP(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, s, 0));
  SAY("small.txt mapped: %.12s|%d", sm, sm[13]);
  return 0;
}
