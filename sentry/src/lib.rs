//! The sentry: a Linux-compatible kernel in user space (DESIGN §3–§8).
//!
//! Modules are named after Linux subsystems: [`platform`] runs app code and
//! catches its syscalls and faults, [`mm`] manages app memory in the memory
//! file, [`loader`] builds process images, [`kernel`] holds tasks, [`vfs`] and
//! [`fs`] the file systems, and [`syscalls`] the handlers with their table.

pub mod compat;
pub mod fs;
pub mod kernel;
pub mod loader;
pub mod mm;
pub mod net;
pub mod platform;
pub mod strace;
pub mod syscalls;
pub mod vfs;
