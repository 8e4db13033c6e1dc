//! The Linux x86_64 ABI catalogue shared by the sentry, the gofer and the CLI:
//! syscall numbers and names ([`nr`]), error numbers ([`Errno`]), `#[repr(C)]`
//! structures with their sizes checked at compile time ([`abi`]), flag and command
//! constants ([`consts`]), and argument shapes plus the strace-style printer
//! ([`args`]).
//!
//! Structures implement [`Pod`], which converts them to and from raw bytes safely;
//! all `unsafe` code of the crate is in the private `pod` module.

#![deny(unsafe_op_in_unsafe_fn)]

pub mod abi;
pub mod args;
pub mod consts;
pub mod errno;
pub mod nr;
mod pod;

pub use errno::Errno;
pub use pod::{slice_as_bytes, slice_from_bytes, Pod};
