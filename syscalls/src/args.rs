//! Argument shapes of every syscall and a strace printer in gVisor's style.
//!
//! [`shape`] gives the name, argument kinds and return kind of a syscall number;
//! [`format_entry`] and [`format_exit`] render a call, reading pointed-to memory
//! through a [`MemReader`] (the sentry passes one backed by the task's address space):
//!
//! ```text
//! openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC, 0o0) = 3
//! read(3, "root:x:0:0:root:/root:/bin/bash\n"..., 4096) = 1234
//! open("/nope", O_RDONLY, 0o0) = -1 ENOENT (No such file or directory)
//! ```
//!
//! Output arguments (buffers filled by the kernel, `struct stat *`, ...) are printed
//! as addresses on entry and decoded on exit when the call succeeded. Buffers show
//! at most [`MAX_BUF`] bytes and strings at most [`MAX_STR`] bytes, escaped like
//! strace, followed by `...` when cut. The printer never panics, whatever the
//! arguments and whatever the reader returns.

pub mod flags;
mod print;
mod table;

use crate::Errno;

pub use table::SHAPES;

/// Bytes of a data buffer that are shown.
pub const MAX_BUF: usize = 64;
/// Bytes of a NUL-terminated string that are shown.
pub const MAX_STR: usize = 256;
/// Elements of an array (iovecs, pollfds, argv, epoll events) that are shown.
pub const MAX_ELEMS: usize = 16;

/// How one syscall argument is interpreted and printed.
///
/// `len`/`count` fields are indexes (0..=5) of the argument holding the length.
#[derive(Clone, Copy, Debug)]
pub enum ArgKind {
    /// C `int`: the low 32 bits, signed decimal.
    Int,
    /// Unsigned decimal of the whole register (`size_t`, `unsigned long`).
    Uint,
    /// Signed decimal of the whole register (`off_t`, `long`).
    Long,
    /// Hexadecimal.
    Hex,
    /// A pointer: hexadecimal, or `NULL`.
    Ptr,
    /// A file descriptor (signed decimal of the low 32 bits).
    Fd,
    /// A directory fd for `*at()` calls: `AT_FDCWD` or a number.
    AtFd,
    /// A NUL-terminated string read from memory.
    Path,
    /// A buffer the app passes in; its length is argument `len`.
    InBuf { len: u8 },
    /// A buffer the kernel fills; printed at exit, with the return value (capped by
    /// argument `len`) as the length.
    OutBuf { len: u8 },
    /// An array of `struct iovec` the app passes in; the count is argument `count`.
    Iovec { count: u8 },
    /// An iovec array filled by the kernel; printed at exit up to the return value.
    OutIovec { count: u8 },
    /// A bit mask (with an optional exact-valued field such as open's access mode).
    Flags(&'static FlagSet),
    /// A value with names for exact values (fcntl cmd, whence, clock id, ...).
    Enum(&'static FlagSet),
    /// A file mode: octal permission bits, plus the `S_IF*` type if set.
    Mode,
    /// A signal number.
    Signal,
    /// Pointer to a 64-bit signal mask the app passes in.
    Sigset,
    /// Pointer to a signal mask the kernel fills.
    OutSigset,
    /// Pointer to a `struct stat` the kernel fills.
    Stat,
    /// Pointer to a `struct statx` the kernel fills.
    Statx,
    /// Pointer to a `struct statfs` the kernel fills.
    Statfs,
    /// Pointer to a `struct timespec` the app passes in.
    Timespec,
    /// Pointer to a `struct timespec` the kernel fills.
    OutTimespec,
    /// Pointer to a `struct timeval` the app passes in.
    Timeval,
    /// Pointer to a `struct timeval` the kernel fills.
    OutTimeval,
    /// Pointer to a `struct itimerval` the app passes in.
    Itimerval,
    /// Pointer to a `struct itimerval` the kernel fills.
    OutItimerval,
    /// Pointer to a `struct itimerspec` the app passes in.
    Itimerspec,
    /// Pointer to a `struct itimerspec` the kernel fills.
    OutItimerspec,
    /// Pointer to a `struct rlimit` the app passes in.
    Rlimit,
    /// Pointer to a `struct rlimit` the kernel fills.
    OutRlimit,
    /// Pointer to a kernel `struct sigaction` the app passes in.
    Sigaction,
    /// Pointer to a kernel `struct sigaction` the kernel fills.
    OutSigaction,
    /// Pointer to a socket address the app passes in; its length is argument `len`.
    SockAddr { len: u8 },
    /// Pointer to a socket address the kernel fills; argument `len` points to its length.
    OutSockAddr { len: u8 },
    /// Array of `struct pollfd` (count in argument `count`); `revents` shown at exit.
    Pollfds { count: u8 },
    /// Pointer to `int[2]` the kernel fills (pipe, socketpair).
    PipeFds,
    /// Pointer to a wait status the kernel fills.
    WaitStatus,
    /// Pointer to a `struct utsname` the kernel fills.
    Utsname,
    /// NULL-terminated array of string pointers (execve argv/envp).
    Argv,
    /// clone(2) flags: `CLONE_*` bits and the exit signal in the low byte.
    CloneFlags,
    /// Pointer to one `struct epoll_event` the app passes in.
    EpollEvent,
    /// Array of `struct epoll_event` the kernel fills; the return value is the count.
    OutEpollEvents,
    /// Pointer to a `struct clone_args` the app passes in (clone3).
    CloneArgs,
}

/// How the return value is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ret {
    /// Signed decimal (most calls).
    Dec,
    /// Hexadecimal (calls returning addresses: mmap, brk, mremap, shmat).
    Hex,
    /// Octal (umask).
    Oct,
    /// The call does not return (exit, exit_group): printed as `?`.
    NoReturn,
}

/// Names for the values of a flag word or an enumerated argument.
#[derive(Debug)]
pub struct FlagSet {
    /// Names of exact values: the whole value for [`ArgKind::Enum`], or the value of
    /// the field selected by `field_mask` for [`ArgKind::Flags`] (e.g. `O_RDONLY`).
    /// With `field_mask == 0`, an entry for 0 names the all-clear value (`F_OK`).
    pub exact: &'static [(u64, &'static str)],
    /// Names of bits (or multi-bit values, matched whole, listed before their parts).
    pub bits: &'static [(u64, &'static str)],
    /// Bits forming a field whose value is named by `exact` (0 if none).
    pub field_mask: u64,
}

