//! AF_UNIX sockets, modelled on Linux's net/unix/af_unix.c.
//!
//! Every socket is a [`Core`] (its state, options and wait queue) behind
//! an open file ([`UnixSocket`]). Connected SOCK_STREAM/SOCK_SEQPACKET
//! sockets share a [`stream::Pair`] (socketpair(2), or connect(2) + the
//! socket accept(2) returns); SOCK_DGRAM sockets each own a receive queue
//! ([`dgram`]). Names live in [`addr`]: a sentry-wide registry maps socket
//! files (by `(st_dev, st_ino)`) and abstract names to the bound socket.
//! [`conn`] has bind/listen/connect/accept, [`cmsg`] the control messages.
//!
//! Gaps: no garbage collection of sockets passed over themselves (such a
//! cycle is leaked, where Linux's unix_gc would free it); MSG_OOB only on
//! streams (as Linux) and without SIGURG; SO_PEERSEC has no security label (ENOPROTOOPT, as Linux
//! without an LSM).

pub mod addr;
pub mod cmsg;
pub mod conn;
pub mod dgram;
pub mod stream;

use crate::fs::synth::{SynthFs, ST_VALID};
use crate::kernel::task::Task;
use crate::kernel::wait::{WaitError, WaitQueue};
use crate::vfs::{File, FileOps};
use addr::{Addr, Key};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};
use stream::Pair;
use syscalls::abi::{Stat, Statfs, Ucred};
use syscalls::consts::{
    FIONREAD, MSG_DONTWAIT, O_NONBLOCK, O_RDWR, SOCKFS_MAGIC, SOCK_DGRAM, SOCK_STREAM, S_IFSOCK,
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
/// Credentials of nobody (`SO_PEERCRED` of an unconnected socket).
pub const NO_CRED: Ucred = Ucred {
    pid: 0,
    uid: u32::MAX,
    gid: u32::MAX,
};

/// A `net.*` sysctl of the sandbox (`/proc/sys/net`, set by the OCI
/// `linux.sysctl` or by root in the sandbox), as a size.
fn sysctl(key: &'static str, default: i128) -> usize {
    usize::try_from(crate::fs::proc::sys::int(key, default)).unwrap_or(0)
}

/// (wmem_default, rmem_default, wmem_max, rmem_max).
pub fn limits() -> (usize, usize, usize, usize) {
    use crate::fs::proc::sys_net::SK_MEM;
    (
        sysctl("net.core.wmem_default", SK_MEM),
        sysctl("net.core.rmem_default", SK_MEM),
        sysctl("net.core.wmem_max", SK_MEM),
        sysctl("net.core.rmem_max", SK_MEM),
    )
}

/// (net.unix.max_dgram_qlen, net.core.somaxconn).
pub fn qlimits() -> (usize, usize) {
    use crate::fs::proc::sys_net::{MAX_DGRAM_QLEN, SOMAXCONN};
    (
        sysctl("net.unix.max_dgram_qlen", MAX_DGRAM_QLEN),
        sysctl("net.core.somaxconn", SOMAXCONN),
    )
}

fn sockfs() -> &'static Arc<SynthFs> {
    static FS: OnceLock<Arc<SynthFs>> = OnceLock::new();
    FS.get_or_init(|| SynthFs::new(SOCKFS_MAGIC, false))
}

/// Files passed with SCM_RIGHTS.
pub type Rights = Vec<Arc<File>>;

/// Ancillary data of one send.
#[derive(Default)]
pub struct Scm {
    pub rights: Option<Rights>,
    /// Credentials given with SCM_CREDENTIALS (already checked).
    pub cred: Option<Ucred>,
}

/// What a receive produced.
#[derive(Default)]
pub struct Recv {
    /// Bytes copied.
    pub n: usize,
    /// The message's full length (seqpacket/dgram; `n` for streams).
    pub len: usize,
    pub rights: Option<Rights>,
    /// The sender's credentials, if they travelled with the data.
    pub cred: Option<Ucred>,
    /// The sender's name (dgram).
    pub from: Option<Addr>,
}

