/* A fork bomb under RLIMIT_NPROC: as an unprivileged user with a limit of
 * 40 processes, fork until EAGAIN; every child sleeps until killed. The
 * limit must hold (fork fails with EAGAIN) and everything is cleaned up. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    if (setgid(65534) || setuid(65534)) {
        printf("setuid failed: %s\n", strerror(errno));
        return 1;
    }
    struct rlimit rl = {40, 40};
    if (setrlimit(RLIMIT_NPROC, &rl)) {
        printf("setrlimit failed: %s\n", strerror(errno));
        return 1;
    }
    pid_t kids[200];
    int n = 0, err = 0;
    for (int i = 0; i < 200; i++) {
        pid_t c = fork();
        if (c == 0) {
            for (;;)
                pause();
        }
        if (c < 0) {
            err = errno;
            break;
        }
        kids[n++] = c;
    }
    printf("fork stopped by EAGAIN: %s\n", err == EAGAIN ? "yes" : "no");
    printf("bounded by the limit: %s\n", n < 40 ? "yes" : "no");
    for (int i = 0; i < n; i++)
        kill(kids[i], SIGKILL);
    int reaped = 0;
    while (wait(NULL) > 0)
        reaped++;
    printf("all reaped: %s\n", reaped == n ? "yes" : "no");
    return 0;
}
