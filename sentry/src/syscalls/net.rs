//! Syscall handlers: sockets. AF_UNIX is implemented ([`crate::net::unix`]);
//! socket(2) of the other families gives EAFNOSUPPORT.

use super::file::{fd_arg, get_io, nofile};
use super::{Support, SysResult, Table};
use crate::kernel::task::Task;
use crate::net::unix::addr::{self, Addr, Key, Target};
use crate::net::unix::stream::SendArgs;
use crate::net::unix::{
    self, cmsg, cred_of, Core, Recv, Rights, Scm, UnixSocket, RCV_SHUTDOWN, SEND_SHUTDOWN,
};
use crate::vfs::io::{self, Segs};
use crate::vfs::{check_access, new_owner, File, Ids, MAY_WRITE};
use std::sync::Arc;
use std::time::Duration;
use syscalls::abi::{Msghdr, Timespec, Timeval, Ucred};
use syscalls::consts::*;
use syscalls::nr;
use syscalls::{Errno, Pod};

const AF_MAX: i32 = 46;
const SOCK_MAX: i32 = 11;
/// Largest sockaddr a syscall copies in (`sizeof(struct sockaddr_storage)`).
const SOCKADDR_MAX: u64 = 128;
/// net.core.optmem_max: the most control data sendmsg accepts.
const OPTMEM_MAX: u64 = 131_072;
/// `sizeof(struct mmsghdr)`: a msghdr and msg_len (at 56).
const MMSGHDR: usize = 64;

pub fn register(t: &mut Table) {
    t.set(
        nr::SOCKET,
        sys_socket,
        Support::Partial("AF_UNIX SOCK_STREAM/SEQPACKET/DGRAM; other families EAFNOSUPPORT"),
    );
    t.set(
        nr::SOCKETPAIR,
        sys_socketpair,
        Support::Partial(
            "AF_UNIX SOCK_STREAM/SEQPACKET/DGRAM; other families EOPNOTSUPP or EAFNOSUPPORT",
        ),
    );
    let unix = Support::Partial("AF_UNIX only");
    for (n, h) in [
        (nr::SENDTO, sys_sendto as super::Handler),
        (nr::RECVFROM, sys_recvfrom),
        (nr::SHUTDOWN, sys_shutdown),
        (nr::GETSOCKNAME, sys_getsockname),
        (nr::GETPEERNAME, sys_getpeername),
        (nr::LISTEN, sys_listen),
        (nr::ACCEPT, sys_accept),
        (nr::ACCEPT4, sys_accept4),
    ] {
        t.set(n, h, unix);
    }
    t.set(
        nr::BIND,
        sys_bind,
        Support::Partial(
            "AF_UNIX: paths in the sandbox VFS (a socket inode), abstract names, autobind",
        ),
    );
    t.set(
        nr::CONNECT,
        sys_connect,
        Support::Partial(
            "AF_UNIX sockets of the sandbox only: a host socket file gives ECONNREFUSED",
        ),
    );
    t.set(
        nr::SENDMSG,
        sys_sendmsg,
        Support::Partial(
            "AF_UNIX only; SCM_RIGHTS and SCM_CREDENTIALS; MSG_OOB on streams without SIGURG",
        ),
    );
    t.set(
        nr::RECVMSG,
        sys_recvmsg,
        Support::Partial("AF_UNIX only; SCM_RIGHTS (MSG_CTRUNC, MSG_CMSG_CLOEXEC), SCM_CREDENTIALS with SO_PASSCRED"),
    );
    t.set(
        nr::SENDMMSG,
        sys_sendmmsg,
        Support::Partial("AF_UNIX only, as sendmsg"),
    );
    t.set(
        nr::RECVMMSG,
        sys_recvmmsg,
        Support::Partial(
            "AF_UNIX only, as recvmsg; the timeout is checked after each message (as Linux)",
        ),
    );
    t.set(
        nr::GETSOCKOPT,
        sys_getsockopt,
        Support::Partial("AF_UNIX, SOL_SOCKET: SO_TYPE/DOMAIN/PROTOCOL/ERROR/SNDBUF/RCVBUF/PASSCRED/PEERCRED/ACCEPTCONN/RCVTIMEO/SNDTIMEO/LINGER and plain flags; SO_PEERSEC ENOPROTOOPT; other levels EOPNOTSUPP"),
    );
    t.set(
        nr::SETSOCKOPT,
        sys_setsockopt,
        Support::Partial("AF_UNIX, SOL_SOCKET: SO_SNDBUF/RCVBUF (doubled, clamped as Linux), SO_PASSCRED, SO_RCVTIMEO/SNDTIMEO, SO_LINGER and plain flags; other levels EOPNOTSUPP"),
    );
}

