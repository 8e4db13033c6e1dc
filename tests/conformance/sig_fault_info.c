#include <stdio.h>
#include <signal.h>
#include <setjmp.h>
#include <string.h>
#include <sys/mman.h>
static sigjmp_buf jb; static siginfo_t last;
static void h(int s, siginfo_t*si, void*uc){ last=*si; siglongjmp(jb,1);}
int main(){
 struct sigaction sa; memset(&sa,0,sizeof sa); sa.sa_sigaction=h; sa.sa_flags=SA_SIGINFO|SA_NODEFER;
 sigaction(SIGSEGV,&sa,0); sigaction(SIGFPE,&sa,0); sigaction(SIGILL,&sa,0); sigaction(SIGTRAP,&sa,0); sigaction(SIGBUS,&sa,0);
 if(!sigsetjmp(jb,1)){ *(volatile int*)0x1000=1; } printf("segv signo=%d code=%d addr_ok=%d\n",last.si_signo,last.si_code,last.si_addr==(void*)0x1000);
 char*p=mmap(0,4096,PROT_READ,MAP_PRIVATE|MAP_ANONYMOUS,-1,0);
 if(!sigsetjmp(jb,1)){ *(volatile char*)p=1; } printf("segv signo=%d code=%d addr_ok=%d\n",last.si_signo,last.si_code,last.si_addr==p);
 volatile int z=0; if(!sigsetjmp(jb,1)){ volatile int x=5/z; (void)x;} printf("fpe signo=%d code=%d\n",last.si_signo,last.si_code);
 if(!sigsetjmp(jb,1)){ __asm__ volatile("ud2"); } printf("ill signo=%d code=%d\n",last.si_signo,last.si_code);
 if(!sigsetjmp(jb,1)){ __asm__ volatile("int3"); } printf("trap signo=%d code=%d\n",last.si_signo,last.si_code);
 return 0;}
