/* Signal delivery round trip: kill(getpid(), SIGUSR1) -> handler runs ->
 * rt_sigreturn back to the caller. */
#include "bench.h"
#include <signal.h>

static volatile sig_atomic_t handled;

static void handler(int sig) {
    (void)sig;
    handled++;
}

int main(int argc, char **argv) {
    long n = iterations(argc, argv);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = handler;
    if (sigaction(SIGUSR1, &sa, NULL) != 0) die("sigaction");
    pid_t self = getpid();
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++)
        if (kill(self, SIGUSR1) != 0) die("kill");
    uint64_t t1 = now_ns();
    if (handled != n) {
        fprintf(stderr, "SIGUSR1 handler ran %ld times for %ld kill(getpid(), SIGUSR1) calls\n",
                (long)handled, n);
        return 1;
    }
    report(t0, t1, n);
    return 0;
}
