/* /proc/self/maps and smaps for a file mapping: permissions, offset, the file's
 * major:minor and inode (as stat reports them), the path column; a private anonymous
 * mapping shows 00:00 0; smaps has the Linux fields in order with Size and the VmFlags of
 * the mapping. */
#include "common.h"
#include <sys/sysmacros.h>

static int find_line(const char *file, unsigned long addr, char *out, size_t n) {
  FILE *f = fopen(file, "r");
  if (!f) return -1;
  char line[1024];
  int found = -1;
  while (fgets(line, sizeof line, f)) {
    unsigned long lo, hi;
    if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && lo == addr) {
      snprintf(out, n, "%s", line);
      found = 0;
      break;
    }
  }
  fclose(f);
  return found;
}

int main(int argc, char **argv) {
  char path[512];
  snprintf(path, sizeof path, "%s/big.bin", argv[1]);
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    printf("FAIL open %s\n", errname(errno));
    return 1;
  }
  struct stat st;
  fstat(fd, &st);
  char *m = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, PAGE);
  if (m == MAP_FAILED) {
    printf("FAIL mmap %s\n", errname(errno));
    return 1;
  }
  volatile char c = m[0];
  (void)c;
  char line[1024];
  if (find_line("/proc/self/maps", (unsigned long)m, line, sizeof line) != 0) {
    printf("FAIL no maps line\n");
    return 1;
  }
  char perms[8], dev[16], name[512] = "";
  unsigned long off, ino;
  unsigned dma, dmi;
  int n = sscanf(line, "%*x-%*x %7s %lx %15s %lu %511s", perms, &off, dev, &ino, name);
  sscanf(dev, "%x:%x", &dma, &dmi);
  printf("fields %d perms %s offset %lx\n", n, perms, off);
  printf("dev matches stat: %d, inode matches stat: %d\n",
         dma == major(st.st_dev) && dmi == minor(st.st_dev), ino == st.st_ino);
  printf("path is the file: %d\n", strcmp(name, path) == 0);
  printf("path column at 73: %d\n", (int)(strstr(line, name) - line) == 73);
  /* An anonymous private mapping. */
  char *a = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  a[0] = 1;
  find_line("/proc/self/maps", (unsigned long)a, line, sizeof line);
  n = sscanf(line, "%*x-%*x %7s %lx %15s %lu %511s", perms, &off, dev, &ino, name);
  printf("anon: fields %d perms %s offset %lx dev %s inode %lu\n", n, perms, off, dev, ino);
  /* smaps of the file mapping. */
  FILE *f = fopen("/proc/self/smaps", "r");
  int in = 0;
  while (f && fgets(line, sizeof line, f)) {
    unsigned long lo;
    if (strchr(line, '-') && sscanf(line, "%lx-", &lo) == 1 && strchr(line, ' ') - line > 8) {
      if (in) break;
      in = lo == (unsigned long)m;
      continue;
    }
    if (!in) continue;
    char key[64];
    long v;
    if (strncmp(line, "VmFlags:", 8) == 0) {
      printf("smaps %s", line);
    } else if (sscanf(line, "%63[^:]: %ld", key, &v) == 2) {
      if (strcmp(key, "Size") == 0 || strcmp(key, "KernelPageSize") == 0 ||
          strcmp(key, "MMUPageSize") == 0 || strcmp(key, "Swap") == 0)
        printf("smaps %s: %ld\n", key, v);
      else
        printf("smaps %s\n", key);
    }
  }
  if (f) fclose(f);
  return 0;
}
