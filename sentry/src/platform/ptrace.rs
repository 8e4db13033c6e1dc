//! The ptrace platform (DESIGN §4).
//!
//! Every app address space is a *stub process*: the sentry thread that owns
//! the task clones itself, the child maps one page of position-independent stub
//! code at [`STUB_ADDR`], installs a seccomp filter that only lets the stub page
//! make a handful of memory syscalls, unmaps everything else (the copy of the
//! sentry included) and stops. From then on it is traced: app code runs under
//! `PTRACE_SYSEMU`, so the host never executes an app syscall, and mapping
//! changes are syscalls injected at the stub's `syscall; int3` site.
//!
//! This is one of the few modules with `unsafe`: raw clone, the jump into the
//! stub, and reading the stub code bytes.

use super::{Event, PlatformError, Regs, STUB_ADDR, STUB_SIZE, TASK_SIZE};
use nix::sys::ptrace;
use nix::sys::signal::Signal;
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;
use std::os::fd::{AsRawFd, OwnedFd};

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
fn stub_code() -> (&'static [u8], u64) {
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
fn syscall_site() -> u64 {
    STUB_ADDR + stub_code().1
}

/// The clone site and where its parent side traps.
fn clone_site() -> (u64, u64) {
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
fn stub_filter() -> Vec<libc::sock_filter> {
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

/// Creates stub processes. One per sandbox; shared by all task threads.
pub struct StubFactory {
    code_fd: OwnedFd,
    filter: Vec<libc::sock_filter>,
}

fn host(call: &'static str) -> impl Fn(nix::errno::Errno) -> PlatformError {
    move |errno| PlatformError::Host { call, errno }
}

impl StubFactory {
    pub fn new() -> Result<StubFactory, PlatformError> {
        let fd = nix::sys::memfd::memfd_create(
            c"runsc-stub",
            nix::sys::memfd::MemFdCreateFlag::MFD_CLOEXEC,
        )
        .map_err(host("memfd_create"))?;
        let (code, _) = stub_code();
        let mut page = vec![0xccu8; STUB_SIZE as usize]; // int3 padding
        page[..code.len()].copy_from_slice(code);
        nix::unistd::ftruncate(&fd, STUB_SIZE as i64).map_err(host("ftruncate"))?;
        nix::sys::uio::pwrite(&fd, &page, 0).map_err(host("pwrite"))?;
        Ok(StubFactory {
            code_fd: fd,
            filter: stub_filter(),
        })
    }

    /// Create a new stub process traced by the calling thread. `memfd` is the
    /// sandbox memory file; in the stub it becomes fd 0.
    pub fn spawn(&self, memfd: &impl AsRawFd) -> Result<Stub, PlatformError> {
        let prog = libc::sock_fprog {
            len: self.filter.len() as u16,
            filter: self.filter.as_ptr() as *mut libc::sock_filter,
        };
        let prog_ptr = &prog as *const libc::sock_fprog as u64;
        let code_fd = self.code_fd.as_raw_fd();
        let mem_fd = memfd.as_raw_fd();
        let rseq = this_thread_rseq();
        // SAFETY: a raw clone without CLONE_VM gives the child a private copy of
        // our address space; the child only makes raw syscalls (no allocation,
        // no locks) and then jumps into the stub page, never returning here.
        let pid = unsafe {
            libc::syscall(
                libc::SYS_clone,
                libc::SIGCHLD as u64,
                0u64,
                0u64,
                0u64,
                0u64,
            )
        };
        if pid == 0 {
            // SAFETY: child side, see above. Every call is a plain syscall.
            unsafe { stub_child(code_fd, mem_fd, prog_ptr, rseq) }
        }
        if pid < 0 {
            return Err(PlatformError::Host {
                call: "clone",
                errno: nix::errno::Errno::last(),
            });
        }
        let pid = Pid::from_raw(pid as i32);
        let mut stub = Stub {
            tid: pid,
            process: std::sync::Arc::new(StubProcess { pid }),
            cpu: -1,
            template: zero_regs(),
            alive: true,
        };
        match waitpid(pid, Some(WaitPidFlag::__WALL)).map_err(host("waitpid"))? {
            WaitStatus::Stopped(_, Signal::SIGSTOP) => {}
            other => {
                let rip = ptrace::getregs(pid).map(|r| r.rip).unwrap_or(0);
                let (code, addr) = stub.siginfo();
                stub.kill();
                return Err(PlatformError::Unexpected(format!(
                    "new stub: {other:?} at rip {rip:#x} (si_code {code}, addr {addr:#x})"
                )));
            }
        }
        ptrace::setoptions(pid, TRACE_OPTIONS).map_err(host("PTRACE_SETOPTIONS"))?;
        stub.template = ptrace::getregs(pid).map_err(host("PTRACE_GETREGS"))?;
        Ok(stub)
    }
}

/// ptrace options of a running stub thread. EXITKILL: if the sentry dies,
/// so do its stubs.
const TRACE_OPTIONS: ptrace::Options =
    ptrace::Options::PTRACE_O_EXITKILL.union(ptrace::Options::PTRACE_O_TRACESYSGOOD);

/// The child half of [`StubFactory::spawn`].
///
/// # Safety
/// Must only be called in the child of a raw clone; never returns.
unsafe fn stub_child(code_fd: i32, mem_fd: i32, prog_ptr: u64, rseq: u64) -> ! {
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
fn this_thread_rseq() -> u64 {
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

fn zero_regs() -> Regs {
    // SAFETY: user_regs_struct is plain integers; all-zero is valid.
    unsafe { std::mem::zeroed() }
}

/// One host stub process: one app address space, shared by the stub threads
/// of every task that uses it. Killed when the last of them goes away.
pub struct StubProcess {
    pid: Pid,
}

impl Drop for StubProcess {
    fn drop(&mut self) {
        let _ = nix::sys::signal::kill(self.pid, Signal::SIGKILL);
        // Reap it: we are its parent (any sentry thread may wait for it).
        loop {
            match waitpid(self.pid, Some(WaitPidFlag::__WALL)) {
                Err(nix::errno::Errno::EINTR) => continue,
                Ok(WaitStatus::Exited(..)) | Ok(WaitStatus::Signaled(..)) | Err(_) => break,
                Ok(_) => continue,
            }
        }
    }
}

/// One stub thread (one app thread), traced by the calling sentry thread.
pub struct Stub {
    tid: Pid,
    process: std::sync::Arc<StubProcess>,
    /// The CPU the stub is bound to (-1: none yet). Keeping the stub on the
    /// tracer's CPU turns each stop/resume into a same-CPU hand-off instead of
    /// a cross-CPU wake-up, which is several times slower in a VM.
    cpu: i32,
    /// Registers as the stub stopped first: valid segment selectors and flags.
    template: Regs,
    alive: bool,
}

/// A stub thread just cloned for a new task, not yet traced. Handed to the
/// new task's sentry thread, which seizes it with [`NewStubThread::attach`].
pub struct NewStubThread {
    tid: Pid,
    process: std::sync::Arc<StubProcess>,
    template: Regs,
}

impl NewStubThread {
    /// Trace the new stub thread from the calling thread and stop it.
    pub fn attach(self) -> Result<Stub, PlatformError> {
        let tid = self.tid;
        ptrace::seize(tid, TRACE_OPTIONS).map_err(host("PTRACE_SEIZE"))?;
        ptrace::interrupt(tid).map_err(host("PTRACE_INTERRUPT"))?;
        let mut stub = Stub {
            tid,
            process: self.process,
            cpu: -1,
            template: self.template,
            alive: true,
        };
        loop {
            match stub.wait()? {
                WaitStatus::PtraceEvent(..) => break,
                WaitStatus::Stopped(..) => {
                    // A kick that raced with the attach: suppressed.
                    ptrace::cont(tid, None).map_err(host("PTRACE_CONT"))?;
                    ptrace::interrupt(tid).map_err(host("PTRACE_INTERRUPT"))?;
                }
                WaitStatus::Exited(..) | WaitStatus::Signaled(..) => {
                    stub.alive = false;
                    return Err(PlatformError::StubDied);
                }
                _ => continue,
            }
        }
        Ok(stub)
    }
}

/// The regset of the XSAVE area (Linux's NT_X86_XSTATE).
const NT_X86_XSTATE: usize = 0x202;
/// Upper bound of the XSAVE area size (AMX tiles included).
const XSTATE_MAX: usize = 16 * 1024;

/// The mmap prot/flags value meaning "shared fixed mapping of the memory file".
const MAP_MEMFILE: u64 = (libc::MAP_SHARED | libc::MAP_FIXED) as u64;

/// Flags of the host clone that makes a new stub thread.
const STUB_THREAD_FLAGS: u64 = (libc::CLONE_VM
    | libc::CLONE_FS
    | libc::CLONE_FILES
    | libc::CLONE_SIGHAND
    | libc::CLONE_THREAD
    | libc::CLONE_SYSVSEM) as u64;

impl Stub {
    /// The host id of this stub thread.
    pub fn pid(&self) -> i32 {
        self.tid.as_raw()
    }

    /// The host pid of the stub process (its CPU clock is the address space's).
    pub fn process_pid(&self) -> i32 {
        self.process.pid.as_raw()
    }

    /// Initial register state for an app starting at `rip` with stack `rsp`.
    pub fn initial_regs(&self, rip: u64, rsp: u64) -> Regs {
        let mut r = self.template;
        r.rip = rip;
        r.rsp = rsp;
        for v in [
            &mut r.rax,
            &mut r.rbx,
            &mut r.rcx,
            &mut r.rdx,
            &mut r.rsi,
            &mut r.rdi,
            &mut r.rbp,
            &mut r.r8,
            &mut r.r9,
            &mut r.r10,
            &mut r.r11,
            &mut r.r12,
            &mut r.r13,
            &mut r.r14,
            &mut r.r15,
            &mut r.fs_base,
            &mut r.gs_base,
        ] {
            *v = 0;
        }
        r.orig_rax = u64::MAX;
        r.eflags = 0x202;
        r
    }

    /// Wait for the next stop or exit of this stub thread.
    fn wait(&mut self) -> Result<WaitStatus, PlatformError> {
        loop {
            match waitpid(self.tid, Some(WaitPidFlag::__WALL)) {
                Ok(st) => {
                    if matches!(st, WaitStatus::Exited(..) | WaitStatus::Signaled(..)) {
                        self.alive = false;
                    }
                    return Ok(st);
                }
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => {
                    self.alive = false;
                    return Err(PlatformError::Host {
                        call: "waitpid",
                        errno: e,
                    });
                }
            }
        }
    }

    /// Run app code with `regs` until it traps; `regs` is updated.
    pub fn switch(&mut self, regs: &mut Regs) -> Result<Event, PlatformError> {
        if !self.alive {
            return Ok(Event::Died);
        }
        self.bind_to_current_cpu();
        ptrace::setregs(self.tid, *regs).map_err(host("PTRACE_SETREGS"))?;
        ptrace::sysemu(self.tid, None).map_err(host("PTRACE_SYSEMU"))?;
        loop {
            match self.wait()? {
                WaitStatus::PtraceSyscall(_) => {
                    *regs = ptrace::getregs(self.tid).map_err(host("PTRACE_GETREGS"))?;
                    return Ok(Event::Syscall);
                }
                WaitStatus::Stopped(_, sig) => {
                    *regs = ptrace::getregs(self.tid).map_err(host("PTRACE_GETREGS"))?;
                    let (code, addr) = self.siginfo();
                    return Ok(match sig {
                        Signal::SIGSEGV | Signal::SIGBUS => Event::Fault {
                            signal: sig as i32,
                            addr,
                            code,
                        },
                        Signal::SIGILL | Signal::SIGFPE | Signal::SIGTRAP => Event::Signal {
                            signal: sig as i32,
                            code,
                            addr,
                        },
                        _ => Event::Interrupted,
                    });
                }
                WaitStatus::PtraceEvent(..) => {
                    *regs = ptrace::getregs(self.tid).map_err(host("PTRACE_GETREGS"))?;
                    return Ok(Event::Interrupted);
                }
                WaitStatus::Exited(..) | WaitStatus::Signaled(..) => return Ok(Event::Died),
                _ => continue,
            }
        }
    }

    fn bind_to_current_cpu(&mut self) {
        // SAFETY: sched_getcpu has no preconditions.
        let cpu = unsafe { libc::sched_getcpu() };
        if cpu < 0 || cpu == self.cpu {
            return;
        }
        let mut set = nix::sched::CpuSet::new();
        if set.set(cpu as usize).is_ok() && nix::sched::sched_setaffinity(self.tid, &set).is_ok() {
            self.cpu = cpu;
        }
    }

    fn siginfo(&self) -> (i32, u64) {
        match ptrace::getsiginfo(self.tid) {
            // SAFETY: si_addr reads the fault-address union member, which the
            // kernel fills for the fault signals we ask it for; for others it
            // reads initialised bytes of the union that we treat as a number.
            Ok(si) => (si.si_code, unsafe { si.si_addr() } as u64),
            Err(_) => (0, 0),
        }
    }

    /// Execute one syscall at `site` in the stub and return its raw result;
    /// the stub traps back at `ret`.
    fn inject_at(
        &mut self,
        site: u64,
        ret: u64,
        nr: i64,
        args: [u64; 6],
    ) -> Result<u64, PlatformError> {
        if !self.alive {
            return Err(PlatformError::StubDied);
        }
        let mut r = self.template;
        r.rax = nr as u64;
        r.orig_rax = u64::MAX;
        r.rdi = args[0];
        r.rsi = args[1];
        r.rdx = args[2];
        r.r10 = args[3];
        r.r8 = args[4];
        r.r9 = args[5];
        r.rip = site;
        ptrace::setregs(self.tid, r).map_err(host("PTRACE_SETREGS"))?;
        ptrace::cont(self.tid, None).map_err(host("PTRACE_CONT"))?;
        loop {
            match self.wait()? {
                WaitStatus::Stopped(_, Signal::SIGTRAP) => {
                    let out = ptrace::getregs(self.tid).map_err(host("PTRACE_GETREGS"))?;
                    if out.rip != ret {
                        return Err(PlatformError::Unexpected(format!(
                            "injected syscall {nr} stopped at {:#x}",
                            out.rip
                        )));
                    }
                    return Ok(out.rax);
                }
                // An external signal (e.g. an interrupt) raced with the
                // injection: suppress it and keep going.
                WaitStatus::Stopped(..) | WaitStatus::PtraceEvent(..) => {
                    ptrace::cont(self.tid, None).map_err(host("PTRACE_CONT"))?
                }
                WaitStatus::Exited(..) | WaitStatus::Signaled(..) => {
                    return Err(PlatformError::StubDied)
                }
                _ => continue,
            }
        }
    }

    fn inject(&mut self, nr: i64, args: [u64; 6]) -> Result<u64, PlatformError> {
        let site = syscall_site();
        self.inject_at(site, site + 3, nr, args)
    }

    fn check(ret: u64, call: &'static str) -> Result<u64, PlatformError> {
        let r = ret as i64;
        if (-4095..0).contains(&r) {
            Err(PlatformError::Host {
                call,
                errno: nix::errno::Errno::from_raw(-r as i32),
            })
        } else {
            Ok(ret)
        }
    }

    /// Clone a new thread of this stub process for a new task that shares
    /// the address space. The new thread waits untraced until the task's
    /// own sentry thread attaches it.
    /// Register the stub process for the host's
    /// MEMBARRIER_CMD_GLOBAL_EXPEDITED (the app's membarrier barriers then
    /// reach its running threads through the host's IPIs).
    pub fn membarrier_register(&mut self) -> Result<(), PlatformError> {
        const MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED: u64 = 4;
        let r = self.inject(
            libc::SYS_membarrier,
            [MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, 0, 0, 0, 0, 0],
        )?;
        Self::check(r, "stub membarrier").map(|_| ())
    }

    pub fn clone_thread(&mut self) -> Result<NewStubThread, PlatformError> {
        let (site, ret) = clone_site();
        let r = self.inject_at(
            site,
            ret,
            libc::SYS_clone,
            [STUB_THREAD_FLAGS, 0, 0, 0, 0, 0],
        )?;
        let tid = Self::check(r, "stub clone")?;
        Ok(NewStubThread {
            tid: Pid::from_raw(tid as i32),
            process: self.process.clone(),
            template: self.template,
        })
    }

    /// Map `len` bytes of the memory file at `offset` to `addr` with `prot`.
    pub fn map(
        &mut self,
        addr: u64,
        len: u64,
        prot: i32,
        offset: u64,
    ) -> Result<(), PlatformError> {
        let r = self.inject(
            libc::SYS_mmap,
            [addr, len, prot as u64, MAP_MEMFILE, 0, offset],
        )?;
        Self::check(r, "stub mmap").map(|_| ())
    }

    /// Remove any mapping in `[addr, addr+len)`.
    pub fn unmap(&mut self, addr: u64, len: u64) -> Result<(), PlatformError> {
        let r = self.inject(libc::SYS_munmap, [addr, len, 0, 0, 0, 0])?;
        Self::check(r, "stub munmap").map(|_| ())
    }

    /// Change the protection of mapped pages in `[addr, addr+len)`.
    pub fn protect(&mut self, addr: u64, len: u64, prot: i32) -> Result<(), PlatformError> {
        let r = self.inject(libc::SYS_mprotect, [addr, len, prot as u64, 0, 0, 0])?;
        Self::check(r, "stub mprotect").map(|_| ())
    }

    /// The FXSAVE area (x87/SSE state) of the stopped stub thread.
    pub fn get_fpregs(&self) -> Result<[u8; 512], PlatformError> {
        let mut buf = [0u8; 512];
        // SAFETY: PTRACE_GETFPREGS writes exactly one user_fpregs_struct
        // (512 bytes) into the buffer; the tracee is stopped and ours.
        let r = unsafe {
            libc::ptrace(
                libc::PTRACE_GETFPREGS,
                self.tid.as_raw(),
                0,
                buf.as_mut_ptr() as *mut libc::c_void,
            )
        };
        if r < 0 {
            return Err(PlatformError::Host {
                call: "PTRACE_GETFPREGS",
                errno: nix::errno::Errno::last(),
            });
        }
        Ok(buf)
    }

    /// Load an FXSAVE area into the stopped stub thread.
    pub fn set_fpregs(&self, buf: &[u8; 512]) -> Result<(), PlatformError> {
        // SAFETY: PTRACE_SETFPREGS reads exactly 512 bytes from the buffer.
        let r = unsafe {
            libc::ptrace(
                libc::PTRACE_SETFPREGS,
                self.tid.as_raw(),
                0,
                buf.as_ptr() as *mut libc::c_void,
            )
        };
        if r < 0 {
            return Err(PlatformError::Host {
                call: "PTRACE_SETFPREGS",
                errno: nix::errno::Errno::last(),
            });
        }
        Ok(())
    }

    /// The full XSAVE area (x87, SSE, AVX, AVX-512, ... as enabled on the
    /// host) of the stopped stub thread, with the kernel's software bytes
    /// (FP_XSTATE_MAGIC1, sizes, features) in the FXSAVE reserved area.
    pub fn get_xstate(&self) -> Result<Vec<u8>, PlatformError> {
        let mut buf = vec![0u8; XSTATE_MAX];
        let mut iov = libc::iovec {
            iov_base: buf.as_mut_ptr() as *mut libc::c_void,
            iov_len: buf.len(),
        };
        // SAFETY: PTRACE_GETREGSET writes at most iov_len bytes into the
        // buffer the iovec describes and shrinks iov_len to what it wrote;
        // the tracee is stopped and ours.
        let r = unsafe {
            libc::ptrace(
                libc::PTRACE_GETREGSET,
                self.tid.as_raw(),
                NT_X86_XSTATE,
                &mut iov as *mut libc::iovec as *mut libc::c_void,
            )
        };
        if r < 0 {
            return Err(PlatformError::Host {
                call: "PTRACE_GETREGSET",
                errno: nix::errno::Errno::last(),
            });
        }
        buf.truncate(iov.iov_len);
        Ok(buf)
    }

    /// Load an XSAVE area into the stopped stub thread. The host validates
    /// it (reserved bits, feature bits) and refuses a bad one.
    pub fn set_xstate(&self, area: &[u8]) -> Result<(), PlatformError> {
        let mut iov = libc::iovec {
            iov_base: area.as_ptr() as *mut libc::c_void,
            iov_len: area.len(),
        };
        // SAFETY: PTRACE_SETREGSET only reads iov_len bytes from the buffer.
        let r = unsafe {
            libc::ptrace(
                libc::PTRACE_SETREGSET,
                self.tid.as_raw(),
                NT_X86_XSTATE,
                &mut iov as *mut libc::iovec as *mut libc::c_void,
            )
        };
        if r < 0 {
            return Err(PlatformError::Host {
                call: "PTRACE_SETREGSET",
                errno: nix::errno::Errno::last(),
            });
        }
        Ok(())
    }

    /// Kill the whole stub process (every thread of it) and reap this thread.
    pub fn kill(&mut self) {
        if self.alive {
            let _ = nix::sys::signal::kill(self.process.pid, Signal::SIGKILL);
            while self.alive && self.wait().is_ok() {}
            self.alive = false;
        }
    }

    /// End this stub thread alone (other tasks still use the process): it
    /// runs exit(2) and is detached on its way out, so that neither this
    /// tracer's exit nor the thread's zombie state affects the others.
    fn exit_thread(&mut self) {
        if !self.alive {
            return;
        }
        let opts = ptrace::Options::PTRACE_O_TRACESYSGOOD | ptrace::Options::PTRACE_O_TRACEEXIT;
        if ptrace::setoptions(self.tid, opts).is_err() {
            self.alive = false;
            return;
        }
        let mut r = self.template;
        r.rax = libc::SYS_exit as u64;
        r.orig_rax = u64::MAX;
        r.rdi = 0;
        r.rip = syscall_site();
        if ptrace::setregs(self.tid, r).is_err() || ptrace::cont(self.tid, None).is_err() {
            self.alive = false;
            return;
        }
        loop {
            match self.wait() {
                Ok(WaitStatus::PtraceEvent(_, _, ev)) if ev == libc::PTRACE_EVENT_EXIT => {
                    let _ = ptrace::detach(self.tid, None);
                    break;
                }
                Ok(WaitStatus::Stopped(..)) | Ok(WaitStatus::PtraceEvent(..)) => {
                    if ptrace::cont(self.tid, None).is_err() {
                        break;
                    }
                }
                Ok(WaitStatus::Exited(..)) | Ok(WaitStatus::Signaled(..)) | Err(_) => break,
                Ok(_) => continue,
            }
        }
        self.alive = false;
    }

    /// Ask a running stub thread to stop (from another thread).
    pub fn interrupter(&self) -> Interrupter {
        Interrupter {
            pid: self.process.pid,
            tid: self.tid,
        }
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        if std::sync::Arc::strong_count(&self.process) > 1 {
            self.exit_thread();
        } else {
            self.kill();
        }
    }
}

/// Kicks a running stub thread back into the sentry; usable from any thread.
#[derive(Clone, Copy, Debug)]
pub struct Interrupter {
    pid: Pid,
    tid: Pid,
}

impl Interrupter {
    pub fn interrupt(&self) {
        // A thread-directed SIGSTOP: the tracer sees a signal-delivery stop
        // for this thread only and suppresses it.
        // SAFETY: tgkill only sends a signal; the ids are plain integers.
        unsafe {
            libc::syscall(
                libc::SYS_tgkill,
                self.pid.as_raw(),
                self.tid.as_raw(),
                libc::SIGSTOP,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_is_well_formed() {
        let f = stub_filter();
        assert!(f.len() < 64);
        // Every jump stays inside the program.
        for (i, ins) in f.iter().enumerate() {
            assert!(i + 1 + (ins.jt as usize) < f.len() + 1);
            assert!(i + 1 + (ins.jf as usize) < f.len() + 1);
        }
    }

    #[test]
    fn stub_code_fits() {
        let (code, off) = stub_code();
        assert!(code.len() <= STUB_SIZE as usize);
        assert_eq!(&code[off as usize..off as usize + 3], &[0x0f, 0x05, 0xcc]);
    }
}

#[cfg(test)]
mod live_tests {
    use super::*;
    use crate::mm::memfile::MemoryFile;

    #[test]
    fn syscall_and_fault_round_trip() {
        let mf = MemoryFile::new().unwrap();
        let factory = StubFactory::new().unwrap();
        let mut stub = factory.spawn(&mf.fd()).unwrap();
        let frame = mf.alloc_frames(1).unwrap().remove(0);
        // syscall; mov dword ptr [0x1000], eax
        let code = [0x0f, 0x05, 0x89, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00];
        mf.write(frame.off(), &code);
        stub.map(
            0x400000,
            4096,
            libc::PROT_READ | libc::PROT_EXEC,
            frame.off(),
        )
        .unwrap();
        let mut regs = stub.initial_regs(0x400000, 0);
        regs.rax = 39;
        assert_eq!(stub.switch(&mut regs).unwrap(), Event::Syscall);
        assert_eq!(regs.orig_rax, 39);
        regs.rax = 7;
        match stub.switch(&mut regs).unwrap() {
            Event::Fault { signal, addr, .. } => {
                assert_eq!(signal, libc::SIGSEGV);
                assert_eq!(addr, 0x1000);
            }
            e => panic!("unexpected {e:?}"),
        }
        // The stub's address space holds only the stub and our mapping.
        let maps = std::fs::read_to_string(format!("/proc/{}/maps", stub.pid())).unwrap();
        for line in maps.lines() {
            assert!(
                line.contains("runsc-stub")
                    || line.contains("runsc-memfile")
                    || line.contains("[vsyscall]"),
                "unexpected mapping {line}"
            );
        }
    }
}
