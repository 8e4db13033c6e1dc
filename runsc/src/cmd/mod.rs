//! One file per verb.

pub mod boot;
pub mod compat;
pub mod do_cmd;
pub mod events;
pub mod features;
pub mod gofer;
pub mod install;
pub mod spec;
pub mod syscalls;
pub mod update;
