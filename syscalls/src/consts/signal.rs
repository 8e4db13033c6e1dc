//! Signals: numbers and names, sigaction flags, sigprocmask, sigaltstack, si_code
//! values, sigevent.

pub const SIGHUP: i32 = 1;
pub const SIGINT: i32 = 2;
pub const SIGQUIT: i32 = 3;
pub const SIGILL: i32 = 4;
pub const SIGTRAP: i32 = 5;
pub const SIGABRT: i32 = 6;
pub const SIGIOT: i32 = 6;
pub const SIGBUS: i32 = 7;
pub const SIGFPE: i32 = 8;
pub const SIGKILL: i32 = 9;
pub const SIGUSR1: i32 = 10;
pub const SIGSEGV: i32 = 11;
pub const SIGUSR2: i32 = 12;
pub const SIGPIPE: i32 = 13;
pub const SIGALRM: i32 = 14;
pub const SIGTERM: i32 = 15;
pub const SIGSTKFLT: i32 = 16;
pub const SIGCHLD: i32 = 17;
pub const SIGCONT: i32 = 18;
pub const SIGSTOP: i32 = 19;
pub const SIGTSTP: i32 = 20;
pub const SIGTTIN: i32 = 21;
pub const SIGTTOU: i32 = 22;
pub const SIGURG: i32 = 23;
pub const SIGXCPU: i32 = 24;
pub const SIGXFSZ: i32 = 25;
pub const SIGVTALRM: i32 = 26;
pub const SIGPROF: i32 = 27;
pub const SIGWINCH: i32 = 28;
pub const SIGIO: i32 = 29;
pub const SIGPOLL: i32 = SIGIO;
pub const SIGPWR: i32 = 30;
pub const SIGSYS: i32 = 31;
/// The first realtime signal as the kernel defines it (glibc's `SIGRTMIN` is 34: it
/// reserves 32 and 33 for itself).
pub const SIGRTMIN: i32 = 32;
pub const SIGRTMAX: i32 = 64;
/// Number of signals (the kernel's `_NSIG`; glibc's `_NSIG` is 65).
pub const NSIG: i32 = 64;

/// Names of signals 1..=31, indexed by number (index 0 is unused).
pub const SIGNAL_NAMES: [&str; 32] = [
    "",
    "SIGHUP",
    "SIGINT",
    "SIGQUIT",
    "SIGILL",
    "SIGTRAP",
    "SIGABRT",
    "SIGBUS",
    "SIGFPE",
    "SIGKILL",
    "SIGUSR1",
    "SIGSEGV",
    "SIGUSR2",
    "SIGPIPE",
    "SIGALRM",
    "SIGTERM",
    "SIGSTKFLT",
    "SIGCHLD",
    "SIGCONT",
    "SIGSTOP",
    "SIGTSTP",
    "SIGTTIN",
    "SIGTTOU",
    "SIGURG",
    "SIGXCPU",
    "SIGXFSZ",
    "SIGVTALRM",
    "SIGPROF",
    "SIGWINCH",
    "SIGIO",
    "SIGPWR",
    "SIGSYS",
];

/// The name of a standard signal (1..=31), e.g. `"SIGTERM"`.
pub fn signal_name(sig: i32) -> Option<&'static str> {
    if (1..32).contains(&sig) {
        Some(SIGNAL_NAMES[sig as usize])
    } else {
        None
    }
}

/// `"SIGTERM"`, `"SIGRTMIN+3"`, or the number for anything else.
pub fn signal_string(sig: i32) -> String {
    match signal_name(sig) {
        Some(n) => n.to_string(),
        None if sig == SIGRTMIN => "SIGRTMIN".to_string(),
        None if sig > SIGRTMIN && sig <= SIGRTMAX => format!("SIGRTMIN+{}", sig - SIGRTMIN),
        None => sig.to_string(),
    }
}