/// The errno of a block that ended without its condition: EAGAIN after a
/// timeout; a signal restarts the call with SA_RESTART only when the
/// socket has no timeout (Linux's sock_intr_errno).
pub fn wait_err(e: WaitError, timed: bool) -> Errno {
    match e {
        WaitError::TimedOut => Errno::EAGAIN,
        WaitError::Interrupted if timed => Errno::EINTR,
        WaitError::Interrupted => Errno::ERESTARTSYS,
    }
}

/// Socket options that the other end of a connection also reads.
pub struct Opts {
    pub sndbuf: AtomicUsize,
    pub rcvbuf: AtomicUsize,
    pub passcred: AtomicBool,
    misc: Mutex<Misc>,
}

/// Options only their own socket reads.
#[derive(Default, Clone)]
pub struct Misc {
    pub rcvtimeo: Option<Duration>,
    pub sndtimeo: Option<Duration>,
    /// SO_LINGER (l_onoff, l_linger).
    pub linger: (i32, i32),
    /// Other SOL_SOCKET options kept as given (SO_REUSEADDR, ...).
    pub plain: Vec<(i32, i32)>,
}

impl Opts {
    fn new() -> Arc<Opts> {
        let (wmem, rmem, _, _) = limits();
        Arc::new(Opts {
            sndbuf: AtomicUsize::new(wmem),
            rcvbuf: AtomicUsize::new(rmem),
            passcred: AtomicBool::new(false),
            misc: Mutex::new(Misc::default()),
        })
    }

    pub fn misc(&self) -> MutexGuard<'_, Misc> {
        self.misc.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// SO_OOBINLINE.
    pub fn oobinline(&self) -> bool {
        self.misc()
            .plain
            .iter()
            .any(|o| o.0 == syscalls::consts::SO_OOBINLINE && o.1 != 0)
    }
}

/// A socket waiting for connections.
pub struct Listener {
    /// At most `backlog + 1` connections wait (Linux's unix_recvq_full).
    pub backlog: usize,
    pub pending: VecDeque<Arc<Core>>,
}

/// What a socket is connected to.
pub enum Conn {
    None,
    Listening(Listener),
    /// A stream/seqpacket connection and this socket's end of it.
    Connected(Arc<Pair>, usize),
    /// A dgram socket's default destination.
    Peer(Arc<Core>),
}

/// A socket's mutable state.
pub struct St {
    pub addr: Option<Addr>,
    /// Where `addr` is registered (removed when the socket closes).
    pub key: Option<Key>,
    pub conn: Conn,
    pub released: bool,
    /// Shutdown bits of a socket that has no [`Pair`].
    pub shutdown: u8,
    pub err: Option<Errno>,
    /// Received datagrams (SOCK_DGRAM).
    pub rx: VecDeque<dgram::Msg>,
    /// SO_PEERCRED: the peer's credentials at connect time (the own ones
    /// for a listener).
    pub peer_cred: Option<Ucred>,
    /// The peer's name when the connection was made.
    pub peer_addr: Option<Addr>,
}

/// One AF_UNIX socket.
pub struct Core {
    pub kind: i32,
    pub wq: Arc<WaitQueue>,
    pub opts: Arc<Opts>,
    st: Mutex<St>,
    /// Bytes of datagrams sent by this socket and not yet received
    /// (charged against SO_SNDBUF).
    pub wmem: Arc<AtomicUsize>,
    /// The inode number of its file (for /proc/net/unix).
    pub ino: AtomicUsize,
}

impl Core {
    pub fn new(kind: i32) -> Arc<Core> {
        Arc::new(Core {
            kind,
            wq: Arc::new(WaitQueue::default()),
            opts: Opts::new(),
            st: Mutex::new(St {
                addr: None,
                key: None,
                conn: Conn::None,
                released: false,
                shutdown: 0,
                err: None,
                rx: VecDeque::new(),
                peer_cred: None,
                peer_addr: None,
            }),
            wmem: Arc::new(AtomicUsize::new(0)),
            ino: AtomicUsize::new(0),
        })
    }

    pub fn lock(&self) -> MutexGuard<'_, St> {
        self.st.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The connection of a connected stream/seqpacket socket.
    pub fn pair(&self) -> Option<(Arc<Pair>, usize)> {
        match &self.lock().conn {
            Conn::Connected(p, me) => Some((p.clone(), *me)),
            _ => None,
        }
    }