/// The file of a socket fd: EBADF, or ENOTSOCK for other files.
fn sock(t: &Task, fd: u64) -> Result<Arc<File>, Errno> {
    let f = get_io(t, fd_arg(fd))?;
    if unix::socket_of(&f).is_none() {
        return Err(Errno::ENOTSOCK);
    }
    Ok(f)
}

fn us(f: &File) -> Result<&UnixSocket, Errno> {
    unix::socket_of(f).ok_or(Errno::ENOTSOCK)
}

/// The type argument of socket/socketpair: (type, O_NONBLOCK, cloexec).
fn type_arg(ty: i32) -> Result<(i32, u32, bool), Errno> {
    if ty & !(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC) != 0 {
        return Err(Errno::EINVAL);
    }
    let kind = ty & SOCK_TYPE_MASK;
    if kind >= SOCK_MAX {
        return Err(Errno::EINVAL);
    }
    let nb = if ty & SOCK_NONBLOCK != 0 {
        O_NONBLOCK
    } else {
        0
    };
    Ok((kind, nb, ty & SOCK_CLOEXEC != 0))
}

/// unix_create's checks: the AF_UNIX type to use.
fn unix_kind(kind: i32, proto: i32) -> Result<i32, Errno> {
    if proto != 0 && proto != AF_UNIX {
        return Err(Errno::EPROTONOSUPPORT);
    }
    match kind {
        SOCK_STREAM | SOCK_SEQPACKET | SOCK_DGRAM => Ok(kind),
        // unix_create treats SOCK_RAW as SOCK_DGRAM.
        SOCK_RAW => Ok(SOCK_DGRAM),
        _ => Err(Errno::ESOCKTNOSUPPORT),
    }
}

fn sys_socket(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let family = a[0] as i32;
    let (kind, nb, cloexec) = type_arg(a[1] as i32)?;
    if family != AF_UNIX {
        return Err(Errno::EAFNOSUPPORT);
    }
    let kind = unix_kind(kind, a[2] as i32)?;
    let f = unix::new_file(t, Core::new(kind), nb);
    Ok(t.fds.install(f, cloexec, 0, nofile(t))? as u64)
}

fn sys_socketpair(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let family = a[0] as i32;
    let (kind, nb, cloexec) = type_arg(a[1] as i32)?;
    if !(0..AF_MAX).contains(&family) {
        return Err(Errno::EAFNOSUPPORT);
    }
    if family != AF_UNIX {
        return Err(match family {
            AF_INET | AF_INET6 | AF_NETLINK | AF_PACKET => Errno::EOPNOTSUPP,
            _ => Errno::EAFNOSUPPORT,
        });
    }
    let kind = unix_kind(kind, a[2] as i32)?;
    let (x, y) = unix::new_pair(t, kind, nb);
    let fx = t.fds.install(x, cloexec, 0, nofile(t))?;
    let fy = match t.fds.install(y, cloexec, 0, nofile(t)) {
        Ok(fd) => fd,
        Err(e) => {
            let _ = t.fds.remove(fx);
            return Err(e);
        }
    };
    let mut out = [0u8; 8];
    out[..4].copy_from_slice(&fx.to_le_bytes());
    out[4..].copy_from_slice(&fy.to_le_bytes());
    if let Err(e) = t.mm.copy_out(a[3], &out) {
        let _ = t.fds.remove(fx);
        let _ = t.fds.remove(fy);
        return Err(e);
    }
    Ok(0)
}

/// move_addr_to_kernel: the sockaddr bytes (EINVAL beyond
/// sockaddr_storage, EFAULT).
fn addr_in(t: &Task, addr: u64, len: u64) -> Result<Vec<u8>, Errno> {
    let len = len as i32;
    if len < 0 || len as u64 > SOCKADDR_MAX {
        return Err(Errno::EINVAL);
    }
    let mut raw = vec![0u8; len as usize];
    if len > 0 {
        t.mm.copy_in(addr, &mut raw)?;
    }
    Ok(raw)
}

