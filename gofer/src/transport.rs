//! Message transport over `SOCK_SEQPACKET` unix sockets, with fds passed as `SCM_RIGHTS`.
//!
//! One `sendmsg` carries one whole message (seqpacket keeps boundaries); one `recvmsg` receives
//! one. Received fds are installed close-on-exec (`MSG_CMSG_CLOEXEC`) and always wrapped in
//! [`OwnedFd`]s, also when the message or its control data was truncated, so a peer can never
//! make us leak descriptors. Together with `sys` this is the only module that uses `unsafe`.

use std::mem::{size_of, MaybeUninit};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

use nix::poll::{PollFd, PollFlags, PollTimeout};
use nix::sys::socket::{socketpair, AddressFamily, SockFlag, SockType};
use syscalls::Errno;

/// Most fds one message may carry.
pub const MAX_FDS: usize = 4;

/// Control buffer words (8-byte aligned, as `cmsghdr` requires).
const CMSG_WORDS: usize = 8;
/// Control bytes offered to `recvmsg`: room for exactly `MAX_FDS` fds.
// SAFETY: CMSG_SPACE is pure arithmetic on its argument.
const CMSG_CAP: usize = unsafe { libc::CMSG_SPACE((MAX_FDS * size_of::<RawFd>()) as u32) } as usize;
const _: () = assert!(CMSG_CAP <= CMSG_WORDS * 8);

/// Creates a connected pair of channel endpoints:
/// `socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC)`. Give one end to [`crate::serve`] and the
/// other to [`crate::Client::new`].
pub fn channel_pair() -> Result<(OwnedFd, OwnedFd), Errno> {
    socketpair(
        AddressFamily::Unix,
        SockType::SeqPacket,
        None,
        SockFlag::SOCK_CLOEXEC,
    )
    .map_err(crate::sys::nix_errno)
}

/// Sends `data` as one message with `fds` attached. Never raises `SIGPIPE` (a closed peer gives
/// `EPIPE`).
pub fn send(sock: BorrowedFd<'_>, data: &[u8], fds: &[BorrowedFd<'_>]) -> Result<(), Errno> {
    if fds.len() > MAX_FDS {
        return Err(Errno::EINVAL);
    }
    let mut iov = libc::iovec {
        iov_base: data.as_ptr() as *mut libc::c_void,
        iov_len: data.len(),
    };
    let mut cmsg_buf = [0u64; CMSG_WORDS];
    // SAFETY: msghdr is plain data for which all-zero (null pointers, zero lengths) is valid.
    let mut msg: libc::msghdr = unsafe { MaybeUninit::zeroed().assume_init() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    if !fds.is_empty() {
        let payload = fds.len() * size_of::<RawFd>();
        // SAFETY: pure arithmetic on the length.
        msg.msg_controllen = unsafe { libc::CMSG_SPACE(payload as u32) } as usize;
        msg.msg_control = cmsg_buf.as_mut_ptr() as *mut libc::c_void;
        // SAFETY: msg_control points at `cmsg_buf`, which is aligned and at least msg_controllen
        // bytes long (checked by the const assertion), so the first header and its
        // `fds.len()` ints of data lie inside it. Unaligned writes are used for the data.
        unsafe {
            let cmsg = libc::CMSG_FIRSTHDR(&msg);
            (*cmsg).cmsg_level = libc::SOL_SOCKET;
            (*cmsg).cmsg_type = libc::SCM_RIGHTS;
            (*cmsg).cmsg_len = libc::CMSG_LEN(payload as u32) as usize;
            let data = libc::CMSG_DATA(cmsg) as *mut RawFd;
            for (i, fd) in fds.iter().enumerate() {
                data.add(i).write_unaligned(fd.as_raw_fd());
            }
        }
    }
    loop {
        // SAFETY: `msg` points at `iov` (describing `data`, read-only for the kernel) and at
        // `cmsg_buf`, all alive for the call.
        let n = unsafe { libc::sendmsg(sock.as_raw_fd(), &msg, libc::MSG_NOSIGNAL) };
        if n >= 0 {
            // Seqpacket sends are all-or-nothing.
            return if n as usize == data.len() {
                Ok(())
            } else {
                Err(Errno::EIO)
            };
        }
        match Errno::last() {
            Errno::EINTR => continue,
            e => return Err(e),
        }
    }
}

/// One received message.
#[derive(Debug)]
pub struct Received {
    /// Bytes stored in the buffer (at most its length).
    pub len: usize,
    /// Fds that arrived (installed close-on-exec).
    pub fds: Vec<OwnedFd>,
    /// The message was longer than the buffer (`MSG_TRUNC`); the rest is lost.
    pub truncated: bool,
    /// Control data was cut (`MSG_CTRUNC`): more fds were sent than `MAX_FDS`; the excess
    /// were closed by the kernel.
    pub ctrunc: bool,
}

impl Received {
    /// True for a zero-length message without fds; on a seqpacket socket that is either an empty
    /// message or the peer's hang-up (see [`peer_closed`]).
    pub fn is_empty(&self) -> bool {
        self.len == 0 && self.fds.is_empty() && !self.truncated && !self.ctrunc
    }
}

/// Receives one message into `buf`, retrying on `EINTR`.
pub fn recv(sock: BorrowedFd<'_>, buf: &mut [u8]) -> Result<Received, Errno> {
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr() as *mut libc::c_void,
        iov_len: buf.len(),
    };
    let mut cmsg_buf = [0u64; CMSG_WORDS];
    // SAFETY: as in `send`.
    let mut msg: libc::msghdr = unsafe { MaybeUninit::zeroed().assume_init() };
    let n = loop {
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = cmsg_buf.as_mut_ptr() as *mut libc::c_void;
        msg.msg_controllen = CMSG_CAP;
        msg.msg_flags = 0;
        // SAFETY: `msg` points at `iov` (describing the writable `buf`) and at `cmsg_buf`, whose
        // sizes are given exactly; all outlive the call.
        let n = unsafe { libc::recvmsg(sock.as_raw_fd(), &mut msg, libc::MSG_CMSG_CLOEXEC) };
        if n >= 0 {
            break n as usize;
        }
        match Errno::last() {
            Errno::EINTR => continue,
            e => return Err(e),
        }
    };
    let mut fds = Vec::new();
    // SAFETY: the kernel filled `cmsg_buf` and set msg_controllen to the bytes it used; the CMSG
    // macros walk only within [msg_control, msg_control + msg_controllen). Every SCM_RIGHTS
    // entry holds (cmsg_len - CMSG_LEN(0)) / 4 fds that are now installed in our table and owned
    // by nobody else, so each is wrapped in an OwnedFd exactly once. Data is read unaligned.
    unsafe {
        let mut cmsg = libc::CMSG_FIRSTHDR(&msg);
        while !cmsg.is_null() {
            let hdr_len = libc::CMSG_LEN(0) as usize;
            if (*cmsg).cmsg_level == libc::SOL_SOCKET
                && (*cmsg).cmsg_type == libc::SCM_RIGHTS
                && (*cmsg).cmsg_len >= hdr_len
            {
                let count = ((*cmsg).cmsg_len - hdr_len) / size_of::<RawFd>();
                let data = libc::CMSG_DATA(cmsg) as *const RawFd;
                for i in 0..count {
                    let fd = data.add(i).read_unaligned();
                    if fd >= 0 {
                        fds.push(OwnedFd::from_raw_fd(fd));
                    }
                }
            }
            cmsg = libc::CMSG_NXTHDR(&msg, cmsg);
        }
    }
    Ok(Received {
        len: n.min(buf.len()),
        fds,
        truncated: msg.msg_flags & libc::MSG_TRUNC != 0,
        ctrunc: msg.msg_flags & libc::MSG_CTRUNC != 0,
    })
}

