#include <stdio.h>
#include <signal.h>
#include <unistd.h>
#include <time.h>
#include <sys/wait.h>
static double now(){struct timespec t; clock_gettime(CLOCK_MONOTONIC,&t); return t.tv_sec+t.tv_nsec/1e9;}
int main(){
  pid_t c=fork();
  if(c==0){ double t0=now(); struct timespec ts={0,600000000}; int r=nanosleep(&ts,0); double d=now()-t0; printf("child nanosleep=%d slept_ok=%d\n",r,d>0.55&&d<0.8); fflush(stdout); _exit(0);}
  usleep(100000); kill(c,SIGSTOP); usleep(100000); kill(c,SIGCONT);
  int st; waitpid(c,&st,0); printf("exit=%d\n",WEXITSTATUS(st)); return 0;}
