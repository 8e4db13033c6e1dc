/* One-byte ping-pong over two pipes between a parent and a forked child;
 * one op is a full round trip. */
#include "bench.h"
#include <sys/wait.h>

int main(int argc, char **argv) {
    long n = iterations(argc, argv);
    int ping[2], pong[2];
    if (pipe(ping) || pipe(pong)) die("pipe");
    pid_t pid = fork();
    if (pid < 0) die("fork");
    char c = 'x';
    if (pid == 0) {
        for (long i = 0; i < n; i++) {
            if (read(ping[0], &c, 1) != 1) die("child read");
            if (write(pong[1], &c, 1) != 1) die("child write");
        }
        _exit(0);
    }
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++) {
        if (write(ping[1], &c, 1) != 1) die("write ping");
        if (read(pong[0], &c, 1) != 1) die("read pong");
    }
    uint64_t t1 = now_ns();
    int status;
    if (waitpid(pid, &status, 0) != pid) die("waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "child failed (status 0x%x)\n", status);
        return 1;
    }
    report(t0, t1, n);
    return 0;
}
