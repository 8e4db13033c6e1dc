//! Processes: clone, wait, rlimits, arch_prctl, prctl, getrandom, futex, seccomp,
//! ptrace, scheduling, capabilities.

// clone(2) / clone3(2) / unshare(2) flags.
/// Mask of the exit signal in clone(2)'s flags.
pub const CSIGNAL: u64 = 0xff;
/// (Linux 5.6) clone3/unshare only.
pub const CLONE_NEWTIME: u64 = 0x80;
pub const CLONE_VM: u64 = 0x100;
pub const CLONE_FS: u64 = 0x200;
pub const CLONE_FILES: u64 = 0x400;
pub const CLONE_SIGHAND: u64 = 0x800;
pub const CLONE_PIDFD: u64 = 0x1000;
pub const CLONE_PTRACE: u64 = 0x2000;
pub const CLONE_VFORK: u64 = 0x4000;
pub const CLONE_PARENT: u64 = 0x8000;
pub const CLONE_THREAD: u64 = 0x1_0000;
pub const CLONE_NEWNS: u64 = 0x2_0000;
pub const CLONE_SYSVSEM: u64 = 0x4_0000;
pub const CLONE_SETTLS: u64 = 0x8_0000;
pub const CLONE_PARENT_SETTID: u64 = 0x10_0000;
pub const CLONE_CHILD_CLEARTID: u64 = 0x20_0000;
pub const CLONE_DETACHED: u64 = 0x40_0000;
pub const CLONE_UNTRACED: u64 = 0x80_0000;
pub const CLONE_CHILD_SETTID: u64 = 0x100_0000;
pub const CLONE_NEWCGROUP: u64 = 0x200_0000;
pub const CLONE_NEWUTS: u64 = 0x400_0000;
pub const CLONE_NEWIPC: u64 = 0x800_0000;
pub const CLONE_NEWUSER: u64 = 0x1000_0000;
pub const CLONE_NEWPID: u64 = 0x2000_0000;
pub const CLONE_NEWNET: u64 = 0x4000_0000;
pub const CLONE_IO: u64 = 0x8000_0000;
/// clone3 only.
pub const CLONE_CLEAR_SIGHAND: u64 = 0x1_0000_0000;
/// clone3 only.
pub const CLONE_INTO_CGROUP: u64 = 0x2_0000_0000;

// wait4/waitid options.
pub const WNOHANG: u32 = 0x1;
pub const WUNTRACED: u32 = 0x2;
pub const WSTOPPED: u32 = WUNTRACED;
pub const WEXITED: u32 = 0x4;
pub const WCONTINUED: u32 = 0x8;
pub const WNOWAIT: u32 = 0x0100_0000;
/// `__WNOTHREAD`.
pub const WNOTHREAD: u32 = 0x2000_0000;
/// `__WALL`.
pub const WALL: u32 = 0x4000_0000;
/// `__WCLONE`.
pub const WCLONE: u32 = 0x8000_0000;
// waitid idtype.
pub const P_ALL: i32 = 0;
pub const P_PID: i32 = 1;
pub const P_PGID: i32 = 2;
pub const P_PIDFD: i32 = 3;

// Resource limits.
pub const RLIMIT_CPU: u32 = 0;
pub const RLIMIT_FSIZE: u32 = 1;
pub const RLIMIT_DATA: u32 = 2;
pub const RLIMIT_STACK: u32 = 3;
pub const RLIMIT_CORE: u32 = 4;
pub const RLIMIT_RSS: u32 = 5;
pub const RLIMIT_NPROC: u32 = 6;
pub const RLIMIT_NOFILE: u32 = 7;
pub const RLIMIT_MEMLOCK: u32 = 8;
pub const RLIMIT_AS: u32 = 9;
pub const RLIMIT_LOCKS: u32 = 10;
pub const RLIMIT_SIGPENDING: u32 = 11;
pub const RLIMIT_MSGQUEUE: u32 = 12;
pub const RLIMIT_NICE: u32 = 13;
pub const RLIMIT_RTPRIO: u32 = 14;
pub const RLIMIT_RTTIME: u32 = 15;
pub const RLIM_NLIMITS: u32 = 16;
pub const RLIM_INFINITY: u64 = u64::MAX;