    /// The socket closes (its last file is gone), or an unaccepted
    /// connection is dropped with its listener (`embryo`).
    pub fn release(&self, embryo: bool) {
        let mut st = self.lock();
        if st.released {
            return;
        }
        st.released = true;
        st.shutdown = SHUTDOWN_MASK;
        let key = st.key.take();
        let conn = std::mem::replace(&mut st.conn, Conn::None);
        let rx = std::mem::take(&mut st.rx);
        drop(st);
        if let Some(k) = key {
            addr::remove(&k, self);
        }
        match conn {
            Conn::Connected(p, me) => p.close(me, embryo),
            Conn::Listening(l) => {
                for c in l.pending {
                    c.release(true);
                }
            }
            Conn::Peer(_) | Conn::None => {}
        }
        self.wq.notify_all();
        drop(rx);
    }

    /// The deadline of a blocking receive (SO_RCVTIMEO) or send.
    pub fn deadline(&self, send: bool) -> Option<Instant> {
        let m = self.opts.misc();
        let d = if send { m.sndtimeo } else { m.rcvtimeo };
        d.map(|d| Instant::now() + d)
    }

    /// shutdown(2) with Linux's mode bits (SHUT_x + 1).
    pub fn shutdown(&self, mode: u8) {
        let mut st = self.lock();
        if let Conn::Connected(p, me) = &st.conn {
            let (p, me) = (p.clone(), *me);
            drop(st);
            p.shutdown(me, mode);
            return;
        }
        st.shutdown |= mode;
        drop(st);
        self.wq.notify_all();
    }

    /// SO_ERROR: the pending error, cleared.
    pub fn take_error(&self) -> Option<Errno> {
        if let Some((p, me)) = self.pair() {
            return p.take_error(me);
        }
        self.lock().err.take()
    }

    pub fn listening(&self) -> bool {
        matches!(self.lock().conn, Conn::Listening(_))
    }

    /// getsockname(2).
    pub fn name(&self) -> Option<Addr> {
        self.lock().addr.clone()
    }

    /// getpeername(2): ENOTCONN unless connected.
    pub fn peer_name(&self) -> Result<Option<Addr>, Errno> {
        let st = self.lock();
        match &st.conn {
            Conn::Connected(..) => Ok(st.peer_addr.clone()),
            Conn::Peer(p) => {
                let p = p.clone();
                drop(st);
                let name = p.name();
                Ok(name)
            }
            _ => Err(Errno::ENOTCONN),
        }
    }

    /// SO_PEERCRED.
    pub fn peer_cred(&self) -> Ucred {
        self.lock().peer_cred.unwrap_or(NO_CRED)
    }

    /// Send `data` to the connected peer or to `to`.
    pub fn send(
        self: &Arc<Core>,
        to: Option<Arc<Core>>,
        data: &[u8],
        a: stream::SendArgs,
    ) -> Result<usize, Errno> {
        if self.kind == SOCK_DGRAM {
            return dgram::send(self, to, data, a);
        }
        let st = self.lock();
        let pair = match &st.conn {
            Conn::Connected(p, me) => Some((p.clone(), *me)),
            _ => None,
        };
        drop(st);
        match pair {
            // A stream socket refuses a destination (seqpacket ignores it).
            Some(_) if to.is_some() && self.kind == SOCK_STREAM => Err(Errno::EISCONN),
            Some((p, me)) => p.send(me, data, a),
            None if to.is_some() && self.kind == SOCK_STREAM => Err(Errno::EOPNOTSUPP),
            None => Err(Errno::ENOTCONN),
        }
    }

    /// Receive into `buf`.
    pub fn recv(
        self: &Arc<Core>,
        buf: &mut [u8],
        flags: u32,
        nonblock: bool,
    ) -> Result<Recv, Errno> {
        let deadline = self.deadline(false);
        if self.kind == SOCK_DGRAM {
            return dgram::recv(self, buf, flags, nonblock, deadline);
        }
        if flags & syscalls::consts::MSG_OOB != 0 {
            return match self.pair() {
                Some((p, me)) => p.recv_oob(me, buf, flags),
                None => Err(Errno::EINVAL),
            };
        }
        match self.pair() {
            Some((p, me)) => p.recv(me, buf, flags, nonblock, deadline),
            None if self.kind == SOCK_STREAM => Err(Errno::EINVAL),
            None => Err(Errno::ENOTCONN),
        }
    }

