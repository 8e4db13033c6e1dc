//! Syscall handlers: extended attributes (`{,l,f}{get,set,list,remove}xattr`).
//!
//! The checks of Linux's `fs/xattr.c` (`xattr_permission`): `user.*` only on regular files
//! and directories (reads of other kinds find nothing, writes are EPERM), with the file's
//! read or write permission and the sticky-directory rule; `trusted.*` only for root
//! (others read nothing and may not write, and do not see the names); other namespaces
//! (`security.*`, `system.*`) are not supported. The file system stores them: gofer mounts
//! on the host file (through the gofer), tmpfs in memory.

use super::file::{fd_arg, get_raw};
use super::{Support, SysResult, Table};
use crate::kernel::task::Task;
use crate::vfs::resolve::lookup_at;
use crate::vfs::{check_access, Dentry, Ids, MAY_READ, MAY_WRITE};
use std::sync::Arc;
use syscalls::consts::{AT_FDCWD, S_IFDIR, S_IFMT, S_IFREG, S_ISVTX};
use syscalls::nr;
use syscalls::Errno;

/// Linux's `XATTR_SIZE_MAX`.
const XATTR_SIZE_MAX: u64 = 65536;
/// Linux's `XATTR_NAME_MAX`.
const XATTR_NAME_MAX: usize = 255;
const XATTR_CREATE: i32 = 1;
const XATTR_REPLACE: i32 = 2;

pub fn register(t: &mut Table) {
    let note = "user.* and trusted.* (root only) on gofer files (stored on the host) and tmpfs; \
                other namespaces EOPNOTSUPP; values up to 60 KiB on gofer files";
    for n in [nr::GETXATTR, nr::LGETXATTR, nr::FGETXATTR] {
        t.set(n, sys_getxattr_any(n), Support::Partial(note));
    }
    for n in [nr::SETXATTR, nr::LSETXATTR, nr::FSETXATTR] {
        t.set(n, sys_setxattr_any(n), Support::Partial(note));
    }
    for n in [nr::LISTXATTR, nr::LLISTXATTR, nr::FLISTXATTR] {
        t.set(n, sys_listxattr_any(n), Support::Partial(note));
    }
    for n in [nr::REMOVEXATTR, nr::LREMOVEXATTR, nr::FREMOVEXATTR] {
        t.set(n, sys_removexattr_any(n), Support::Partial(note));
    }
}

type Handler = fn(&mut Task, &[u64; 6]) -> SysResult;

fn sys_getxattr_any(n: usize) -> Handler {
    match n {
        nr::GETXATTR => |t, a| getxattr(t, Target::Path(a[0], true), a),
        nr::LGETXATTR => |t, a| getxattr(t, Target::Path(a[0], false), a),
        _ => |t, a| getxattr(t, Target::Fd(a[0]), a),
    }
}

fn sys_setxattr_any(n: usize) -> Handler {
    match n {
        nr::SETXATTR => |t, a| setxattr(t, Target::Path(a[0], true), a),
        nr::LSETXATTR => |t, a| setxattr(t, Target::Path(a[0], false), a),
        _ => |t, a| setxattr(t, Target::Fd(a[0]), a),
    }
}

fn sys_listxattr_any(n: usize) -> Handler {
    match n {
        nr::LISTXATTR => |t, a| listxattr(t, Target::Path(a[0], true), a),
        nr::LLISTXATTR => |t, a| listxattr(t, Target::Path(a[0], false), a),
        _ => |t, a| listxattr(t, Target::Fd(a[0]), a),
    }
}

fn sys_removexattr_any(n: usize) -> Handler {
    match n {
        nr::REMOVEXATTR => |t, a| removexattr(t, Target::Path(a[0], true), a),
        nr::LREMOVEXATTR => |t, a| removexattr(t, Target::Path(a[0], false), a),
        _ => |t, a| removexattr(t, Target::Fd(a[0]), a),
    }
}

/// What a call names: a path (following a final symlink or not) or an fd.
#[derive(Clone, Copy)]
enum Target {
    Path(u64, bool),
    Fd(u64),
}

