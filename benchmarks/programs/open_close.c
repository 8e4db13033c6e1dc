/* open("/etc/passwd", O_RDONLY) + close: path walk of an existing host file. */
#include "bench.h"

int main(int argc, char **argv) {
    long n = iterations(argc, argv);
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++) {
        int fd = open("/etc/passwd", O_RDONLY);
        if (fd < 0) die("open /etc/passwd");
        close(fd);
    }
    uint64_t t1 = now_ns();
    report(t0, t1, n);
    return 0;
}
