/* stat() of an existing file: /etc/passwd on the root file system, or,
 * with a SCRATCH_DIR argument, a file created there first. */
#include "bench.h"

int main(int argc, char **argv) {
    long n = iterations(argc, argv);
    const char *path = "/etc/passwd";
    char buf[4200];
    if (argc > 2) {
        snprintf(buf, sizeof(buf), "%s/file", scratch_dir(argc, argv));
        int fd = open(buf, O_CREAT | O_WRONLY | O_TRUNC, 0600);
        if (fd < 0) die("create the file");
        close(fd);
        path = buf;
    }
    struct stat st;
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++)
        if (stat(path, &st) != 0) die("stat");
    uint64_t t1 = now_ns();
    if (path == buf) {
        unlink(buf);
        *strrchr(buf, '/') = 0;
        rmdir(buf);
    }
    report(t0, t1, n);
    return 0;
}