/// move_addr_to_user: copy as much of `addr` as fits and store its full
/// length (an unnamed socket is just the family; `None` in `from`
/// positions means no address at all).
fn addr_out(t: &Task, addr: &[u8], uaddr: u64, lenp: u64) -> Result<(), Errno> {
    let len: i32 = t.mm.read_obj(lenp)?;
    let klen = addr.len() as i32;
    let len = len.min(klen);
    if len < 0 {
        return Err(Errno::EINVAL);
    }
    if len > 0 {
        t.mm.copy_out(uaddr, &addr[..len as usize])?;
    }
    t.mm.write_obj(lenp, &klen)?;
    Ok(())
}

/// A socket's name for getsockname/getpeername/accept.
fn name_bytes(a: Option<Addr>) -> Vec<u8> {
    a.map_or_else(|| (AF_UNIX as u16).to_le_bytes().to_vec(), |a| a.0)
}

/// The socket an address names, as Linux's unix_find_other: for a path,
/// the socket file must be writable and bound by a sandbox socket of the
/// same type.
fn find_other(t: &Task, target: &Target, kind: i32) -> Result<Arc<Core>, Errno> {
    match target {
        Target::Abstract(a) => {
            addr::find(&Key::Abstract(a.0.clone(), kind)).ok_or(Errno::ECONNREFUSED)
        }
        Target::Path(p, _) => {
            let d = crate::vfs::resolve::lookup_at(t, AT_FDCWD, p, true)?;
            check_access(d.inode_ref(), &t.creds, MAY_WRITE, Ids::Fs)?;
            let st = d.inode_ref().stat()?;
            if st.st_mode & S_IFMT != S_IFSOCK {
                return Err(Errno::ECONNREFUSED);
            }
            let other = addr::find(&Key::Inode(st.st_dev, st.st_ino)).ok_or(Errno::ECONNREFUSED)?;
            if other.kind != kind {
                return Err(Errno::EPROTOTYPE);
            }
            Ok(other)
        }
    }
}

fn sys_bind(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let f = sock(t, a[0])?;
    let core = &us(&f)?.core;
    let raw = addr_in(t, a[1], a[2])?;
    if raw.len() == addr::SUN_PATH_OFF && i32::from(u16::from_le_bytes([raw[0], raw[1]])) == AF_UNIX
    {
        core.autobind()?;
        return Ok(0);
    }
    match addr::parse(&raw)? {
        Target::Abstract(a) => core.bind(Key::Abstract(a.0.clone(), core.kind), a)?,
        Target::Path(p, a) => {
            if core.bound() {
                // Linux creates the file first and then refuses; the
                // outcome for a free path is the same.
                let (parent, name) = super::fs::create_at(t, AT_FDCWD, &p, false).map_err(|e| {
                    if e == Errno::EEXIST {
                        Errno::EADDRINUSE
                    } else {
                        e
                    }
                })?;
                drop((parent, name));
                return Err(Errno::EINVAL);
            }
            let (parent, name) = super::fs::create_at(t, AT_FDCWD, &p, false).map_err(|e| {
                if e == Errno::EEXIST {
                    Errno::EADDRINUSE
                } else {
                    e
                }
            })?;
            let dir = parent.inode_ref();
            let (owner, mode) = new_owner(dir, &t.creds, S_IFSOCK | (0o777 & !t.umask()));
            let r = dir.mknod(&name, mode, 0, owner);
            parent.invalidate(&name);
            r.map_err(|e| {
                if e == Errno::EEXIST {
                    Errno::EADDRINUSE
                } else {
                    e
                }
            })?;
            let st = parent.lookup(&name)?.inode_ref().stat()?;
            if let Err(e) = core.bind(Key::Inode(st.st_dev, st.st_ino), a) {
                let _ = dir.unlink(&name, false);
                parent.invalidate(&name);
                return Err(e);
            }
        }
    }
    Ok(0)
}

