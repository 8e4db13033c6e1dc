/* fork(); the child _exit(0)s; the parent waitpid()s for it. */
#include "bench.h"
#include <sys/wait.h>

int main(int argc, char **argv) {
    long n = iterations(argc, argv);
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0) die("fork");
        if (pid == 0) _exit(0);
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
