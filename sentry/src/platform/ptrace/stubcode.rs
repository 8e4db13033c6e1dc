//! The stub code and its sandbox: the `global_asm!` stub page, the syscalls
//! its seccomp filter allows, and the raw-clone child that enters it.
//!
//! Contains `unsafe`: reading the stub code bytes, the child's raw syscalls
//! and its jump into the stub, and reading glibc's rseq registration.

use crate::platform::{STUB_ADDR, STUB_SIZE, TASK_SIZE};

// The stub code. Position-independent except for absolute constants; copied
// into a memfd page and mapped at STUB_ADDR in every stub process.
//
// Entry (offset 0), jumped to from the freshly cloned child with
//   rdi = pointer to the seccomp `sock_fprog` (still mapped at that point).
std::arch::global_asm!(
    ".pushsection .text.runsc_stub,\"ax\",@progbits",
    ".balign 4096",
    ".globl runsc_stub_start",
    "runsc_stub_start:",
    "    mov r12, rdi",
    // prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    "    mov eax, 157",
    "    mov edi, 38",
    "    mov esi, 1",
    "    xor edx, edx",
    "    xor r10d, r10d",
    "    xor r8d, r8d",
    "    syscall",
    "    test rax, rax",
    "    jnz 2f",
    // seccomp(SECCOMP_SET_MODE_FILTER, 0, fprog)
    "    mov eax, 317",
    "    mov edi, 1",
    "    xor esi, esi",
    "    mov rdx, r12",
    "    syscall",
    "    test rax, rax",
    "    jnz 2f",
    // munmap(0, STUB_ADDR)
    "    mov eax, 11",
    "    xor edi, edi",
    "    movabs rsi, {stub_addr}",
    "    syscall",
    // munmap(STUB_END, TASK_SIZE - STUB_END)
    "    mov eax, 11",
    "    movabs rdi, {stub_end}",
    "    movabs rsi, {rest}",
    "    syscall",
    // kill(getpid(), SIGSTOP): the tracer takes over from here.
    "    mov eax, 39",
    "    syscall",
    "    mov edi, eax",
    "    mov eax, 62",
    "    mov esi, 19",
    "    syscall",
    "    int3",
    ".globl runsc_stub_syscall",
    "runsc_stub_syscall:",
    "    syscall",
    "    int3",
    // clone(2) of a new stub thread: the parent traps back to its tracer;
    // the child waits in pause(2) until the new task's thread seizes it.
    ".globl runsc_stub_clone",
    "runsc_stub_clone:",
    "    syscall",
    "    test rax, rax",
    "    jz 3f",
    "    int3",
    ".globl runsc_stub_clone_ret",
    "runsc_stub_clone_ret:",
    "3:",
    "    mov eax, 34",
    "    syscall",
    "    jmp 3b",
    "2:",
    "    mov eax, 231",
    "    mov edi, 113",
    "    syscall",
    "    hlt",
    ".globl runsc_stub_end",
    "runsc_stub_end:",
    ".popsection",
    stub_addr = const STUB_ADDR,
    stub_end = const STUB_ADDR + STUB_SIZE,
    rest = const TASK_SIZE - (STUB_ADDR + STUB_SIZE),
);

extern "C" {
    // glibc >= 2.35 registers an rseq area per thread; a cloned stub inherits
    // the registration but not the memory, so it must unregister it or the
    // kernel kills it with SIGSEGV on its next return to user mode.
    static __rseq_offset: isize;
    static __rseq_size: u32;
    static runsc_stub_start: u8;
    static runsc_stub_syscall: u8;
    static runsc_stub_clone: u8;
    static runsc_stub_clone_ret: u8;
    static runsc_stub_end: u8;
}