fn sys_connect(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let f = sock(t, a[0])?;
    let core = us(&f)?.core.clone();
    let raw = addr_in(t, a[1], a[2])?;
    if core.kind == SOCK_DGRAM {
        if raw.len() < 2 {
            return Err(Errno::EINVAL);
        }
        if i32::from(u16::from_le_bytes([raw[0], raw[1]])) == AF_UNSPEC {
            unix::dgram::connect(&core, None)?;
            return Ok(0);
        }
        let target = addr::parse(&raw)?;
        let other = find_other(t, &target, core.kind)?;
        unix::dgram::connect(&core, Some(other))?;
        return Ok(0);
    }
    let target = addr::parse(&raw)?;
    let other = find_other(t, &target, core.kind)?;
    let nonblock = f.flags() & O_NONBLOCK != 0;
    core.connect_stream(&other, cred_of(t), nonblock, core.deadline(true))?;
    Ok(0)
}

fn sys_listen(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let f = sock(t, a[0])?;
    us(&f)?.core.listen(a[1] as i32, cred_of(t))?;
    Ok(0)
}

fn do_accept(t: &mut Task, fd: u64, uaddr: u64, lenp: u64, flags: i32) -> SysResult {
    if flags & !(SOCK_NONBLOCK | SOCK_CLOEXEC) != 0 {
        return Err(Errno::EINVAL);
    }
    let f = sock(t, fd)?;
    let core = us(&f)?.core.clone();
    let new = core.accept(f.flags() & O_NONBLOCK != 0)?;
    let peer = new.peer_name().ok().flatten();
    let nb = if flags & SOCK_NONBLOCK != 0 {
        O_NONBLOCK
    } else {
        0
    };
    let file = unix::new_file(t, new, nb);
    if uaddr != 0 {
        // The connection is lost if the address cannot be stored.
        addr_out(t, &name_bytes(peer), uaddr, lenp)?;
    }
    Ok(t.fds
        .install(file, flags & SOCK_CLOEXEC != 0, 0, nofile(t))? as u64)
}

fn sys_accept(t: &mut Task, a: &[u64; 6]) -> SysResult {
    do_accept(t, a[0], a[1], a[2], 0)
}

fn sys_accept4(t: &mut Task, a: &[u64; 6]) -> SysResult {
    do_accept(t, a[0], a[1], a[2], a[3] as i32)
}

/// The destination of sendto/sendmsg: stream sockets refuse one (EISCONN
/// or EOPNOTSUPP), seqpacket ignores it, dgram resolves it.
fn dest(t: &Task, s: &UnixSocket, addr: u64, len: u64) -> Result<Option<Arc<Core>>, Errno> {
    if addr == 0 || len == 0 {
        return Ok(None);
    }
    let raw = addr_in(t, addr, len)?;
    match s.kind() {
        SOCK_STREAM => Err(if s.core.pair().is_some() {
            Errno::EISCONN
        } else {
            Errno::EOPNOTSUPP
        }),
        SOCK_SEQPACKET => Ok(None),
        _ => {
            let target = addr::parse(&raw)?;
            find_other(t, &target, SOCK_DGRAM).map(Some)
        }
    }
}

/// Bytes moved per call into the socket (streams loop over chunks).
const CHUNK: usize = 1 << 20;

/// The most one receive can return without MSG_WAITALL: a queue never holds
/// more than the sender's SO_SNDBUF (at most twice wmem_max).
fn recv_cap() -> usize {
    (2 * unix::limits().2).max(CHUNK)
}

