//! Differential conformance tests: every C program in `tests/conformance/` is compiled
//! statically and dynamically, run natively and under `runsc do`, and the two runs must
//! print the same stdout and end with the same status (death by signal N natively ==
//! exit status 128+N from runsc).
//!
//! Every program gets the fixture directory as argv[1] (see `systests::fixtures`), then
//! the test's extra arguments; `helper("x")` compiles `conformance/x.c` with the same
//! linking as the test and passes its absolute path.

use systests::{compile, differential, fixtures, Cmd, Link};

/// An extra argument of a conformance program.
enum Arg {
    Lit(&'static str),
    /// A helper program compiled with the same linking as the test.
    Helper(&'static str),
}

impl From<&'static str> for Arg {
    fn from(s: &'static str) -> Self {
        Arg::Lit(s)
    }
}

fn helper(name: &'static str) -> Arg {
    Arg::Helper(name)
}

fn check(link: Link, prog: &str, args: Vec<Arg>, expected_status: i32) {
    let bin = compile(prog, link);
    let mut cmd = Cmd::new(&bin).arg(fixtures()).cwd("/");
    for a in args {
        cmd = match a {
            Arg::Lit(s) => cmd.arg(s),
            Arg::Helper(h) => cmd.arg(compile(h, link)),
        };
    }
    differential(&cmd, expected_status);
}

macro_rules! status {
    () => {
        0
    };
    ($s:expr) => {
        $s
    };
}

/// `name: "prog" [args] => status;` is one test per linking; a trailing
/// `, ignore "reason"` marks both as `#[ignore = "reason"]`: a known gap or bug of the
/// sandbox. `SYSTESTS_NATIVE_ONLY=1 cargo test ... -- --include-ignored` still validates
/// such programs natively; `-- --ignored` shows where the sandbox stands.
macro_rules! conformance {
    ($($test:ident: $prog:literal $([$($arg:expr),*])? $(=> $status:expr)? $(, ignore $reason:literal)?;)*) => {
        mod static_bin {
            use super::*;
            $(
                #[test]
                $(#[ignore = $reason])?
                fn $test() {
                    check(Link::Static, $prog, vec![$($(Arg::from($arg)),*)?], status!($($status)?));
                }
            )*
        }
        mod dynamic_bin {
            use super::*;
            $(
                #[test]
                $(#[ignore = $reason])?
                fn $test() {
                    check(Link::Dynamic, $prog, vec![$($(Arg::from($arg)),*)?], status!($($status)?));
                }
            )*
        }
    };
}

conformance! {
    // I/O on devices and files
    rw_devnull: "rw_devnull";
    rw_devzero: "rw_devzero";
    rw_urandom: "rw_urandom";
    rw_file: "rw_file";
    iov_edge: "iov_edge";
    lseek: "lseek";
    // descriptors
    open_flags: "open_flags";
    close_badf: "close_badf";
    dup: "dup";
    fd_alloc: "fd_alloc";
    fcntl: "fcntl";
    ioctl: "ioctl";
    // metadata and directories
    stat: "stat";
    statx: "statx";
    statfs: "statfs";
    getdents: "getdents";
    readlink: "readlink";
    access: "access";
    getcwd: "getcwd";
    // system and identity
    uname: "uname";
    sysinfo: "sysinfo";
    ids: "ids";
    arch_prctl: "arch_prctl";
    rlimit: "rlimit";
    getrandom: "getrandom";
    umask: "umask";
    sched: "sched";
    // time
    clock: "clock";
    time: "time";
    sleep: "sleep";
    // signal state
    sigaction: "sigaction";
    sigprocmask: "sigprocmask";
    sigaltstack: "sigaltstack";
    // bad pointers and page boundaries
    efault: "efault";
    pageboundary: "pageboundary";
    stdout_fault: "stdout_fault";
    // memory management
    mmap_basic: "mmap_basic";
    mmap_split: "mmap_split";
    mmap_file: "mmap_file";
    mremap: "mremap";
    brk: "brk";
    madvise: "madvise";
    mincore: "mincore";
    msync: "msync";
    // faults: death by signal, status 128+N
    segv_write_ro: "segv" ["write_ro"] => 139;
    segv_unmapped: "segv" ["unmapped"] => 139;
    segv_prot_none: "segv" ["prot_none"] => 139;
    segv_wild_pointer: "segv" ["null"] => 139;
    segv_exec_nx: "segv" ["exec_nx"] => 139;
    segv_after_munmap: "segv" ["after_munmap"] => 139;
    segv_after_mprotect: "segv" ["mprotect_later"] => 139;
    sigbus_past_eof: "sigbus" => 135;
    // processes and signals
    fork_wait: "fork_wait";
    signal_deliver: "signal_deliver";
    // signal frames: registers and FPU state around handlers
    sigframe_gpregs: "sigframe_gpregs";
    sigframe_sse: "sigframe_sse";
    sigframe_x87: "sigframe_x87";
    sigframe_avx: "sigframe_avx", ignore "sandbox bug: ymm upper halves are not saved/restored around a signal handler (FXSAVE-only frame)";
    sighandler_fpinit: "sighandler_fpinit", ignore "sandbox bug: a handler starts with the interrupted code's MXCSR/x87 CW/xmm instead of the initial FPU state";
    sigreturn_ucontext: "sigreturn_ucontext", ignore "needs synchronous fault signals delivered to handlers (faults are always fatal in the sandbox)";
    // synchronous faults caught by SA_SIGINFO handlers
    fault_segv_maperr: "fault_segv_maperr", ignore "needs synchronous fault signals delivered to handlers (faults are always fatal in the sandbox)";
    fault_segv_accerr: "fault_segv_accerr", ignore "needs synchronous fault signals delivered to handlers (faults are always fatal in the sandbox)";
    fault_gp: "fault_gp", ignore "needs synchronous fault signals delivered to handlers (faults are always fatal in the sandbox)";
    fault_sigbus: "fault_sigbus", ignore "needs synchronous fault signals delivered to handlers (faults are always fatal in the sandbox)";
    fault_sigfpe: "fault_sigfpe", ignore "needs synchronous fault signals delivered to handlers (faults are always fatal in the sandbox)";
    fault_sigill: "fault_sigill", ignore "needs synchronous fault signals delivered to handlers (faults are always fatal in the sandbox)";
    fault_sigtrap: "fault_sigtrap", ignore "needs synchronous fault signals delivered to handlers (faults are always fatal in the sandbox)";
    fault_mask: "fault_mask", ignore "needs synchronous fault signals delivered to handlers (faults are always fatal in the sandbox)";
    // siginfo contents, queueing and ordering
    siginfo_kill: "siginfo_kill";
    siginfo_tgkill: "siginfo_tgkill";
    siginfo_sigqueue: "siginfo_sigqueue", ignore "needs rt_sigqueueinfo/rt_tgsigqueueinfo (ENOSYS)";
    siginfo_sigchld: "siginfo_sigchld";
    sig_nested: "sig_nested";
    sig_rt_queue: "sig_rt_queue", ignore "needs rt_sigqueueinfo and rt_sigtimedwait (ENOSYS)";
    sig_coalesce: "sig_coalesce";
    sig_order_std: "sig_order_std";
    // alternate stacks, handler flags, masks and waiting for signals
    sigaltstack_onstack: "sigaltstack_onstack";
    sigaltstack_autodisarm: "sigaltstack_autodisarm";
    sigaltstack_overflow: "sigaltstack_overflow", ignore "needs synchronous fault signals delivered to handlers (faults are always fatal in the sandbox)";
    sa_resethand: "sa_resethand", ignore "sandbox bug: an SA_RESETHAND delivery also clears sa_flags (Linux only resets the handler to SIG_DFL)";
    sigsuspend_mask: "sigsuspend_mask";
    sigpending_ignore: "sigpending_ignore";
    sigwait_family: "sigwait_family", ignore "needs rt_sigtimedwait (ENOSYS)";
    // interrupted system calls
    sa_restart_read: "sa_restart_read", ignore "needs interruptible waits (a signal does not interrupt a blocked pipe read)";
    sa_restart_wait: "sa_restart_wait", ignore "needs interruptible waits (a signal does not interrupt a blocked wait4)";
    eintr_sleep: "eintr_sleep", ignore "needs interruptible waits (nanosleep/clock_nanosleep sleep through a handled signal)";
    // fork, copy-on-write, vfork
    fork_cow: "fork_cow";
    fork_shared_anon: "fork_shared_anon";
    fork_madvise: "fork_madvise", ignore "sandbox bug: madvise(MADV_WIPEONFORK) on a MAP_SHARED mapping succeeds (Linux: EINVAL)";
    fork_fds: "fork_fds";
    fork_signal_state: "fork_signal_state";
    fork_many: "fork_many";
    fork_kill_race: "fork_kill_race", ignore "sandbox bug: right after fork() returns, kill()/tgkill() on the new child can fail with ESRCH (about 1 in 5 times)";
    vfork_semantics: "vfork_semantics", ignore "sandbox bug: a vfork child does not share the parent's memory (its writes are invisible to the parent)";
    vfork_exec: "vfork_exec";
    // waiting for children
    waitid_variants: "waitid_variants";
    waitid_pgid: "waitid_pgid", ignore "needs process groups and sessions (setpgid/setsid/getpgid on other processes are stubs)";
    wait4_exit_codes: "wait4_exit_codes";
    wait4_fatal_signals: "wait4_fatal_signals";
    wait_zombie: "wait_zombie", ignore "sandbox bug: kill(pid, 0) on an unreaped zombie child is ESRCH (Linux: 0)";
    orphan_subreaper: "orphan_subreaper", ignore "sandbox bug: an orphan's getppid() is not updated to the subreaper, and PR_GET_CHILD_SUBREAPER is inherited by fork";
    sigchld_autoreap: "sigchld_autoreap", ignore "needs SIGCHLD auto-reaping (SIG_IGN / SA_NOCLDWAIT leave zombies that wait() reaps)";
    // process groups and sessions
    kill_pgrp: "kill_pgrp", ignore "needs process groups and sessions (setpgid/setsid/getpgid on other processes are stubs)";
    session_pgid: "session_pgid", ignore "needs process groups and sessions (setpgid/setsid/getpgid on other processes are stubs)";
    // job control
    job_stop_cont: "job_stop_cont", ignore "needs job control (SIGSTOP/SIGCONT stops and WUNTRACED/WCONTINUED reports)";
    waitid_stop_cont: "waitid_stop_cont", ignore "needs job control (SIGSTOP/SIGCONT stops and WUNTRACED/WCONTINUED reports)";
    sa_nocldstop: "sa_nocldstop", ignore "needs job control (SIGSTOP/SIGCONT stops and WUNTRACED/WCONTINUED reports)";
    stop_orphaned_tstp: "stop_orphaned_tstp", ignore "needs job control (SIGSTOP/SIGCONT stops and WUNTRACED/WCONTINUED reports)";
    // parent death signal and clone exit signals
    pdeathsig: "pdeathsig", ignore "sandbox bug: the PR_SET_PDEATHSIG signal is never sent when the parent dies, and the setting survives fork (Linux clears it in the child)";
    clone_exit_signal: "clone_exit_signal";
    clone_einval: "clone_einval", ignore "sandbox bug: invalid CLONE_THREAD/namespace combinations give ENOSYS instead of EINVAL (validation happens after the thread check)";
    clone3_errors: "clone3_errors", ignore "sandbox bug: clone3 accepts unknown flag bits and CLONE_DETACHED (Linux: EINVAL), size > page is EINVAL (Linux: E2BIG), CLONE_THREAD with an exit signal is ENOSYS (Linux: EINVAL)";
    // futexes
    futex_wait_errors: "futex_wait_errors", ignore "sandbox bug: FUTEX_CMP_REQUEUE with a negative nr_wake succeeds (Linux: EINVAL)";
    futex_bitset: "futex_bitset";
    futex_wake_op: "futex_wake_op", ignore "sandbox bug: FUTEX_WAKE_OP does not sign-extend the 12-bit oparg and accepts an invalid comparison (Linux: ENOSYS)";
    futex_procs: "futex_procs", ignore "needs real futexes (a FUTEX_WAKE from another process does not wake a waiter)";
    futex_wake_count: "futex_wake_count", ignore "needs real futexes (a FUTEX_WAKE from another process does not wake a waiter)";
    futex_requeue: "futex_requeue", ignore "needs futex requeue (and real futexes: cross-process wake)";
    robust_mutex_process: "robust_mutex_process", ignore "needs robust futex lists (the robust list is not walked at exit: no FUTEX_OWNER_DIED, the next locker blocks)";
    // threads
    thread_create_join: "thread_create_join", ignore "needs threads (clone with CLONE_VM|CLONE_THREAD is ENOSYS)";
    thread_kill: "thread_kill", ignore "needs threads (clone with CLONE_VM|CLONE_THREAD is ENOSYS)";
    thread_sigmask: "thread_sigmask", ignore "needs threads (clone with CLONE_VM|CLONE_THREAD is ENOSYS)";
    thread_exit_group: "thread_exit_group", ignore "needs threads (clone with CLONE_VM|CLONE_THREAD is ENOSYS)";
    thread_mutex_cond: "thread_mutex_cond", ignore "needs threads (clone with CLONE_VM|CLONE_THREAD is ENOSYS)";
    thread_cleartid: "thread_cleartid", ignore "needs threads (clone with CLONE_VM|CLONE_THREAD is ENOSYS)";
    robust_mutex_thread: "robust_mutex_thread", ignore "needs threads (clone with CLONE_VM|CLONE_THREAD is ENOSYS)";
    exec_from_thread: "exec_from_thread", ignore "needs threads (clone with CLONE_VM|CLONE_THREAD is ENOSYS)";
    // the loader
    auxv: "auxv" ["a", "b c", ""];
    execve_errors_then_exec: "execve" [helper("exec_target"), "errors"] => 7;
    execve_script: "execve" [helper("exec_target"), "script"];
    execve_empty_argv: "execve" [helper("exec_target"), "empty_argv"] => 7;
    // exit statuses
    exit_0: "exit_codes" ["0"];
    exit_1: "exit_codes" ["1"] => 1;
    exit_255: "exit_codes" ["255"] => 255;
    exit_256_wraps: "exit_codes" ["256"];
    exit_300_wraps: "exit_codes" ["300"] => 44;
    exit_syscall_exit: "exit_codes" ["42", "exit"] => 42;
    exit_return_from_main: "exit_codes" ["3", "return"] => 3;
}
