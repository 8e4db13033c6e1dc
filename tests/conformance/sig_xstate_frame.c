#define _GNU_SOURCE
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>
static int magic_ok, flags_ok;
static void h(int s, siginfo_t *si, void *ucv){
  ucontext_t *uc=ucv; unsigned char *fp=(unsigned char*)uc->uc_mcontext.fpregs;
  unsigned m1; memcpy(&m1, fp+464, 4); unsigned ext; memcpy(&ext, fp+468,4);
  unsigned m2; memcpy(&m2, fp+ext-4, 4);
  magic_ok = m1==0x46505853 && m2==0x46505845; flags_ok = uc->uc_flags & 1;
  __asm__ volatile("vpxor %%ymm0,%%ymm0,%%ymm0; vpxor %%ymm7,%%ymm7,%%ymm7":::"xmm0","xmm7");
}
int main(){
  struct sigaction sa; memset(&sa,0,sizeof sa); sa.sa_sigaction=h; sa.sa_flags=SA_SIGINFO; sigaction(SIGUSR1,&sa,0);
  unsigned long in[4]={0x1111111111111111,0x2222222222222222,0x3333333333333333,0x4444444444444444}, out[4], out7[4];
  __asm__ volatile("vmovdqu %0,%%ymm0; vmovdqu %0,%%ymm7"::"m"(in):"xmm0","xmm7");
  kill(getpid(),SIGUSR1);
  __asm__ volatile("vmovdqu %%ymm0,%0; vmovdqu %%ymm7,%1":"=m"(out),"=m"(out7));
  printf("magic ok %d uc_flags FP_XSTATE %d ymm0 restored %d ymm7 restored %d\n",magic_ok,flags_ok,!memcmp(in,out,32),!memcmp(in,out7,32));
  return 0;}