/// Names of the resources, indexed by `RLIMIT_*` value.
pub const RLIMIT_NAMES: [&str; RLIM_NLIMITS as usize] = [
    "RLIMIT_CPU",
    "RLIMIT_FSIZE",
    "RLIMIT_DATA",
    "RLIMIT_STACK",
    "RLIMIT_CORE",
    "RLIMIT_RSS",
    "RLIMIT_NPROC",
    "RLIMIT_NOFILE",
    "RLIMIT_MEMLOCK",
    "RLIMIT_AS",
    "RLIMIT_LOCKS",
    "RLIMIT_SIGPENDING",
    "RLIMIT_MSGQUEUE",
    "RLIMIT_NICE",
    "RLIMIT_RTPRIO",
    "RLIMIT_RTTIME",
];

/// The name of a resource, e.g. `"RLIMIT_NOFILE"`.
pub fn rlimit_name(resource: u32) -> Option<&'static str> {
    RLIMIT_NAMES.get(resource as usize).copied()
}

/// The resource called `name` (`"RLIMIT_NOFILE"`, as in OCI `process.rlimits`).
pub fn rlimit_by_name(name: &str) -> Option<u32> {
    RLIMIT_NAMES
        .iter()
        .position(|n| *n == name)
        .map(|i| i as u32)
}

pub const RUSAGE_SELF: i32 = 0;
pub const RUSAGE_CHILDREN: i32 = -1;
pub const RUSAGE_THREAD: i32 = 1;

pub const PRIO_PROCESS: i32 = 0;
pub const PRIO_PGRP: i32 = 1;
pub const PRIO_USER: i32 = 2;

// arch_prctl(2) codes.
pub const ARCH_SET_GS: i32 = 0x1001;
pub const ARCH_SET_FS: i32 = 0x1002;
pub const ARCH_GET_FS: i32 = 0x1003;
pub const ARCH_GET_GS: i32 = 0x1004;
pub const ARCH_GET_CPUID: i32 = 0x1011;
pub const ARCH_SET_CPUID: i32 = 0x1012;
pub const ARCH_GET_XCOMP_SUPP: i32 = 0x1021;
pub const ARCH_GET_XCOMP_PERM: i32 = 0x1022;
pub const ARCH_REQ_XCOMP_PERM: i32 = 0x1023;
pub const ARCH_GET_XCOMP_GUEST_PERM: i32 = 0x1024;
pub const ARCH_REQ_XCOMP_GUEST_PERM: i32 = 0x1025;
pub const ARCH_MAP_VDSO_X32: i32 = 0x2001;
pub const ARCH_MAP_VDSO_32: i32 = 0x2002;
pub const ARCH_MAP_VDSO_64: i32 = 0x2003;
/// (Linux 6.4)
pub const ARCH_GET_UNTAG_MASK: i32 = 0x4001;
/// (Linux 6.4)
pub const ARCH_ENABLE_TAGGED_ADDR: i32 = 0x4002;
/// (Linux 6.4)
pub const ARCH_GET_MAX_TAG_BITS: i32 = 0x4003;
/// (Linux 6.4)
pub const ARCH_FORCE_TAGGED_SVA: i32 = 0x4004;
/// (Linux 6.6)
pub const ARCH_SHSTK_ENABLE: i32 = 0x5001;
/// (Linux 6.6)
pub const ARCH_SHSTK_DISABLE: i32 = 0x5002;
/// (Linux 6.6)
pub const ARCH_SHSTK_LOCK: i32 = 0x5003;
/// (Linux 6.6)
pub const ARCH_SHSTK_UNLOCK: i32 = 0x5004;
/// (Linux 6.6)
pub const ARCH_SHSTK_STATUS: i32 = 0x5005;