fn do_send(
    t: &Task,
    f: &File,
    to: Option<Arc<Core>>,
    segs: &Segs,
    scm: Scm,
    flags: u32,
) -> SysResult {
    let s = us(f)?;
    let want = io::total(segs) as usize;
    if flags & MSG_OOB != 0 && (s.kind() != SOCK_STREAM || want == 0) {
        return Err(Errno::EOPNOTSUPP);
    }
    if s.kind() != SOCK_STREAM {
        // One message: it must fit in the send buffer anyway.
        if want
            > s.core
                .opts
                .sndbuf
                .load(std::sync::atomic::Ordering::Relaxed)
        {
            return Err(Errno::EMSGSIZE);
        }
        let (data, fault) = io::gather(t, segs, 0, want);
        if fault {
            return Err(Errno::EFAULT);
        }
        let args = s.send_args(t, f, scm, flags);
        return s.core.send(to, &data, args).map(|n| n as u64);
    }
    let base = s.send_args(t, f, Scm::default(), flags);
    let mut rights: Option<Rights> = scm.rights;
    let mut done = 0usize;
    loop {
        let (data, fault) = io::gather(t, segs, done as u64, (want - done).min(CHUNK));
        if data.is_empty() && (want > 0 || done > 0) {
            break;
        }
        // Only the last byte of the whole send is out of band.
        let last = done + data.len() >= want;
        let args = SendArgs {
            scm: Scm {
                rights: rights.take(),
                cred: scm.cred,
            },
            flags: if last { flags } else { flags & !MSG_OOB },
            ..base
        };
        match s.core.send(to.clone(), &data, args) {
            Ok(n) => {
                done += n;
                if n < data.len() || fault || done >= want {
                    break;
                }
            }
            Err(err) if done == 0 => return Err(err),
            Err(_) => break,
        }
    }
    if done == 0 && want > 0 {
        return Err(Errno::EFAULT);
    }
    Ok(done as u64)
}

fn sys_sendto(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let f = sock(t, a[0])?;
    let segs = io::single_seg(a[1], a[2])?;
    let to = dest(t, us(&f)?, a[4], a[5])?;
    do_send(t, &f, to, &segs, Scm::default(), a[3] as u32)
}

/// Receive into `segs`. Only the writable prefix of the buffer is offered,
/// so no data is consumed that cannot be delivered; MSG_WAITALL on a
/// stream larger than one queue loops.
fn do_recv(t: &Task, f: &File, segs: &Segs, flags: u32) -> Result<Recv, Errno> {
    let s = us(f)?;
    if flags & MSG_OOB != 0 && s.kind() != SOCK_STREAM {
        return Err(Errno::EOPNOTSUPP);
    }
    let want = io::total(segs);
    let avail = io::writable_prefix(t, segs, want) as usize;
    if avail == 0 && want > 0 {
        return Err(Errno::EFAULT);
    }
    let nonblock = UnixSocket::nonblock(f, flags);
    let waitall = s.kind() == SOCK_STREAM && flags & MSG_WAITALL != 0 && flags & MSG_PEEK == 0;
    let mut out = Recv::default();
    let mut first = true;
    loop {
        let n = (avail - out.n).min(recv_cap());
        let mut buf = vec![0u8; n];
        let r = match s.core.recv(&mut buf, flags, nonblock) {
            Ok(r) => r,
            Err(err) if out.n == 0 => return Err(err),
            Err(_) => break,
        };
        io::scatter(t, segs, out.n as u64, &buf[..r.n]);
        out.n += r.n;
        out.len += r.len;
        if first {
            out.cred = r.cred;
            out.from = r.from;
            first = false;
        }
        let got_rights = r.rights.is_some();
        if got_rights {
            out.rights = r.rights;
        }
        if !waitall || r.n < n || out.n >= avail || got_rights {
            break;
        }
    }
    if s.kind() != SOCK_DGRAM && (out.n > 0 || out.len > 0) {
        // Connected sockets report the peer's name (Linux copies the
        // sending socket's address).
        out.from = s.core.peer_name().ok().flatten();
    }
    Ok(out)
}

/// The return value of a receive: the full message length with MSG_TRUNC
/// on message sockets.
fn recv_ret(s: &UnixSocket, r: &Recv, flags: u32) -> u64 {
    if flags & MSG_TRUNC != 0 && s.kind() != SOCK_STREAM {
        r.len as u64
    } else {
        r.n as u64
    }
}

fn sys_recvfrom(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let f = sock(t, a[0])?;
    let segs = io::single_seg(a[1], a[2])?;
    let flags = a[3] as u32;
    let r = do_recv(t, &f, &segs, flags)?;
    if a[4] != 0 {
        let from = r.from.as_ref().map_or(&[][..], |x| &x.0[..]);
        addr_out(t, from, a[4], a[5])?;
    }
    Ok(recv_ret(us(&f)?, &r, flags))
}

fn read_msghdr(t: &Task, addr: u64) -> Result<(Msghdr, Segs), Errno> {
    let m: Msghdr = t.mm.read_obj(addr)?;
    if m.msg_iovlen > IOV_MAX as u64 {
        return Err(Errno::EMSGSIZE);
    }
    let segs = io::import_iovecs(t, m.msg_iov, m.msg_iovlen)?;
    Ok((m, segs))
}

