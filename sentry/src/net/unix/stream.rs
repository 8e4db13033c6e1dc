//! Connected SOCK_STREAM and SOCK_SEQPACKET sockets: two ends sharing one
//! state, with one queue per direction, modelled on Linux's af_unix. A
//! socketpair is one [`Pair`]; so is each connection made by connect(2)
//! (the client gets end 0, the socket accept(2) returns end 1).
//!
//! Streams are byte streams; SOCK_SEQPACKET keeps message boundaries (a
//! read returns one message, the rest of it is dropped). Data written by one
//! end is charged to that end's send buffer (SO_SNDBUF) until the other end
//! reads it, as Linux charges skbs to the sender. Files passed with
//! SCM_RIGHTS and credentials travel with the data they were sent with.

use super::{wait_err, Opts, Recv, Rights, Scm, RCV_SHUTDOWN, SEND_SHUTDOWN, SHUTDOWN_MASK};
use crate::kernel::wait::{block_on, WaitQueue};
use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;
use syscalls::abi::Ucred;
use syscalls::consts::{MSG_NOSIGNAL, MSG_OOB, MSG_PEEK, MSG_WAITALL, SOCK_STREAM};
use syscalls::Errno;

/// What a queued message costs beyond its bytes (roughly an skb's
/// truesize), so empty messages cannot queue without bound.
pub const MSG_OVERHEAD: usize = 256;

/// One write (stream) or one message (seqpacket).
pub struct Seg {
    pub len: usize,
    pub rights: Option<Rights>,
    pub cred: Option<Ucred>,
    /// The current out-of-band byte (MSG_OOB, a one-byte segment).
    pub oob: bool,
}

/// The data queued for one end to read.
#[derive(Default)]
pub struct Dir {
    pub buf: VecDeque<u8>,
    pub segs: VecDeque<Seg>,
    /// What is charged to the sending end's SO_SNDBUF.
    pub used: usize,
}

fn same_cred(a: &Option<Ucred>, b: &Option<Ucred>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => x.pid == y.pid && x.uid == y.uid && x.gid == y.gid,
        _ => false,
    }
}

impl Dir {
    /// A stream read: bytes of consecutive writes, stopping after a write
    /// that carried files (which come with it) and, when the reader wants
    /// credentials, before a write from other credentials (Linux never
    /// glues messages from different writers then). A read stops at the
    /// out-of-band mark; at the head, the OOB byte is skipped (dropped
    /// unless peeking) or, with SO_OOBINLINE (`inline`), read as data.
    pub fn read_stream(&mut self, out: &mut [u8], peek: bool, creds: bool, inline: bool) -> Recv {
        let mut done = 0;
        // Offset in `buf` of segment `i`.
        let mut boff = 0;
        let mut rights = None;
        let mut cred = None;
        // Segments read to their end.
        let mut whole = 0;
        let mut i = 0;
        while i < self.segs.len() && done < out.len() {
            if self.segs[i].oob {
                if done > 0 {
                    break;
                }
                if !inline {
                    if peek {
                        boff += self.segs[i].len;
                        i += 1;
                        continue;
                    }
                    // At the head (nothing is skipped without peeking).
                    if let Some(seg) = self.segs.pop_front() {
                        self.buf.drain(..seg.len);
                        self.used = self.used.saturating_sub(seg.len);
                    }
                    continue;
                }
                if !peek {
                    self.segs[i].oob = false;
                }
            }
            if done == 0 {
                cred = self.segs[i].cred;
            } else if creds && !same_cred(&self.segs[i].cred, &cred) {
                break;
            }
            let len = self.segs[i].len;
            let n = len.min(out.len() - done);
            for (d, b) in out[done..done + n].iter_mut().zip(self.buf.range(boff..)) {
                *d = *b;
            }
            done += n;
            boff += n;
            let had = if peek {
                self.segs[i].rights.clone()
            } else {
                self.segs[i].rights.take()
            };
            if n == len {
                whole = i + 1;
            } else if !peek {
                self.segs[i].len -= n;
            }
            i += 1;
            if had.is_some() {
                rights = had;
                break;
            }
            if n < len {
                break;
            }
        }
        if !peek {
            self.segs.drain(..whole);
            self.buf.drain(..done);
            self.used = self.used.saturating_sub(done);
        }
        Recv {
            n: done,
            len: done,
            rights,
            cred,
            from: None,
        }
    }

