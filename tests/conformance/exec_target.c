/* Helper exec'd by execve.c: prints what it received (argv, envp, auxv, fds, signal
 * state). Not a test on its own. */
#include "common.h"
#include <signal.h>
#include <sys/auxv.h>
#include <elf.h>

extern char **environ;
extern char _start[];

int main(int argc, char **argv) {
  static char outbuf[BUFSIZ];
  setvbuf(stdout, outbuf, _IOLBF, sizeof outbuf);
  SAY("exec_target: argc %d", argc);
  for (int i = 0; i < argc; i++)
    SAY("argv[%d] = \"%s\"", i, argv[i]);
  CHECK(argv[argc] == NULL);
  for (char **e = environ; *e; e++)
    SAY("env: %s", *e);
  SAY("AT_PAGESZ = %lu", getauxval(AT_PAGESZ));
  SAY("AT_SECURE = %lu", getauxval(AT_SECURE));
  SAY("AT_UID/EUID/GID/EGID = %lu %lu %lu %lu", getauxval(AT_UID), getauxval(AT_EUID),
      getauxval(AT_GID), getauxval(AT_EGID));
  SAY("AT_CLKTCK = %lu", getauxval(AT_CLKTCK));
  const char *execfn = (const char *)getauxval(AT_EXECFN);
  const char *slash = execfn ? strrchr(execfn, '/') : NULL;
  SAY("AT_EXECFN basename = %s", slash ? slash + 1 : execfn ? execfn : "(null)");
  const char *platform = (const char *)getauxval(AT_PLATFORM);
  SAY("AT_PLATFORM = %s", platform ? platform : "(null)");
  unsigned char *rnd = (unsigned char *)getauxval(AT_RANDOM);
  CHECK(rnd != NULL);
  CHECK(getauxval(AT_PHDR) != 0 && getauxval(AT_PHENT) == sizeof(Elf64_Phdr) && getauxval(AT_PHNUM) > 0);
  CHECK(getauxval(AT_ENTRY) == (unsigned long)_start);
  /* fds: 3 was opened without O_CLOEXEC, 4 with it */
  SAY("fd 3: %s", fcntl(3, F_GETFD) >= 0 ? "open" : errname(errno));
  SAY("fd 4: %s", fcntl(4, F_GETFD) >= 0 ? "open" : errname(errno));
  char c = 0;
  SAY("fd 3 offset %ld", (long)lseek(3, 0, SEEK_CUR));
  if (read(3, &c, 1) == 1)
    SAY("fd 3 next byte: %c", c);
  /* handlers are reset to SIG_DFL, SIG_IGN stays, the mask is kept */
  struct sigaction sa;
  sigaction(SIGUSR1, NULL, &sa);
  SAY("SIGUSR1: %s", sa.sa_handler == SIG_DFL ? "SIG_DFL" : sa.sa_handler == SIG_IGN ? "SIG_IGN" : "handler");
  sigaction(SIGUSR2, NULL, &sa);
  SAY("SIGUSR2: %s", sa.sa_handler == SIG_DFL ? "SIG_DFL" : sa.sa_handler == SIG_IGN ? "SIG_IGN" : "handler");
  sigset_t m;
  sigprocmask(SIG_BLOCK, NULL, &m);
  SAY("SIGHUP blocked: %d, SIGINT blocked: %d", sigismember(&m, SIGHUP), sigismember(&m, SIGINT));
  stack_t ss;
  sigaltstack(NULL, &ss);
  SAY("altstack flags: %#x", ss.ss_flags);
  char cwd[PATH_MAX];
  SAY("cwd: %s", getcwd(cwd, sizeof cwd));
  SAY("umask: %04o", umask(0));
  return 7;
}
