//! Rendering of each [`ArgKind`]. Nothing here may panic on any input: lengths are
//! capped before reading, address arithmetic is checked, and whatever the reader
//! returns (too little, too much, nothing) is accepted.

use super::{flags, ArgKind, MemReader, Phase, MAX_BUF, MAX_ELEMS, MAX_STR};
use crate::abi;
use crate::consts::*;
use crate::pod::Pod;

const PAGE: u64 = 4096;

/// Read exactly `len` bytes or nothing.
fn read_exact(mem: &dyn MemReader, addr: u64, len: usize) -> Option<Vec<u8>> {
    if addr == 0 || addr.checked_add(len as u64).is_none() {
        return None;
    }
    if len == 0 {
        return Some(Vec::new());
    }
    let mut v = mem.read(addr, len)?;
    if v.len() < len {
        return None;
    }
    v.truncate(len);
    Some(v)
}

/// Read up to `len` bytes; a shorter result is accepted.
fn read_some(mem: &dyn MemReader, addr: u64, len: usize) -> Option<Vec<u8>> {
    if addr == 0 {
        return None;
    }
    let len = len.min((u64::MAX - addr) as usize);
    let mut v = mem.read(addr, len)?;
    v.truncate(len);
    Some(v)
}

fn read_pod<T: Pod>(mem: &dyn MemReader, addr: u64) -> Option<T> {
    T::from_bytes(&read_exact(mem, addr, std::mem::size_of::<T>())?)
}

/// Read a NUL-terminated string of at most `max` bytes, page by page so a string
/// ending just before an unmapped page is still read. Returns the bytes and
/// whether it was cut at `max`.
fn read_cstr(mem: &dyn MemReader, addr: u64, max: usize) -> Option<(Vec<u8>, bool)> {
    if addr == 0 {
        return None;
    }
    let mut out = Vec::new();
    let mut cur = addr;
    while out.len() < max {
        let to_page_end = PAGE - (cur % PAGE);
        let want = ((max - out.len()) as u64).min(to_page_end) as usize;
        let chunk = match read_some(mem, cur, want) {
            Some(c) => c,
            None if out.is_empty() => return None,
            None => return Some((out, false)),
        };
        if let Some(nul) = chunk.iter().position(|&b| b == 0) {
            out.extend_from_slice(&chunk[..nul]);
            return Some((out, false));
        }
        let got = chunk.len();
        out.extend_from_slice(&chunk);
        if got < want {
            return Some((out, false));
        }
        cur = match cur.checked_add(got as u64) {
            Some(c) => c,
            None => return Some((out, false)),
        };
    }
    Some((out, true))
}

/// Escape bytes like strace: printable ASCII as is, `\n \t \r \" \\`, others `\xNN`.
pub(super) fn escape(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() + 2);
    s.push('"');
    for &c in b {
        match c {
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'\r' => s.push_str("\\r"),
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(c as char),
            _ => s.push_str(&format!("\\x{c:02x}")),
        }
    }
    s.push('"');
    s
}

fn ptr(v: u64) -> String {
    if v == 0 {
        "NULL".to_string()
    } else {
        format!("{v:#x}")
    }
}

fn arg_at(args: &[u64; 6], idx: u8) -> u64 {
    args.get(idx as usize).copied().unwrap_or(0)
}

/// A string argument: `"..."`, with `...` if cut; the address if unreadable.
fn path(mem: &dyn MemReader, addr: u64) -> String {
    match read_cstr(mem, addr, MAX_STR) {
        Some((s, cut)) => format!("{}{}", escape(&s), if cut { "..." } else { "" }),
        None => ptr(addr),
    }
}

/// A data buffer of `len` bytes: at most `MAX_BUF` shown.
fn buf(mem: &dyn MemReader, addr: u64, len: u64) -> String {
    let show = len.min(MAX_BUF as u64) as usize;
    match read_exact(mem, addr, show) {
        Some(b) => format!(
            "{}{}",
            escape(&b),
            if len > show as u64 { "..." } else { "" }
        ),
        None => ptr(addr),
    }
}

