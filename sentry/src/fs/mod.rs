//! File-system implementations: the gofer-served root ([`gofer`]), the
//! synthetic `/dev` ([`dev`]), static synthetic directories ([`synth`]) and
//! host fds given to the sandbox ([`host`]).

pub mod dev;
pub mod gofer;
pub mod host;
pub mod pipe;
pub mod synth;
