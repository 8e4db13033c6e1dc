//! The ptrace platform (DESIGN §4).
//!
//! Every app address space is a *stub process*. The first one, the template,
//! is made by cloning the sentry: the child maps one page of position-independent
//! stub code at [`STUB_ADDR`](super::STUB_ADDR), installs a seccomp filter that only lets the stub
//! page make a handful of memory syscalls, unmaps everything else (the copy of
//! the sentry included) and stops. Later ones are forked from the template by
//! the `stub-factory` thread (see [`StubFactory`]). From then on it is traced: app code runs under
//! `PTRACE_SYSEMU`, so the host never executes an app syscall, and mapping
//! changes are syscalls injected at the stub's `syscall; int3` site.
//!
//! The module is split into:
//! - `stubcode`: the stub code (`global_asm!`), its seccomp filter and the
//!   syscalls it allows (`STUB_ALLOWED`, each with its reason), and the
//!   raw-clone child that enters it;
//! - `factory`: [`StubFactory`], the `stub-factory` thread, its template and
//!   pool, and the direct spawn;
//! - `stub`: [`StubProcess`], [`Stub`], [`NewStubThread`] and [`Interrupter`];
//! - `tests`: unit and live tests.
//!
//! This is one of the few places with `unsafe` (this file has none): raw
//! clone (`factory`), the jump into the stub and reading the stub code bytes
//! (`stubcode`), and raw ptrace/tgkill calls (`stub`).

mod factory;
mod stub;
mod stubcode;
#[cfg(test)]
mod tests;

pub use factory::StubFactory;
pub use stub::{Interrupter, NewStubThread, Stub, StubProcess};

use super::PlatformError;
use nix::sys::ptrace;

fn host(call: &'static str) -> impl Fn(nix::errno::Errno) -> PlatformError {
    move |errno| PlatformError::Host { call, errno }
}

/// ptrace options of a running stub thread. EXITKILL: if the sentry dies,
/// so do its stubs.
const TRACE_OPTIONS: ptrace::Options =
    ptrace::Options::PTRACE_O_EXITKILL.union(ptrace::Options::PTRACE_O_TRACESYSGOOD);
