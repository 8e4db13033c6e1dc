/* mmap 1 MiB anonymous memory, write one byte in each 4 KiB page (256 page
 * faults), munmap. */
#include "bench.h"
#include <sys/mman.h>

int main(int argc, char **argv) {
    long n = iterations(argc, argv);
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++) {
        char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) die("mmap");
        for (long off = 0; off < (1 << 20); off += 4096) ((volatile char *)p)[off] = 1;
        if (munmap(p, 1 << 20) != 0) die("munmap");
    }
    uint64_t t1 = now_ns();
    report(t0, t1, n);
    return 0;
}
