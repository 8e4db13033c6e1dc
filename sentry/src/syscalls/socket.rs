//! Syscall handlers: sockets. Only connected AF_UNIX pairs exist
//! (socketpair(2), [`crate::fs::unix`]); socket(2) supports no family yet
//! and naming calls (bind, connect, listen, accept) refuse.

use super::file::{fd_arg, get_io, nofile};
use super::{Support, SysResult, Table};
use crate::fs::unix::{self, Rights, UnixEnd, RCV_SHUTDOWN, SEND_SHUTDOWN};
use crate::kernel::task::Task;
use crate::vfs::io::{self, Segs};
use crate::vfs::File;
use std::sync::Arc;
use syscalls::abi::{Cmsghdr, Msghdr, Timespec, Ucred};
use syscalls::consts::*;
use syscalls::nr;
use syscalls::{Errno, Pod};

const AF_MAX: i32 = 46;
const SOCK_MAX: i32 = 11;
/// Largest sockaddr a syscall copies in (`sizeof(struct sockaddr_storage)`).
const SOCKADDR_MAX: u64 = 128;
/// net.core.optmem_max: the most control data sendmsg accepts.
const OPTMEM_MAX: u64 = 131_072;
const CMSG_HDR: usize = std::mem::size_of::<Cmsghdr>();
/// `sizeof(struct mmsghdr)`: a msghdr and msg_len (at 56).
const MMSGHDR: usize = 64;

pub fn register(t: &mut Table) {
    let unix_only = "connected AF_UNIX pairs (socketpair) only";
    t.set(
        nr::SOCKET,
        sys_socket,
        Support::Partial("arguments validated; no socket family is implemented yet: EAFNOSUPPORT"),
    );
    t.set(
        nr::SOCKETPAIR,
        sys_socketpair,
        Support::Partial("AF_UNIX SOCK_STREAM/SEQPACKET/DGRAM; other families EOPNOTSUPP or EAFNOSUPPORT; SCM_CREDENTIALS not delivered (SO_PASSCRED stored only); MSG_OOB EOPNOTSUPP"),
    );
    let p = Support::Partial(unix_only);
    for n in [
        nr::SENDTO,
        nr::RECVFROM,
        nr::SHUTDOWN,
        nr::GETSOCKNAME,
        nr::GETPEERNAME,
    ] {
        t.set(n, handler(n), p);
    }
    t.set(
        nr::SENDMSG,
        sys_sendmsg,
        Support::Partial("connected AF_UNIX pairs only; SCM_RIGHTS passed, SCM_CREDENTIALS checked and dropped; a DGRAM destination address gives EOPNOTSUPP"),
    );
    t.set(
        nr::RECVMSG,
        sys_recvmsg,
        Support::Partial("connected AF_UNIX pairs only; SCM_RIGHTS received (MSG_CTRUNC, MSG_CMSG_CLOEXEC); no SCM_CREDENTIALS"),
    );
    t.set(
        nr::SENDMMSG,
        sys_sendmmsg,
        Support::Partial("connected AF_UNIX pairs only, as sendmsg"),
    );
    t.set(
        nr::RECVMMSG,
        sys_recvmmsg,
        Support::Partial("connected AF_UNIX pairs only, as recvmsg; the timeout is checked after each message (as Linux)"),
    );
    t.set(
        nr::GETSOCKOPT,
        sys_getsockopt,
        Support::Partial("AF_UNIX pairs, SOL_SOCKET: SO_TYPE/DOMAIN/PROTOCOL/ERROR/SNDBUF/RCVBUF/PASSCRED/PEERCRED/ACCEPTCONN and plain flags; SO_RCVTIMEO/SNDTIMEO ENOPROTOOPT; other levels EOPNOTSUPP"),
    );
    t.set(
        nr::SETSOCKOPT,
        sys_setsockopt,
        Support::Partial("AF_UNIX pairs, SOL_SOCKET: SO_SNDBUF/RCVBUF (doubled, clamped as Linux), SO_PASSCRED and plain flags stored; SO_RCVTIMEO/SNDTIMEO ENOPROTOOPT; other levels EOPNOTSUPP"),
    );
    let naming = Support::Partial(
        "no named sockets yet: on a socketpair end (after address validation) bind EOPNOTSUPP, connect EISCONN (stream) or EOPNOTSUPP, listen/accept EINVAL (EOPNOTSUPP for DGRAM)",
    );
    t.set(nr::BIND, sys_bind, naming);
    t.set(nr::CONNECT, sys_connect, naming);
    t.set(nr::LISTEN, sys_listen, naming);
    t.set(nr::ACCEPT, sys_accept, naming);
    t.set(nr::ACCEPT4, sys_accept4, naming);
}

