/* open(O_CREAT|O_EXCL) + close + unlink of an empty file in the scratch dir. */
#include "bench.h"

int main(int argc, char **argv) {
    long n = iterations(argc, argv);
    char *dir = scratch_dir(argc, argv);
    char path[4200];
    snprintf(path, sizeof(path), "%s/file", dir);
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++) {
        int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600);
        if (fd < 0) die("create");
        close(fd);
        if (unlink(path) != 0) die("unlink");
    }
    uint64_t t1 = now_ns();
    rmdir(dir);
    report(t0, t1, n);
    return 0;
}
