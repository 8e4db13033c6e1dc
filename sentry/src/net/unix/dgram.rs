//! SOCK_DGRAM: each socket owns a queue of received messages; a send puts
//! one message on the destination's queue, charged to the sender's send
//! buffer until it is received (Linux's unix_dgram_sendmsg/recvmsg).

use super::addr::Addr;
use super::stream::{SendArgs, MSG_OVERHEAD};
use super::{qlimits, wait_err, Conn, Core, Recv, Rights, RCV_SHUTDOWN, SEND_SHUTDOWN};
use crate::kernel::wait::{block_on, WaitQueue};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;
use syscalls::abi::Ucred;
use syscalls::consts::MSG_PEEK;
use syscalls::Errno;

/// The part of the sender's send buffer a queued message holds.
pub struct Charge {
    bytes: usize,
    wmem: Arc<AtomicUsize>,
    wq: Arc<WaitQueue>,
}

impl Drop for Charge {
    fn drop(&mut self) {
        self.wmem.fetch_sub(self.bytes, Ordering::Relaxed);
        self.wq.notify_all();
    }
}

/// One queued datagram.
pub struct Msg {
    pub data: Vec<u8>,
    pub rights: Option<Rights>,
    pub cred: Option<Ucred>,
    pub from: Option<Addr>,
    _charge: Charge,
}

fn same(a: &Arc<Core>, b: &Arc<Core>) -> bool {
    Arc::ptr_eq(a, b)
}

/// Whether `other` is connected to someone else than `me` (EPERM:
/// Linux's unix_may_send), and whether it is connected to `me`.
fn peer_of(other: &Core) -> Option<Arc<Core>> {
    match &other.lock().conn {
        Conn::Peer(p) => Some(p.clone()),
        _ => None,
    }
}

/// Send one datagram from `me` to `to` or to its connected peer.
pub fn send(
    me: &Arc<Core>,
    to: Option<Arc<Core>>,
    data: &[u8],
    a: SendArgs,
) -> Result<usize, Errno> {
    let sndbuf = me.opts.sndbuf.load(Ordering::Relaxed);
    let mut st = me.lock();
    let connected = match &st.conn {
        Conn::Peer(p) => Some(p.clone()),
        _ => None,
    };
    if to.is_none() && connected.is_none() {
        return Err(Errno::ENOTCONN);
    }
    if me.opts.passcred.load(Ordering::Relaxed) && st.addr.is_none() {
        let addr = super::addr::autobind(me, me.kind)?;
        st.key = Some(super::addr::Key::Abstract(addr.0.clone(), me.kind));
        st.addr = Some(addr);
    }
    if data.len() > sndbuf.saturating_sub(32) {
        return Err(Errno::EMSGSIZE);
    }
    if st.shutdown & SEND_SHUTDOWN != 0 {
        return Err(Errno::EPIPE);
    }
    let from = st.addr.clone();
    drop(st);
    let Some(other) = to.or(connected.clone()) else {
        return Err(Errno::ENOTCONN);
    };
    let peer = peer_of(&other);
    if peer.as_ref().is_some_and(|p| !same(p, me)) {
        return Err(Errno::EPERM);
    }
    let mutual = peer.as_ref().is_some_and(|p| same(p, me));
    let wants = |c: &Core| c.opts.passcred.load(Ordering::Relaxed);
    let cred = a.scm.cred.or((wants(me) || wants(&other)).then_some(a.own));
    let mut rights = a.scm.rights;
    let (qlen_max, _) = qlimits();
    let charge = data.len() + MSG_OVERHEAD;
    let r = block_on(&[&me.wq, &other.wq], a.deadline, || {
        let mut os = other.lock();
        if os.released {
            drop(os);
            let mut st = me.lock();
            if matches!(&st.conn, Conn::Peer(p) if same(p, &other)) {
                // Linux's unix_dgram_disconnected: forget the dead peer
                // and what it sent.
                st.conn = Conn::None;
                let purged = std::mem::take(&mut st.rx);
                drop(st);
                drop(purged);
            }
            return Some(Err(Errno::ECONNREFUSED));
        }
        if os.shutdown & RCV_SHUTDOWN != 0 {
            return Some(Err(Errno::EPIPE));
        }
        if !same(&other, me) && !mutual && os.rx.len() > qlen_max {
            return a.nonblock.then_some(Err(Errno::EAGAIN));
        }
        if me.wmem.load(Ordering::Relaxed) >= me.opts.sndbuf.load(Ordering::Relaxed) {
            return a.nonblock.then_some(Err(Errno::EAGAIN));
        }
        me.wmem.fetch_add(charge, Ordering::Relaxed);
        os.rx.push_back(Msg {
            data: data.to_vec(),
            rights: rights.take(),
            cred,
            from: from.clone(),
            _charge: Charge {
                bytes: charge,
                wmem: me.wmem.clone(),
                wq: me.wq.clone(),
            },
        });
        drop(os);
        other.wq.notify_all();
        Some(Ok(data.len()))
    });
    r.unwrap_or_else(|e| Err(wait_err(e, a.deadline.is_some())))
}