fn sys_sendmsg(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let f = sock(t, a[0])?;
    sendmsg_one(t, &f, a[1], a[2] as u32)
}

fn sendmsg_one(t: &Task, f: &File, hdr: u64, flags: u32) -> SysResult {
    let (m, segs) = read_msghdr(t, hdr)?;
    if m.msg_controllen > i32::MAX as u64 || m.msg_controllen > OPTMEM_MAX {
        return Err(Errno::ENOBUFS);
    }
    let namelen = if m.msg_name == 0 {
        0
    } else {
        u64::from(m.msg_namelen).min(SOCKADDR_MAX)
    };
    let to = dest(t, us(f)?, m.msg_name, namelen)?;
    let scm = if m.msg_controllen > 0 {
        let mut ctl = vec![0u8; m.msg_controllen as usize];
        t.mm.copy_in(m.msg_control, &mut ctl)?;
        cmsg::parse(t, &ctl)?
    } else {
        Scm::default()
    };
    do_send(t, f, to, &segs, scm, flags)
}

fn sys_recvmsg(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let f = sock(t, a[0])?;
    recvmsg_one(t, &f, a[1], a[2] as u32)
}

fn recvmsg_one(t: &Task, f: &File, hdr: u64, flags: u32) -> SysResult {
    let (m, segs) = read_msghdr(t, hdr)?;
    if (m.msg_namelen as i32) < 0 {
        return Err(Errno::EINVAL);
    }
    let s = us(f)?;
    let mut r = do_recv(t, f, &segs, flags)?;
    let ret = recv_ret(s, &r, flags);
    let mut mflags = flags & (MSG_CMSG_CLOEXEC | MSG_OOB);
    if r.len > r.n {
        mflags |= MSG_TRUNC;
    }
    let passcred = s
        .core
        .opts
        .passcred
        .load(std::sync::atomic::Ordering::Relaxed);
    let space = if m.msg_control == 0 {
        0
    } else {
        m.msg_controllen as usize
    };
    let cloexec = flags & MSG_CMSG_CLOEXEC != 0;
    let (ctl, trunc, fds) = cmsg::build(t, &mut r, passcred, space, cloexec);
    if trunc {
        mflags |= MSG_CTRUNC;
    }
    if !ctl.is_empty() {
        if let Err(e) = t.mm.copy_out(m.msg_control, &ctl) {
            for fd in fds {
                let _ = t.fds.remove(fd);
            }
            return Err(e);
        }
    }
    // struct msghdr: msg_namelen at 8, msg_controllen at 40, msg_flags at 48.
    if m.msg_name != 0 {
        let from = r.from.as_ref().map_or(&[][..], |x| &x.0[..]);
        let n = from.len().min(m.msg_namelen as usize);
        if n > 0 {
            t.mm.copy_out(m.msg_name, &from[..n])?;
        }
        t.mm.write_obj(hdr + 8, &(from.len() as u32))?;
    }
    t.mm.write_obj(hdr + 40, &(ctl.len() as u64))?;
    t.mm.write_obj(hdr + 48, &(mflags as i32))?;
    Ok(ret)
}

/// sendmmsg(2): sendmsg for each header, storing msg_len; the count sent,
/// or the first error if nothing was.
fn sys_sendmmsg(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let f = sock(t, a[0])?;
    let vlen = (a[2] as u32 as usize).min(IOV_MAX);
    let flags = a[3] as u32;
    let mut done = 0;
    while done < vlen {
        let hdr = a[1] + (done * MMSGHDR) as u64;
        match sendmsg_one(t, &f, hdr, flags) {
            Ok(n) => {
                t.mm.write_obj(hdr + 56, &(n as u32))?;
                done += 1;
            }
            Err(e) if done == 0 => return Err(e),
            Err(_) => break,
        }
    }
    Ok(done as u64)
}

