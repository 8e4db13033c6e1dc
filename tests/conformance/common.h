/* Shared helpers of the conformance programs.
 *
 * Every program prints deterministic lines: return values and errno NAMES, never
 * addresses, pids, inode numbers or times. Values that legitimately differ between a
 * native run and a sandboxed run are reduced to booleans ("ok"). A line containing FAIL
 * means the program's own consistency check failed: the harness treats that as an error
 * of the program when it happens natively.
 *
 * Convention: argv[1] is the fixture directory (see systests::fixtures()).
 */
#ifndef SYSTESTS_COMMON_H
#define SYSTESTS_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#define PAGE 4096UL

static inline const char *errname(int e) {
  static char other[32];
  switch (e) {
  case EPERM: return "EPERM";
  case ENOENT: return "ENOENT";
  case ESRCH: return "ESRCH";
  case EINTR: return "EINTR";
  case EIO: return "EIO";
  case ENXIO: return "ENXIO";
  case E2BIG: return "E2BIG";
  case ENOEXEC: return "ENOEXEC";
  case EBADF: return "EBADF";
  case ECHILD: return "ECHILD";
  case EAGAIN: return "EAGAIN";
  case ENOMEM: return "ENOMEM";
  case EACCES: return "EACCES";
  case EFAULT: return "EFAULT";
  case ENOTBLK: return "ENOTBLK";
  case EBUSY: return "EBUSY";
  case EEXIST: return "EEXIST";
  case EXDEV: return "EXDEV";
  case ENODEV: return "ENODEV";
  case ENOTDIR: return "ENOTDIR";
  case EISDIR: return "EISDIR";
  case EINVAL: return "EINVAL";
  case ENFILE: return "ENFILE";
  case EMFILE: return "EMFILE";
  case ENOTTY: return "ENOTTY";
  case ETXTBSY: return "ETXTBSY";
  case EFBIG: return "EFBIG";
  case ENOSPC: return "ENOSPC";
  case ESPIPE: return "ESPIPE";
  case EROFS: return "EROFS";
  case EMLINK: return "EMLINK";
  case EPIPE: return "EPIPE";
  case EDOM: return "EDOM";
  case ERANGE: return "ERANGE";
  case EDEADLK: return "EDEADLK";
  case ENAMETOOLONG: return "ENAMETOOLONG";
  case ENOLCK: return "ENOLCK";
  case ENOSYS: return "ENOSYS";
  case ENOTEMPTY: return "ENOTEMPTY";
  case ELOOP: return "ELOOP";
  case ENOMSG: return "ENOMSG";
  case EIDRM: return "EIDRM";
  case ECHRNG: return "ECHRNG";
  case EL2NSYNC: return "EL2NSYNC";
  case EL3HLT: return "EL3HLT";
  case EL3RST: return "EL3RST";
  case ELNRNG: return "ELNRNG";
  case EUNATCH: return "EUNATCH";
  case ENOCSI: return "ENOCSI";
  case EL2HLT: return "EL2HLT";
  case EBADE: return "EBADE";
  case EBADR: return "EBADR";
  case EXFULL: return "EXFULL";
  case ENOANO: return "ENOANO";
  case EBADRQC: return "EBADRQC";
  case EBADSLT: return "EBADSLT";
  case EBFONT: return "EBFONT";
  case ENOSTR: return "ENOSTR";
  case ENODATA: return "ENODATA";
  case ETIME: return "ETIME";
  case ENOSR: return "ENOSR";
  case ENONET: return "ENONET";
  case ENOPKG: return "ENOPKG";
  case EREMOTE: return "EREMOTE";
  case ENOLINK: return "ENOLINK";
  case EADV: return "EADV";
  case ESRMNT: return "ESRMNT";
  case ECOMM: return "ECOMM";
  case EPROTO: return "EPROTO";
  case EMULTIHOP: return "EMULTIHOP";
  case EDOTDOT: return "EDOTDOT";
  case EBADMSG: return "EBADMSG";
  case EOVERFLOW: return "EOVERFLOW";
  case ENOTUNIQ: return "ENOTUNIQ";
  case EBADFD: return "EBADFD";
  case EREMCHG: return "EREMCHG";
  case ELIBACC: return "ELIBACC";
  case ELIBBAD: return "ELIBBAD";
  case ELIBSCN: return "ELIBSCN";
  case ELIBMAX: return "ELIBMAX";
  case ELIBEXEC: return "ELIBEXEC";
  case EILSEQ: return "EILSEQ";
  case ERESTART: return "ERESTART";
  case ESTRPIPE: return "ESTRPIPE";
  case EUSERS: return "EUSERS";
  case ENOTSOCK: return "ENOTSOCK";
  case EDESTADDRREQ: return "EDESTADDRREQ";
  case EMSGSIZE: return "EMSGSIZE";
  case EPROTOTYPE: return "EPROTOTYPE";
  case ENOPROTOOPT: return "ENOPROTOOPT";
  case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
  case ESOCKTNOSUPPORT: return "ESOCKTNOSUPPORT";
  case EOPNOTSUPP: return "EOPNOTSUPP";
  case EPFNOSUPPORT: return "EPFNOSUPPORT";
  case EAFNOSUPPORT: return "EAFNOSUPPORT";
  case EADDRINUSE: return "EADDRINUSE";
  case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
  case ENETDOWN: return "ENETDOWN";
  case ENETUNREACH: return "ENETUNREACH";
  case ENETRESET: return "ENETRESET";
  case ECONNABORTED: return "ECONNABORTED";
  case ECONNRESET: return "ECONNRESET";
  case ENOBUFS: return "ENOBUFS";
  case EISCONN: return "EISCONN";
  case ENOTCONN: return "ENOTCONN";
  case ESHUTDOWN: return "ESHUTDOWN";
  case ETOOMANYREFS: return "ETOOMANYREFS";
  case ETIMEDOUT: return "ETIMEDOUT";
  case ECONNREFUSED: return "ECONNREFUSED";
  case EHOSTDOWN: return "EHOSTDOWN";
  case EHOSTUNREACH: return "EHOSTUNREACH";
  case EALREADY: return "EALREADY";
  case EINPROGRESS: return "EINPROGRESS";
  case ESTALE: return "ESTALE";
  case EUCLEAN: return "EUCLEAN";
  case ENOTNAM: return "ENOTNAM";
  case ENAVAIL: return "ENAVAIL";
  case EISNAM: return "EISNAM";
  case EREMOTEIO: return "EREMOTEIO";
  case EDQUOT: return "EDQUOT";
  case ENOMEDIUM: return "ENOMEDIUM";
  case EMEDIUMTYPE: return "EMEDIUMTYPE";
  case ECANCELED: return "ECANCELED";
  case ENOKEY: return "ENOKEY";
  case EKEYEXPIRED: return "EKEYEXPIRED";
  case EKEYREVOKED: return "EKEYREVOKED";
  case EKEYREJECTED: return "EKEYREJECTED";
  case EOWNERDEAD: return "EOWNERDEAD";
  case ENOTRECOVERABLE: return "ENOTRECOVERABLE";
  case ERFKILL: return "ERFKILL";
  case EHWPOISON: return "EHWPOISON";
  case 0: return "0";
  }
  snprintf(other, sizeof other, "E#%d", e);
  return other;
}