fn int(v: u64) -> i32 {
    v as u32 as i32
}

fn mode(v: u64) -> String {
    let m = v as u32;
    let ty = m & S_IFMT;
    let perm = m & !S_IFMT;
    let rest = v >> 32;
    let mut s = if ty != 0 {
        format!("{}|{perm:#o}", flags::FILE_TYPE.format_enum(ty as u64))
    } else {
        format!("{perm:#o}")
    };
    if rest != 0 {
        s.push_str(&format!("|{:#x}", rest << 32));
    }
    s
}

fn sigset_str(mask: u64) -> String {
    if mask == u64::MAX {
        return "~[]".to_string();
    }
    let names: Vec<String> = abi::Sigset(mask).iter().map(signal_string).collect();
    format!("[{}]", names.join(" "))
}

fn timespec(t: &abi::Timespec) -> String {
    format!("{{sec={}, nsec={}}}", t.tv_sec, t.tv_nsec)
}

fn timeval(t: &abi::Timeval) -> String {
    format!("{{sec={}, usec={}}}", t.tv_sec, t.tv_usec)
}

fn rlim(v: u64) -> String {
    if v == RLIM_INFINITY {
        "RLIM_INFINITY".to_string()
    } else {
        v.to_string()
    }
}

fn stat(s: &abi::Stat) -> String {
    format!(
        "{{dev={:#x}, ino={}, mode={}, nlink={}, uid={}, gid={}, rdev={:#x}, size={}, blksize={}, blocks={}, atime={}.{:09}, mtime={}.{:09}, ctime={}.{:09}}}",
        s.st_dev, s.st_ino, mode(s.st_mode as u64), s.st_nlink, s.st_uid, s.st_gid, s.st_rdev,
        s.st_size, s.st_blksize, s.st_blocks, s.st_atime, s.st_atime_nsec as u64 % 1_000_000_000,
        s.st_mtime, s.st_mtime_nsec as u64 % 1_000_000_000, s.st_ctime, s.st_ctime_nsec as u64 % 1_000_000_000,
    )
}

fn statx(s: &abi::Statx) -> String {
    format!(
        "{{mask={}, blksize={}, nlink={}, uid={}, gid={}, mode={}, ino={}, size={}, blocks={}, mtime={}.{:09}, dev={}:{}, rdev={}:{}}}",
        flags::STATX_MASK.format(s.stx_mask as u64), s.stx_blksize, s.stx_nlink, s.stx_uid,
        s.stx_gid, mode(s.stx_mode as u64), s.stx_ino, s.stx_size, s.stx_blocks,
        s.stx_mtime.tv_sec, s.stx_mtime.tv_nsec % 1_000_000_000, s.stx_dev_major, s.stx_dev_minor,
        s.stx_rdev_major, s.stx_rdev_minor,
    )
}

fn statfs(s: &abi::Statfs) -> String {
    format!(
        "{{type={:#x}, bsize={}, blocks={}, bfree={}, bavail={}, files={}, ffree={}, namelen={}, frsize={}, flags={:#x}}}",
        s.f_type, s.f_bsize, s.f_blocks, s.f_bfree, s.f_bavail, s.f_files, s.f_ffree,
        s.f_namelen, s.f_frsize, s.f_flags,
    )
}

fn sigaction(a: &abi::KernelSigaction) -> String {
    let handler = match a.handler {
        SIG_DFL => "SIG_DFL".to_string(),
        SIG_IGN => "SIG_IGN".to_string(),
        h => format!("{h:#x}"),
    };
    format!(
        "{{handler={handler}, flags={}, restorer={}, mask={}}}",
        flags::SA.format(a.flags),
        ptr(a.restorer),
        sigset_str(a.mask)
    )
}

