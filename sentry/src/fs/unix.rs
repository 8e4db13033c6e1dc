//! AF_UNIX socket pairs (socketpair(2)): two connected ends sharing one
//! state, with one queue per direction, modelled on Linux's af_unix.
//!
//! Stream sockets are byte streams; SOCK_SEQPACKET and SOCK_DGRAM keep
//! message boundaries (a read returns one message, the rest of it is
//! dropped). Data written by one end is charged to that end's send buffer
//! (SO_SNDBUF) until the other end reads it, as Linux charges skbs to the
//! sender. Files passed with SCM_RIGHTS travel with the data they were sent
//! with.
//!
//! Gaps: no names (bind/connect/listen/accept live in the syscall layer and
//! refuse), no SCM_CREDENTIALS delivery (SO_PASSCRED is only stored), no
//! garbage collection of sockets passed over themselves (such a cycle is
//! leaked, where Linux's unix_gc would free it).

use super::synth::{SynthFs, ST_VALID};
use crate::kernel::task::Task;
use crate::kernel::wait::{block_on, WaitQueue};
use crate::vfs::file::pollev::{
    POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDNORM, POLLWRBAND, POLLWRNORM,
};
use crate::vfs::{File, FileOps};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use syscalls::abi::{Stat, Statfs, Ucred};
use syscalls::consts::{
    FIONREAD, MSG_DONTWAIT, MSG_NOSIGNAL, MSG_OOB, MSG_PEEK, MSG_WAITALL, O_NONBLOCK, O_RDWR,
    SOCKFS_MAGIC, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_STREAM, S_IFSOCK,
};
use syscalls::{Errno, Pod};

/// POLLRDHUP (not in the generic poll bits).
pub const POLLRDHUP: u32 = 0x2000;
/// Shutdown bits (Linux's RCV_SHUTDOWN / SEND_SHUTDOWN).
pub const RCV_SHUTDOWN: u8 = 1;
pub const SEND_SHUTDOWN: u8 = 2;
pub const SHUTDOWN_MASK: u8 = 3;
/// SOCK_MIN_SNDBUF / SOCK_MIN_RCVBUF on x86_64.
pub const SOCK_MIN_SNDBUF: usize = 4608;
pub const SOCK_MIN_RCVBUF: usize = 2304;
/// SIOCOUTQ (TIOCOUTQ): bytes sent but not yet read by the peer.
pub const SIOCOUTQ: u32 = 0x5411;
/// What a queued datagram costs beyond its bytes (roughly an skb's
/// truesize), so empty datagrams cannot queue without bound.
const MSG_OVERHEAD: usize = 256;

/// A net.core sysctl of the host, or Linux's default.
fn sysctl(name: &str) -> usize {
    std::fs::read_to_string(format!("/proc/sys/net/core/{name}"))
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(212_992)
}

/// (wmem_default, rmem_default, wmem_max, rmem_max).
pub fn limits() -> (usize, usize, usize, usize) {
    static L: OnceLock<(usize, usize, usize, usize)> = OnceLock::new();
    *L.get_or_init(|| {
        (
            sysctl("wmem_default"),
            sysctl("rmem_default"),
            sysctl("wmem_max"),
            sysctl("rmem_max"),
        )
    })
}

fn sockfs() -> &'static Arc<SynthFs> {
    static FS: OnceLock<Arc<SynthFs>> = OnceLock::new();
    FS.get_or_init(|| SynthFs::new(SOCKFS_MAGIC, false))
}

/// Files passed with SCM_RIGHTS.
pub type Rights = Vec<Arc<File>>;

/// One write (stream) or one message (seqpacket/dgram).
struct Seg {
    len: usize,
    rights: Option<Rights>,
}

/// The data queued for one end to read.
#[derive(Default)]
struct Dir {
    buf: VecDeque<u8>,
    segs: VecDeque<Seg>,
    /// What is charged to the sending end's SO_SNDBUF.
    used: usize,
}

impl Dir {
    fn charge(&self, stream: bool, len: usize) -> usize {
        if stream {
            len
        } else {
            len + MSG_OVERHEAD
        }
    }

