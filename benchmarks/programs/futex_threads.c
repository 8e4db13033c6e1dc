/* Ping-pong between two threads with FUTEX_WAIT/FUTEX_WAKE on one word;
 * one op is a full round trip. */
#include "bench.h"
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>

static int turn; /* 0: main's turn, 1: the other thread's */
static long rounds;

static void futex_wait(int *addr, int val) {
    if (syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0) != 0 && errno != EAGAIN &&
        errno != EINTR)
        die("futex wait");
}

static void futex_wake(int *addr) {
    if (syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0) < 0) die("futex wake");
}

/* Wait until turn == mine, then hand the turn to the other side. */
static void play(int mine) {
    while (__atomic_load_n(&turn, __ATOMIC_ACQUIRE) != mine) futex_wait(&turn, !mine);
    __atomic_store_n(&turn, !mine, __ATOMIC_RELEASE);
    futex_wake(&turn);
}

static void *partner(void *arg) {
    (void)arg;
    for (long i = 0; i < rounds; i++) play(1);
    return NULL;
}

int main(int argc, char **argv) {
    rounds = iterations(argc, argv);
    pthread_t t;
    errno = pthread_create(&t, NULL, partner, NULL);
    if (errno) die("pthread_create");
    uint64_t t0 = now_ns();
    for (long i = 0; i < rounds; i++) play(0);
    /* Wait for the partner's last move so the final round trip is complete. */
    while (__atomic_load_n(&turn, __ATOMIC_ACQUIRE) != 0) futex_wait(&turn, 1);
    uint64_t t1 = now_ns();
    pthread_join(t, NULL);
    report(t0, t1, rounds);
    return 0;
}