impl FlagSet {
    /// Look up an exact value; `v` also matches by its low 32 bits, so an `int`
    /// argument matches whether or not the caller sign-extended it.
    pub fn exact_name(&self, v: u64) -> Option<&'static str> {
        let low = v & 0xffff_ffff;
        self.exact
            .iter()
            .find(|(e, _)| *e == v || *e == low)
            .map(|(_, n)| *n)
    }

    /// Format as flags: `O_RDONLY|O_CLOEXEC|0x80000000`; `0` when nothing is set.
    pub fn format(&self, v: u64) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut rest = v;
        if self.field_mask != 0 {
            let field = v & self.field_mask;
            rest &= !self.field_mask;
            match self.exact.iter().find(|(e, _)| *e == field) {
                Some((_, n)) => parts.push((*n).to_string()),
                None => parts.push(format!("{field:#x}")),
            }
        } else if v == 0 {
            return self.exact_name(0).unwrap_or("0").to_string();
        }
        for &(b, n) in self.bits {
            if b != 0 && rest & b == b {
                parts.push(n.to_string());
                rest &= !b;
            }
        }
        if rest != 0 {
            parts.push(format!("{rest:#x}"));
        }
        if parts.is_empty() {
            "0".to_string()
        } else {
            parts.join("|")
        }
    }

    /// Format as an enumerated value: its name, or hexadecimal if unknown.
    pub fn format_enum(&self, v: u64) -> String {
        match self.exact_name(v) {
            Some(n) => n.to_string(),
            None => format!("{v:#x}"),
        }
    }
}

/// A syscall's printable signature.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// The syscall number.
    pub nr: usize,
    /// The name, as in [`crate::nr::NAMES`].
    pub name: &'static str,
    /// One kind per argument, as many as the syscall takes.
    pub args: &'static [ArgKind],
    /// How the return value is printed.
    pub ret: Ret,
}

/// Index of [`SHAPES`] by syscall number (`u16::MAX` = none).
static INDEX: [u16; crate::nr::NR_SYSCALLS] = build_index();

