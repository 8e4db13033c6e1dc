//! Networking: AF_UNIX sockets ([`unix`]). Internet sockets and netlink
//! come later.

pub mod unix;
