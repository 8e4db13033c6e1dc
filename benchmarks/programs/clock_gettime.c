/* clock_gettime(CLOCK_MONOTONIC) through the C library (the vDSO where there is one). */
#include "bench.h"

int main(int argc, char **argv) {
    long n = iterations(argc, argv);
    struct timespec ts;
    volatile long sink = 0;
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++) {
        clock_gettime(CLOCK_MONOTONIC, &ts);
        sink += ts.tv_nsec;
    }
    uint64_t t1 = now_ns();
    report(t0, t1, n);
    return sink == -1;
}