    /// Readiness (Linux's unix_poll / unix_dgram_poll).
    pub fn poll(&self) -> u32 {
        use crate::vfs::file::pollev::*;
        if self.kind == SOCK_DGRAM {
            return dgram::poll(self);
        }
        let st = self.lock();
        match &st.conn {
            Conn::Connected(p, me) => {
                let (p, me) = (p.clone(), *me);
                drop(st);
                p.poll(me)
            }
            Conn::Listening(l) => {
                let mut m = 0;
                if !l.pending.is_empty() {
                    m |= POLLIN | POLLRDNORM;
                }
                if st.shutdown & RCV_SHUTDOWN != 0 {
                    m |= POLLRDHUP | POLLIN | POLLRDNORM;
                }
                if st.shutdown == SHUTDOWN_MASK {
                    m |= POLLHUP;
                }
                m
            }
            _ => {
                // Not connected (TCP_CLOSE): hung up, and writable.
                let mut m = POLLHUP | POLLOUT | POLLWRNORM | POLLWRBAND;
                if st.shutdown & RCV_SHUTDOWN != 0 {
                    m |= POLLRDHUP | POLLIN | POLLRDNORM;
                }
                m
            }
        }
    }
}

/// An AF_UNIX socket as an open file.
pub struct UnixSocket {
    pub core: Arc<Core>,
    stat: Stat,
}

impl Drop for UnixSocket {
    fn drop(&mut self) {
        self.core.release(false);
    }
}

/// The socket behind `file`, if it is an AF_UNIX socket.
pub fn socket_of(file: &File) -> Option<&UnixSocket> {
    file.ops
        .as_any()
        .and_then(|a| a.downcast_ref::<UnixSocket>())
}

/// Every socket that has a file (for /proc/net/unix); dead entries are
/// pruned as the list grows.
fn live() -> MutexGuard<'static, Vec<std::sync::Weak<Core>>> {
    static L: OnceLock<Mutex<Vec<std::sync::Weak<Core>>>> = OnceLock::new();
    L.get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner())
}

fn track(core: &Arc<Core>) {
    static PRUNE_AT: AtomicUsize = AtomicUsize::new(64);
    let mut l = live();
    l.push(Arc::downgrade(core));
    if l.len() >= PRUNE_AT.load(Ordering::Relaxed) {
        l.retain(|w| w.strong_count() > 0);
        PRUNE_AT.store((l.len() * 2).max(64), Ordering::Relaxed);
    }
}

/// `/proc/net/unix`: one line per socket, as Linux's unix_seq_show (the
/// kernel address column is zero, as with kptr_restrict).
pub fn proc_net_unix() -> Vec<u8> {
    use std::fmt::Write as _;
    let cores: Vec<Arc<Core>> = live().iter().filter_map(std::sync::Weak::upgrade).collect();
    let mut out = String::from("Num       RefCount Protocol Flags    Type St Inode Path\n");
    for c in cores {
        let st = c.lock();
        if st.released {
            continue;
        }
        let (flags, state) = match &st.conn {
            Conn::Listening(_) => (1 << 16, 1),
            Conn::Connected(..) => (0, 3),
            _ => (0, 1),
        };
        let _ = write!(
            out,
            "0000000000000000: {:08X} {:08X} {:08X} {:04X} {:02X} {:5}",
            2,
            0,
            flags,
            c.kind,
            state,
            c.ino.load(Ordering::Relaxed)
        );
        if let Some(a) = &st.addr {
            let _ = write!(out, " {}", a.display());
        }
        out.push('\n');
    }
    out.into_bytes()
}

/// An open file for `core`, owned by `t`, with O_NONBLOCK from `flags`.
pub fn new_file(t: &Task, core: Arc<Core>, flags: u32) -> Arc<File> {
    track(&core);
    let fs = sockfs();
    let ino = fs.ino();
    core.ino.store(ino as usize, Ordering::Relaxed);
    let mut stat = fs.stat(ino, S_IFSOCK | 0o777, 1, 0, 0);
    stat.st_uid = t.creds.euid;
    stat.st_gid = t.creds.egid;
    stat.st_blksize = 4096;
    File::new(
        Box::new(UnixSocket { core, stat }),
        O_RDWR | (flags & O_NONBLOCK),
        None,
    )
}

