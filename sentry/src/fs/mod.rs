//! File-system implementations: the gofer-served root ([`gofer`]), the
//! synthetic `/dev` ([`dev`]), static synthetic directories ([`synth`]) and
//! host fds given to the sandbox ([`host`]) and the in-memory [`tmpfs`]
//! (`/tmp`, `/dev/shm`, memfd_create).

pub mod dev;
pub mod gofer;
pub mod host;
pub mod pipe;
pub mod synth;
pub mod tmpfs;
