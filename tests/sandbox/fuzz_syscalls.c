/* Sandbox-only: makes N random syscalls with random arguments from a fixed seed and
 * prints "done". NEVER run this natively on a machine you care about: it is meant to run
 * inside the sandbox (the harness runs it under `runsc do --rootfs <empty dir>`).
 *
 *   fuzz_syscalls [SEED [COUNT [dry]]]
 *
 * Before each call it writes "<i> <nr> <args...>" to its log fd, so the last line tells
 * which call hung or crashed. "dry" only prints the calls without making them.
 *
 * Skipped: calls that would legitimately end, stop or stall the process (exit, kill of
 * itself, pause, sigsuspend, long sleeps, blocking waits on objects that can block),
 * clone/fork/vfork/exec, calls that would unmap or remap our own text/stack (memory calls
 * are confined to a playground region), rt_sigreturn, limits, seccomp, ptrace, and a few
 * host-administrative calls (reboot, modules, clock setting, mounts, swap). Timeouts of
 * poll/select are forced to zero and locks are taken without waiting.
 */
#include "common.h"
#include <poll.h>
#include <sys/random.h>
#include <sys/time.h>
#include <time.h>

#define LOG_FD 1000
#define SCRATCH_PAGES 64
#define PLAY_PAGES 16384 /* 64 MiB */
#define MAX_MAP (16UL << 20)
#define X32_BIT 0x40000000L

static uint64_t state;
static uint64_t rnd(void) {
  /* xorshift64* */
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 0x2545F4914F6CDD1DULL;
}
static uint64_t below(uint64_t n) { return n ? rnd() % n : 0; }

static char *scratch, *roarea, *holep, *play;
static unsigned long brk_base;
static struct timespec *zero_ts;
static struct timeval *zero_tv;

static const char *paths[] = {"/", "/dev/null", "/dev/zero", ".", "..", "/nonexistent",
                              "/proc/self/maps", "/etc/passwd", "", "a/b/../c",
                              "/dev/urandom", "//", "/dev", "\xff\xfe", "/tmp/x"};

/* Fills the scratch area with random bytes and some structure: strings, iovecs,
 * timespecs pointing at valid and invalid places. */
static void refill_scratch(void) {
  uint64_t *w = (uint64_t *)scratch;
  for (size_t i = 0; i < SCRATCH_PAGES * PAGE / 8; i++)
    w[i] = (i % 7 == 0) ? 0 : rnd();
  for (int k = 0; k < 32; k++) {
    const char *p = paths[below(sizeof paths / sizeof paths[0])];
    size_t off = below(SCRATCH_PAGES * PAGE - 64);
    memcpy(scratch + off, p, strlen(p) + 1);
  }
  for (int k = 0; k < 16; k++) {
    struct iovec *v = (struct iovec *)(scratch + below(SCRATCH_PAGES * PAGE / 16 - 8) * 16);
    for (int j = 0; j < 4; j++) {
      v[j].iov_base = below(4) ? scratch + below(SCRATCH_PAGES * PAGE) : (void *)rnd();
      v[j].iov_len = below(4) ? below(8192) : rnd();
    }
  }
}

static long fd_arg(void) {
  static const long fds[] = {-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100, 1023, 1024, INT_MAX, -100 /* AT_FDCWD */};
  return fds[below(sizeof fds / sizeof fds[0])];
}

static long ptr_arg(void) {
  switch (below(12)) {
  case 0: return 0;
  case 1: return 1;
  case 2:
  case 3: return (long)(scratch + below(SCRATCH_PAGES * PAGE));
  case 4: return (long)scratch;
  case 5: return (long)(scratch + SCRATCH_PAGES * PAGE - below(64)); /* runs into the guard */
  case 6: return (long)(roarea + below(PAGE));
  case 7: return (long)holep;
  case 8: return (long)0xffffffff81000000UL;
  case 9: return (long)0x0000800000000000UL + (long)below(1 << 20);
  case 10: return (long)0xdead000000000000UL;
  default: return (long)rnd();
  }
}

