/* Shared helpers for the micro benchmarks.
 *
 * Every program is invoked as `PROGRAM ITERATIONS SCRATCH_DIR`, does its
 * (untimed) setup, runs ITERATIONS iterations of one operation between two
 * clock_gettime(CLOCK_MONOTONIC) readings, and prints one line
 * `ns_per_op <float>` on stdout. Errors go to stderr as one line and the
 * program exits non-zero, so the runner can report the first stderr line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static inline uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

__attribute__((noreturn)) static void die(const char *what) {
    fprintf(stderr, "%s: %s\n", what, strerror(errno));
    exit(1);
}

static long iterations(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s ITERATIONS [SCRATCH_DIR]\n", argv[0]);
        exit(2);
    }
    long n = strtol(argv[1], NULL, 10);
    if (n < 1) {
        fprintf(stderr, "bad iteration count: %s\n", argv[1]);
        exit(2);
    }
    return n;
}

/* A fresh private directory under SCRATCH_DIR (argv[2], default /tmp). */
__attribute__((unused)) static char *scratch_dir(int argc, char **argv) {
    static char path[4096];
    const char *base = argc > 2 ? argv[2] : "/tmp";
    snprintf(path, sizeof(path), "%s/bench.XXXXXX", base);
    if (!mkdtemp(path)) {
        fprintf(stderr, "cannot create a scratch directory in %s: %s\n", base, strerror(errno));
        exit(1);
    }
    return path;
}

static void report(uint64_t start, uint64_t end, long iters) {
    printf("ns_per_op %.3f\n", (double)(end - start) / (double)iters);
    fflush(stdout);
}
