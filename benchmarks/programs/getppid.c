/* getppid: the cheapest real system call (glibc does not cache it). */
#include "bench.h"
#include <sys/syscall.h>

int main(int argc, char **argv) {
    long n = iterations(argc, argv);
    volatile long sink = 0;
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++) sink += syscall(SYS_getppid);
    uint64_t t1 = now_ns();
    report(t0, t1, n);
    return sink < 0;
}
