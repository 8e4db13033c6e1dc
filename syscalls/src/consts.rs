//! Linux x86_64 uapi constants the sentry needs: flags, commands, ioctl requests,
//! signal numbers, auxv keys and so on.
//!
//! Everything is re-exported flat (`consts::O_CLOEXEC`, `consts::SIGTERM`), except the
//! auxiliary-vector keys, which live in [`auxv`] because their `AT_*` names clash with
//! the `*at()` flags.
//!
//! Types follow the C type of the argument or field the constant is used in:
//! bit masks are `u32` (or `u64` where the ABI field is 64 bits wide: clone flags,
//! `sa_flags`, mount flags, `RESOLVE_*`, statx attributes), enumerated values are `i32`
//! (`int`) unless the ABI type is unsigned (ioctl requests, fcntl commands, rlimit
//! resources, `whence`: `u32`), `POLL*` are `i16` like `pollfd.events`, and ptrace
//! requests are `i64` (`long`).
//!
//! Values are from the Linux 6.18 uapi (x86_64; generic where x86_64 uses the generic
//! definitions). Values also present in this host's 6.1 uapi / glibc headers were
//! cross-checked by a generated C program (see `tests` in each submodule for spot
//! checks); those added after 6.1 are marked "(Linux x.y)".

mod elf;
mod fs;
mod mm;
mod net;
mod process;
mod signal;
mod time;
mod tty;

pub mod auxv;

pub use elf::*;
pub use fs::*;
pub use mm::*;
pub use net::*;
pub use process::*;
pub use signal::*;
pub use time::*;
pub use tty::*;
