/* 5,000 fork + exit + wait, each child exiting with i % 256. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    int ok = 0;
    for (int i = 0; i < 5000; i++) {
        pid_t c = fork();
        if (c == 0)
            _exit(i % 256);
        int st;
        if (c > 0 && waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == i % 256)
            ok++;
    }
    printf("forks ok %d\n", ok);
    return ok == 5000 ? 0 : 1;
}