// prctl(2) options.
pub const PR_SET_PDEATHSIG: i32 = 1;
pub const PR_GET_PDEATHSIG: i32 = 2;
pub const PR_GET_DUMPABLE: i32 = 3;
pub const PR_SET_DUMPABLE: i32 = 4;
pub const PR_GET_UNALIGN: i32 = 5;
pub const PR_SET_UNALIGN: i32 = 6;
pub const PR_GET_KEEPCAPS: i32 = 7;
pub const PR_SET_KEEPCAPS: i32 = 8;
pub const PR_GET_FPEMU: i32 = 9;
pub const PR_SET_FPEMU: i32 = 10;
pub const PR_GET_FPEXC: i32 = 11;
pub const PR_SET_FPEXC: i32 = 12;
pub const PR_GET_TIMING: i32 = 13;
pub const PR_SET_TIMING: i32 = 14;
pub const PR_SET_NAME: i32 = 15;
pub const PR_GET_NAME: i32 = 16;
pub const PR_GET_ENDIAN: i32 = 19;
pub const PR_SET_ENDIAN: i32 = 20;
pub const PR_GET_SECCOMP: i32 = 21;
pub const PR_SET_SECCOMP: i32 = 22;
pub const PR_CAPBSET_READ: i32 = 23;
pub const PR_CAPBSET_DROP: i32 = 24;
pub const PR_GET_TSC: i32 = 25;
pub const PR_SET_TSC: i32 = 26;
pub const PR_GET_SECUREBITS: i32 = 27;
pub const PR_SET_SECUREBITS: i32 = 28;
pub const PR_SET_TIMERSLACK: i32 = 29;
pub const PR_GET_TIMERSLACK: i32 = 30;
pub const PR_TASK_PERF_EVENTS_DISABLE: i32 = 31;
pub const PR_TASK_PERF_EVENTS_ENABLE: i32 = 32;
pub const PR_MCE_KILL: i32 = 33;
pub const PR_MCE_KILL_GET: i32 = 34;
pub const PR_SET_MM: i32 = 35;
pub const PR_SET_CHILD_SUBREAPER: i32 = 36;
pub const PR_GET_CHILD_SUBREAPER: i32 = 37;
pub const PR_SET_NO_NEW_PRIVS: i32 = 38;
pub const PR_GET_NO_NEW_PRIVS: i32 = 39;
pub const PR_GET_TID_ADDRESS: i32 = 40;
pub const PR_SET_THP_DISABLE: i32 = 41;
pub const PR_GET_THP_DISABLE: i32 = 42;
pub const PR_MPX_ENABLE_MANAGEMENT: i32 = 43;
pub const PR_MPX_DISABLE_MANAGEMENT: i32 = 44;
pub const PR_SET_FP_MODE: i32 = 45;
pub const PR_GET_FP_MODE: i32 = 46;
pub const PR_CAP_AMBIENT: i32 = 47;
pub const PR_SVE_SET_VL: i32 = 50;
pub const PR_SVE_GET_VL: i32 = 51;
pub const PR_GET_SPECULATION_CTRL: i32 = 52;
pub const PR_SET_SPECULATION_CTRL: i32 = 53;
pub const PR_PAC_RESET_KEYS: i32 = 54;
pub const PR_SET_TAGGED_ADDR_CTRL: i32 = 55;
pub const PR_GET_TAGGED_ADDR_CTRL: i32 = 56;
pub const PR_SET_IO_FLUSHER: i32 = 57;
pub const PR_GET_IO_FLUSHER: i32 = 58;
pub const PR_SET_SYSCALL_USER_DISPATCH: i32 = 59;
pub const PR_PAC_SET_ENABLED_KEYS: i32 = 60;
pub const PR_PAC_GET_ENABLED_KEYS: i32 = 61;
pub const PR_SCHED_CORE: i32 = 62;
pub const PR_SME_SET_VL: i32 = 63;
pub const PR_SME_GET_VL: i32 = 64;
/// (Linux 6.3)
pub const PR_SET_MDWE: i32 = 65;
/// (Linux 6.3)
pub const PR_GET_MDWE: i32 = 66;
/// (Linux 6.4)
pub const PR_SET_MEMORY_MERGE: i32 = 67;
/// (Linux 6.4)
pub const PR_GET_MEMORY_MERGE: i32 = 68;
/// (Linux 6.5)
pub const PR_RISCV_V_SET_CONTROL: i32 = 69;
/// (Linux 6.5)
pub const PR_RISCV_V_GET_CONTROL: i32 = 70;
/// (Linux 6.9)
pub const PR_RISCV_SET_ICACHE_FLUSH_CTX: i32 = 71;
/// (Linux 6.13)
pub const PR_PPC_GET_DEXCR: i32 = 72;
/// (Linux 6.13)
pub const PR_PPC_SET_DEXCR: i32 = 73;
/// (Linux 6.13)
pub const PR_GET_SHADOW_STACK_STATUS: i32 = 74;
/// (Linux 6.13)
pub const PR_SET_SHADOW_STACK_STATUS: i32 = 75;
/// (Linux 6.13)
pub const PR_LOCK_SHADOW_STACK_STATUS: i32 = 76;
/// (Linux 6.17)
pub const PR_TIMER_CREATE_RESTORE_IDS: i32 = 77;
/// (Linux 6.16)
pub const PR_FUTEX_HASH: i32 = 78;
/// (Linux 6.4)
pub const PR_GET_AUXV: i32 = 0x4155_5856;
pub const PR_SET_VMA: i32 = 0x5356_4d41;
pub const PR_SET_PTRACER: i32 = 0x5961_6d61;
/// `PR_SET_PTRACER` argument: any process may trace.
pub const PR_SET_PTRACER_ANY: u64 = u64::MAX;
// PR_SET_SYSCALL_USER_DISPATCH arguments.
pub const PR_SYS_DISPATCH_OFF: u64 = 0;
/// Also called `PR_SYS_DISPATCH_EXCLUSIVE_ON` since Linux 6.17.
pub const PR_SYS_DISPATCH_ON: u64 = 1;
/// (Linux 6.17)
pub const PR_SYS_DISPATCH_INCLUSIVE_ON: u64 = 2;
/// Selector byte value: let syscalls through.
pub const SYSCALL_DISPATCH_FILTER_ALLOW: u8 = 0;
/// Selector byte value: raise SIGSYS.
pub const SYSCALL_DISPATCH_FILTER_BLOCK: u8 = 1;
// PR_CAP_AMBIENT arguments.
pub const PR_CAP_AMBIENT_IS_SET: u64 = 1;
pub const PR_CAP_AMBIENT_RAISE: u64 = 2;
pub const PR_CAP_AMBIENT_LOWER: u64 = 3;
pub const PR_CAP_AMBIENT_CLEAR_ALL: u64 = 4;
/// PR_SET_NAME/PR_GET_NAME buffer size (`TASK_COMM_LEN`).
pub const TASK_COMM_LEN: usize = 16;

