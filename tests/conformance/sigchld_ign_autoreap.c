#include <stdio.h>
#include <signal.h>
#include <unistd.h>
#include <errno.h>
#include <sys/wait.h>
int main(){ signal(SIGCHLD,SIG_IGN); for(int i=0;i<3;i++) if(fork()==0) _exit(i);
 int st; pid_t r=wait(&st); printf("wait=%d errno=%d\n",r,errno); return 0;}