static inline void show_result(const char *label, long r, int e) {
  if (r == -1)
    printf("%s = -1 %s\n", label, errname(e));
  else
    printf("%s = %ld\n", label, r);
}

/* T(expr): evaluate, print "expr = value" or "expr = -1 ERRNO", yield the value. */
#define T(expr)                                                                \
  ({                                                                           \
    errno = 0;                                                                 \
    long _r = (long)(expr);                                                    \
    int _e = errno;                                                            \
    show_result(#expr, _r, _e);                                                \
    _r;                                                                        \
  })

/* TOK(expr): like T but prints "ok" instead of a non-negative value that may
 * legitimately differ (an fd of a fresh file, a size that depends on the host...). */
#define TOK(expr)                                                              \
  ({                                                                           \
    errno = 0;                                                                 \
    long _r = (long)(expr);                                                    \
    int _e = errno;                                                            \
    if (_r == -1)                                                              \
      printf("%s = -1 %s\n", #expr, errname(_e));                              \
    else                                                                       \
      printf("%s = ok\n", #expr);                                              \
    _r;                                                                        \
  })

/* TMAP(expr): for pointer results (mmap, mremap): "ok" or "MAP_FAILED ERRNO". */
#define TMAP(expr)                                                             \
  ({                                                                           \
    errno = 0;                                                                 \
    void *_p = (void *)(expr);                                                 \
    int _e = errno;                                                            \
    if (_p == MAP_FAILED)                                                      \
      printf("%s = MAP_FAILED %s\n", #expr, errname(_e));                      \
    else                                                                       \
      printf("%s = ok\n", #expr);                                              \
    _p;                                                                        \
  })

/* CHECK(cond): a consistency check that must hold natively and in the sandbox. */
#define CHECK(cond) printf("%s: %s\n", #cond, (cond) ? "ok" : "FAIL")

/* SAY(...): print a line. */
#define SAY(...)                                                               \
  do {                                                                         \
    printf(__VA_ARGS__);                                                       \
    putchar('\n');                                                             \
  } while (0)

static const char *fixture_dir = ".";

/* A wild pointer the compiler cannot see through (no -Wstringop warnings). */
static volatile uintptr_t bad_ptr_value = 1;
#define BADPTR ((void *)bad_ptr_value)
static volatile size_t huge_len_value = (size_t)-1;
#define HUGELEN (huge_len_value)

/* fx("file.txt") -> "<fixture dir>/file.txt" (8 rotating buffers). */
static inline char *fx(const char *name) {
  static char bufs[8][PATH_MAX];
  static int i;
  char *b = bufs[i++ % 8];
  snprintf(b, PATH_MAX, "%s/%s", fixture_dir, name);
  return b;
}

/* Call first in main. */
static inline void init(int argc, char **argv) {
  /* A static buffer: stdio must not malloc (memory-layout tests rely on it). */
  static char outbuf[BUFSIZ];
  setvbuf(stdout, outbuf, _IOLBF, sizeof outbuf);
  if (argc > 1)
    fixture_dir = argv[1];
}

/* n fresh anonymous read-write pages. */
static inline char *pages(size_t n) {
  void *p = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    perror("mmap");
    exit(100);
  }
  return p;
}

/* A page-aligned address that is not mapped (mapped then unmapped). Use it right away:
 * any later mmap may reuse the address. */
static inline char *unmapped_page(void) {
  char *p = pages(1);
  munmap(p, PAGE);
  return p;
}

/* Two pages where the second is unmapped: returns the start of the first. */
static inline char *page_then_hole(void) {
  char *p = pages(2);
  munmap(p + PAGE, PAGE);
  return p;
}

/* A simple checksum for data that must be equal on both sides. */
static inline unsigned long sum(const void *buf, size_t n) {
  const unsigned char *b = buf;
  unsigned long s = 0;
  for (size_t i = 0; i < n; i++)
    s = s * 31 + b[i];
  return s;
}

/* The fixture pattern (must match systests::pattern_byte). */
static inline unsigned char pattern_byte(size_t i) {
  return 'a' + (unsigned char)((i * 7 + i / 251) % 26);
}

#endif
