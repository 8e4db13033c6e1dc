/* mmap of lower files: a shared read-only mapping of an unmodified file, a shared
 * writable mapping (the open copies up; stores reach the file), and a private mapping
 * taken before another description changed the file. */
#include "ovl.h"

int main(int argc, char **argv) {
  init(argc, argv);
  int fd = TOK(open(P("big.bin"), O_RDONLY));
  char *p = TMAP(mmap(NULL, 3 * 4096 + 100, PROT_READ, MAP_SHARED, fd, 0));
  int ok = 1;
  for (size_t i = 0; i < 3 * 4096 + 100; i++)
    if (p[i] != ovl_pat(i))
      ok = 0;
  CHECK(ok);
  munmap(p, 3 * 4096 + 100);
  close(fd);
  fd = TOK(open(P("f.txt"), O_RDWR));
  p = TMAP(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
  memcpy(p, "MAPPED", 6);
  T(msync(p, 4096, MS_SYNC));
  munmap(p, 4096);
  close(fd);
  ovl_cat("f.txt");
  fd = TOK(open(P("g.txt"), O_RDONLY));
  p = TMAP(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
  p[0] = 'P';
  SAY("private: %.8s", p);
  munmap(p, 4096);
  close(fd);
  ovl_cat("g.txt");
  fd = TOK(open(P("ro.txt"), O_RDONLY));
  T(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED ? -1 : 0);
  close(fd);
  ovl_reset();
  return 0;
}
