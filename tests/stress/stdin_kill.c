/* A child blocked reading a host pipe (stdin from outside the sandbox, never
 * written) is killed by SIGTERM from its parent: the read must not be an
 * uninterruptible host call. */
#include <stdio.h>
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>
#include <time.h>
int main(){ pid_t c=fork(); if(c==0){ char b[4]; read(0,b,4); _exit(3);} struct timespec ts={0,200000000}; nanosleep(&ts,0); kill(c,SIGTERM); int st; waitpid(c,&st,0); printf("child killed by %d\n", WTERMSIG(st)); return 0;}