/// The credentials `t` is known by (SO_PEERCRED, SCM_CREDENTIALS).
pub fn cred_of(t: &Task) -> Ucred {
    Ucred {
        pid: t.tgid,
        uid: t.creds.euid,
        gid: t.creds.egid,
    }
}

/// A new connected pair of type `kind` (SOCK_STREAM/SEQPACKET/DGRAM), with
/// O_NONBLOCK from `flags`.
pub fn new_pair(t: &Task, kind: i32, flags: u32) -> (Arc<File>, Arc<File>) {
    let (a, b) = (Core::new(kind), Core::new(kind));
    let cred = cred_of(t);
    {
        let (mut sa, mut sb) = (a.lock(), b.lock());
        if kind == SOCK_DGRAM {
            sa.conn = Conn::Peer(b.clone());
            sb.conn = Conn::Peer(a.clone());
        } else {
            let p = Pair::new(
                kind,
                [a.wq.clone(), b.wq.clone()],
                [a.opts.clone(), b.opts.clone()],
            );
            sa.conn = Conn::Connected(p.clone(), 0);
            sb.conn = Conn::Connected(p, 1);
        }
        sa.peer_cred = Some(cred);
        sb.peer_cred = Some(cred);
    }
    (new_file(t, a, flags), new_file(t, b, flags))
}

impl UnixSocket {
    pub fn kind(&self) -> i32 {
        self.core.kind
    }

    /// Whether a call on `file` with `flags` must not block.
    pub fn nonblock(file: &File, flags: u32) -> bool {
        file.flags() & O_NONBLOCK != 0 || flags & MSG_DONTWAIT != 0
    }

    /// The common arguments of a send by `t`.
    pub fn send_args(&self, t: &Task, file: &File, scm: Scm, flags: u32) -> stream::SendArgs {
        stream::SendArgs {
            scm,
            own: cred_of(t),
            flags,
            nonblock: Self::nonblock(file, flags),
            deadline: self.core.deadline(true),
        }
    }
}

impl FileOps for UnixSocket {
    fn read_cur(&self, file: &File, buf: &mut [u8]) -> Result<usize, Errno> {
        // Files sent along are dropped, as Linux does for read(2).
        self.core.recv(buf, 0, Self::nonblock(file, 0)).map(|r| r.n)
    }
    fn write_cur(&self, file: &File, buf: &[u8]) -> Result<usize, Errno> {
        // write(2) has no task credentials at hand: the caller's pid and
        // the ids of the socket's creator (the same unless they changed).
        let own = Ucred {
            pid: crate::kernel::wait::current().map_or(0, |t| t.tgid),
            uid: self.stat.st_uid,
            gid: self.stat.st_gid,
        };
        let a = stream::SendArgs {
            scm: Scm::default(),
            own,
            flags: 0,
            nonblock: Self::nonblock(file, 0),
            deadline: self.core.deadline(true),
        };
        self.core.send(None, buf, a)
    }
    fn stat(&self) -> Result<Stat, Errno> {
        Ok(self.stat)
    }
    fn size(&self) -> Result<u64, Errno> {
        Ok(0)
    }
    fn ioctl(&self, _file: &File, t: &mut Task, cmd: u64, arg: u64) -> Result<u64, Errno> {
        let n = match cmd as u32 {
            FIONREAD | SIOCOUTQ if self.core.listening() => return Err(Errno::EINVAL),
            FIONREAD => match self.core.pair() {
                Some((p, me)) => p.queued(me).0,
                None => dgram::inq(&self.core),
            },
            SIOCOUTQ => match self.core.pair() {
                Some((p, me)) => p.queued(me).1,
                None => self.core.wmem.load(Ordering::Relaxed),
            },
            syscalls::consts::SIOCATMARK => match self.core.pair() {
                Some((p, me)) => usize::from(p.at_mark(me)),
                None => 0,
            },
            _ => return Err(Errno::ENOTTY),
        };
        t.mm.write_obj(arg, &(n as i32))?;
        Ok(0)
    }
    fn poll(&self, _file: &File, _events: u32) -> (u32, Option<&WaitQueue>) {
        (self.core.poll(), Some(&self.core.wq))
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
