/* Sequential read of a 32 MiB file (written during setup) in 64 KiB read(2)s
 * (open, read to the end, close); one op is one whole file. */
#include "bench.h"

#define FILE_SIZE (32l << 20)
#define CHUNK (64 << 10)

int main(int argc, char **argv) {
    long n = iterations(argc, argv);
    char *dir = scratch_dir(argc, argv);
    char path[4200];
    snprintf(path, sizeof(path), "%s/data", dir);
    char *buf = malloc(CHUNK);
    memset(buf, 'r', CHUNK);
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    if (fd < 0) die("create");
    for (long off = 0; off < FILE_SIZE; off += CHUNK)
        if (write(fd, buf, CHUNK) != CHUNK) die("write");
    close(fd);
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++) {
        fd = open(path, O_RDONLY);
        if (fd < 0) die("open");
        long total = 0;
        for (;;) {
            ssize_t got = read(fd, buf, CHUNK);
            if (got < 0) die("read");
            if (got == 0) break;
            total += got;
        }
        close(fd);
        if (total != FILE_SIZE) {
            fprintf(stderr, "read %ld bytes, expected %ld\n", total, FILE_SIZE);
            return 1;
        }
    }
    uint64_t t1 = now_ns();
    unlink(path);
    rmdir(dir);
    report(t0, t1, n);
    return 0;
}