static long int_arg(void) {
  switch (below(14)) {
  case 0: return 0;
  case 1: return 1;
  case 2: return 2;
  case 3: return -1;
  case 4: return (long)below(64);
  case 5: return (long)(uint32_t)rnd();
  case 6: return (long)rnd();
  case 7: return 4096;
  case 8: return 1L << 31;
  case 9: return INT_MAX;
  case 10: return (long)SIZE_MAX;
  case 11: return -4096;
  case 12: return 1L << (below(63));
  default: return (long)below(1 << 16);
  }
}

static long any_arg(void) {
  switch (below(3)) {
  case 0: return ptr_arg();
  case 1: return int_arg();
  default: return fd_arg();
  }
}

/* A page-aligned address inside the playground and a length that stays inside it. */
static void play_range(long *addr, long *len) {
  uint64_t first = below(PLAY_PAGES);
  *addr = (long)(play + first * PAGE);
  if (below(8) == 0)
    *addr += (long)below(PAGE); /* unaligned now and then */
  uint64_t max = (PLAY_PAGES - first) * PAGE;
  switch (below(4)) {
  case 0: *len = 0; break;
  case 1: *len = (long)below(max + 1); break;
  default: *len = (long)((1 + below(16)) * PAGE); break;
  }
  if ((uint64_t)*len > max)
    *len = (long)max;
}

static int in_play(long a) { return (char *)a >= play && (char *)a < play + PLAY_PAGES * PAGE; }

/* Syscalls never made (by x86_64 number). */
static int skipped(long nr) {
  static const short skip[] = {
      60, 231,                          /* exit, exit_group */
      62, 200, 234, 129, 297, 424,      /* kill, tkill, tgkill, sigqueue, pidfd_send_signal */
      34, 130, 128,                     /* pause, rt_sigsuspend, rt_sigtimedwait */
      35, 230,                          /* nanosleep, clock_nanosleep */
      37, 38, 222, 223, 224, 225, 226,  /* alarm, setitimer, timer_* */
      283, 286, 287,                    /* timerfd_* */
      56, 57, 58, 435,                  /* clone, fork, vfork, clone3 */
      59, 322,                          /* execve, execveat */
      15,                               /* rt_sigreturn */
      160, 302,                         /* setrlimit, prlimit64 */
      317, 101,                         /* seccomp, ptrace */
      202, 449, 454, 455, 456,          /* futexes */
      22, 293, 41, 53,                  /* pipe, pipe2, socket, socketpair */
      284, 290, 282, 289,               /* eventfd, signalfd */
      253, 294, 300,                    /* inotify_init*, fanotify_init */
      213, 291,                         /* epoll_create* */
      323, 298,                         /* userfaultfd, perf_event_open */
      425, 426, 427,                    /* io_uring */
      206, 207, 208, 209, 210, 333,     /* aio */
      240, 241, 242, 243, 244, 245,     /* mq_* */
      29, 30, 31, 67, 64, 65, 66, 68, 69, 70, 71, 220, /* SysV IPC */
      319, 447,                         /* memfd_create, memfd_secret */
      151,                              /* mlockall */
      169, 246, 320, 175, 313, 176,     /* reboot, kexec, modules */
      167, 168, 163,                    /* swapon, swapoff, acct */
      164, 227, 159, 305,               /* setting clocks */
      170, 171,                         /* sethostname, setdomainname */
      165, 166, 155, 161,               /* mount, umount2, pivot_root, chroot */
      172, 173, 153,                    /* iopl, ioperm, vhangup */
      179, 443,                         /* quotactl */
      428, 429, 430, 431, 432, 433, 442, 466, /* new mount API */
      436,                              /* close_range */
      310, 311, 440,                    /* process_vm_*, process_madvise */
      216, 453, 462,                    /* remap_file_pages, map_shadow_stack, mseal */
      334,                              /* rseq */
      144, 142, 314,                    /* sched_setscheduler/param/attr */
      321, 248, 249, 250,               /* bpf, keys */
      103,                              /* syslog */
      335, 336,                         /* uretprobe, uprobe: SIGILL outside a trampoline */
  };
  for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
    if (skip[i] == nr)
      return 1;
  return 0;
}

