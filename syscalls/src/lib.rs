//! The Linux x86_64 ABI catalogue shared by the sentry, the gofer and the CLI:
//! syscall numbers and names ([`nr`]), error numbers ([`Errno`]), `#[repr(C)]`
//! structures with their sizes checked at compile time ([`abi`]), and argument
//! shapes for the strace printer ([`args`]).

pub mod errno;
pub mod nr;

pub use errno::Errno;
