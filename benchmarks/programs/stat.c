/* stat("/etc/passwd"). */
#include "bench.h"

int main(int argc, char **argv) {
    long n = iterations(argc, argv);
    struct stat st;
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++)
        if (stat("/etc/passwd", &st) != 0) die("stat /etc/passwd");
    uint64_t t1 = now_ns();
    report(t0, t1, n);
    return 0;
}
