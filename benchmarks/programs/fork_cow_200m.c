/* fork(); the child _exit(0)s; the parent waitpid()s for it — with 200 MiB
 * of private memory touched by the parent first. Copy-on-write should make
 * this cost about the same as fork_exit (nothing is copied), and the
 * parent re-touches one byte per 2 MiB after each fork so write faults on
 * now-shared pages are included. */
#include "bench.h"
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define SIZE (200UL << 20)

int main(int argc, char **argv) {
    long n = iterations(argc, argv);
    char *mem = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) die("mmap");
    memset(mem, 1, SIZE);
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0) die("fork");
        if (pid == 0) _exit(mem[i % SIZE] == 1 ? 0 : 1);
        int status;
        if (waitpid(pid, &status, 0) != pid) die("waitpid");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "child failed (status 0x%x)\n", status);
            return 1;
        }
        for (unsigned long off = 0; off < SIZE; off += 2UL << 20)
            mem[off] = 1;
    }
    uint64_t t1 = now_ns();
    report(t0, t1, n);
    return 0;
}
