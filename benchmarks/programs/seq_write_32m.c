/* Sequential write of a 32 MiB file in 64 KiB write(2)s (open with O_TRUNC,
 * write, close); one op is one whole file. */
#include "bench.h"

#define FILE_SIZE (32l << 20)
#define CHUNK (64 << 10)

int main(int argc, char **argv) {
    long n = iterations(argc, argv);
    char *dir = scratch_dir(argc, argv);
    char path[4200];
    snprintf(path, sizeof(path), "%s/data", dir);
    char *buf = malloc(CHUNK);
    memset(buf, 'w', CHUNK);
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++) {
        int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
        if (fd < 0) die("create");
        for (long off = 0; off < FILE_SIZE; off += CHUNK)
            if (write(fd, buf, CHUNK) != CHUNK) die("write");
        close(fd);
    }
    uint64_t t1 = now_ns();
    unlink(path);
    rmdir(dir);
    report(t0, t1, n);
    return 0;
}