    /// A stream read: bytes of consecutive writes, stopping after a write
    /// that carried files (which come with it).
    fn read_stream(&mut self, out: &mut [u8], peek: bool) -> (usize, Option<Rights>) {
        let mut done = 0;
        let mut rights = None;
        // Segments read to their end.
        let mut whole = 0;
        let mut i = 0;
        while i < self.segs.len() && done < out.len() {
            let len = self.segs[i].len;
            let n = len.min(out.len() - done);
            for (d, b) in out[done..done + n].iter_mut().zip(self.buf.range(done..)) {
                *d = *b;
            }
            done += n;
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
        (done, rights)
    }

    /// A message read: (bytes copied, message length, files).
    fn read_msg(&mut self, out: &mut [u8], peek: bool) -> (usize, usize, Option<Rights>) {
        let Some(seg) = self.segs.front_mut() else {
            return (0, 0, None);
        };
        let len = seg.len;
        let n = len.min(out.len());
        for (d, b) in out[..n].iter_mut().zip(self.buf.range(..)) {
            *d = *b;
        }
        if peek {
            return (n, len, seg.rights.clone());
        }
        let rights = seg.rights.take();
        self.segs.pop_front();
        self.buf.drain(..len);
        self.used = self.used.saturating_sub(len + MSG_OVERHEAD);
        (n, len, rights)
    }

    /// Unread bytes: all of them (stream, seqpacket) or the next message's
    /// (dgram), as Linux's unix_inq_len.
    fn inq(&self, kind: i32) -> usize {
        if kind == SOCK_DGRAM {
            self.segs.front().map_or(0, |s| s.len)
        } else {
            self.buf.len()
        }
    }
}

/// Per-end state.
struct EndState {
    open: bool,
    shutdown: u8,
    /// A pending socket error (SO_ERROR): ECONNRESET when the peer closed
    /// with data unread.
    err: Option<Errno>,
    sndbuf: usize,
    rcvbuf: usize,
    passcred: bool,
    /// Other SOL_SOCKET options kept as given (SO_REUSEADDR, ...).
    opts: Vec<(i32, i32)>,
    /// A DGRAM end already told that its peer is gone (ECONNREFUSED once,
    /// then ENOTCONN).
    disconnected: bool,
    /// The queue this end reads.
    rx: Dir,
}

struct State {
    ends: [EndState; 2],
}

pub struct Pair {
    kind: i32,
    cred: Ucred,
    state: Mutex<State>,
    queue: WaitQueue,
}

impl Pair {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// One end of a socket pair.
pub struct UnixEnd {
    pair: Arc<Pair>,
    me: usize,
    stat: Stat,
}

/// What a receive produced.
pub struct Recv {
    /// Bytes copied.
    pub n: usize,
    /// The message's full length (seqpacket/dgram; `n` for streams).
    pub len: usize,
    pub rights: Option<Rights>,
}

/// The socket behind `file`, if it is one of these.
pub fn socket_of(file: &File) -> Option<&UnixEnd> {
    file.ops.as_any().and_then(|a| a.downcast_ref::<UnixEnd>())
}

/// A new connected pair of type `kind` (SOCK_STREAM/SEQPACKET/DGRAM), with
/// O_NONBLOCK from `flags`.
pub fn new_pair(t: &Task, kind: i32, flags: u32) -> (Arc<File>, Arc<File>) {
    let (wmem, rmem, _, _) = limits();
    let end = || EndState {
        open: true,
        shutdown: 0,
        err: None,
        sndbuf: wmem,
        rcvbuf: rmem,
        passcred: false,
        opts: Vec::new(),
        disconnected: false,
        rx: Dir::default(),
    };
    let pair = Arc::new(Pair {
        kind,
        cred: Ucred {
            pid: t.tgid,
            uid: t.creds.euid,
            gid: t.creds.egid,
        },
        state: Mutex::new(State {
            ends: [end(), end()],
        }),
        queue: WaitQueue::default(),
    });
    let fs = sockfs();
    let mk = |me: usize| {
        let mut stat = fs.stat(fs.ino(), S_IFSOCK | 0o777, 1, 0, 0);
        stat.st_uid = t.creds.euid;
        stat.st_gid = t.creds.egid;
        stat.st_blksize = 4096;
        File::new(
            Box::new(UnixEnd {
                pair: pair.clone(),
                me,
                stat,
            }),
            O_RDWR | (flags & O_NONBLOCK),
            None,
        )
    };
    (mk(0), mk(1))
}

impl Drop for UnixEnd {
    fn drop(&mut self) {
        let me = self.me;
        let peer = 1 - me;
        let mut s = self.pair.lock();
        s.ends[me].open = false;
        s.ends[me].shutdown = SHUTDOWN_MASK;
        // Files in flight to this end are dropped after the lock is released
        // (one may be the other end of this very pair).
        let purged = std::mem::take(&mut s.ends[me].rx);
        if self.pair.kind != SOCK_DGRAM && s.ends[peer].open {
            s.ends[peer].shutdown = SHUTDOWN_MASK;
            if !purged.segs.is_empty() {
                s.ends[peer].err = Some(Errno::ECONNRESET);
            }
        }
        drop(s);
        self.pair.queue.notify_all();
        drop(purged);
    }
}

fn sigpipe() {
    if let Some(me) = crate::kernel::wait::current() {
        let info = syscalls::abi::Siginfo::kill(libc::SIGPIPE, 0, me.tgid, 0);
        me.send(libc::SIGPIPE, info);
    }
}

impl UnixEnd {
    pub fn kind(&self) -> i32 {
        self.pair.kind
    }