const fn build_index() -> [u16; crate::nr::NR_SYSCALLS] {
    let mut idx = [u16::MAX; crate::nr::NR_SYSCALLS];
    let mut i = 0;
    while i < table::TABLE.len() {
        let nr = table::TABLE[i].nr;
        assert!(idx[nr] == u16::MAX, "duplicate syscall in the shape table");
        idx[nr] = i as u16;
        i += 1;
    }
    idx
}

/// The shape of syscall `nr`, if it is a known syscall.
pub fn shape(nr: u64) -> Option<&'static Shape> {
    let i = *INDEX.get(usize::try_from(nr).ok()?)?;
    SHAPES.get(i as usize)
}

/// Read access to the traced task's memory.
pub trait MemReader {
    /// Read `len` bytes at `addr`; `None` if the range is not readable. Returning
    /// fewer bytes than asked means only that prefix is readable.
    fn read(&self, addr: u64, len: usize) -> Option<Vec<u8>>;
}

impl<F: Fn(u64, usize) -> Option<Vec<u8>>> MemReader for F {
    fn read(&self, addr: u64, len: usize) -> Option<Vec<u8>> {
        self(addr, len)
    }
}

/// A reader for when memory is not available: every pointer prints as an address.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoMemory;

impl MemReader for NoMemory {
    fn read(&self, _addr: u64, _len: usize) -> Option<Vec<u8>> {
        None
    }
}

/// When an argument is printed: at syscall entry, or at exit with the return value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Before the call: output arguments print as addresses.
    Entry,
    /// After the call returned this value: output arguments are decoded if it
    /// is not an error.
    Exit(u64),
}

impl Phase {
    /// The return value if this is a successful exit.
    fn ok_ret(self) -> Option<u64> {
        match self {
            Phase::Exit(r) if !is_err_ret(r) => Some(r),
            _ => None,
        }
    }
}

/// Whether a raw return value is an error (`-4095..=-1`).
fn is_err_ret(r: u64) -> bool {
    (-4095..0).contains(&(r as i64))
}

/// Format argument `i` of a call, interpreted as `kind`, for `phase` (for callers
/// that print arguments individually, e.g. gVisor-style per-argument logging).
pub fn format_arg(
    kind: ArgKind,
    args: &[u64; 6],
    i: usize,
    phase: Phase,
    mem: &dyn MemReader,
) -> String {
    print::arg(kind, args, i, phase, mem)
}

fn format_args(nr: u64, args: &[u64; 6], phase: Phase, mem: &dyn MemReader) -> String {
    match shape(nr) {
        Some(s) => {
            let parts: Vec<String> = s
                .args
                .iter()
                .enumerate()
                .take(6)
                .map(|(i, k)| print::arg(*k, args, i, phase, mem))
                .collect();
            format!("{}({})", s.name, parts.join(", "))
        }
        None => {
            let parts: Vec<String> = args.iter().map(|a| format!("{a:#x}")).collect();
            format!("syscall_{nr}({})", parts.join(", "))
        }
    }
}

/// The call as printed at entry: `openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC, 0o0)`.
pub fn format_entry(nr: u64, args: &[u64; 6], mem: &dyn MemReader) -> String {
    format_args(nr, args, Phase::Entry, mem)
}

/// The call and its result as printed at exit: `read(3, "root"..., 4096) = 1234`.
pub fn format_exit(nr: u64, args: &[u64; 6], ret: u64, mem: &dyn MemReader) -> String {
    let kind = shape(nr).map(|s| s.ret).unwrap_or(Ret::Dec);
    format!(
        "{} = {}",
        format_args(nr, args, Phase::Exit(ret), mem),
        format_ret(kind, ret)
    )
}

/// A return value: `-1 ENOENT (No such file or directory)` for errors, else by `kind`.
pub fn format_ret(kind: Ret, ret: u64) -> String {
    if kind == Ret::NoReturn {
        return "?".to_string();
    }
    if let Some(e) = Errno::from_ret(ret) {
        return format!("-1 {} ({})", e.name(), e.description());
    }
    if is_err_ret(ret) {
        return format!("-1 errno {}", -(ret as i64));
    }
    match kind {
        Ret::Hex => format!("{ret:#x}"),
        Ret::Oct => format!("{ret:#o}"),
        Ret::Dec | Ret::NoReturn => (ret as i64).to_string(),
    }
}

#[cfg(test)]
mod tests;