// getrandom(2).
pub const GRND_NONBLOCK: u32 = 0x1;
pub const GRND_RANDOM: u32 = 0x2;
pub const GRND_INSECURE: u32 = 0x4;

// futex(2).
pub const FUTEX_WAIT: u32 = 0;
pub const FUTEX_WAKE: u32 = 1;
pub const FUTEX_FD: u32 = 2;
pub const FUTEX_REQUEUE: u32 = 3;
pub const FUTEX_CMP_REQUEUE: u32 = 4;
pub const FUTEX_WAKE_OP: u32 = 5;
pub const FUTEX_LOCK_PI: u32 = 6;
pub const FUTEX_UNLOCK_PI: u32 = 7;
pub const FUTEX_TRYLOCK_PI: u32 = 8;
pub const FUTEX_WAIT_BITSET: u32 = 9;
pub const FUTEX_WAKE_BITSET: u32 = 10;
pub const FUTEX_WAIT_REQUEUE_PI: u32 = 11;
pub const FUTEX_CMP_REQUEUE_PI: u32 = 12;
pub const FUTEX_LOCK_PI2: u32 = 13;
pub const FUTEX_PRIVATE_FLAG: u32 = 128;
pub const FUTEX_CLOCK_REALTIME: u32 = 256;
pub const FUTEX_CMD_MASK: u32 = !(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
pub const FUTEX_BITSET_MATCH_ANY: u32 = 0xffff_ffff;
// Robust futex word bits.
pub const FUTEX_WAITERS: u32 = 0x8000_0000;
pub const FUTEX_OWNER_DIED: u32 = 0x4000_0000;
pub const FUTEX_TID_MASK: u32 = 0x3fff_ffff;
/// Most robust-list entries walked at exit.
pub const ROBUST_LIST_LIMIT: usize = 2048;

// seccomp(2).
pub const SECCOMP_MODE_DISABLED: u32 = 0;
pub const SECCOMP_MODE_STRICT: u32 = 1;
pub const SECCOMP_MODE_FILTER: u32 = 2;
pub const SECCOMP_SET_MODE_STRICT: u32 = 0;
pub const SECCOMP_SET_MODE_FILTER: u32 = 1;
pub const SECCOMP_GET_ACTION_AVAIL: u32 = 2;
pub const SECCOMP_GET_NOTIF_SIZES: u32 = 3;
pub const SECCOMP_FILTER_FLAG_TSYNC: u32 = 1;
pub const SECCOMP_FILTER_FLAG_LOG: u32 = 2;
pub const SECCOMP_FILTER_FLAG_SPEC_ALLOW: u32 = 4;
pub const SECCOMP_FILTER_FLAG_NEW_LISTENER: u32 = 8;
pub const SECCOMP_FILTER_FLAG_TSYNC_ESRCH: u32 = 16;
pub const SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: u32 = 32;
pub const SECCOMP_RET_KILL_PROCESS: u32 = 0x8000_0000;
pub const SECCOMP_RET_KILL_THREAD: u32 = 0x0000_0000;
pub const SECCOMP_RET_TRAP: u32 = 0x0003_0000;
pub const SECCOMP_RET_ERRNO: u32 = 0x0005_0000;
pub const SECCOMP_RET_USER_NOTIF: u32 = 0x7fc0_0000;
pub const SECCOMP_RET_TRACE: u32 = 0x7ff0_0000;
pub const SECCOMP_RET_LOG: u32 = 0x7ffc_0000;
pub const SECCOMP_RET_ALLOW: u32 = 0x7fff_0000;
pub const SECCOMP_RET_ACTION_FULL: u32 = 0xffff_0000;
pub const SECCOMP_RET_DATA: u32 = 0x0000_ffff;

// ptrace(2) requests.
pub const PTRACE_TRACEME: i64 = 0;
pub const PTRACE_PEEKTEXT: i64 = 1;
pub const PTRACE_PEEKDATA: i64 = 2;
pub const PTRACE_PEEKUSER: i64 = 3;
pub const PTRACE_POKETEXT: i64 = 4;
pub const PTRACE_POKEDATA: i64 = 5;
pub const PTRACE_POKEUSER: i64 = 6;
pub const PTRACE_CONT: i64 = 7;
pub const PTRACE_KILL: i64 = 8;
pub const PTRACE_SINGLESTEP: i64 = 9;
pub const PTRACE_GETREGS: i64 = 12;
pub const PTRACE_SETREGS: i64 = 13;
pub const PTRACE_GETFPREGS: i64 = 14;
pub const PTRACE_SETFPREGS: i64 = 15;
pub const PTRACE_ATTACH: i64 = 16;
pub const PTRACE_DETACH: i64 = 17;
pub const PTRACE_GETFPXREGS: i64 = 18;
pub const PTRACE_SETFPXREGS: i64 = 19;
pub const PTRACE_SYSCALL: i64 = 24;
pub const PTRACE_ARCH_PRCTL: i64 = 30;
pub const PTRACE_SYSEMU: i64 = 31;
pub const PTRACE_SYSEMU_SINGLESTEP: i64 = 32;
pub const PTRACE_SINGLEBLOCK: i64 = 33;
pub const PTRACE_SETOPTIONS: i64 = 0x4200;
pub const PTRACE_GETEVENTMSG: i64 = 0x4201;
pub const PTRACE_GETSIGINFO: i64 = 0x4202;
pub const PTRACE_SETSIGINFO: i64 = 0x4203;
pub const PTRACE_GETREGSET: i64 = 0x4204;
pub const PTRACE_SETREGSET: i64 = 0x4205;
pub const PTRACE_SEIZE: i64 = 0x4206;
pub const PTRACE_INTERRUPT: i64 = 0x4207;
pub const PTRACE_LISTEN: i64 = 0x4208;
pub const PTRACE_PEEKSIGINFO: i64 = 0x4209;
pub const PTRACE_GETSIGMASK: i64 = 0x420a;
pub const PTRACE_SETSIGMASK: i64 = 0x420b;
pub const PTRACE_SECCOMP_GET_FILTER: i64 = 0x420c;
pub const PTRACE_SECCOMP_GET_METADATA: i64 = 0x420d;
pub const PTRACE_GET_SYSCALL_INFO: i64 = 0x420e;
pub const PTRACE_GET_RSEQ_CONFIGURATION: i64 = 0x420f;
/// (Linux 6.11)
pub const PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG: i64 = 0x4210;
/// (Linux 6.11)
pub const PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG: i64 = 0x4211;
// PTRACE_SETOPTIONS options.
pub const PTRACE_O_TRACESYSGOOD: u64 = 0x1;
pub const PTRACE_O_TRACEFORK: u64 = 0x2;
pub const PTRACE_O_TRACEVFORK: u64 = 0x4;
pub const PTRACE_O_TRACECLONE: u64 = 0x8;
pub const PTRACE_O_TRACEEXEC: u64 = 0x10;
pub const PTRACE_O_TRACEVFORKDONE: u64 = 0x20;
pub const PTRACE_O_TRACEEXIT: u64 = 0x40;
pub const PTRACE_O_TRACESECCOMP: u64 = 0x80;
pub const PTRACE_O_EXITKILL: u64 = 0x10_0000;
pub const PTRACE_O_SUSPEND_SECCOMP: u64 = 0x20_0000;
// Stop events (status >> 16).
pub const PTRACE_EVENT_FORK: u32 = 1;
pub const PTRACE_EVENT_VFORK: u32 = 2;
pub const PTRACE_EVENT_CLONE: u32 = 3;
pub const PTRACE_EVENT_EXEC: u32 = 4;
pub const PTRACE_EVENT_VFORK_DONE: u32 = 5;
pub const PTRACE_EVENT_EXIT: u32 = 6;
pub const PTRACE_EVENT_SECCOMP: u32 = 7;
pub const PTRACE_EVENT_STOP: u32 = 128;
/// `NT_PRSTATUS` regset (general registers) for PTRACE_GETREGSET.
pub const NT_PRSTATUS: u64 = 1;
/// `NT_PRFPREG` regset (fxsave area).
pub const NT_PRFPREG: u64 = 2;
/// `NT_X86_XSTATE` regset (xsave area).
pub const NT_X86_XSTATE: u64 = 0x202;

// Scheduling policies.
pub const SCHED_NORMAL: i32 = 0;
pub const SCHED_FIFO: i32 = 1;
pub const SCHED_RR: i32 = 2;
pub const SCHED_BATCH: i32 = 3;
pub const SCHED_IDLE: i32 = 5;
pub const SCHED_DEADLINE: i32 = 6;
pub const SCHED_RESET_ON_FORK: i32 = 0x4000_0000;

// Capabilities.
pub const LINUX_CAPABILITY_VERSION_1: u32 = 0x1998_0330;
pub const LINUX_CAPABILITY_VERSION_2: u32 = 0x2007_1026;
pub const LINUX_CAPABILITY_VERSION_3: u32 = 0x2008_0522;
/// The highest capability number (`CAP_CHECKPOINT_RESTORE`).
pub const CAP_LAST_CAP: u32 = 40;
/// Capability names, indexed by number (as in OCI `process.capabilities`).
pub const CAP_NAMES: [&str; CAP_LAST_CAP as usize + 1] = [
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
];

/// The number of capability `name` (`"CAP_SYS_ADMIN"`).
pub fn cap_by_name(name: &str) -> Option<u32> {
    CAP_NAMES.iter().position(|n| *n == name).map(|i| i as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn names() {
        assert_eq!(rlimit_name(RLIMIT_NOFILE), Some("RLIMIT_NOFILE"));
        assert_eq!(rlimit_name(RLIMIT_RTTIME), Some("RLIMIT_RTTIME"));
        assert_eq!(rlimit_name(16), None);
        assert_eq!(rlimit_by_name("RLIMIT_STACK"), Some(RLIMIT_STACK));
        assert_eq!(cap_by_name("CAP_SYS_ADMIN"), Some(21));
        assert_eq!(cap_by_name("CAP_SYS_PTRACE"), Some(19));
        assert_eq!(cap_by_name("CAP_BPF"), Some(39));
        assert_eq!(
            FUTEX_CMD_MASK & (FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG),
            FUTEX_WAIT_BITSET
        );
    }
}
