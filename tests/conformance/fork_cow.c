/* Copy-on-write isolation both ways after fork, for every kind of private memory:
 * globals (.data and .bss), heap, stack, a private anonymous mapping and a private
 * file mapping. Writes made after the fork by one side are invisible to the other;
 * the two sides synchronise through pipes. */
#include "proc.h"

static int data_var = 11;
static int bss_var;

int main(int argc, char **argv) {
  init(argc, argv);
  char *heap = malloc(256 * 1024);
  memset(heap, 'h', 256 * 1024);
  volatile char stack_buf[4096];
  memset((char *)stack_buf, 's', sizeof stack_buf);
  char *anon = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  memset(anon, 'a', 8 * PAGE);
  int fd = open(fx("file.txt"), O_RDONLY);
  char *file = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  char file0 = file[0];
  bss_var = 22;
  int to_child[2], to_parent[2];
  if (pipe(to_child) || pipe(to_parent)) return 1;
  pid_t p = fork();
  if (p == 0) {
    char c;
    /* child writes, then lets the parent check, then checks the parent's writes */
    data_var = 111;
    bss_var = 222;
    heap[1000] = 'C';
    stack_buf[10] = 'C';
    anon[5 * PAGE] = 'C';
    file[1] = 'C';
    if (write(to_parent[1], "w", 1) != 1) _exit(2);
    if (read(to_child[0], &c, 1) != 1) _exit(3);
    printf("child sees own writes: data %d bss %d heap %c stack %c anon %c file %c\n", data_var, bss_var, heap[1000],
           stack_buf[10], anon[5 * PAGE], file[1]);
    printf("child sees parent's writes: data %d heap %d stack %d anon %d file %d\n", data_var == 333,
           heap[2000] == 'P', stack_buf[20] == 'P', anon[6 * PAGE] == 'P', file[2] == 'P');
    printf("child: untouched still original: %d\n", heap[3000] == 'h' && anon[0] == 'a' && file[0] == file0);
    _exit(0);
  }
  char c;
  if (read(to_parent[0], &c, 1) != 1) return 1;
  SAY("parent sees child's writes: data %d bss %d heap %d stack %d anon %d file %d", data_var == 111, bss_var == 222,
      heap[1000] == 'C', stack_buf[10] == 'C', anon[5 * PAGE] == 'C', file[1] == 'C');
  data_var = 333;
  heap[2000] = 'P';
  stack_buf[20] = 'P';
  anon[6 * PAGE] = 'P';
  file[2] = 'P';
  if (write(to_child[1], "g", 1) != 1) return 1;
  reap(p, "child");
  SAY("parent keeps own writes: data %d heap %c stack %c anon %c file %c", data_var, heap[2000], stack_buf[20],
      anon[6 * PAGE], file[2]);
  /* the file itself is unchanged by private writes */
  char buf[3];
  T(pread(fd, buf, 3, 0));
  SAY("file on disk unchanged: %d", buf[1] != 'C' && buf[2] != 'P');
  /* a grandchild sees the state as of its fork */
  p = fork();
  if (p == 0) {
    heap[4000] = 'X';
    pid_t q = fork();
    if (q == 0) {
      printf("grandchild: heap[2000] %c heap[4000] %c\n", heap[2000], heap[4000]);
      heap[4000] = 'Y';
      _exit(0);
    }
    waitpid(q, NULL, 0);
    printf("child after grandchild: heap[4000] %c\n", heap[4000]);
    _exit(0);
  }
  reap(p, "child2");
  SAY("parent: heap[4000] %c", heap[4000]);
  return 0;
}