/// Parse a signal as `docker kill`/`runc kill` accept it: `"SIGTERM"`, `"TERM"`,
/// `"term"`, `"15"`, `"SIGRTMIN+2"`, `"RTMAX-1"`, `"SIGIOT"`, `"SIGPOLL"`.
pub fn signal_by_name(s: &str) -> Option<i32> {
    let s = s.trim();
    if let Ok(n) = s.parse::<i32>() {
        return (1..=NSIG).contains(&n).then_some(n);
    }
    let up = s.to_ascii_uppercase();
    let bare = up.strip_prefix("SIG").unwrap_or(&up);
    let with_offset = |base: &str, start: i32, sign: i32| -> Option<i32> {
        let rest = bare.strip_prefix(base)?;
        let n = if rest.is_empty() {
            start
        } else {
            let off: i32 = rest
                .strip_prefix(if sign > 0 { '+' } else { '-' })?
                .parse()
                .ok()?;
            start + sign * off
        };
        (SIGRTMIN..=SIGRTMAX).contains(&n).then_some(n)
    };
    if bare.starts_with("RTMIN") {
        return with_offset("RTMIN", SIGRTMIN, 1);
    }
    if bare.starts_with("RTMAX") {
        return with_offset("RTMAX", SIGRTMAX, -1);
    }
    match bare {
        "IOT" => return Some(SIGIOT),
        "POLL" => return Some(SIGPOLL),
        "CLD" => return Some(SIGCHLD),
        _ => {}
    }
    (1..32).find(|&i| &SIGNAL_NAMES[i as usize][3..] == bare)
}

// sigaction sa_flags.
pub const SA_NOCLDSTOP: u64 = 0x0000_0001;
pub const SA_NOCLDWAIT: u64 = 0x0000_0002;
pub const SA_SIGINFO: u64 = 0x0000_0004;
pub const SA_UNSUPPORTED: u64 = 0x0000_0400;
pub const SA_EXPOSE_TAGBITS: u64 = 0x0000_0800;
pub const SA_RESTORER: u64 = 0x0400_0000;
pub const SA_ONSTACK: u64 = 0x0800_0000;
pub const SA_RESTART: u64 = 0x1000_0000;
pub const SA_NODEFER: u64 = 0x4000_0000;
pub const SA_RESETHAND: u64 = 0x8000_0000;

/// Default action handler value.
pub const SIG_DFL: u64 = 0;
/// Ignore handler value.
pub const SIG_IGN: u64 = 1;

// rt_sigprocmask how.
pub const SIG_BLOCK: i32 = 0;
pub const SIG_UNBLOCK: i32 = 1;
pub const SIG_SETMASK: i32 = 2;

// sigaltstack.
pub const SS_ONSTACK: i32 = 1;
pub const SS_DISABLE: i32 = 2;
pub const SS_AUTODISARM: i32 = 1 << 31;
/// The uapi value (glibc >= 2.34 makes `MINSIGSTKSZ`/`SIGSTKSZ` a sysconf call).
pub const MINSIGSTKSZ: u64 = 2048;
pub const SIGSTKSZ: u64 = 8192;