fn resolve(t: &Task, target: Target) -> Result<Arc<Dentry>, Errno> {
    match target {
        Target::Path(addr, follow) => {
            let path = t.read_path(addr)?;
            lookup_at(t, AT_FDCWD, &path, follow)
        }
        Target::Fd(fd) => {
            let f = get_raw(t, fd_arg(fd))?;
            if f.is_path() {
                return Err(Errno::EBADF);
            }
            f.dentry.clone().ok_or(Errno::EOPNOTSUPP)
        }
    }
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Ns {
    User,
    Trusted,
}

/// The attribute name at `addr`: ERANGE when empty or too long, EOPNOTSUPP outside the
/// supported namespaces.
fn read_name(t: &Task, addr: u64) -> Result<(Vec<u8>, Ns), Errno> {
    let name = match t.mm.read_cstr(addr, XATTR_NAME_MAX + 1) {
        Err(Errno::ENAMETOOLONG) => return Err(Errno::ERANGE),
        r => r?,
    };
    if name.is_empty() {
        return Err(Errno::ERANGE);
    }
    let ns = if name.starts_with(b"user.") {
        Ns::User
    } else if name.starts_with(b"trusted.") {
        Ns::Trusted
    } else {
        return Err(Errno::EOPNOTSUPP);
    };
    Ok((name, ns))
}

/// `xattr_permission`: `write` is MAY_WRITE (set/remove), else MAY_READ.
fn permitted(t: &Task, d: &Dentry, ns: Ns, write: bool) -> Result<(), Errno> {
    let inode = d.inode_ref();
    let root = t.creds.fsuid == 0;
    let denied = if write { Errno::EPERM } else { Errno::ENODATA };
    match ns {
        Ns::Trusted => {
            if !root {
                return Err(denied);
            }
        }
        Ns::User => {
            let ty = inode.mode() & S_IFMT;
            if ty != S_IFREG && ty != S_IFDIR {
                return Err(denied);
            }
            if write
                && ty == S_IFDIR
                && inode.mode() & S_ISVTX != 0
                && !root
                && inode.owner().0 != t.creds.fsuid
            {
                return Err(Errno::EPERM);
            }
        }
    }
    if write && inode.readonly() {
        return Err(Errno::EROFS);
    }
    let mask = if write { MAY_WRITE } else { MAY_READ };
    check_access(inode, &t.creds, mask, Ids::Fs)
}

/// Copy `data` to the user buffer `(buf, size)` with the size-query rules of Linux.
fn out(t: &Task, data: &[u8], buf: u64, size: u64) -> SysResult {
    if size == 0 {
        return Ok(data.len() as u64);
    }
    if (data.len() as u64) > size.min(XATTR_SIZE_MAX) {
        return Err(if data.len() as u64 > XATTR_SIZE_MAX {
            Errno::E2BIG
        } else {
            Errno::ERANGE
        });
    }
    t.mm.copy_out(buf, data)?;
    Ok(data.len() as u64)
}

fn getxattr(t: &mut Task, target: Target, a: &[u64; 6]) -> SysResult {
    let (name, ns) = read_name(t, a[1])?;
    let d = resolve(t, target)?;
    permitted(t, &d, ns, false)?;
    let v = d.inode_ref().getxattr(&name)?;
    out(t, &v, a[2], a[3])
}

fn setxattr(t: &mut Task, target: Target, a: &[u64; 6]) -> SysResult {
    let (size, flags) = (a[3], a[4] as i32);
    if flags & !(XATTR_CREATE | XATTR_REPLACE) != 0 {
        return Err(Errno::EINVAL);
    }
    let (name, ns) = read_name(t, a[1])?;
    if size > XATTR_SIZE_MAX {
        return Err(Errno::E2BIG);
    }
    let value = t.mm.read_bytes(a[2], size as usize)?;
    let d = resolve(t, target)?;
    permitted(t, &d, ns, true)?;
    d.inode_ref().setxattr(&name, &value, flags).map(|_| 0)
}

fn listxattr(t: &mut Task, target: Target, a: &[u64; 6]) -> SysResult {
    let d = resolve(t, target)?;
    let all = d.inode_ref().listxattr()?;
    let root = t.creds.fsuid == 0;
    // Names of trusted.* are shown to root only.
    let mut list = Vec::with_capacity(all.len());
    for n in all.split_inclusive(|b| *b == 0) {
        if root || !n.starts_with(b"trusted.") {
            list.extend_from_slice(n);
        }
    }
    out(t, &list, a[1], a[2])
}

fn removexattr(t: &mut Task, target: Target, a: &[u64; 6]) -> SysResult {
    let (name, ns) = read_name(t, a[1])?;
    let d = resolve(t, target)?;
    permitted(t, &d, ns, true)?;
    d.inode_ref().removexattr(&name).map(|_| 0)
}
