/* List a directory of 10,000 empty files (created during setup): one op is
 * open + getdents64 until the end + close. */
#include "bench.h"
#include <sys/syscall.h>

#define ENTRIES 10000

int main(int argc, char **argv) {
    long n = iterations(argc, argv);
    char *dir = scratch_dir(argc, argv);
    char path[4200];
    for (int i = 0; i < ENTRIES; i++) {
        snprintf(path, sizeof(path), "%s/f%05d", dir, i);
        int fd = open(path, O_CREAT | O_WRONLY, 0600);
        if (fd < 0) die("create entry");
        close(fd);
    }
    static char buf[32768];
    long seen = 0;
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++) {
        int fd = open(dir, O_RDONLY | O_DIRECTORY);
        if (fd < 0) die("open dir");
        for (;;) {
            long got = syscall(SYS_getdents64, fd, buf, sizeof(buf));
            if (got < 0) die("getdents64");
            if (got == 0) break;
            for (long off = 0; off < got; off += *(unsigned short *)(buf + off + 16)) seen++;
        }
        close(fd);
    }
    uint64_t t1 = now_ns();
    if (seen != n * (ENTRIES + 2)) {
        fprintf(stderr, "saw %ld entries, expected %ld\n", seen, n * (ENTRIES + 2));
        return 1;
    }
    for (int i = 0; i < ENTRIES; i++) {
        snprintf(path, sizeof(path), "%s/f%05d", dir, i);
        unlink(path);
    }
    rmdir(dir);
    report(t0, t1, n);
    return 0;
}
