/* execve: errors (ENOENT, EACCES, ENOEXEC, ENOTDIR, EFAULT, E2BIG), then an exec of the
 * helper with chosen argv/envp (argv[2]: its path; argv[3]: mode). */
#include "common.h"
#include <signal.h>

extern char **environ;

static void handler(int s) { (void)s; }

int main(int argc, char **argv) {
  init(argc, argv);
  const char *target = argc > 2 ? argv[2] : "/nonexistent";
  const char *mode = argc > 3 ? argv[3] : "errors";
  char *args[] = {"exec-target-argv0", "arg one", "", "x", NULL};
  char *envs[] = {"A=1", "B=two words", "EMPTY=", NULL};
  if (strcmp(mode, "errors") == 0) {
    T(execve(fx("nonexistent"), args, envs));
    T(execve(fx("nonexistent/x"), args, envs));
    T(execve(fx("dir"), args, envs));
    T(execve(fx("dir/"), args, envs));
    T(execve(fx("exec_text"), args, envs));   /* not ELF, no #! */
    T(execve(fx("exec_empty"), args, envs));  /* empty */
    T(execve(fx("noexec.sh"), args, envs));   /* no x bit */
    T(execve(fx("mode0000"), args, envs));
    T(execve(fx("script_badinterp"), args, envs));
    T(execve(fx("link_dangling"), args, envs));
    T(execve(fx("loop1"), args, envs));
    T(execve(fx("small.txt/x"), args, envs));
    T(execve("", args, envs));
    T(execve("/dev/null", args, envs));
    T(execve(BADPTR, args, envs));
    T(execve(target, BADPTR, envs));
    T(execve(target, args, BADPTR));
    char *badargs[] = {"a", BADPTR, NULL};
    T(execve(target, badargs, envs));
    /* argument strings larger than the limit */
    static char big[200000];
    memset(big, 'b', sizeof big - 1);
    char *bigargs[] = {"a", big, NULL};
    T(execve(target, bigargs, envs));
    /* a directory with O_PATH through execveat and AT_EMPTY_PATH */
    int d = open(fx("dir"), O_PATH);
    T(syscall(SYS_execveat, d, "", args, envs, AT_EMPTY_PATH));
    T(syscall(SYS_execveat, d, "a", args, envs, 0));
    T(syscall(SYS_execveat, -1, "a", args, envs, 0));
    T(syscall(SYS_execveat, d, "a", args, envs, 0x12345));
    close(d);
    /* state that must survive (or not) the exec */
    int keep = open(fx("small.txt"), O_RDONLY);      /* fd 3 */
    int cloexec = open("/dev/null", O_RDONLY | O_CLOEXEC); /* fd 4 */
    SAY("fds: %d %d", keep, cloexec);
    char c;
    if (read(keep, &c, 1) != 1)
      SAY("FAIL: read");
    signal(SIGUSR1, handler);
    signal(SIGUSR2, SIG_IGN);
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGHUP);
    sigprocmask(SIG_BLOCK, &m, NULL);
    static char alt[65536];
    stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    chdir(fx("dir"));
    umask(027);
    SAY("exec now");
    execve(target, args, envs);
    SAY("FAIL: execve returned %s", errname(errno));
    return 1;
  }
  if (strcmp(mode, "script") == 0) {
    char *sargs[] = {"script-argv0", "s1", "s 2", NULL};
    char *senv[] = {"PATH=/usr/bin:/bin", NULL};
    SAY("exec script");
    execve(fx("script.sh"), sargs, senv);
    SAY("FAIL: execve returned %s", errname(errno));
    return 1;
  }
  if (strcmp(mode, "empty_argv") == 0) {
    char *none[] = {NULL};
    SAY("exec with empty argv and envp");
    execve(target, none, none);
    SAY("FAIL: execve returned %s", errname(errno));
    return 1;
  }
  SAY("FAIL: unknown mode");
  return 1;
}
