//! OCI bundle pieces shared by the lifecycle verbs.

pub mod hooks;
pub mod mounts;
