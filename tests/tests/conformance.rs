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

macro_rules! conformance {
    ($($test:ident: $prog:literal $([$($arg:expr),*])? $(=> $status:expr)?;)*) => {
        mod static_bin {
            use super::*;
            $(
                #[test]
                fn $test() {
                    check(Link::Static, $prog, vec![$($(Arg::from($arg)),*)?], status!($($status)?));
                }
            )*
        }
        mod dynamic_bin {
            use super::*;
            $(
                #[test]
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
    rusage: "rusage";
    pidfd: "pidfd";
    sched_calls: "sched_calls";
    priority: "priority";
    membarrier: "membarrier";
    capabilities: "capabilities";
    // time
    clock: "clock";
    time: "time";
    sleep: "sleep";
    // waiting for file readiness
    poll_pipe: "poll_pipe";
    select_pipe: "select_pipe";
    ppoll_sigmask: "ppoll_sigmask";
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
    // timers
    itimer_real: "itimer_real";
    itimer_virtual: "itimer_virtual";
    alarm: "alarm";
    alarm_kill: "alarm" ["kill"] => 142;
    posix_timer: "posix_timer";
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
