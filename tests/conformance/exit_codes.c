/* exit_group/exit status codes: argv[2] is the code, argv[3] the way out. */
#include "common.h"

int main(int argc, char **argv) {
  init(argc, argv);
  long code = argc > 2 ? strtol(argv[2], NULL, 0) : 0;
  const char *how = argc > 3 ? argv[3] : "exit_group";
  SAY("exiting with %ld via %s", code, how);
  fflush(stdout);
  if (strcmp(how, "exit") == 0)
    syscall(SYS_exit, code);
  else if (strcmp(how, "return") == 0)
    return (int)code;
  else
    syscall(SYS_exit_group, code);
  SAY("FAIL: still alive");
  return 99;
}
