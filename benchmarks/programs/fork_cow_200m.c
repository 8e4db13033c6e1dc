/* fork(); the child reads one byte and _exit(0)s; the parent waitpid()s for
 * it — with 200 MiB of private memory touched by the parent first.
 * Copy-on-write should make this cost only a little more than fork_exit
 * (nothing is copied; the page table is shared and write-protected). The
 * cost of the later copy-on-write faults is what mmap_touch measures. */
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
    }
    uint64_t t1 = now_ns();
    report(t0, t1, n);
    return 0;
}
