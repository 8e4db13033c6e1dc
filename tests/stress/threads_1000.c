/* 1,000 threads created and joined, 100 alive at a time; each bumps a
 * mutex-protected counter and checks it runs on its own tid. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long counter, own_tid;

static void *run(void *arg) {
    (void)arg;
    long mine = syscall(SYS_gettid) != getpid();
    pthread_mutex_lock(&mu);
    counter++;
    own_tid += mine;
    pthread_mutex_unlock(&mu);
    return NULL;
}

int main(void) {
    pthread_t th[100];
    int created = 0;
    for (int round = 0; round < 10; round++) {
        for (int i = 0; i < 100; i++)
            if (pthread_create(&th[i], NULL, run, NULL) == 0)
                created++;
        for (int i = 0; i < 100; i++)
            pthread_join(th[i], NULL);
    }
    printf("created %d counter %ld own tids %ld\n", created, counter, own_tid);
    return created == 1000 && counter == 1000 ? 0 : 1;
}