fn handler(n: usize) -> super::Handler {
    match n {
        nr::SENDTO => sys_sendto,
        nr::RECVFROM => sys_recvfrom,
        nr::SHUTDOWN => sys_shutdown,
        nr::GETSOCKNAME => sys_getsockname,
        _ => sys_getpeername,
    }
}

/// The file of a socket fd: EBADF, or ENOTSOCK for other files.
fn sock(t: &Task, fd: u64) -> Result<Arc<File>, Errno> {
    let f = get_io(t, fd_arg(fd))?;
    if unix::socket_of(&f).is_none() {
        return Err(Errno::ENOTSOCK);
    }
    Ok(f)
}

fn end(f: &File) -> Result<&UnixEnd, Errno> {
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

fn sys_socket(_t: &mut Task, a: &[u64; 6]) -> SysResult {
    let family = a[0] as i32;
    type_arg(a[1] as i32)?;
    if !(0..AF_MAX).contains(&family) {
        return Err(Errno::EAFNOSUPPORT);
    }
    Err(Errno::EAFNOSUPPORT)
}

fn sys_socketpair(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let family = a[0] as i32;
    let (kind, nb, cloexec) = type_arg(a[1] as i32)?;
    let proto = a[2] as i32;
    if !(0..AF_MAX).contains(&family) {
        return Err(Errno::EAFNOSUPPORT);
    }
    if family != AF_UNIX {
        return Err(match family {
            AF_INET | AF_INET6 | AF_NETLINK | AF_PACKET => Errno::EOPNOTSUPP,
            _ => Errno::EAFNOSUPPORT,
        });
    }
    if proto != 0 && proto != AF_UNIX {
        return Err(Errno::EPROTONOSUPPORT);
    }
    let kind = match kind {
        SOCK_STREAM | SOCK_SEQPACKET | SOCK_DGRAM => kind,
        // unix_create treats SOCK_RAW as SOCK_DGRAM.
        SOCK_RAW => SOCK_DGRAM,
        _ => return Err(Errno::ESOCKTNOSUPPORT),
    };
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

/// A destination address given to sendto/sendmsg: EINVAL for a bad length.
/// Stream pairs refuse it (EISCONN), seqpacket ignores it, and dgram pairs
/// cannot resolve names yet.
fn check_dest(e: &UnixEnd, addr: u64, len: u64) -> Result<(), Errno> {
    if addr == 0 || len == 0 {
        return Ok(());
    }
    if len as i32 > SOCKADDR_MAX as i32 || (len as i32) < 0 {
        return Err(Errno::EINVAL);
    }
    match e.kind() {
        SOCK_STREAM => Err(Errno::EISCONN),
        SOCK_SEQPACKET => Ok(()),
        _ => Err(Errno::EOPNOTSUPP),
    }
}

/// Bytes moved per call into the socket (streams loop over chunks).
const CHUNK: usize = 1 << 20;

/// The most one receive can return without MSG_WAITALL: a queue never holds
/// more than the sender's SO_SNDBUF (at most twice wmem_max).
fn recv_cap() -> usize {
    (2 * unix::limits().2).max(CHUNK)
}

fn do_send(t: &Task, f: &File, segs: &Segs, rights: Option<Rights>, flags: u32) -> SysResult {
    let e = end(f)?;
    let want = io::total(segs) as usize;
    if e.kind() != SOCK_STREAM {
        // One message: it must fit in the send buffer anyway.
        if want > e.bufs().0 {
            return Err(Errno::EMSGSIZE);
        }
        let (data, fault) = io::gather(t, segs, 0, want);
        if fault {
            return Err(Errno::EFAULT);
        }
        return e.send(f, &data, rights, flags).map(|n| n as u64);
    }
    let mut rights = rights;
    let mut done = 0usize;
    while done < want {
        let (data, fault) = io::gather(t, segs, done as u64, (want - done).min(CHUNK));
        if data.is_empty() {
            break;
        }
        match e.send(f, &data, rights.take(), flags) {
            Ok(n) => {
                done += n;
                if n < data.len() || fault {
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
    check_dest(end(&f)?, a[4], a[5])?;
    do_send(t, &f, &segs, None, a[3] as u32)
}

/// Receive into `segs`: (received, full length, files). Only the writable
/// prefix of the buffer is offered, so no data is consumed that cannot be
/// delivered; MSG_WAITALL on a stream larger than one queue loops.
fn do_recv(t: &Task, f: &File, segs: &Segs, flags: u32) -> Result<unix::Recv, Errno> {
    let e = end(f)?;
    let want = io::total(segs);
    let avail = io::writable_prefix(t, segs, want) as usize;
    if avail == 0 && want > 0 {
        return Err(Errno::EFAULT);
    }
    let waitall = e.kind() == SOCK_STREAM && flags & MSG_WAITALL != 0 && flags & MSG_PEEK == 0;
    let mut out = unix::Recv {
        n: 0,
        len: 0,
        rights: None,
    };
    loop {
        let n = (avail - out.n).min(recv_cap());
        let mut buf = vec![0u8; n];
        let r = match e.recv(f, &mut buf, flags) {
            Ok(r) => r,
            Err(err) if out.n == 0 => return Err(err),
            Err(_) => break,
        };
        io::scatter(t, segs, out.n as u64, &buf[..r.n]);
        out.n += r.n;
        out.len += r.len;
        let got_rights = r.rights.is_some();
        if got_rights {
            out.rights = r.rights;
        }
        if !waitall || r.n < n || out.n >= avail || got_rights {
            break;
        }
    }
    Ok(out)
}

/// The return value of a receive: the full message length with MSG_TRUNC
/// on message sockets.
fn recv_ret(e: &UnixEnd, r: &unix::Recv, flags: u32) -> u64 {
    if flags & MSG_TRUNC != 0 && e.kind() != SOCK_STREAM {
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
    if a[4] != 0 && a[5] != 0 {
        // The peer is unnamed: an empty address.
        let len: i32 = t.mm.read_obj(a[5])?;
        if len < 0 {
            return Err(Errno::EINVAL);
        }
        t.mm.write_obj(a[5], &0i32)?;
    }
    Ok(recv_ret(end(&f)?, &r, flags))
}

/// Parse sendmsg control data: the files of SCM_RIGHTS messages.
fn parse_control(t: &Task, ctl: &[u8]) -> Result<Option<Rights>, Errno> {
    let mut rights: Option<Rights> = None;
    let mut off = 0usize;
    while off + CMSG_HDR <= ctl.len() {
        let h = Cmsghdr::from_bytes(&ctl[off..off + CMSG_HDR]).ok_or(Errno::EINVAL)?;
        let len = usize::try_from(h.cmsg_len).map_err(|_| Errno::EINVAL)?;
        if len < CMSG_HDR || len > ctl.len() - off {
            return Err(Errno::EINVAL);
        }
        let data = &ctl[off + CMSG_HDR..off + len];
        if h.cmsg_level == SOL_SOCKET {
            match h.cmsg_type {
                SCM_RIGHTS => {
                    let r = rights.get_or_insert_with(Vec::new);
                    let n = data.len() / 4;
                    if r.len() + n > SCM_MAX_FD {
                        return Err(Errno::EINVAL);
                    }
                    for c in data.chunks_exact(4) {
                        let fd = i32::from_le_bytes([c[0], c[1], c[2], c[3]]);
                        r.push(t.fds.get(fd)?);
                    }
                }
                SCM_CREDENTIALS => {
                    let c = Ucred::from_bytes(data.get(..12).ok_or(Errno::EINVAL)?)
                        .ok_or(Errno::EINVAL)?;
                    let cr = &t.creds;
                    if c.pid != t.tgid
                        || ![cr.ruid, cr.euid, cr.suid].contains(&c.uid)
                        || ![cr.rgid, cr.egid, cr.sgid].contains(&c.gid)
                    {
                        return Err(Errno::EPERM);
                    }
                }
                _ => return Err(Errno::EINVAL),
            }
        }
        off += (len + 7) & !7;
    }
    Ok(rights)
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
    if m.msg_controllen > i32::MAX as u64 {
        return Err(Errno::ENOBUFS);
    }
    if m.msg_controllen > OPTMEM_MAX {
        return Err(Errno::ENOBUFS);
    }
    let namelen = if m.msg_name == 0 {
        0
    } else {
        u64::from(m.msg_namelen).min(SOCKADDR_MAX)
    };
    check_dest(end(f)?, m.msg_name, namelen)?;
    let rights = if m.msg_controllen > 0 {
        let mut ctl = vec![0u8; m.msg_controllen as usize];
        t.mm.copy_in(m.msg_control, &mut ctl)?;
        parse_control(t, &ctl)?
    } else {
        None
    };
    do_send(t, f, &segs, rights, flags)
}

fn sys_recvmsg(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let f = sock(t, a[0])?;
    recvmsg_one(t, &f, a[1], a[2] as u32)
}

fn recvmsg_one(t: &Task, f: &File, hdr: u64, flags: u32) -> SysResult {
    let (m, segs) = read_msghdr(t, hdr)?;
    let r = do_recv(t, f, &segs, flags)?;
    let ret = recv_ret(end(f)?, &r, flags);
    let mut mflags = flags & MSG_CMSG_CLOEXEC;
    if r.len > r.n {
        mflags |= MSG_TRUNC;
    }
    let mut used = 0u64;
    if let Some(files) = r.rights {
        let space = m.msg_controllen as usize;
        if space < CMSG_HDR {
            mflags |= MSG_CTRUNC;
        } else {
            let fit = ((space - CMSG_HDR) / 4).min(files.len());
            if fit < files.len() {
                mflags |= MSG_CTRUNC;
            }
            let cloexec = flags & MSG_CMSG_CLOEXEC != 0;
            let mut fds = Vec::with_capacity(fit);
            for file in files.into_iter().take(fit) {
                match t.fds.install(file, cloexec, 0, nofile(t)) {
                    Ok(fd) => fds.push(fd),
                    Err(_) => {
                        mflags |= MSG_CTRUNC;
                        break;
                    }
                }
            }
            let len = CMSG_HDR + 4 * fds.len();
            let h = Cmsghdr {
                cmsg_len: len as u64,
                cmsg_level: SOL_SOCKET,
                cmsg_type: SCM_RIGHTS,
            };
            let mut out = h.as_bytes().to_vec();
            for fd in &fds {
                out.extend_from_slice(&fd.to_le_bytes());
            }
            let copied = t.mm.copy_out(m.msg_control, &out);
            if let Err(e) = copied {
                for fd in fds {
                    let _ = t.fds.remove(fd);
                }
                return Err(e);
            }
            used = (((len + 7) & !7).min(space)) as u64;
        }
    }
    // struct msghdr: msg_namelen at 8, msg_controllen at 40, msg_flags at 48.
    if m.msg_name != 0 {
        t.mm.write_obj(hdr + 8, &0u32)?;
    }
    t.mm.write_obj(hdr + 40, &used)?;
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
        let d = std::time::Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32);
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
    let how = a[1] as i32;
    let mode = match how {
        SHUT_RD => RCV_SHUTDOWN,
        SHUT_WR => SEND_SHUTDOWN,
        SHUT_RDWR => RCV_SHUTDOWN | SEND_SHUTDOWN,
        _ => return Err(Errno::EINVAL),
    };
    end(&f)?.shutdown(mode);
    Ok(0)
}

/// Write an unnamed AF_UNIX address (just the family) as move_addr_to_user.
fn put_unnamed(t: &Task, addr: u64, lenp: u64) -> SysResult {
    let len: i32 = t.mm.read_obj(lenp)?;
    if len < 0 {
        return Err(Errno::EINVAL);
    }
    let fam = (AF_UNIX as u16).to_le_bytes();
    let n = (len as usize).min(2);
    if n > 0 {
        t.mm.copy_out(addr, &fam[..n])?;
    }
    t.mm.write_obj(lenp, &2i32)?;
    Ok(0)
}

fn sys_getsockname(t: &mut Task, a: &[u64; 6]) -> SysResult {
    sock(t, a[0])?;
    put_unnamed(t, a[1], a[2])
}

fn sys_getpeername(t: &mut Task, a: &[u64; 6]) -> SysResult {
    sock(t, a[0])?;
    put_unnamed(t, a[1], a[2])
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

fn sys_getsockopt(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let f = sock(t, a[0])?;
    let e = end(&f)?;
    let (level, name, val, lenp) = (a[1] as i32, a[2] as i32, a[3], a[4]);
    if level != SOL_SOCKET {
        return Err(Errno::EOPNOTSUPP);
    }
    let len: i32 = t.mm.read_obj(lenp)?;
    if len < 0 {
        return Err(Errno::EINVAL);
    }
    let (snd, rcv, passcred) = e.bufs();
    let v: i32 = match name {
        SO_TYPE => e.kind(),
        SO_DOMAIN => AF_UNIX,
        SO_PROTOCOL => 0,
        SO_ERROR => e.take_error(),
        SO_SNDBUF => snd as i32,
        SO_RCVBUF => rcv as i32,
        SO_PASSCRED => i32::from(passcred),
        SO_ACCEPTCONN => 0,
        SO_PEERCRED => {
            let c = e.peer_cred();
            let n = (len as usize).min(std::mem::size_of::<Ucred>());
            t.mm.copy_out(val, &c.as_bytes()[..n])?;
            t.mm.write_obj(lenp, &(n as i32))?;
            return Ok(0);
        }
        _ => match plain_default(name) {
            Some(d) => e.opt(name, d),
            None => return Err(Errno::ENOPROTOOPT),
        },
    };
    let n = (len as usize).min(4);
    t.mm.copy_out(val, &v.to_le_bytes()[..n])?;
    t.mm.write_obj(lenp, &(n as i32))?;
    Ok(0)
}

fn sys_setsockopt(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let f = sock(t, a[0])?;
    let e = end(&f)?;
    let (level, name, val, len) = (a[1] as i32, a[2] as i32, a[3], a[4] as i32);
    if level != SOL_SOCKET {
        return Err(Errno::EOPNOTSUPP);
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
            e.set_sndbuf((v * 2).max(unix::SOCK_MIN_SNDBUF));
        }
        SO_RCVBUF => {
            let v = (v as u32 as usize).min(rmax);
            e.set_rcvbuf((v * 2).max(unix::SOCK_MIN_RCVBUF));
        }
        SO_PASSCRED => e.set_passcred(v != 0),
        SO_RCVLOWAT => e.set_opt(name, v.max(1)),
        _ => e.set_opt(name, i32::from(v != 0)),
    }
    Ok(0)
}

fn sys_bind(t: &mut Task, a: &[u64; 6]) -> SysResult {
    sock(t, a[0])?;
    validate_addr(t, a[1], a[2])?;
    Err(Errno::EOPNOTSUPP)
}

/// Linux's unix_validate_addr: a family and at least one byte of path,
/// within `struct sockaddr_un`.
fn validate_addr(t: &Task, addr: u64, len: u64) -> Result<(), Errno> {
    const SOCKADDR_UN: u64 = 2 + UNIX_PATH_MAX as u64;
    if len as i32 <= 2 || len > SOCKADDR_UN {
        return Err(Errno::EINVAL);
    }
    let fam: u16 = t.mm.read_obj(addr)?;
    if i32::from(fam) != AF_UNIX {
        return Err(Errno::EINVAL);
    }
    Ok(())
}

fn sys_connect(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let f = sock(t, a[0])?;
    validate_addr(t, a[1], a[2])?;
    match end(&f)?.kind() {
        SOCK_DGRAM => Err(Errno::EOPNOTSUPP),
        _ => Err(Errno::EISCONN),
    }
}

fn listen_or_accept(t: &Task, fd: u64) -> SysResult {
    let f = sock(t, fd)?;
    match end(&f)?.kind() {
        SOCK_DGRAM => Err(Errno::EOPNOTSUPP),
        _ => Err(Errno::EINVAL),
    }
}

fn sys_listen(t: &mut Task, a: &[u64; 6]) -> SysResult {
    listen_or_accept(t, a[0])
}

fn sys_accept(t: &mut Task, a: &[u64; 6]) -> SysResult {
    listen_or_accept(t, a[0])
}

fn sys_accept4(t: &mut Task, a: &[u64; 6]) -> SysResult {
    if a[3] as i32 & !(SOCK_NONBLOCK | SOCK_CLOEXEC) != 0 {
        return Err(Errno::EINVAL);
    }
    listen_or_accept(t, a[0])
}
