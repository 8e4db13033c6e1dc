#include <stdio.h>
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>
int main(){
  pid_t c=fork(); if(c==0){ for(;;) pause(); }
  int st; kill(c,SIGSTOP); pid_t r=waitpid(c,&st,WUNTRACED); printf("stopped=%d sig=%d same=%d\n",WIFSTOPPED(st),WSTOPSIG(st),r==c);
  kill(c,SIGCONT); r=waitpid(c,&st,WCONTINUED); printf("continued=%d\n",WIFCONTINUED(st));
  kill(c,SIGTSTP); siginfo_t si; waitid(P_PID,c,&si,WSTOPPED); printf("waitid code=%d status=%d\n",si.si_code,si.si_status);
  kill(c,SIGCONT); waitid(P_PID,c,&si,WCONTINUED); printf("waitid code=%d status=%d\n",si.si_code,si.si_status);
  kill(c,SIGTERM); waitpid(c,&st,0); printf("term=%d\n",WTERMSIG(st));
  return 0;}