    /// recv(MSG_OOB): the out-of-band byte, consumed unless `peek`.
    pub fn read_oob(&mut self, out: &mut [u8], peek: bool) -> Option<usize> {
        let idx = self.segs.iter().position(|s| s.oob)?;
        let off: usize = self.segs.iter().take(idx).map(|s| s.len).sum();
        let byte = *self.buf.get(off)?;
        let n = out.len().min(1);
        if n > 0 {
            out[0] = byte;
        }
        if !peek {
            self.segs.remove(idx);
            self.buf.remove(off);
            self.used = self.used.saturating_sub(1);
        }
        Some(n)
    }

    /// SIOCATMARK: whether the next byte is the out-of-band one.
    pub fn at_mark(&self) -> bool {
        self.segs.front().is_some_and(|s| s.oob)
    }

    /// A message read: bytes copied, the message length, files, creds.
    pub fn read_msg(&mut self, out: &mut [u8], peek: bool) -> Recv {
        let Some(seg) = self.segs.front_mut() else {
            return Recv::default();
        };
        let len = seg.len;
        let n = len.min(out.len());
        for (d, b) in out[..n].iter_mut().zip(self.buf.range(..)) {
            *d = *b;
        }
        let cred = seg.cred;
        if peek {
            let rights = seg.rights.clone();
            return Recv {
                n,
                len,
                rights,
                cred,
                from: None,
            };
        }
        let rights = seg.rights.take();
        self.segs.pop_front();
        self.buf.drain(..len);
        self.used = self.used.saturating_sub(len + MSG_OVERHEAD);
        Recv {
            n,
            len,
            rights,
            cred,
            from: None,
        }
    }
}

/// Per-end state.
pub struct EndState {
    pub open: bool,
    pub shutdown: u8,
    /// A pending socket error (SO_ERROR): ECONNRESET when the peer closed
    /// with data unread.
    pub err: Option<Errno>,
    /// The queue this end reads.
    pub rx: Dir,
}

pub struct State {
    pub ends: [EndState; 2],
}

/// A connection: two ends.
pub struct Pair {
    pub kind: i32,
    state: Mutex<State>,
    /// Each end's wait queue (the socket's own): both are notified of any
    /// change.
    wq: [Arc<WaitQueue>; 2],
    /// Each end's options (SO_SNDBUF, SO_PASSCRED, ...).
    opts: [Arc<Opts>; 2],
}

/// What a send needs besides the data.
pub struct SendArgs {
    pub scm: Scm,
    /// The sender's own credentials (attached when either end wants them).
    pub own: Ucred,
    pub flags: u32,
    pub nonblock: bool,
    pub deadline: Option<Instant>,
}

impl Pair {
    pub fn new(kind: i32, wq: [Arc<WaitQueue>; 2], opts: [Arc<Opts>; 2]) -> Arc<Pair> {
        let end = || EndState {
            open: true,
            shutdown: 0,
            err: None,
            rx: Dir::default(),
        };
        Arc::new(Pair {
            kind,
            state: Mutex::new(State {
                ends: [end(), end()],
            }),
            wq,
            opts,
        })
    }

    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn notify(&self) {
        for q in &self.wq {
            q.notify_all();
        }
    }

    fn cred_for(&self, me: usize, a: &SendArgs) -> Option<Ucred> {
        let wants = |i: usize| self.opts[i].passcred.load(Ordering::Relaxed);
        a.scm.cred.or((wants(me) || wants(1 - me)).then_some(a.own))
    }

    /// End `me` closes; `embryo` when it was never accepted (the peer
    /// then always sees ECONNRESET).
    pub fn close(&self, me: usize, embryo: bool) {
        let peer = 1 - me;
        let mut s = self.lock();
        s.ends[me].open = false;
        s.ends[me].shutdown = SHUTDOWN_MASK;
        // Files in flight to this end are dropped after the lock is released
        // (one may be the other end of this very pair).
        let purged = std::mem::take(&mut s.ends[me].rx);
        if s.ends[peer].open {
            s.ends[peer].shutdown = SHUTDOWN_MASK;
            if !purged.segs.is_empty() || embryo {
                s.ends[peer].err = Some(Errno::ECONNRESET);
            }
        }
        drop(s);
        self.notify();
        drop(purged);
    }

    /// Send `data` from end `me`.
    pub fn send(&self, me: usize, data: &[u8], a: SendArgs) -> Result<usize, Errno> {
        if self.kind == SOCK_STREAM {
            self.send_stream(me, data, a)
        } else {
            self.send_msg(me, data, a)
        }
    }