/* Makes the arguments of some syscalls safe; returns 0 to skip the call. */
static int sanitize(long nr, long *a) {
  long len;
  switch (nr) {
  case 9: /* mmap */
    if (a[3] & (MAP_FIXED | MAP_FIXED_NOREPLACE))
      play_range(&a[0], &a[1]);
    if ((unsigned long)a[1] > MAX_MAP)
      a[1] = (long)below(MAX_MAP);
    return 1;
  case 10: /* mprotect */
  case 11: /* munmap */
  case 28: /* madvise */
  case 149: /* mlock */
  case 150: /* munlock */
  case 325: /* mlock2 */
  case 329: /* pkey_mprotect */
    play_range(&a[0], &a[1]);
    if (nr == 28 && (a[2] == 100 || a[2] == 101)) /* MADV_HWPOISON, MADV_SOFT_OFFLINE */
      a[2] = MADV_NORMAL;
    return 1;
  case 25: /* mremap */
    play_range(&a[0], &len);
    a[1] = len;
    if ((unsigned long)a[2] > MAX_MAP)
      a[2] = (long)below(MAX_MAP);
    if (a[3] & MREMAP_FIXED) {
      long l2;
      play_range(&a[4], &l2);
      /* the new range must stay inside the playground too */
      long room = (long)(play + PLAY_PAGES * PAGE) - a[4];
      if (a[2] > room)
        a[2] = room;
    }
    return 1;
  case 12: /* brk: only grow from where we started, or ask */
    a[0] = below(2) ? 0 : (long)(brk_base + below(65) * PAGE);
    return 1;
  case 7: /* poll */
    a[2] = 0;
    return 1;
  case 271: /* ppoll */
    a[2] = (long)zero_ts;
    return 1;
  case 23: /* select */
    a[4] = (long)zero_tv;
    return 1;
  case 270: /* pselect6 */
    a[4] = (long)zero_ts;
    return 1;
  case 232: /* epoll_wait */
  case 281: /* epoll_pwait */
    a[3] = 0;
    return 1;
  case 441: /* epoll_pwait2 */
    a[3] = (long)zero_ts;
    return 1;
  case 299: /* recvmmsg */
    a[4] = (long)zero_ts;
    return 1;
  case 40: /* sendfile */
    if ((unsigned long)a[3] > (1 << 20))
      a[3] = 1 << 20;
    return 1;
  case 275: /* splice */
  case 326: /* copy_file_range */
    if ((unsigned long)a[4] > (1 << 20))
      a[4] = 1 << 20;
    return 1;
  case 276: /* tee */
    if ((unsigned long)a[2] > (1 << 20))
      a[2] = 1 << 20;
    return 1;
  case 72: /* fcntl: no F_NOTIFY (SIGIO), no leases; OFD locks may not wait (they can
            * deadlock against our own other descriptions of the same file) */
    if ((int)a[1] == 38) /* F_OFD_SETLKW */
      a[1] = 37;         /* F_OFD_SETLK */
    return (int)a[1] != 1026 && (int)a[1] != 1024;
  case 73: /* flock: never wait (a lock held by another of our descriptions would block) */
    a[1] |= 4; /* LOCK_NB */
    return 1;
  case 157: /* prctl: no seccomp, no TSC traps, no PR_SET_MM, no syscall user dispatch */
    return (int)a[0] != 22 && (int)a[0] != 26 && (int)a[0] != 35 && (int)a[0] != 59;
  case 158: /* arch_prctl: keep our FS base, CPUID and shadow stack as they are */
    return (int)a[0] != 0x1002 && (int)a[0] != 0x1012 && !((int)a[0] >= 0x2001 && (int)a[0] <= 0x2003) &&
           !((int)a[0] >= 0x5001 && (int)a[0] <= 0x5005);
  }
  return 1;
}

