/* mmap 1 MiB anonymous private memory and munmap it, without touching it. */
#include "bench.h"
#include <sys/mman.h>

int main(int argc, char **argv) {
    long n = iterations(argc, argv);
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++) {
        void *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) die("mmap");
        if (munmap(p, 1 << 20) != 0) die("munmap");
    }
    uint64_t t1 = now_ns();
    report(t0, t1, n);
    return 0;
}
