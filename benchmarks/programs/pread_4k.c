/* pread(2) of 4 KiB at pseudo-random 4 KiB-aligned offsets of a 64 MiB file
 * (written during setup, so it is in the page cache). */
#include "bench.h"

#define FILE_SIZE (64l << 20)
#define CHUNK (1 << 20)

int main(int argc, char **argv) {
    long n = iterations(argc, argv);
    char *dir = scratch_dir(argc, argv);
    char path[4200];
    snprintf(path, sizeof(path), "%s/data", dir);
    int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
    if (fd < 0) die("create data file");
    char *chunk = malloc(CHUNK);
    memset(chunk, 'a', CHUNK);
    for (long off = 0; off < FILE_SIZE; off += CHUNK)
        if (write(fd, chunk, CHUNK) != CHUNK) die("write data file");
    char buf[4096];
    uint64_t x = 88172645463325252ull;
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        off_t off = (off_t)(x % (FILE_SIZE / 4096)) * 4096;
        if (pread(fd, buf, sizeof(buf), off) != (ssize_t)sizeof(buf)) die("pread");
    }
    uint64_t t1 = now_ns();
    close(fd);
    unlink(path);
    rmdir(dir);
    report(t0, t1, n);
    return 0;
}
