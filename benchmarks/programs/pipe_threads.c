/* One-byte ping-pong over two pipes between two threads of one process;
 * one op is a full round trip. */
#include "bench.h"
#include <pthread.h>

static int ping[2], pong[2];
static long rounds;

static void *echo(void *arg) {
    (void)arg;
    char c;
    for (long i = 0; i < rounds; i++) {
        if (read(ping[0], &c, 1) != 1) die("read ping");
        if (write(pong[1], &c, 1) != 1) die("write pong");
    }
    return NULL;
}

int main(int argc, char **argv) {
    rounds = iterations(argc, argv);
    if (pipe(ping) || pipe(pong)) die("pipe");
    pthread_t t;
    errno = pthread_create(&t, NULL, echo, NULL);
    if (errno) die("pthread_create");
    char c = 'x';
    uint64_t t0 = now_ns();
    for (long i = 0; i < rounds; i++) {
        if (write(ping[1], &c, 1) != 1) die("write ping");
        if (read(pong[0], &c, 1) != 1) die("read pong");
    }
    uint64_t t1 = now_ns();
    pthread_join(t, NULL);
    report(t0, t1, rounds);
    return 0;
}