/// recvmmsg(2): recvmsg for each header; MSG_WAITFORONE makes the calls
/// after the first nonblocking; the timeout, as in Linux, is only checked
/// after each message.
fn sys_recvmmsg(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let f = sock(t, a[0])?;
    let vlen = (a[2] as u32 as usize).min(IOV_MAX);
    let mut flags = a[3] as u32;
    let deadline = if a[4] != 0 {
        let ts: Timespec = t.mm.read_obj(a[4])?;
        if ts.tv_sec < 0 || !(0..1_000_000_000).contains(&ts.tv_nsec) {
            return Err(Errno::EINVAL);
        }
        let d = Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32);
        Some(std::time::Instant::now() + d)
    } else {
        None
    };
    let mut done = 0;
    while done < vlen {
        let hdr = a[1] + (done * MMSGHDR) as u64;
        match recvmsg_one(t, &f, hdr, flags & !MSG_WAITFORONE) {
            Ok(n) => {
                t.mm.write_obj(hdr + 56, &(n as u32))?;
                done += 1;
            }
            Err(e) if done == 0 => return Err(e),
            Err(_) => break,
        }
        if flags & MSG_WAITFORONE != 0 {
            flags |= MSG_DONTWAIT;
        }
        if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
            break;
        }
    }
    if let Some(d) = deadline {
        let left = d.saturating_duration_since(std::time::Instant::now());
        let ts = Timespec {
            tv_sec: left.as_secs() as i64,
            tv_nsec: i64::from(left.subsec_nanos()),
        };
        t.mm.write_obj(a[4], &ts)?;
    }
    Ok(done as u64)
}

fn sys_shutdown(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let f = sock(t, a[0])?;
    let mode = match a[1] as i32 {
        SHUT_RD => RCV_SHUTDOWN,
        SHUT_WR => SEND_SHUTDOWN,
        SHUT_RDWR => RCV_SHUTDOWN | SEND_SHUTDOWN,
        _ => return Err(Errno::EINVAL),
    };
    us(&f)?.core.shutdown(mode);
    Ok(0)
}

fn sys_getsockname(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let f = sock(t, a[0])?;
    let name = us(&f)?.core.name();
    addr_out(t, &name_bytes(name), a[1], a[2])?;
    Ok(0)
}

fn sys_getpeername(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let f = sock(t, a[0])?;
    let name = us(&f)?.core.peer_name()?;
    addr_out(t, &name_bytes(name), a[1], a[2])?;
    Ok(0)
}

/// Plain boolean/integer SOL_SOCKET options that are only stored, with
/// their defaults.
fn plain_default(name: i32) -> Option<i32> {
    match name {
        SO_DEBUG | SO_REUSEADDR | SO_KEEPALIVE | SO_DONTROUTE | SO_BROADCAST | SO_OOBINLINE
        | SO_REUSEPORT | SO_TIMESTAMP | SO_PASSSEC => Some(0),
        SO_RCVLOWAT | SO_SNDLOWAT => Some(1),
        _ => None,
    }
}

fn timeval_of(d: Option<Duration>) -> Timeval {
    let d = d.unwrap_or_default();
    Timeval {
        tv_sec: d.as_secs() as i64,
        tv_usec: i64::from(d.subsec_micros()),
    }
}

fn sys_getsockopt(t: &mut Task, a: &[u64; 6]) -> SysResult {
    use std::sync::atomic::Ordering::Relaxed;
    let f = sock(t, a[0])?;
    let core = &us(&f)?.core;
    let (level, name, val, lenp) = (a[1] as i32, a[2] as i32, a[3], a[4]);
    if level != SOL_SOCKET {
        return Err(Errno::EOPNOTSUPP);
    }
    let len: i32 = t.mm.read_obj(lenp)?;
    if len < 0 {
        return Err(Errno::EINVAL);
    }
    let put = |t: &Task, bytes: &[u8]| -> SysResult {
        let n = (len as usize).min(bytes.len());
        t.mm.copy_out(val, &bytes[..n])?;
        t.mm.write_obj(lenp, &(n as i32))?;
        Ok(0)
    };
    let v: i32 = match name {
        SO_TYPE => core.kind,
        SO_DOMAIN => AF_UNIX,
        SO_PROTOCOL => 0,
        SO_ERROR => core.take_error().map_or(0, |e| e as i32),
        SO_SNDBUF => core.opts.sndbuf.load(Relaxed) as i32,
        SO_RCVBUF => core.opts.rcvbuf.load(Relaxed) as i32,
        SO_PASSCRED => i32::from(core.opts.passcred.load(Relaxed)),
        SO_ACCEPTCONN => i32::from(core.listening()),
        SO_PEERCRED => {
            let c: Ucred = core.peer_cred();
            return put(t, c.as_bytes());
        }
        SO_RCVTIMEO | SO_SNDTIMEO => {
            let m = core.opts.misc();
            let d = if name == SO_RCVTIMEO {
                m.rcvtimeo
            } else {
                m.sndtimeo
            };
            drop(m);
            return put(t, timeval_of(d).as_bytes());
        }
        SO_LINGER => {
            let (on, secs) = core.opts.misc().linger;
            let mut b = on.to_le_bytes().to_vec();
            b.extend_from_slice(&secs.to_le_bytes());
            return put(t, &b);
        }
        _ => match plain_default(name) {
            Some(d) => {
                let m = core.opts.misc();
                m.plain.iter().find(|o| o.0 == name).map_or(d, |o| o.1)
            }
            None => return Err(Errno::ENOPROTOOPT),
        },
    };
    put(t, &v.to_le_bytes())
}

