#include <stdio.h>
#include <signal.h>
#include <unistd.h>
#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
static volatile int got;
static void h(int s){got++;}
int main(){
  int p[2]; pipe(p);
  for (int restart=0; restart<2; restart++){
    struct sigaction sa; memset(&sa,0,sizeof sa); sa.sa_handler=h; sa.sa_flags= restart?SA_RESTART:0; sigaction(SIGUSR1,&sa,0);
    pid_t c=fork();
    if(c==0){ usleep(300000); kill(getppid(),SIGUSR1); usleep(100000); if(restart) write(p[1],"x",1); _exit(0);}
    char b; ssize_t r=read(p[0],&b,1);
    printf("restart=%d read=%zd errno=%s got=%d\n",restart,r,r<0?strerror(errno):"-",got);
    waitpid(c,0,0);
  }
  struct timespec ts={5,0}, rem={0,0};
  signal(SIGALRM,h); alarm(1);
  int r=nanosleep(&ts,&rem); printf("nanosleep=%d errno=%s rem_ok=%d\n",r,r?strerror(errno):"-",rem.tv_sec>=3&&rem.tv_sec<=4);
  return 0;}
