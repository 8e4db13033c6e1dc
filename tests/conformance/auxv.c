/* The initial process state as the loader builds it: argv, envp, auxv. */
#include "common.h"
#include <elf.h>
#include <sys/auxv.h>

extern char **environ;
extern char _start[];

int main(int argc, char **argv) {
  init(argc, argv);
  SAY("argc %d", argc);
  CHECK(argv[argc] == NULL);
  CHECK(environ == argv + argc + 1);
  int nenv = 0;
  for (char **e = environ; *e; e++)
    nenv++;
  SAY("envc %d", nenv);
  /* auxv follows envp */
  Elf64_auxv_t *av = (Elf64_auxv_t *)(environ + nenv + 1);
  int seen[64] = {0};
  int count = 0;
  for (; av->a_type != AT_NULL; av++, count++)
    if (av->a_type < 64)
      seen[av->a_type]++;
  CHECK(count > 10 && count < 64);
  static const struct {
    int t;
    const char *n;
  } must[] = {{AT_PHDR, "AT_PHDR"},   {AT_PHENT, "AT_PHENT"},     {AT_PHNUM, "AT_PHNUM"},
              {AT_PAGESZ, "AT_PAGESZ"}, {AT_BASE, "AT_BASE"},   {AT_FLAGS, "AT_FLAGS"},
              {AT_ENTRY, "AT_ENTRY"}, {AT_UID, "AT_UID"},       {AT_EUID, "AT_EUID"},
              {AT_GID, "AT_GID"},     {AT_EGID, "AT_EGID"},     {AT_PLATFORM, "AT_PLATFORM"},
              {AT_HWCAP, "AT_HWCAP"}, {AT_CLKTCK, "AT_CLKTCK"}, {AT_SECURE, "AT_SECURE"},
              {AT_RANDOM, "AT_RANDOM"}, {AT_EXECFN, "AT_EXECFN"}, {AT_SYSINFO_EHDR, "AT_SYSINFO_EHDR"}};
  for (size_t i = 0; i < sizeof must / sizeof must[0]; i++)
    SAY("%s present once: %s", must[i].n, seen[must[i].t] == 1 ? "ok" : "FAIL");
  SAY("AT_PAGESZ = %lu", getauxval(AT_PAGESZ));
  SAY("AT_SECURE = %lu", getauxval(AT_SECURE));
  SAY("AT_FLAGS = %lu", getauxval(AT_FLAGS));
  SAY("AT_CLKTCK = %lu", getauxval(AT_CLKTCK));
  SAY("AT_UID %lu AT_EUID %lu AT_GID %lu AT_EGID %lu", getauxval(AT_UID), getauxval(AT_EUID),
      getauxval(AT_GID), getauxval(AT_EGID));
  SAY("AT_PLATFORM = %s", (char *)getauxval(AT_PLATFORM));
  SAY("AT_PHENT = %lu", getauxval(AT_PHENT));
  CHECK(getauxval(AT_HWCAP) != 0);
  const char *execfn = (const char *)getauxval(AT_EXECFN);
  CHECK(execfn && strcmp(execfn, argv[0]) == 0);
  CHECK(getauxval(AT_ENTRY) == (unsigned long)_start);
  /* AT_PHDR points at our program headers: find PT_PHDR or PT_LOAD there */
  Elf64_Phdr *ph = (Elf64_Phdr *)getauxval(AT_PHDR);
  int loads = 0;
  for (unsigned long i = 0; i < getauxval(AT_PHNUM); i++)
    loads += ph[i].p_type == PT_LOAD;
  CHECK(loads >= 1);
  /* static binaries have no interpreter: AT_BASE is 0; dynamic ones have ld.so's base */
  int has_interp = 0;
  for (unsigned long i = 0; i < getauxval(AT_PHNUM); i++)
    has_interp |= ph[i].p_type == PT_INTERP;
  SAY("has PT_INTERP: %d, AT_BASE nonzero: %d", has_interp, getauxval(AT_BASE) != 0);
  unsigned char *rnd = (unsigned char *)getauxval(AT_RANDOM);
  int nz = 0;
  for (int i = 0; i < 16; i++)
    nz |= rnd[i];
  CHECK(nz != 0);
  /* the vDSO is an ELF image */
  unsigned char *vdso = (unsigned char *)getauxval(AT_SYSINFO_EHDR);
  CHECK(vdso && memcmp(vdso, ELFMAG, SELFMAG) == 0);
  /* the strings live above the vectors, on the stack */
  CHECK((unsigned long)argv[0] > (unsigned long)av);
  /* the stack pointer at entry was 16-byte aligned: argv is at rsp+8 */
  CHECK(((unsigned long)argv & 15) == 8);
  for (int i = 1; i < argc; i++)
    SAY("argv[%d] = \"%s\"", i, i == 1 ? "<fixtures>" : argv[i]);
  return 0;
}