int main(int argc, char **argv) {
  state = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
  if (state == 0)
    state = 0x9E3779B97F4A7C15ULL;
  long count = argc > 2 ? strtol(argv[2], NULL, 0) : 10000;
  int dry = argc > 3 && strcmp(argv[3], "dry") == 0;

  /* The log goes to a private copy of stdout; 0, 1 and 2 become /dev/null so the random
   * calls can read, write, close and dup them freely. */
  if (fcntl(1, F_DUPFD, LOG_FD) != LOG_FD) {
    perror("dup log fd");
    return 2;
  }
  int nul = open("/dev/null", O_RDWR);
  if (nul < 0) /* a rootfs without /dev: any harmless descriptor will do */
    nul = open(argv[0], O_RDONLY);
  dup2(nul, 0);
  dup2(nul, 1);
  dup2(nul, 2);
  if (nul > 2)
    close(nul);
  /* Some interesting descriptors for the random calls (fds 3..). */
  open("/dev/zero", O_RDWR);
  open("/dev/urandom", O_RDONLY);
  open("/", O_RDONLY | O_DIRECTORY);
  open(argv[0], O_RDONLY);
  open("/dev/null", O_WRONLY | O_APPEND);

  scratch = mmap(NULL, (SCRATCH_PAGES + 1) * PAGE, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  roarea = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  play = mmap(NULL, PLAY_PAGES * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  static struct timespec zts;
  static struct timeval ztv;
  zero_ts = &zts;
  zero_tv = &ztv;
  if (scratch == MAP_FAILED || roarea == MAP_FAILED || play == MAP_FAILED) {
    dprintf(LOG_FD, "setup failed: %s\n", errname(errno));
    return 2;
  }
  munmap(scratch + SCRATCH_PAGES * PAGE, PAGE); /* guard page */
  holep = unmapped_page();
  brk_base = syscall(SYS_brk, 0);
  refill_scratch();

  long made = 0, skips = 0, errors = 0;
  /* COUNT calls are made; skipped draws do not count */
  for (long i = 0; made < count && i < 100 * count; i++) {
    if (i % 64 == 0)
      refill_scratch();
    long nr;
    switch (below(20)) {
    case 0: nr = 470 + (long)below(600); break;              /* out of range */
    case 1: nr = X32_BIT | (long)below(550); break;          /* x32 numbers */
    case 2: nr = below(2) ? -1 : (long)(uint32_t)rnd(); break;
    default: nr = (long)below(470); break;
    }
    long base = nr >= 0 ? (nr & ~X32_BIT) : nr;
    long a[6];
    for (int k = 0; k < 6; k++)
      a[k] = any_arg();
    /* typed arguments for the common calls, so that they get past the first checks */
    switch (base) {
    case 0: case 1: case 17: case 18: case 19: case 20: case 295: case 296: case 327: case 328:
      a[0] = fd_arg(); a[1] = ptr_arg(); a[2] = below(2) ? (long)below(1 << 16) : int_arg();
      break;
    case 2: case 4: case 6: case 21: case 80: case 89: case 137:
      a[0] = ptr_arg();
      break;
    case 257: case 262: case 267: case 269: case 332: case 437: case 439:
      a[0] = fd_arg(); a[1] = ptr_arg();
      break;
    }
    int skip = skipped(base) || (nr != base && nr >= 0 && skipped(nr & ~X32_BIT));
    if (!skip)
      skip = !sanitize(base, a);
    /* never touch the log fd */
    for (int k = 0; k < 6 && !skip; k++)
      if ((int)a[k] == LOG_FD)
        a[k] = -1;
    if (skip) {
      skips++;
      continue;
    }
    dprintf(LOG_FD, "%ld %ld %lx %lx %lx %lx %lx %lx\n", i, nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    made++;
    if (dry)
      continue;
    long r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    if (r == -1)
      errors++;
#ifdef FUZZ_DEBUG
    {
      long w = syscall(SYS_getrandom, scratch, SCRATCH_PAGES * PAGE, GRND_INSECURE);
      if (w != (long)(SCRATCH_PAGES * PAGE))
        dprintf(LOG_FD, "scratch broken after %ld: %ld %s\n", i, w, errname(errno));
    }
#endif
    /* undo what could pile up: fresh mappings outside the playground */
    if (base == 9 && r != -1 && !in_play(r))
      munmap((void *)r, (size_t)a[1]);
    if (base == 25 && r != -1 && !in_play(r))
      munmap((void *)r, (size_t)a[2]);
  }
  dprintf(LOG_FD, "calls made %ld, skipped %ld, failed %ld\n", made, skips, errors);
  dprintf(LOG_FD, "done\n");
  return 0;
}