/// True if the peer of `sock` has hung up (checked without blocking).
pub fn peer_closed(sock: BorrowedFd<'_>) -> bool {
    // Only POLLIN is asked for, so revents holds no bits nix's PollFlags does not know.
    let mut fds = [PollFd::new(sock.as_fd(), PollFlags::POLLIN)];
    match nix::poll::poll(&mut fds, PollTimeout::ZERO) {
        Ok(_) => fds[0]
            .revents()
            .is_none_or(|r| r.intersects(PollFlags::POLLHUP | PollFlags::POLLERR)),
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Seek, Write};

    #[test]
    fn fds_travel_and_truncation_is_reported() {
        let (a, b) = channel_pair().unwrap();
        let path = std::env::temp_dir().join(format!("gofer-transport-{}", std::process::id()));
        let mut f = std::fs::File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .unwrap();
        std::fs::remove_file(&path).unwrap();
        f.write_all(b"hello").unwrap();
        send(a.as_fd(), b"abc", &[f.as_fd()]).unwrap();
        let mut buf = [0u8; 16];
        let r = recv(b.as_fd(), &mut buf).unwrap();
        assert_eq!(&buf[..r.len], b"abc");
        assert!(!r.truncated && !r.ctrunc);
        assert_eq!(r.fds.len(), 1);
        let flags = nix::fcntl::fcntl(r.fds[0].as_raw_fd(), nix::fcntl::FcntlArg::F_GETFD).unwrap();
        assert!(flags & libc::FD_CLOEXEC != 0);
        let mut g = std::fs::File::from(r.fds.into_iter().next().unwrap());
        g.rewind().unwrap();
        let mut s = String::new();
        g.read_to_string(&mut s).unwrap();
        assert_eq!(s, "hello");

        // Longer than the buffer.
        send(a.as_fd(), &[7u8; 32], &[]).unwrap();
        let r = recv(b.as_fd(), &mut buf).unwrap();
        assert!(r.truncated);
        assert_eq!(r.len, 16);

        // MAX_FDS fit.
        let many: Vec<BorrowedFd<'_>> = (0..MAX_FDS).map(|_| f.as_fd()).collect();
        send(a.as_fd(), b"x", &many).unwrap();
        let r = recv(b.as_fd(), &mut buf).unwrap();
        assert_eq!(r.fds.len(), MAX_FDS);
        assert!(!r.ctrunc);
        // More fds than the receiver accepts: reported as cut, the excess closed by the kernel.
        let raw: Vec<RawFd> = (0..2 * MAX_FDS).map(|_| f.as_raw_fd()).collect();
        nix::sys::socket::sendmsg::<()>(
            a.as_raw_fd(),
            &[std::io::IoSlice::new(b"y")],
            &[nix::sys::socket::ControlMessage::ScmRights(&raw)],
            nix::sys::socket::MsgFlags::empty(),
            None,
        )
        .unwrap();
        let r = recv(b.as_fd(), &mut buf).unwrap();
        assert!(r.ctrunc);
        assert!(r.fds.len() <= MAX_FDS);

        assert!(!peer_closed(b.as_fd()));
        drop(a);
        assert!(peer_closed(b.as_fd()));
        let r = recv(b.as_fd(), &mut buf).unwrap();
        assert!(r.is_empty());
    }
}