fn sockaddr(b: &[u8]) -> String {
    let family = match b.get(..2) {
        Some(f) => u16::from_le_bytes([f[0], f[1]]),
        None => return format!("{{len={}}}", b.len()),
    };
    let body = &b[2..];
    match family as i32 {
        AF_UNIX => {
            if body.is_empty() {
                "{family=AF_UNIX}".to_string()
            } else if body[0] == 0 {
                format!("{{family=AF_UNIX, path=@{}}}", escape(&body[1..]))
            } else {
                let end = body.iter().position(|&c| c == 0).unwrap_or(body.len());
                format!("{{family=AF_UNIX, path={}}}", escape(&body[..end]))
            }
        }
        AF_INET if b.len() >= 8 => {
            let port = u16::from_be_bytes([b[2], b[3]]);
            let ip = std::net::Ipv4Addr::new(b[4], b[5], b[6], b[7]);
            format!("{{family=AF_INET, addr={ip}, port={port}}}")
        }
        AF_INET6 if b.len() >= 24 => {
            let port = u16::from_be_bytes([b[2], b[3]]);
            let mut a = [0u8; 16];
            a.copy_from_slice(&b[8..24]);
            let ip = std::net::Ipv6Addr::from(a);
            format!("{{family=AF_INET6, addr={ip}, port={port}}}")
        }
        _ => format!(
            "{{family={}, len={}}}",
            flags::ADDRESS_FAMILY.format_enum(family as u64),
            b.len()
        ),
    }
}

fn sockaddr_at(mem: &dyn MemReader, addr: u64, len: u64) -> String {
    let len = len.min(128) as usize;
    match read_exact(mem, addr, len) {
        Some(b) if len > 0 => sockaddr(&b),
        _ => ptr(addr),
    }
}

fn iovecs(mem: &dyn MemReader, addr: u64, count: u64, mut data_budget: Option<u64>) -> String {
    let n = count.min(MAX_ELEMS as u64) as usize;
    let size = std::mem::size_of::<abi::Iovec>();
    let raw = match read_exact(mem, addr, n * size) {
        Some(r) => r,
        None => return ptr(addr),
    };
    let mut parts = Vec::new();
    for v in crate::pod::slice_from_bytes::<abi::Iovec>(&raw) {
        let shown = match data_budget.as_mut() {
            Some(budget) => {
                let len = v.iov_len.min(*budget);
                *budget -= len;
                len
            }
            None => v.iov_len,
        };
        parts.push(format!(
            "{{base={}, len={}, {}}}",
            ptr(v.iov_base),
            v.iov_len,
            buf(mem, v.iov_base, shown)
        ));
    }
    if count > n as u64 {
        parts.push("...".to_string());
    }
    format!("[{}]", parts.join(", "))
}

fn pollfds(mem: &dyn MemReader, addr: u64, count: u64, exit: bool) -> String {
    let n = count.min(MAX_ELEMS as u64) as usize;
    let raw = match read_exact(mem, addr, n * std::mem::size_of::<abi::Pollfd>()) {
        Some(r) => r,
        None => return ptr(addr),
    };
    let mut parts: Vec<String> = crate::pod::slice_from_bytes::<abi::Pollfd>(&raw)
        .iter()
        .map(|p| {
            let ev = flags::POLL_EVENTS.format(p.events as u16 as u64);
            if exit {
                let rev = flags::POLL_EVENTS.format(p.revents as u16 as u64);
                format!("{{fd={}, events={ev}, revents={rev}}}", p.fd)
            } else {
                format!("{{fd={}, events={ev}}}", p.fd)
            }
        })
        .collect();
    if count > n as u64 {
        parts.push("...".to_string());
    }
    format!("[{}]", parts.join(", "))
}

fn epoll_event(e: &abi::EpollEvent) -> String {
    let (events, data) = (e.events, e.data);
    format!(
        "{{events={}, data={data:#x}}}",
        flags::EPOLL_EVENTS.format(events as u64)
    )
}