/// The stub code bytes and the offset of its `syscall; int3` site.
pub(super) fn stub_code() -> (&'static [u8], u64) {
    // SAFETY: the symbols are labels in the same section defined by the
    // global_asm! above, start <= syscall < end, and the bytes between them
    // are immutable code that lives for the whole program.
    unsafe {
        let start = std::ptr::addr_of!(runsc_stub_start);
        let sys = std::ptr::addr_of!(runsc_stub_syscall);
        let end = std::ptr::addr_of!(runsc_stub_end);
        let len = end as usize - start as usize;
        (
            std::slice::from_raw_parts(start, len),
            sys as u64 - start as u64,
        )
    }
}

/// Offset of a label of the stub code from its start.
fn stub_offset(label: *const u8) -> u64 {
    let start = std::ptr::addr_of!(runsc_stub_start);
    label as u64 - start as u64
}

/// Address of the `syscall; int3` site in every stub.
pub(super) fn syscall_site() -> u64 {
    STUB_ADDR + stub_code().1
}

/// The clone site and where its parent side traps.
pub(super) fn clone_site() -> (u64, u64) {
    let (site, ret) = (
        std::ptr::addr_of!(runsc_stub_clone),
        std::ptr::addr_of!(runsc_stub_clone_ret),
    );
    (STUB_ADDR + stub_offset(site), STUB_ADDR + stub_offset(ret))
}

/// Syscalls the stub page may make, each with its reason. Anything else, or
/// any syscall from outside the stub page, kills the stub.
const STUB_ALLOWED: &[(i64, &str)] = &[
    (
        libc::SYS_mmap,
        "map memory-file ranges into the app address space",
    ),
    (
        libc::SYS_munmap,
        "unmap app ranges; initial wipe of the cloned address space",
    ),
    (
        libc::SYS_mprotect,
        "change protections of mapped app ranges",
    ),
    (
        libc::SYS_madvise,
        "release host page tables of unmapped ranges",
    ),
    (
        libc::SYS_clone,
        "a new stub thread for a new app thread (CLONE_VM tasks)",
    ),
    (
        libc::SYS_membarrier,
        "register for the host's GLOBAL_EXPEDITED barriers (the app's membarrier)",
    ),
    (
        libc::SYS_pause,
        "a new stub thread waits there until its task thread seizes it",
    ),
    (
        libc::SYS_exit,
        "a stub thread leaves when its app thread exits",
    ),
    (libc::SYS_getpid, "initial self-stop"),
    (libc::SYS_kill, "initial self-stop"),
    (libc::SYS_exit_group, "bail out if setup fails"),
];

const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;

