//! File-system implementations: the gofer-served rootfs ([`gofer`]) under
//! the in-memory [`overlay`] root, the
//! synthetic `/dev` ([`dev`]), procfs ([`proc`]), sysfs ([`sys`]), static synthetic
//! directories ([`synth`]) and host fds given to the sandbox ([`host`]), the
//! in-memory [`tmpfs`]
//! (`/tmp`, `/dev/shm`, memfd_create), pipes and the anonymous fd kinds
//! (eventfd, epoll, timerfd, signalfd, [`inotify`]), pseudo-terminals
//! ([`devpts`]) and what all terminals share ([`tty`]).

pub mod anon;
pub mod dev;
pub mod devpts;
pub mod epoll;
pub mod eventfd;
pub mod gofer;
pub mod host;
pub mod inotify;
pub mod mqueue;
pub mod overlay;
pub mod pipe;
pub mod proc;
pub mod signalfd;
pub mod synth;
pub mod sys;
pub mod timerfd;
pub mod tmpfs;
pub mod tty;