fn epoll_events(mem: &dyn MemReader, addr: u64, count: u64) -> String {
    let n = count.min(MAX_ELEMS as u64) as usize;
    let raw = match read_exact(mem, addr, n * std::mem::size_of::<abi::EpollEvent>()) {
        Some(r) => r,
        None => return ptr(addr),
    };
    let mut parts: Vec<String> = crate::pod::slice_from_bytes::<abi::EpollEvent>(&raw)
        .iter()
        .map(epoll_event)
        .collect();
    if count > n as u64 {
        parts.push("...".to_string());
    }
    format!("[{}]", parts.join(", "))
}

fn argv(mem: &dyn MemReader, addr: u64) -> String {
    if addr == 0 {
        return "NULL".to_string();
    }
    let mut parts = Vec::new();
    for i in 0..=MAX_ELEMS as u64 {
        let p = match i.checked_mul(8).and_then(|o| addr.checked_add(o)) {
            Some(a) => read_pod::<u64>(mem, a),
            None => None,
        };
        match p {
            None if i == 0 => return ptr(addr),
            None => {
                parts.push("...".to_string());
                break;
            }
            Some(0) => break,
            Some(_) if i == MAX_ELEMS as u64 => {
                parts.push("...".to_string());
                break;
            }
            Some(s) => parts.push(path(mem, s)),
        }
    }
    format!("[{}]", parts.join(", "))
}

fn wait_status(s: i32) -> String {
    let sig = s & 0x7f;
    if sig == 0 {
        format!("{{exited={}}}", (s >> 8) & 0xff)
    } else if s & 0xff == 0x7f {
        let event = (s >> 16) & 0xff;
        let stop = signal_string((s >> 8) & 0xff);
        if event != 0 {
            format!("{{stopped={stop}, event={event}}}")
        } else {
            format!("{{stopped={stop}}}")
        }
    } else if s == 0xffff {
        "{continued}".to_string()
    } else {
        let core = if s & 0x80 != 0 { ", core dumped" } else { "" };
        format!("{{signaled={}{core}}}", signal_string(sig))
    }
}

fn utsname(u: &abi::Utsname) -> String {
    let f = |x: &[u8; 65]| escape(abi::Utsname::field_bytes(x));
    format!(
        "{{sysname={}, nodename={}, release={}, version={}, machine={}, domainname={}}}",
        f(&u.sysname),
        f(&u.nodename),
        f(&u.release),
        f(&u.version),
        f(&u.machine),
        f(&u.domainname)
    )
}

fn clone_flags(v: u64) -> String {
    let sig = (v & CSIGNAL) as i32;
    let rest = v & !CSIGNAL;
    match (rest, sig) {
        (0, 0) => "0".to_string(),
        (0, s) => signal_string(s),
        (r, 0) => flags::CLONE.format(r),
        (r, s) => format!("{}|{}", flags::CLONE.format(r), signal_string(s)),
    }
}

fn clone_args(a: &abi::CloneArgs) -> String {
    format!(
        "{{flags={}, pidfd={}, child_tid={}, parent_tid={}, exit_signal={}, stack={}, stack_size={:#x}, tls={}}}",
        flags::CLONE.format(a.flags), ptr(a.pidfd), ptr(a.child_tid), ptr(a.parent_tid),
        signal_string(a.exit_signal as i32), ptr(a.stack), a.stack_size, ptr(a.tls),
    )
}

/// Decode a pointed-to struct with `f`, or print the address.
fn with<T: Pod>(mem: &dyn MemReader, addr: u64, f: impl Fn(&T) -> String) -> String {
    match read_pod::<T>(mem, addr) {
        Some(v) => f(&v),
        None => ptr(addr),
    }
}