/// Build the stub's seccomp program: arch check, instruction pointer inside the
/// stub page, syscall number in [`STUB_ALLOWED`].
pub(super) fn stub_filter() -> Vec<libc::sock_filter> {
    fn stmt(code: u16, k: u32) -> libc::sock_filter {
        libc::sock_filter {
            code,
            jt: 0,
            jf: 0,
            k,
        }
    }
    fn jump(code: u16, k: u32, jt: u8, jf: u8) -> libc::sock_filter {
        libc::sock_filter { code, jt, jf, k }
    }
    const LD_W_ABS: u16 = (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16;
    const JEQ_K: u16 = (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16;
    const JGE_K: u16 = (libc::BPF_JMP | libc::BPF_JGE | libc::BPF_K) as u16;
    const RET_K: u16 = (libc::BPF_RET | libc::BPF_K) as u16;
    let kill = libc::SECCOMP_RET_KILL_PROCESS;
    let lo = STUB_ADDR as u32;
    let hi = (STUB_ADDR >> 32) as u32;
    let end_lo = (STUB_ADDR + STUB_SIZE) as u32;
    let n = STUB_ALLOWED.len();
    let mut f = vec![
        stmt(LD_W_ABS, 4), // arch
        jump(JEQ_K, AUDIT_ARCH_X86_64, 1, 0),
        stmt(RET_K, kill),
        stmt(LD_W_ABS, 12), // instruction_pointer, high half
        jump(JEQ_K, hi, 1, 0),
        stmt(RET_K, kill),
        stmt(LD_W_ABS, 8), // instruction_pointer, low half
        jump(JGE_K, lo, 1, 0),
        stmt(RET_K, kill),
        jump(JGE_K, end_lo, 0, 1),
        stmt(RET_K, kill),
        stmt(LD_W_ABS, 0), // nr
    ];
    for (i, (nr, _why)) in STUB_ALLOWED.iter().enumerate() {
        // jump to the ALLOW at the end on match.
        let to_allow = (n - i) as u8;
        f.push(jump(JEQ_K, *nr as u32, to_allow, 0));
    }
    f.push(stmt(RET_K, kill));
    f.push(stmt(RET_K, libc::SECCOMP_RET_ALLOW));
    f
}

/// The child half of [`StubFactory::spawn`](super::StubFactory::spawn).
///
/// # Safety
/// Must only be called in the child of a raw clone; never returns.
pub(super) unsafe fn stub_child(code_fd: i32, mem_fd: i32, prog_ptr: u64, rseq: u64) -> ! {
    // SAFETY (whole body): raw syscalls on our own private copy of the
    // address space; failures exit the child immediately.
    if rseq != 0 {
        const RSEQ_FLAG_UNREGISTER: u64 = 1;
        const RSEQ_SIG: u64 = 0x5305_3053;
        for len in [32u64, 20] {
            if libc::syscall(libc::SYS_rseq, rseq, len, RSEQ_FLAG_UNREGISTER, RSEQ_SIG) == 0 {
                break;
            }
        }
    }
    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
    libc::prctl(libc::PR_SET_NAME, c"runsc-stub".as_ptr() as u64, 0, 0, 0);
    // Out of the sentry's session and process group: when the sentry leads
    // its console's session, the host's terminal signals (^C, SIGWINCH,
    // SIGHUP) are for the sentry to pass on, never for the stubs. Stubs
    // forked from the template stay in the template's session.
    libc::setsid();
    if libc::ptrace(libc::PTRACE_TRACEME, 0, 0, 0) != 0 {
        libc::syscall(libc::SYS_exit_group, 112);
    }
    let r = libc::mmap(
        STUB_ADDR as *mut libc::c_void,
        STUB_SIZE as usize,
        libc::PROT_READ | libc::PROT_EXEC,
        libc::MAP_SHARED | libc::MAP_FIXED,
        code_fd,
        0,
    );
    if r as u64 != STUB_ADDR {
        libc::syscall(libc::SYS_exit_group, 111);
    }
    if libc::syscall(libc::SYS_dup3, mem_fd, 0, 0) != 0 && mem_fd != 0 {
        libc::syscall(libc::SYS_exit_group, 110);
    }
    libc::syscall(libc::SYS_close_range, 1u32, u32::MAX, 0u32);
    // Block nothing; the tracer sees every signal first anyway.
    let empty: u64 = 0;
    libc::syscall(
        libc::SYS_rt_sigprocmask,
        libc::SIG_SETMASK,
        &empty as *const u64,
        0u64,
        8u64,
    );
    std::arch::asm!("jmp {0}", in(reg) STUB_ADDR, in("rdi") prog_ptr, options(noreturn));
}

/// Address of the calling thread's rseq area, or 0 if glibc registered none.
pub(super) fn this_thread_rseq() -> u64 {
    // SAFETY: reading glibc's exported rseq symbols (plain integers) and the
    // thread pointer at %fs:0, which glibc keeps pointing at the TCB.
    unsafe {
        if std::ptr::read_volatile(std::ptr::addr_of!(__rseq_size)) == 0 {
            return 0;
        }
        let tp: u64;
        std::arch::asm!("mov {}, fs:0", out(reg) tp, options(nostack, readonly, preserves_flags));
        tp.wrapping_add(std::ptr::read_volatile(std::ptr::addr_of!(__rseq_offset)) as u64)
    }
}