fn sys_setsockopt(t: &mut Task, a: &[u64; 6]) -> SysResult {
    use std::sync::atomic::Ordering::Relaxed;
    let f = sock(t, a[0])?;
    let core = &us(&f)?.core;
    let (level, name, val, len) = (a[1] as i32, a[2] as i32, a[3], a[4] as i32);
    if level != SOL_SOCKET {
        return Err(Errno::EOPNOTSUPP);
    }
    match name {
        SO_RCVTIMEO | SO_SNDTIMEO => {
            if len < std::mem::size_of::<Timeval>() as i32 {
                return Err(Errno::EINVAL);
            }
            let tv: Timeval = t.mm.read_obj(val)?;
            if !(0..1_000_000).contains(&tv.tv_usec) {
                return Err(Errno::EDOM);
            }
            let d = if tv.tv_sec < 0 {
                Some(Duration::ZERO)
            } else if tv.tv_sec == 0 && tv.tv_usec == 0 {
                None
            } else {
                Some(Duration::new(tv.tv_sec as u64, tv.tv_usec as u32 * 1000))
            };
            let mut m = core.opts.misc();
            if name == SO_RCVTIMEO {
                m.rcvtimeo = d;
            } else {
                m.sndtimeo = d;
            }
            return Ok(0);
        }
        SO_LINGER => {
            if len < 8 {
                return Err(Errno::EINVAL);
            }
            let l: [i32; 2] = [t.mm.read_obj(val)?, t.mm.read_obj(val + 4)?];
            let mut m = core.opts.misc();
            if l[0] == 0 {
                m.linger.0 = 0;
            } else {
                m.linger = (1, l[1].max(0));
            }
            return Ok(0);
        }
        _ => {}
    }
    let known =
        matches!(name, SO_SNDBUF | SO_RCVBUF | SO_PASSCRED) || plain_default(name).is_some();
    if !known {
        return Err(Errno::ENOPROTOOPT);
    }
    if len < 4 {
        return Err(Errno::EINVAL);
    }
    let v: i32 = t.mm.read_obj(val)?;
    let (_, _, wmax, rmax) = unix::limits();
    match name {
        SO_SNDBUF => {
            // min_t(u32, val, wmem_max) * 2, at least SOCK_MIN_SNDBUF.
            let v = (v as u32 as usize).min(wmax);
            core.opts
                .sndbuf
                .store((v * 2).max(unix::SOCK_MIN_SNDBUF), Relaxed);
            core.wq.notify_all();
        }
        SO_RCVBUF => {
            let v = (v as u32 as usize).min(rmax);
            core.opts
                .rcvbuf
                .store((v * 2).max(unix::SOCK_MIN_RCVBUF), Relaxed);
        }
        SO_PASSCRED => core.opts.passcred.store(v != 0, Relaxed),
        _ => {
            let v = if name == SO_RCVLOWAT {
                v.max(1)
            } else {
                i32::from(v != 0)
            };
            let mut m = core.opts.misc();
            match m.plain.iter_mut().find(|o| o.0 == name) {
                Some(o) => o.1 = v,
                None => m.plain.push((name, v)),
            }
        }
    }
    Ok(0)
}
