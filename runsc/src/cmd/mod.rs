//! One file per verb.

pub mod boot;
pub mod compat;
pub mod do_cmd;
pub mod gofer;
pub mod syscalls;