/// Format argument `i` of kind `kind`.
pub(super) fn arg(
    kind: ArgKind,
    args: &[u64; 6],
    i: usize,
    phase: Phase,
    mem: &dyn MemReader,
) -> String {
    let v = args.get(i).copied().unwrap_or(0);
    let ok = phase.ok_ret();
    let exit = matches!(phase, Phase::Exit(_));
    use ArgKind as K;
    match kind {
        K::Int | K::Fd => int(v).to_string(),
        K::Uint => v.to_string(),
        K::Long => (v as i64).to_string(),
        K::Hex => format!("{v:#x}"),
        K::Ptr => ptr(v),
        K::AtFd => {
            if int(v) == AT_FDCWD {
                "AT_FDCWD".to_string()
            } else {
                int(v).to_string()
            }
        }
        K::Path => path(mem, v),
        K::InBuf { len } => buf(mem, v, arg_at(args, len)),
        K::OutBuf { len } => match ok {
            Some(r) => buf(mem, v, r.min(arg_at(args, len))),
            None => ptr(v),
        },
        K::Iovec { count } => iovecs(mem, v, arg_at(args, count), None),
        K::OutIovec { count } => match ok {
            Some(r) => iovecs(mem, v, arg_at(args, count), Some(r)),
            None => ptr(v),
        },
        K::Flags(fs) => fs.format(v),
        K::Enum(fs) => fs.format_enum(v),
        K::Mode => mode(v),
        K::Signal => signal_string(int(v)),
        K::Sigset => with::<u64>(mem, v, |m| sigset_str(*m)),
        K::Timespec => with(mem, v, timespec),
        K::Timeval => with(mem, v, timeval),
        K::Itimerval => with(mem, v, |t: &abi::Itimerval| {
            format!(
                "{{interval={}, value={}}}",
                timeval(&t.it_interval),
                timeval(&t.it_value)
            )
        }),
        K::Itimerspec => with(mem, v, |t: &abi::Itimerspec| {
            format!(
                "{{interval={}, value={}}}",
                timespec(&t.it_interval),
                timespec(&t.it_value)
            )
        }),
        K::Rlimit => with(mem, v, |r: &abi::Rlimit| {
            format!("{{cur={}, max={}}}", rlim(r.rlim_cur), rlim(r.rlim_max))
        }),
        K::Sigaction => with(mem, v, sigaction),
        K::SockAddr { len } => sockaddr_at(mem, v, arg_at(args, len)),
        K::Pollfds { count } => pollfds(mem, v, arg_at(args, count), exit),
        K::Argv => argv(mem, v),
        K::CloneFlags => clone_flags(v),
        K::EpollEvent => with(mem, v, epoll_event),
        K::CloneArgs => with(mem, v, clone_args),
        // Output structures: decoded only after a successful call.
        _ if ok.is_none() => ptr(v),
        K::OutSigset => with::<u64>(mem, v, |m| sigset_str(*m)),
        K::Stat => with(mem, v, stat),
        K::Statx => with(mem, v, statx),
        K::Statfs => with(mem, v, statfs),
        K::OutTimespec => with(mem, v, timespec),
        K::OutTimeval => with(mem, v, timeval),
        K::OutItimerval => with(mem, v, |t: &abi::Itimerval| {
            format!(
                "{{interval={}, value={}}}",
                timeval(&t.it_interval),
                timeval(&t.it_value)
            )
        }),
        K::OutItimerspec => with(mem, v, |t: &abi::Itimerspec| {
            format!(
                "{{interval={}, value={}}}",
                timespec(&t.it_interval),
                timespec(&t.it_value)
            )
        }),
        K::OutRlimit => with(mem, v, |r: &abi::Rlimit| {
            format!("{{cur={}, max={}}}", rlim(r.rlim_cur), rlim(r.rlim_max))
        }),
        K::OutSigaction => with(mem, v, sigaction),
        K::OutSockAddr { len } => {
            let len_ptr = arg_at(args, len);
            match read_pod::<u32>(mem, len_ptr) {
                Some(l) => sockaddr_at(mem, v, l as u64),
                None => ptr(v),
            }
        }
        K::PipeFds => with(mem, v, |p: &[i32; 2]| format!("[{}, {}]", p[0], p[1])),
        K::WaitStatus => with(mem, v, |s: &i32| wait_status(*s)),
        K::Utsname => with(mem, v, utsname),
        K::OutEpollEvents => epoll_events(mem, v, ok.unwrap_or(0)),
    }
}
