/* execve of each path argument (argv[2..]): prints the errno (bad ELF images, scripts
 * with bad interpreters, ...). Every exec must fail. */
#include "common.h"

int main(int argc, char **argv) {
  init(argc, argv);
  char *args[] = {"bad", "x", NULL};
  char *envs[] = {"A=1", NULL};
  for (int i = 2; i < argc; i++) {
    const char *slash = strrchr(argv[i], '/');
    execve(argv[i], args, envs);
    SAY("%s: %s", slash ? slash + 1 : argv[i], errname(errno));
  }
  return 0;
}