// si_code: generic.
pub const SI_USER: i32 = 0;
pub const SI_KERNEL: i32 = 0x80;
pub const SI_QUEUE: i32 = -1;
pub const SI_TIMER: i32 = -2;
pub const SI_MESGQ: i32 = -3;
pub const SI_ASYNCIO: i32 = -4;
pub const SI_SIGIO: i32 = -5;
pub const SI_TKILL: i32 = -6;
pub const SI_DETHREAD: i32 = -7;
pub const SI_ASYNCNL: i32 = -60;
// SIGILL.
pub const ILL_ILLOPC: i32 = 1;
pub const ILL_ILLOPN: i32 = 2;
pub const ILL_ILLADR: i32 = 3;
pub const ILL_ILLTRP: i32 = 4;
pub const ILL_PRVOPC: i32 = 5;
pub const ILL_PRVREG: i32 = 6;
pub const ILL_COPROC: i32 = 7;
pub const ILL_BADSTK: i32 = 8;
// SIGFPE.
pub const FPE_INTDIV: i32 = 1;
pub const FPE_INTOVF: i32 = 2;
pub const FPE_FLTDIV: i32 = 3;
pub const FPE_FLTOVF: i32 = 4;
pub const FPE_FLTUND: i32 = 5;
pub const FPE_FLTRES: i32 = 6;
pub const FPE_FLTINV: i32 = 7;
pub const FPE_FLTSUB: i32 = 8;
// SIGSEGV.
pub const SEGV_MAPERR: i32 = 1;
pub const SEGV_ACCERR: i32 = 2;
pub const SEGV_BNDERR: i32 = 3;
pub const SEGV_PKUERR: i32 = 4;
// SIGBUS.
pub const BUS_ADRALN: i32 = 1;
pub const BUS_ADRERR: i32 = 2;
pub const BUS_OBJERR: i32 = 3;
pub const BUS_MCEERR_AR: i32 = 4;
pub const BUS_MCEERR_AO: i32 = 5;
// SIGTRAP.
pub const TRAP_BRKPT: i32 = 1;
pub const TRAP_TRACE: i32 = 2;
pub const TRAP_BRANCH: i32 = 3;
pub const TRAP_HWBKPT: i32 = 4;
// SIGCHLD.
pub const CLD_EXITED: i32 = 1;
pub const CLD_KILLED: i32 = 2;
pub const CLD_DUMPED: i32 = 3;
pub const CLD_TRAPPED: i32 = 4;
pub const CLD_STOPPED: i32 = 5;
pub const CLD_CONTINUED: i32 = 6;
// SIGPOLL.
pub const POLL_IN: i32 = 1;
pub const POLL_OUT: i32 = 2;
pub const POLL_MSG: i32 = 3;
pub const POLL_ERR: i32 = 4;
pub const POLL_PRI: i32 = 5;
pub const POLL_HUP: i32 = 6;
// SIGSYS.
pub const SYS_SECCOMP: i32 = 1;
pub const SYS_USER_DISPATCH: i32 = 2;

/// `AUDIT_ARCH_X86_64` (`si_arch` of SIGSYS, seccomp_data.arch).
pub const AUDIT_ARCH_X86_64: u32 = 0xC000_003E;

// sigevent notify.
pub const SIGEV_SIGNAL: i32 = 0;
pub const SIGEV_NONE: i32 = 1;
pub const SIGEV_THREAD: i32 = 2;
pub const SIGEV_THREAD_ID: i32 = 4;

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn names() {
        assert_eq!(signal_name(SIGKILL), Some("SIGKILL"));
        assert_eq!(signal_name(0), None);
        assert_eq!(signal_name(32), None);
        assert_eq!(signal_string(34), "SIGRTMIN+2");
        assert_eq!(signal_string(-3), "-3");
        for s in 1..32 {
            assert_eq!(signal_by_name(SIGNAL_NAMES[s as usize]), Some(s));
            assert_eq!(
                signal_by_name(&SIGNAL_NAMES[s as usize][3..].to_lowercase()),
                Some(s)
            );
        }
        assert_eq!(signal_by_name("9"), Some(9));
        assert_eq!(signal_by_name("0"), None);
        assert_eq!(signal_by_name("SIGRTMIN+3"), Some(35));
        assert_eq!(signal_by_name("RTMAX-1"), Some(63));
        assert_eq!(signal_by_name("RTMAX+1"), None);
        assert_eq!(signal_by_name("SIGRTMIN+40"), None);
        assert_eq!(signal_by_name("IOT"), Some(6));
        assert_eq!(signal_by_name("FOO"), None);
        assert_eq!(signal_by_name(""), None);
    }
}