    /// The creator's credentials (SO_PEERCRED of both ends).
    pub fn peer_cred(&self) -> Ucred {
        self.pair.cred
    }

    fn nonblock(file: &File, flags: u32) -> bool {
        file.flags() & O_NONBLOCK != 0 || flags & MSG_DONTWAIT != 0
    }

    /// Send `data` (with `rights`) to the peer.
    pub fn send(
        &self,
        file: &File,
        data: &[u8],
        rights: Option<Rights>,
        flags: u32,
    ) -> Result<usize, Errno> {
        if flags & MSG_OOB != 0 {
            return Err(Errno::EOPNOTSUPP);
        }
        let nonblock = Self::nonblock(file, flags);
        if self.pair.kind == SOCK_STREAM {
            self.send_stream(data, rights, flags, nonblock)
        } else {
            self.send_msg(data, rights, nonblock)
        }
    }

    fn send_stream(
        &self,
        data: &[u8],
        rights: Option<Rights>,
        flags: u32,
        nonblock: bool,
    ) -> Result<usize, Errno> {
        if data.is_empty() {
            return Ok(0);
        }
        let (me, peer) = (self.me, 1 - self.me);
        let q = &self.pair.queue;
        let mut rights = rights;
        let mut done = 0;
        let r = block_on(&[q], None, || {
            let mut s = self.pair.lock();
            loop {
                if s.ends[me].shutdown & SEND_SHUTDOWN != 0 || !s.ends[peer].open {
                    return Some(Err(Errno::EPIPE));
                }
                if done == data.len() {
                    return Some(Ok(()));
                }
                let room = s.ends[me].sndbuf.saturating_sub(s.ends[peer].rx.used);
                if room == 0 {
                    return nonblock.then_some(Err(Errno::EAGAIN));
                }
                let n = room.min(data.len() - done);
                let rx = &mut s.ends[peer].rx;
                rx.buf.extend(&data[done..done + n]);
                rx.segs.push_back(Seg {
                    len: n,
                    rights: rights.take(),
                });
                rx.used += n;
                done += n;
                q.notify_all();
            }
        });
        match r {
            Ok(Ok(())) => Ok(done),
            Ok(Err(e)) if done > 0 => {
                let _ = e;
                Ok(done)
            }
            Ok(Err(Errno::EPIPE)) => {
                if flags & MSG_NOSIGNAL == 0 {
                    sigpipe();
                }
                Err(Errno::EPIPE)
            }
            Ok(Err(e)) => Err(e),
            Err(_) if done > 0 => Ok(done),
            Err(e) => Err(e.restartsys()),
        }
    }

    fn send_msg(
        &self,
        data: &[u8],
        rights: Option<Rights>,
        nonblock: bool,
    ) -> Result<usize, Errno> {
        let (me, peer) = (self.me, 1 - self.me);
        let dgram = self.pair.kind == SOCK_DGRAM;
        let q = &self.pair.queue;
        let mut rights = rights;
        let r = block_on(&[q], None, || {
            let mut s = self.pair.lock();
            if s.ends[me].shutdown & SEND_SHUTDOWN != 0 {
                return Some(Err(Errno::EPIPE));
            }
            if data.len() > s.ends[me].sndbuf.saturating_sub(32) {
                return Some(Err(Errno::EMSGSIZE));
            }
            if !s.ends[peer].open {
                if !dgram {
                    return Some(Err(Errno::EPIPE));
                }
                let e = if s.ends[me].disconnected {
                    Errno::ENOTCONN
                } else {
                    Errno::ECONNREFUSED
                };
                s.ends[me].disconnected = true;
                return Some(Err(e));
            }
            if dgram && s.ends[peer].shutdown & RCV_SHUTDOWN != 0 {
                return Some(Err(Errno::EPIPE));
            }
            if s.ends[peer].rx.used >= s.ends[me].sndbuf {
                return nonblock.then_some(Err(Errno::EAGAIN));
            }
            let rx = &mut s.ends[peer].rx;
            rx.buf.extend(data);
            rx.segs.push_back(Seg {
                len: data.len(),
                rights: rights.take(),
            });
            rx.used += rx.charge(false, data.len());
            drop(s);
            q.notify_all();
            Some(Ok(data.len()))
        });
        r.unwrap_or_else(|e| Err(e.restartsys()))
    }