    fn send_stream(&self, me: usize, data: &[u8], a: SendArgs) -> Result<usize, Errno> {
        if a.flags & MSG_OOB != 0 {
            // The last byte is out of band (Linux's queue_oob).
            let Some((last, body)) = data.split_last() else {
                return Err(Errno::EOPNOTSUPP);
            };
            let flags = a.flags;
            let args = SendArgs {
                flags: flags & !MSG_OOB,
                ..a
            };
            let n = if body.is_empty() {
                0
            } else {
                self.send_stream(me, body, args)?
            };
            if n < body.len() {
                return Ok(n);
            }
            let peer = 1 - me;
            let mut s = self.lock();
            if s.ends[me].shutdown & SEND_SHUTDOWN != 0 || !s.ends[peer].open {
                drop(s);
                return if n > 0 { Ok(n) } else { Err(epipe(flags)) };
            }
            let rx = &mut s.ends[peer].rx;
            for seg in rx.segs.iter_mut() {
                seg.oob = false;
            }
            rx.buf.push_back(*last);
            rx.segs.push_back(Seg {
                len: 1,
                rights: None,
                cred: None,
                oob: true,
            });
            rx.used += 1;
            drop(s);
            self.notify();
            return Ok(n + 1);
        }
        let peer = 1 - me;
        if data.is_empty() {
            let s = self.lock();
            if s.ends[me].shutdown & SEND_SHUTDOWN != 0 || !s.ends[peer].open {
                drop(s);
                return Err(epipe(a.flags));
            }
            return Ok(0);
        }
        let cred = self.cred_for(me, &a);
        let mut rights = a.scm.rights;
        let mut done = 0;
        let r = block_on(&[&self.wq[me]], a.deadline, || {
            let mut s = self.lock();
            loop {
                if s.ends[me].shutdown & SEND_SHUTDOWN != 0 || !s.ends[peer].open {
                    return Some(Err(Errno::EPIPE));
                }
                if done == data.len() {
                    return Some(Ok(()));
                }
                let sndbuf = self.opts[me].sndbuf.load(Ordering::Relaxed);
                let room = sndbuf.saturating_sub(s.ends[peer].rx.used);
                if room == 0 {
                    return a.nonblock.then_some(Err(Errno::EAGAIN));
                }
                let n = room.min(data.len() - done);
                let rx = &mut s.ends[peer].rx;
                rx.buf.extend(&data[done..done + n]);
                rx.segs.push_back(Seg {
                    len: n,
                    rights: rights.take(),
                    cred,
                    oob: false,
                });
                rx.used += n;
                done += n;
                self.notify();
            }
        });
        match r {
            Ok(Ok(())) => Ok(done),
            _ if done > 0 => Ok(done),
            Ok(Err(Errno::EPIPE)) => Err(epipe(a.flags)),
            Ok(Err(e)) => Err(e),
            Err(e) => Err(wait_err(e, a.deadline.is_some())),
        }
    }

    fn send_msg(&self, me: usize, data: &[u8], a: SendArgs) -> Result<usize, Errno> {
        let peer = 1 - me;
        let cred = self.cred_for(me, &a);
        let mut rights = a.scm.rights;
        let r = block_on(&[&self.wq[me]], a.deadline, || {
            let mut s = self.lock();
            let sndbuf = self.opts[me].sndbuf.load(Ordering::Relaxed);
            if s.ends[me].shutdown & SEND_SHUTDOWN != 0 || !s.ends[peer].open {
                return Some(Err(Errno::EPIPE));
            }
            if data.len() > sndbuf.saturating_sub(32) {
                return Some(Err(Errno::EMSGSIZE));
            }
            if s.ends[peer].rx.used >= sndbuf {
                return a.nonblock.then_some(Err(Errno::EAGAIN));
            }
            let rx = &mut s.ends[peer].rx;
            rx.buf.extend(data);
            rx.segs.push_back(Seg {
                len: data.len(),
                rights: rights.take(),
                cred,
                oob: false,
            });
            rx.used += data.len() + MSG_OVERHEAD;
            drop(s);
            self.notify();
            Some(Ok(data.len()))
        });
        // Message sockets fail with EPIPE but raise no SIGPIPE (Linux's
        // unix_dgram_sendmsg).
        r.unwrap_or_else(|e| Err(wait_err(e, a.deadline.is_some())))
    }

    /// Receive into `buf` at end `me`.
    pub fn recv(
        &self,
        me: usize,
        buf: &mut [u8],
        flags: u32,
        nonblock: bool,
        deadline: Option<Instant>,
    ) -> Result<Recv, Errno> {
        if self.kind == SOCK_STREAM {
            self.recv_stream(me, buf, flags, nonblock, deadline)
        } else {
            self.recv_msg(me, buf, flags, nonblock, deadline)
        }
    }

