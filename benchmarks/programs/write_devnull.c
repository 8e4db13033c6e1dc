/* write(2) of 64 bytes to /dev/null. */
#include "bench.h"

int main(int argc, char **argv) {
    long n = iterations(argc, argv);
    char buf[64];
    memset(buf, 'x', sizeof(buf));
    int fd = open("/dev/null", O_WRONLY);
    if (fd < 0) die("open /dev/null");
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++)
        if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) die("write");
    uint64_t t1 = now_ns();
    report(t0, t1, n);
    return 0;
}
