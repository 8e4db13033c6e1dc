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
    xattr_tmpfs: "xattr_tmpfs";
    getdents: "getdents";
    readlink: "readlink";
    access: "access";
    getcwd: "getcwd";
    // mounts (each program unshares a private mount namespace first)
    mnt_tmpfs_size: "mnt_tmpfs_size";
    mnt_bind_ro: "mnt_bind_ro";
    mnt_bind_file: "mnt_bind_file";
    mnt_remount: "mnt_remount";
    mnt_noexec: "mnt_noexec";
    mnt_umount: "mnt_umount";
    mnt_errors: "mnt_errors";
    mnt_move: "mnt_move";
    mnt_propagation: "mnt_propagation";
    mnt_chroot: "mnt_chroot";
    mnt_pivot_root: "mnt_pivot_root";
    mnt_unshare: "mnt_unshare";
    mnt_statx: "mnt_statx";
    mnt_proc_ro: "mnt_proc_ro";
    // procfs
    proc_mountinfo: "proc_mountinfo";
    proc_maps_file: "proc_maps_file";
    proc_limits: "proc_limits";
    proc_files: "proc_files";
    // sysfs
    sys_cpu: "sys_cpu";
    proc_self: "proc_self";
    proc_pid: "proc_pid";
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
    // eventfd, epoll, timerfd, signalfd
    eventfd: "eventfd";
    epoll_basic: "epoll_basic";
    timerfd: "timerfd";
    signalfd: "signalfd";
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
    // signal frames: registers and FPU state around handlers
    sigframe_gpregs: "sigframe_gpregs";
    sigframe_sse: "sigframe_sse";
    sigframe_x87: "sigframe_x87";
    sigframe_avx: "sigframe_avx";
    sighandler_fpinit: "sighandler_fpinit";
    sigreturn_ucontext: "sigreturn_ucontext";
    // synchronous faults caught by SA_SIGINFO handlers
    fault_segv_maperr: "fault_segv_maperr";
    fault_segv_accerr: "fault_segv_accerr";
    fault_gp: "fault_gp";
    fault_sigbus: "fault_sigbus";
    fault_sigfpe: "fault_sigfpe";
    fault_sigill: "fault_sigill";
    fault_sigtrap: "fault_sigtrap";
    fault_mask: "fault_mask";
    // siginfo contents, queueing and ordering
    siginfo_kill: "siginfo_kill";
    siginfo_tgkill: "siginfo_tgkill";
    siginfo_sigqueue: "siginfo_sigqueue";
    siginfo_sigchld: "siginfo_sigchld";
    sig_nested: "sig_nested";
    sig_rt_queue: "sig_rt_queue";
    sig_coalesce: "sig_coalesce";
    sig_order_std: "sig_order_std";
    // alternate stacks, handler flags, masks and waiting for signals
    sigaltstack_onstack: "sigaltstack_onstack";
    sigaltstack_autodisarm: "sigaltstack_autodisarm";
    sigaltstack_overflow: "sigaltstack_overflow";
    sa_resethand: "sa_resethand";
    sigsuspend_mask: "sigsuspend_mask";
    sigpending_ignore: "sigpending_ignore";
    sigwait_family: "sigwait_family";
    // interrupted system calls
    sa_restart_read: "sa_restart_read";
    sa_restart_wait: "sa_restart_wait";
    eintr_sleep: "eintr_sleep";
    // System V IPC
    ipc_shm_basic: "ipc_shm_basic";
    // Known bug (docs/architecture.md, System V IPC): about 1 run in 40-160 under a
    // parallel load, one of the four counter processes stays blocked in semop after the
    // others exited (the semaphore is 0 with no holder).
    ipc_sem_basic: "ipc_sem_basic", ignore "rare hang under load: a semop waiter left blocked at value 0";
    ipc_msg_basic: "ipc_msg_basic";
    ipc_proc_sysvipc: "ipc_proc_sysvipc";
    sig_restart_eintr: "sig_restart_eintr";
    restart_syscall_sleep: "restart_syscall_sleep";
    pipe_size_packet: "pipe_size_packet";
    fifo_named: "fifo_named";
    // AF_UNIX socket pairs
    unix_socketpair: "unix_socketpair";
    // AF_UNIX sockets with names (net/unix)
    unix_stream_path: "unix_stream_path";
    unix_stream_abstract: "unix_stream_abstract";
    unix_seqpacket: "unix_seqpacket";
    unix_dgram: "unix_dgram";
    unix_dgram_refused: "unix_dgram_refused";
    unix_backlog: "unix_backlog";
    unix_accept4: "unix_accept4";
    unix_scm_pipe: "unix_scm_pipe";
    unix_scm_kinds: "unix_scm_kinds";
    unix_scm_limits: "unix_scm_limits";
    unix_creds: "unix_creds";
    unix_peercred: "unix_peercred";
    unix_msg_flags: "unix_msg_flags";
    unix_shutdown: "unix_shutdown";
    unix_names: "unix_names";
    unix_connect_errors: "unix_connect_errors";
    unix_epoll: "unix_epoll";
    unix_sockopts: "unix_sockopts";
    unix_ioctl_proc: "unix_ioctl_proc";
    unix_mmsg: "unix_mmsg";
    unix_eintr: "unix_eintr";
    unix_perms: "unix_perms";
    unix_oob: "unix_oob";
    // tmpfs (/tmp, /dev/shm) and memfd
    tmpfs_files: "tmpfs_files";
    tmpfs_big_write: "tmpfs_big_write";
    tmpfs_sticky: "tmpfs_sticky";
    tmpfs_mmap: "tmpfs_mmap";
    memfd: "memfd";
    // fork, copy-on-write, vfork
    fork_cow: "fork_cow";
    fork_shared_anon: "fork_shared_anon";
    fork_madvise: "fork_madvise";
    fork_fds: "fork_fds";
    fork_signal_state: "fork_signal_state";
    fork_many: "fork_many";
    fork_kill_race: "fork_kill_race";
    vfork_semantics: "vfork_semantics";
    vfork_exec: "vfork_exec";
    // waiting for children
    waitid_variants: "waitid_variants";
    waitid_pgid: "waitid_pgid";
    wait4_exit_codes: "wait4_exit_codes";
    wait4_fatal_signals: "wait4_fatal_signals";
    wait_zombie: "wait_zombie";
    orphan_subreaper: "orphan_subreaper";
    sigchld_autoreap: "sigchld_autoreap";
    // process groups and sessions
    kill_pgrp: "kill_pgrp";
    session_pgid: "session_pgid";
    // pseudo-terminals (devpts, line discipline, job control on ptys)
    pty_open: "pty_open";
    pty_canon: "pty_canon";
    pty_echo: "pty_echo";
    pty_raw: "pty_raw";
    pty_onlcr: "pty_onlcr";
    pty_termios: "pty_termios";
    pty_poll: "pty_poll";
    pty_sigint: "pty_sigint";
    pty_jobstop: "pty_jobstop";
    pty_winch: "pty_winch";
    pty_hangup: "pty_hangup";
    pty_ctty: "pty_ctty";
    pty_pkt: "pty_pkt";
    // job control
    job_stop_cont: "job_stop_cont";
    waitid_stop_cont: "waitid_stop_cont";
    sa_nocldstop: "sa_nocldstop";
    stop_orphaned_tstp: "stop_orphaned_tstp";
    // parent death signal and clone exit signals
    pdeathsig: "pdeathsig";
    clone_exit_signal: "clone_exit_signal";
    clone_einval: "clone_einval";
    clone3_errors: "clone3_errors";
    // futexes
    futex_wait_errors: "futex_wait_errors";
    futex_bitset: "futex_bitset";
    futex_wake_op: "futex_wake_op";
    futex_procs: "futex_procs";
    futex_wake_count: "futex_wake_count";
    futex_requeue: "futex_requeue";
    robust_mutex_process: "robust_mutex_process";
    // threads
    thread_create_join: "thread_create_join";
    thread_kill: "thread_kill";
    thread_sigmask: "thread_sigmask";
    thread_exit_group: "thread_exit_group";
    thread_mutex_cond: "thread_mutex_cond";
    thread_cleartid: "thread_cleartid";
    robust_mutex_thread: "robust_mutex_thread";
    exec_from_thread: "exec_from_thread";
    // the loader
    auxv: "auxv" ["a", "b c", ""];
    execve_errors_then_exec: "execve" [helper("exec_target"), "errors"] => 7;
    execve_script: "execve" [helper("exec_target"), "script"];
    execve_empty_argv: "execve" [helper("exec_target"), "empty_argv"] => 7;
    // seccomp filters (run by the sentry)
    seccomp_errno: "seccomp_errno";
    seccomp_trap: "seccomp_trap";
    seccomp_kill_process: "seccomp_kill" ["process"] => 159;
    seccomp_kill_thread_last: "seccomp_kill" ["thread_last"] => 159;
    seccomp_kill_thread: "seccomp_kill" ["thread"];
    seccomp_strict: "seccomp_strict";
    seccomp_errors: "seccomp_errors";
    seccomp_inherit: "seccomp_inherit" [helper("seccomp_exec_helper")];
    seccomp_tsync: "seccomp_tsync";
    // file locks (flock, POSIX record locks, OFD locks)
    lock_conflict: "lock_conflict";
    lock_setlkw: "lock_setlkw";
    lock_deadlock: "lock_deadlock";
    lock_close: "lock_close";
    lock_ofd: "lock_ofd";
    lock_flock: "lock_flock";
    lock_errors: "lock_errors";
    lock_threads: "lock_threads";
    lock_gofer: "lock_gofer";
    // data movement between fds
    splice_sendfile: "splice_sendfile";
    splice_splice: "splice_splice";
    splice_tee: "splice_tee";
    splice_copy_file_range: "splice_copy_file_range";
    splice_block: "splice_block";
    // inotify
    inotify_events: "inotify_events";
    inotify_api: "inotify_api";
    inotify_overflow: "inotify_overflow";
    inotify_rename: "inotify_rename";
    inotify_gofer: "inotify_gofer";
    inotify_splice: "inotify_splice";
    // openat2 and O_PATH
    openat2_resolve: "openat2_resolve";
    openat2_create: "openat2_create";
    openat2_gofer: "openat2_gofer";
    fd_opath: "fd_opath";
    fd_close_range: "fd_close_range";
    fd_tmpfile: "fd_tmpfile";
    fd_memfd_seals: "fd_memfd_seals";
    // POSIX message queues
    mq_basic: "mq_basic";
    mq_timeout: "mq_timeout";
    mq_notify: "mq_notify";
    mq_perm: "mq_perm";
    mq_mount: "mq_mount";
    // exit statuses
    exit_0: "exit_codes" ["0"];
    exit_1: "exit_codes" ["1"] => 1;
    exit_255: "exit_codes" ["255"] => 255;
    exit_256_wraps: "exit_codes" ["256"];
    exit_300_wraps: "exit_codes" ["300"] => 44;
    exit_syscall_exit: "exit_codes" ["42", "exit"] => 42;
    exit_return_from_main: "exit_codes" ["3", "return"] => 3;
}
