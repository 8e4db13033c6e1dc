//! The gofer: a separate, confined process that serves a container's root filesystem (a host
//! directory) to the sentry, which never opens host paths itself.
//!
//! # Protocol
//!
//! The sentry ([`Client`]) and the gofer ([`serve`]) talk over one or more connected
//! `SOCK_SEQPACKET` unix sockets ("channels"), made with [`channel_pair`]
//! (`socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC)`). On each channel the client sends one
//! request and waits for one response; concurrency comes from using several channels, which the
//! client pools. Messages are a fixed little-endian header (`op: u16, flags: u16, len: u32`)
//! followed by a payload of fixed-width fields, `u32`-length-prefixed byte strings and
//! `u32`-counted lists ([`protocol`] documents the layout). A response echoes the request's op
//! and carries either the op's reply or an errno. Host fds (for `Open` and `Create`) travel
//! beside the bytes as `SCM_RIGHTS`, so the sentry reads, writes and maps files directly.
//!
//! Files are named by [`Handle`]s: server-side ids, each backed by an `O_PATH | O_NOFOLLOW` fd
//! of the node obtained by walking from the root one component at a time. A handle is never a
//! path that could be re-resolved, and `..` is resolved by the sentry, never sent.
//!
//! Operations: `Attach` (root handle), `Walk` (several components; stops after a symlink or at
//! the first missing component), `Stat`, `Open` (donates an fd), `Readlink`, `Getdents`
//! (resumable cookies; `.`/`..` left out), `Statfs`, `Release`, and the writes `Create`, `Mkdir`,
//! `Symlink`, `Link`, `Mknod` (regular/FIFO/socket), `Unlink`, `Rename`, `SetAttr`, `Fsync`.
//!
//! # Security properties
//!
//! * The gofer never follows a symlink on the host: every open is of a single validated
//!   component relative to a handle's fd, with `O_NOFOLLOW` and, where the kernel has it,
//!   `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)`. Names that are
//!   empty, `.`, `..`, or contain `/` or NUL are rejected with `EINVAL`. So nothing outside the
//!   root is reachable through the protocol, even while the tree changes under a walk (a
//!   component swapped for a symlink is returned as a symlink; reopening a file checks that the
//!   name still refers to the same inode, else `ESTALE`).
//! * Device nodes are never opened (`EPERM`) and cannot be created; FIFOs are opened
//!   non-blocking so a client cannot wedge a server thread.
//! * A read-only server refuses every change (`EROFS`), including opens for writing or with
//!   `O_TRUNC`.
//! * Every message is parsed with checked decoding; a malformed request gets `EINVAL` and the
//!   server keeps serving. A client treats a malformed response as `EIO`. Neither side panics on
//!   peer input, and fds received unexpectedly are closed.
//! * In the `runsc gofer` process, [`confine_to`] first moves into private mount, network and
//!   IPC namespaces whose root is the container root (`pivot_root`), keeps only the
//!   capabilities file serving needs ([`confine::KEPT_CAPS`]) and sets `no_new_privs`; `runsc
//!   gofer` then installs its seccomp allowlist (`runsc/src/seccomp/gofer.rs`).
//! * A files gofer ([`confine_to_files`], for file bind mounts) has as its root a private
//!   read-only tmpfs holding only the bound host files, each bind-mounted (read-only when the
//!   mount is), named `0`, `1`, ... in order.

#![deny(unsafe_code)]

pub mod client;
pub mod confine;
pub mod protocol;
pub mod server;
#[allow(unsafe_code)]
mod sys;
#[allow(unsafe_code)]
pub mod transport;

pub use client::Client;
pub use confine::{confine_to, confine_to_files, BoundFile};
pub use protocol::{Attr, Dirent, Handle, SetAttr, Statfs, TimeSet, Timestamp};
pub use server::{serve, ServerOptions};
pub use transport::channel_pair;

use syscalls::Errno;

/// Errors that stop the server or confinement (per-request failures are errnos sent back).
#[derive(Debug, thiserror::Error)]
pub enum GoferError {
    /// A host call failed.
    #[error("{op}: {errno}")]
    Sys { op: &'static str, errno: Errno },
    /// The root handed to `serve` is not a directory.
    #[error("the root is not a directory")]
    RootNotDirectory,
    /// A server thread could not be started.
    #[error("cannot start a server thread: {0}")]
    Spawn(std::io::Error),
    /// A server thread panicked (a bug).
    #[error("a server thread panicked")]
    ThreadPanicked,
}

impl GoferError {
    pub(crate) fn sys(op: &'static str) -> impl FnOnce(Errno) -> GoferError {
        move |errno| GoferError::Sys { op, errno }
    }
}