    fn recv_stream(
        &self,
        me: usize,
        buf: &mut [u8],
        flags: u32,
        nonblock: bool,
        deadline: Option<Instant>,
    ) -> Result<Recv, Errno> {
        let peek = flags & MSG_PEEK != 0;
        let creds = self.opts[me].passcred.load(Ordering::Relaxed);
        let inline = self.opts[me].oobinline();
        let target = if flags & MSG_WAITALL != 0 && !peek {
            buf.len().max(1)
        } else {
            1
        };
        let mut out = Recv::default();
        let mut first = true;
        let r = block_on(&[&self.wq[me]], deadline, || {
            let mut s = self.lock();
            if !s.ends[me].rx.segs.is_empty() {
                let next_cred = s.ends[me].rx.segs.front().and_then(|x| x.cred);
                if !first && creds && !same_cred(&next_cred, &out.cred) {
                    return Some(Ok(()));
                }
                let r = s.ends[me]
                    .rx
                    .read_stream(&mut buf[out.n..], peek, creds, inline);
                if first {
                    out.cred = r.cred;
                    first = false;
                }
                out.n += r.n;
                let got_rights = r.rights.is_some();
                out.rights = r.rights;
                drop(s);
                if !peek {
                    self.notify();
                }
                if out.n >= target || got_rights || peek || out.n == buf.len() {
                    return Some(Ok(()));
                }
                s = self.lock();
            }
            if out.n >= target {
                return Some(Ok(()));
            }
            if let Some(e) = s.ends[me].err.take() {
                return Some(Err(e));
            }
            if s.ends[me].shutdown & RCV_SHUTDOWN != 0 {
                return Some(Ok(()));
            }
            if nonblock {
                return Some(Err(Errno::EAGAIN));
            }
            None
        });
        out.len = out.n;
        match r {
            Ok(Ok(())) => Ok(out),
            _ if out.n > 0 => Ok(out),
            Ok(Err(e)) => Err(e),
            Err(e) => Err(wait_err(e, deadline.is_some())),
        }
    }

    fn recv_msg(
        &self,
        me: usize,
        buf: &mut [u8],
        flags: u32,
        nonblock: bool,
        deadline: Option<Instant>,
    ) -> Result<Recv, Errno> {
        let peek = flags & MSG_PEEK != 0;
        let r = block_on(&[&self.wq[me]], deadline, || {
            let mut s = self.lock();
            if !s.ends[me].rx.segs.is_empty() {
                let r = s.ends[me].rx.read_msg(buf, peek);
                drop(s);
                if !peek {
                    self.notify();
                }
                return Some(Ok(r));
            }
            if let Some(e) = s.ends[me].err.take() {
                return Some(Err(e));
            }
            if s.ends[me].shutdown & RCV_SHUTDOWN != 0 {
                return Some(Ok(Recv::default()));
            }
            if nonblock {
                return Some(Err(Errno::EAGAIN));
            }
            None
        });
        r.unwrap_or_else(|e| Err(wait_err(e, deadline.is_some())))
    }

    /// recv(MSG_OOB) at end `me`: EINVAL without an out-of-band byte or
    /// with SO_OOBINLINE.
    pub fn recv_oob(&self, me: usize, buf: &mut [u8], flags: u32) -> Result<Recv, Errno> {
        if self.kind != SOCK_STREAM || self.opts[me].oobinline() {
            return Err(Errno::EINVAL);
        }
        let mut s = self.lock();
        let n = s.ends[me]
            .rx
            .read_oob(buf, flags & MSG_PEEK != 0)
            .ok_or(Errno::EINVAL)?;
        drop(s);
        self.notify();
        Ok(Recv {
            n,
            len: n,
            ..Recv::default()
        })
    }

    /// SIOCATMARK at end `me`.
    pub fn at_mark(&self, me: usize) -> bool {
        self.lock().ends[me].rx.at_mark()
    }

    /// shutdown(2) at end `me` with Linux's mode bits (SHUT_x + 1).
    pub fn shutdown(&self, me: usize, mode: u8) {
        let peer = 1 - me;
        let mut s = self.lock();
        s.ends[me].shutdown |= mode;
        if s.ends[peer].open {
            let mut pm = 0;
            if mode & RCV_SHUTDOWN != 0 {
                pm |= SEND_SHUTDOWN;
            }
            if mode & SEND_SHUTDOWN != 0 {
                pm |= RCV_SHUTDOWN;
            }
            s.ends[peer].shutdown |= pm;
        }
        drop(s);
        self.notify();
    }

