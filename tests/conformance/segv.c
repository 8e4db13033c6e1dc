/* A faulting access kills the process with SIGSEGV (exit status 139 as a shell sees it).
 * argv[2] selects the fault. */
#include "common.h"

int main(int argc, char **argv) {
  init(argc, argv);
  const char *mode = argc > 2 ? argv[2] : "write_ro";
  volatile char *p;
  SAY("mode %s", mode);
  if (strcmp(mode, "write_ro") == 0) {
    p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    SAY("read ok: %d", p[0]);
    fflush(stdout);
    p[0] = 1;
  } else if (strcmp(mode, "unmapped") == 0) {
    p = (volatile char *)unmapped_page();
    SAY("before");
    fflush(stdout);
    (void)p[5];
  } else if (strcmp(mode, "prot_none") == 0) {
    p = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    SAY("before");
    fflush(stdout);
    (void)p[0];
  } else if (strcmp(mode, "null") == 0) {
    p = (volatile char *)(uintptr_t)bad_ptr_value;
    SAY("before");
    fflush(stdout);
    (void)p[0];
  } else if (strcmp(mode, "exec_nx") == 0) {
    char *code = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    code[0] = (char)0xc3; /* ret */
    SAY("before");
    fflush(stdout);
    ((void (*)(void))code)();
  } else if (strcmp(mode, "after_munmap") == 0) {
    p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    p[PAGE] = 1;
    munmap((void *)(p + PAGE), PAGE);
    SAY("before");
    fflush(stdout);
    p[PAGE] = 2;
  } else if (strcmp(mode, "mprotect_later") == 0) {
    p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    p[0] = 1;
    mprotect((void *)p, PAGE, PROT_READ);
    SAY("still readable: %d", p[0]);
    fflush(stdout);
    p[0] = 2;
  }
  SAY("FAIL: no fault");
  return 1;
}