/// Receive one datagram at `me`.
pub fn recv(
    me: &Arc<Core>,
    buf: &mut [u8],
    flags: u32,
    nonblock: bool,
    deadline: Option<Instant>,
) -> Result<Recv, Errno> {
    let peek = flags & MSG_PEEK != 0;
    let r = block_on(&[&me.wq], deadline, || {
        let mut st = me.lock();
        if let Some(m) = st.rx.front() {
            let n = m.data.len().min(buf.len());
            buf[..n].copy_from_slice(&m.data[..n]);
            let mut r = Recv {
                n,
                len: m.data.len(),
                rights: None,
                cred: m.cred,
                from: m.from.clone(),
            };
            if peek {
                r.rights = m.rights.clone();
                return Some(Ok(r));
            }
            let m = st.rx.pop_front();
            drop(st);
            if let Some(mut m) = m {
                r.rights = m.rights.take();
                // Frees the sender's buffer space (and wakes it).
                drop(m);
            }
            me.wq.notify_all();
            return Some(Ok(r));
        }
        if let Some(e) = st.err.take() {
            return Some(Err(e));
        }
        if nonblock {
            return Some(Err(Errno::EAGAIN));
        }
        if st.shutdown & RCV_SHUTDOWN != 0 {
            return Some(Ok(Recv::default()));
        }
        None
    });
    r.unwrap_or_else(|e| Err(wait_err(e, deadline.is_some())))
}

/// Connect `me` to `other` (None: AF_UNSPEC, disconnect).
pub fn connect(me: &Arc<Core>, other: Option<Arc<Core>>) -> Result<(), Errno> {
    if let Some(o) = &other {
        if !same(o, me) && peer_of(o).is_some_and(|p| !same(&p, me)) {
            return Err(Errno::EPERM);
        }
        if o.lock().released {
            return Err(Errno::ECONNREFUSED);
        }
    }
    let mut st = me.lock();
    if me.opts.passcred.load(Ordering::Relaxed) && st.addr.is_none() && other.is_some() {
        let addr = super::addr::autobind(me, me.kind)?;
        st.key = Some(super::addr::Key::Abstract(addr.0.clone(), me.kind));
        st.addr = Some(addr);
    }
    st.conn = match other {
        Some(o) => Conn::Peer(o),
        None => Conn::None,
    };
    drop(st);
    me.wq.notify_all();
    Ok(())
}

/// FIONREAD: the length of the next datagram.
pub fn inq(me: &Core) -> usize {
    me.lock().rx.front().map_or(0, |m| m.data.len())
}

/// Linux's unix_dgram_poll.
pub fn poll(me: &Core) -> u32 {
    use crate::vfs::file::pollev::*;
    let st = me.lock();
    let mut mask = 0;
    if st.err.is_some() {
        mask |= POLLERR;
    }
    if st.shutdown & RCV_SHUTDOWN != 0 {
        mask |= super::POLLRDHUP | POLLIN | POLLRDNORM;
    }
    if st.shutdown == super::SHUTDOWN_MASK {
        mask |= POLLHUP;
    }
    if !st.rx.is_empty() {
        mask |= POLLIN | POLLRDNORM;
    }
    let peer = match &st.conn {
        Conn::Peer(p) => Some(p.clone()),
        _ => None,
    };
    drop(st);
    let mut writable =
        me.wmem.load(Ordering::Relaxed) * 4 <= me.opts.sndbuf.load(Ordering::Relaxed);
    if let Some(p) = peer {
        if writable && !std::ptr::eq(Arc::as_ptr(&p), me) {
            let ps = p.lock();
            let mutual = matches!(&ps.conn, Conn::Peer(q) if std::ptr::eq(Arc::as_ptr(q), me));
            if !mutual && ps.rx.len() > qlimits().0 {
                writable = false;
            }
        }
    }
    if writable {
        mask |= POLLOUT | POLLWRNORM | POLLWRBAND;
    }
    mask
}