    /// Receive into `buf`.
    pub fn recv(&self, file: &File, buf: &mut [u8], flags: u32) -> Result<Recv, Errno> {
        let nonblock = Self::nonblock(file, flags);
        if self.pair.kind == SOCK_STREAM {
            if flags & MSG_OOB != 0 {
                return Err(Errno::EINVAL);
            }
            self.recv_stream(buf, flags, nonblock)
        } else {
            if flags & MSG_OOB != 0 {
                return Err(Errno::EOPNOTSUPP);
            }
            self.recv_msg(buf, flags, nonblock)
        }
    }

    fn recv_stream(&self, buf: &mut [u8], flags: u32, nonblock: bool) -> Result<Recv, Errno> {
        let me = self.me;
        let peek = flags & MSG_PEEK != 0;
        let target = if flags & MSG_WAITALL != 0 && !peek {
            buf.len().max(1)
        } else {
            1
        };
        let q = &self.pair.queue;
        let mut copied = 0;
        let mut rights = None;
        let r = block_on(&[q], None, || {
            let mut s = self.pair.lock();
            if !s.ends[me].rx.segs.is_empty() {
                let (n, r) = s.ends[me].rx.read_stream(&mut buf[copied..], peek);
                copied += n;
                let got_rights = r.is_some();
                rights = r;
                drop(s);
                if !peek {
                    q.notify_all();
                }
                if copied >= target || got_rights || peek || copied == buf.len() {
                    return Some(Ok(()));
                }
                s = self.pair.lock();
            }
            if copied >= target {
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
        match r {
            Ok(Ok(())) => Ok(Recv {
                n: copied,
                len: copied,
                rights,
            }),
            _ if copied > 0 => Ok(Recv {
                n: copied,
                len: copied,
                rights,
            }),
            Ok(Err(e)) => Err(e),
            Err(e) => Err(e.restartsys()),
        }
    }

    fn recv_msg(&self, buf: &mut [u8], flags: u32, nonblock: bool) -> Result<Recv, Errno> {
        let me = self.me;
        let peek = flags & MSG_PEEK != 0;
        let seqpacket = self.pair.kind == SOCK_SEQPACKET;
        let q = &self.pair.queue;
        let r = block_on(&[q], None, || {
            let mut s = self.pair.lock();
            if !s.ends[me].rx.segs.is_empty() {
                let (n, len, rights) = s.ends[me].rx.read_msg(buf, peek);
                drop(s);
                if !peek {
                    q.notify_all();
                }
                return Some(Ok(Recv { n, len, rights }));
            }
            if seqpacket {
                if let Some(e) = s.ends[me].err.take() {
                    return Some(Err(e));
                }
            }
            let eof = Recv {
                n: 0,
                len: 0,
                rights: None,
            };
            if s.ends[me].shutdown & RCV_SHUTDOWN != 0 && (seqpacket || !nonblock) {
                return Some(Ok(eof));
            }
            if nonblock {
                return Some(Err(Errno::EAGAIN));
            }
            None
        });
        r.unwrap_or_else(|e| Err(e.restartsys()))
    }

    /// shutdown(2) with Linux's mode bits (SHUT_x + 1).
    pub fn shutdown(&self, mode: u8) {
        let (me, peer) = (self.me, 1 - self.me);
        let mut s = self.pair.lock();
        s.ends[me].shutdown |= mode;
        if self.pair.kind != SOCK_DGRAM && s.ends[peer].open {
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
        self.pair.queue.notify_all();
    }

    /// SO_ERROR: the pending error, cleared.
    pub fn take_error(&self) -> i32 {
        let mut s = self.pair.lock();
        s.ends[self.me].err.take().map_or(0, |e| e as i32)
    }

    /// (SO_SNDBUF, SO_RCVBUF, SO_PASSCRED).
    pub fn bufs(&self) -> (usize, usize, bool) {
        let s = self.pair.lock();
        let e = &s.ends[self.me];
        (e.sndbuf, e.rcvbuf, e.passcred)
    }

    pub fn set_sndbuf(&self, v: usize) {
        self.pair.lock().ends[self.me].sndbuf = v;
        self.pair.queue.notify_all();
    }

    pub fn set_rcvbuf(&self, v: usize) {
        self.pair.lock().ends[self.me].rcvbuf = v;
    }

    pub fn set_passcred(&self, on: bool) {
        self.pair.lock().ends[self.me].passcred = on;
    }

    /// A stored plain option (0 if never set).
    pub fn opt(&self, name: i32, default: i32) -> i32 {
        let s = self.pair.lock();
        s.ends[self.me]
            .opts
            .iter()
            .find(|o| o.0 == name)
            .map_or(default, |o| o.1)
    }

    pub fn set_opt(&self, name: i32, v: i32) {
        let mut s = self.pair.lock();
        let opts = &mut s.ends[self.me].opts;
        match opts.iter_mut().find(|o| o.0 == name) {
            Some(o) => o.1 = v,
            None => opts.push((name, v)),
        }
    }
}

impl FileOps for UnixEnd {
    fn read_cur(&self, file: &File, buf: &mut [u8]) -> Result<usize, Errno> {
        // Files sent along are dropped, as Linux does for read(2).
        self.recv(file, buf, 0).map(|r| r.n)
    }
    fn write_cur(&self, file: &File, buf: &[u8]) -> Result<usize, Errno> {
        self.send(file, buf, None, 0)
    }
    fn stat(&self) -> Result<Stat, Errno> {
        Ok(self.stat)
    }
    fn size(&self) -> Result<u64, Errno> {
        Ok(0)
    }
    fn ioctl(&self, _file: &File, t: &mut Task, cmd: u64, arg: u64) -> Result<u64, Errno> {
        let s = self.pair.lock();
        let n = match cmd as u32 {
            FIONREAD => s.ends[self.me].rx.inq(self.pair.kind),
            SIOCOUTQ => s.ends[1 - self.me].rx.buf.len(),
            _ => return Err(Errno::ENOTTY),
        };
        drop(s);
        t.mm.write_obj(arg, &(n as i32))?;
        Ok(0)
    }
    /// Linux's unix_poll / unix_dgram_poll.
    fn poll(&self, _file: &File, _events: u32) -> (u32, Option<&WaitQueue>) {
        let s = self.pair.lock();
        let e = &s.ends[self.me];
        let mut mask = 0;
        if e.err.is_some() {
            mask |= POLLERR;
        }
        if e.shutdown == SHUTDOWN_MASK {
            mask |= POLLHUP;
        }
        if e.shutdown & RCV_SHUTDOWN != 0 {
            mask |= POLLRDHUP | POLLIN | POLLRDNORM;
        }
        if !e.rx.segs.is_empty() {
            mask |= POLLIN | POLLRDNORM;
        }
        if s.ends[1 - self.me].rx.used * 4 <= e.sndbuf {
            mask |= POLLOUT | POLLWRNORM | POLLWRBAND;
        }
        (mask, Some(&self.pair.queue))
    }
    fn statfs(&self, _file: &File) -> Result<Statfs, Errno> {
        let mut s = Statfs::zeroed();
        s.f_type = SOCKFS_MAGIC;
        s.f_bsize = 4096;
        s.f_namelen = 255;
        s.f_frsize = 4096;
        s.f_flags = ST_VALID;
        Ok(s)
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(d: &mut Dir, data: &[u8], rights: bool) {
        d.buf.extend(data);
        d.segs.push_back(Seg {
            len: data.len(),
            rights: rights.then(Vec::new),
        });
        d.used += data.len();
    }

    #[test]
    fn stream_reads_cross_writes_and_stop_after_rights() {
        let mut d = Dir::default();
        seg(&mut d, b"abc", false);
        seg(&mut d, b"de", true);
        seg(&mut d, b"fg", false);
        let mut out = [0u8; 10];
        let (n, r) = d.read_stream(&mut out, true);
        assert_eq!((&out[..n], r.is_some()), (&b"abcde"[..], true));
        let (n, r) = d.read_stream(&mut out[..4], false);
        assert_eq!((&out[..n], r.is_some()), (&b"abcd"[..], true));
        let (n, r) = d.read_stream(&mut out, false);
        assert_eq!((&out[..n], r.is_some()), (&b"efg"[..], false));
        assert!(d.segs.is_empty() && d.buf.is_empty() && d.used == 0);
    }

    #[test]
    fn messages_keep_boundaries_and_truncate() {
        let mut d = Dir::default();
        d.buf.extend(b"hello");
        d.segs.push_back(Seg {
            len: 5,
            rights: None,
        });
        d.segs.push_back(Seg {
            len: 0,
            rights: None,
        });
        let mut out = [0u8; 3];
        assert_eq!(d.read_msg(&mut out, false).0, 3);
        assert_eq!(&out, b"hel");
        assert_eq!(d.read_msg(&mut out, false).1, 0);
        assert!(d.segs.is_empty() && d.buf.is_empty());
    }
}