    /// SO_ERROR: the pending error, cleared.
    pub fn take_error(&self, me: usize) -> Option<Errno> {
        self.lock().ends[me].err.take()
    }

    /// (FIONREAD, SIOCOUTQ) of end `me`.
    pub fn queued(&self, me: usize) -> (usize, usize) {
        let s = self.lock();
        (s.ends[me].rx.buf.len(), s.ends[1 - me].rx.buf.len())
    }

    /// Linux's unix_poll (streams) / unix_dgram_poll (seqpacket) of end `me`.
    pub fn poll(&self, me: usize) -> u32 {
        use crate::vfs::file::pollev::*;
        let s = self.lock();
        let e = &s.ends[me];
        let mut mask = 0;
        if e.err.is_some() {
            mask |= POLLERR;
        }
        if e.shutdown == SHUTDOWN_MASK {
            mask |= POLLHUP;
        }
        if e.shutdown & RCV_SHUTDOWN != 0 {
            mask |= super::POLLRDHUP | POLLIN | POLLRDNORM;
        }
        if !e.rx.segs.is_empty() {
            mask |= POLLIN | POLLRDNORM;
        }
        if e.rx.segs.iter().any(|x| x.oob) {
            mask |= POLLPRI;
        }
        let sndbuf = self.opts[me].sndbuf.load(Ordering::Relaxed);
        if s.ends[1 - me].rx.used * 4 <= sndbuf {
            mask |= POLLOUT | POLLWRNORM | POLLWRBAND;
        }
        mask
    }
}

/// EPIPE, with SIGPIPE for the caller unless MSG_NOSIGNAL.
pub fn epipe(flags: u32) -> Errno {
    if flags & MSG_NOSIGNAL == 0 {
        if let Some(me) = crate::kernel::wait::current() {
            let info = syscalls::abi::Siginfo::kill(libc::SIGPIPE, 0, me.tgid, 0);
            me.send(libc::SIGPIPE, info);
        }
    }
    Errno::EPIPE
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(d: &mut Dir, data: &[u8], rights: bool, pid: i32) {
        d.buf.extend(data);
        d.segs.push_back(Seg {
            len: data.len(),
            rights: rights.then(Vec::new),
            cred: Some(Ucred {
                pid,
                uid: 0,
                gid: 0,
            }),
            oob: false,
        });
        d.used += data.len();
    }

    #[test]
    fn stream_reads_cross_writes_and_stop_after_rights() {
        let mut d = Dir::default();
        seg(&mut d, b"abc", false, 1);
        seg(&mut d, b"de", true, 1);
        seg(&mut d, b"fg", false, 1);
        let mut out = [0u8; 10];
        let r = d.read_stream(&mut out, true, false, false);
        assert_eq!((&out[..r.n], r.rights.is_some()), (&b"abcde"[..], true));
        let r = d.read_stream(&mut out[..4], false, false, false);
        assert_eq!((&out[..r.n], r.rights.is_some()), (&b"abcd"[..], true));
        let r = d.read_stream(&mut out, false, false, false);
        assert_eq!((&out[..r.n], r.rights.is_some()), (&b"efg"[..], false));
        assert!(d.segs.is_empty() && d.buf.is_empty() && d.used == 0);
    }

    #[test]
    fn stream_reads_stop_at_other_writers_when_creds_wanted() {
        let mut d = Dir::default();
        seg(&mut d, b"ab", false, 1);
        seg(&mut d, b"cd", false, 2);
        let mut out = [0u8; 10];
        assert_eq!(d.read_stream(&mut out, true, false, false).n, 4);
        let r = d.read_stream(&mut out, false, true, false);
        assert_eq!((r.n, r.cred.map(|c| c.pid)), (2, Some(1)));
    }

    #[test]
    fn messages_keep_boundaries_and_truncate() {
        let mut d = Dir::default();
        d.buf.extend(b"hello");
        for len in [5, 0] {
            d.segs.push_back(Seg {
                len,
                rights: None,
                cred: None,
                oob: false,
            });
        }
        let mut out = [0u8; 3];
        let r = d.read_msg(&mut out, false);
        assert_eq!((r.n, r.len), (3, 5));
        assert_eq!(&out, b"hel");
        assert_eq!(d.read_msg(&mut out, false).len, 0);
        assert!(d.segs.is_empty() && d.buf.is_empty());
    }
}
