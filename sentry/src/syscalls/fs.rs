//! Syscall handlers: fs family (stat, statx, access, readlink, cwd, statfs,
//! the namespace-changing calls, sync).

use super::file::{fd_arg, get_io, get_raw};
use super::{Support, SysResult, Table};
use crate::kernel::task::Task;
use crate::vfs::resolve::{self, lookup_at, lookup_at_empty, walker, At, Last};
use crate::vfs::{check_access, check_perm, major, minor, Dentry, File, Ids, MAY_EXEC, MAY_WRITE};
use std::sync::Arc;
use syscalls::abi::{Stat, Statfs, Statx, StatxTimestamp, Timespec};
use syscalls::consts::*;
use syscalls::nr;
use syscalls::{Errno, Pod};

pub fn register(t: &mut Table) {
    let full = Support::Full;
    t.set(nr::STAT, sys_stat, full);
    t.set(nr::LSTAT, sys_lstat, full);
    t.set(nr::FSTAT, sys_fstat, full);
    t.set(nr::NEWFSTATAT, sys_newfstatat, full);
    t.set(
        nr::STATX,
        sys_statx,
        Support::Partial("basic stats, btime and a mount id; no stx_attributes"),
    );
    t.set(nr::ACCESS, sys_access, full);
    t.set(nr::FACCESSAT, sys_faccessat, full);
    t.set(nr::FACCESSAT2, sys_faccessat2, full);
    t.set(nr::READLINK, sys_readlink, full);
    t.set(nr::READLINKAT, sys_readlinkat, full);
    t.set(nr::GETCWD, sys_getcwd, full);
    t.set(nr::CHDIR, sys_chdir, full);
    t.set(nr::FCHDIR, sys_fchdir, full);
    t.set(nr::STATFS, sys_statfs, full);
    t.set(nr::FSTATFS, sys_fstatfs, full);
    let ro = Support::Partial("argument and path checks, then EROFS: no writable file system yet");
    for (n, h) in [
        (nr::MKDIR, sys_mkdir as super::Handler),
        (nr::MKDIRAT, sys_mkdirat),
        (nr::MKNOD, sys_mknod),
        (nr::MKNODAT, sys_mknodat),
        (nr::SYMLINK, sys_symlink),
        (nr::SYMLINKAT, sys_symlinkat),
        (nr::LINK, sys_link),
        (nr::LINKAT, sys_linkat),
        (nr::UNLINK, sys_unlink),
        (nr::UNLINKAT, sys_unlinkat),
        (nr::RMDIR, sys_rmdir),
        (nr::RENAME, sys_rename),
        (nr::RENAMEAT, sys_renameat),
        (nr::RENAMEAT2, sys_renameat2),
        (nr::CHMOD, sys_chmod),
        (nr::FCHMOD, sys_fchmod),
        (nr::FCHMODAT, sys_fchmodat),
        (nr::FCHMODAT2, sys_fchmodat2),
        (nr::CHOWN, sys_chown),
        (nr::LCHOWN, sys_lchown),
        (nr::FCHOWN, sys_fchown),
        (nr::FCHOWNAT, sys_fchownat),
        (nr::TRUNCATE, sys_truncate),
        (nr::FTRUNCATE, sys_ftruncate),
        (nr::UTIMENSAT, sys_utimensat),
        (nr::UTIMES, sys_utimes),
        (nr::FUTIMESAT, sys_futimesat),
        (nr::UTIME, sys_utime),
    ] {
        t.set(n, h, ro);
    }
    let sync = Support::Partial("nothing is cached for writing: returns 0 after the fd checks");
    t.set(nr::FSYNC, sys_fsync, sync);
    t.set(nr::FDATASYNC, sys_fsync, sync);
    t.set(nr::SYNCFS, sys_fsync, sync);
    t.set(nr::SYNC_FILE_RANGE, sys_sync_file_range, sync);
    t.set(nr::SYNC, sys_sync, sync);
    for n in [
        nr::GETXATTR,
        nr::LGETXATTR,
        nr::FGETXATTR,
        nr::LISTXATTR,
        nr::LLISTXATTR,
        nr::FLISTXATTR,
    ] {
        t.errno(
            n,
            Errno::EOPNOTSUPP,
            "extended attributes are not supported yet",
        );
    }
    for n in [
        nr::SETXATTR,
        nr::LSETXATTR,
        nr::FSETXATTR,
        nr::REMOVEXATTR,
        nr::LREMOVEXATTR,
        nr::FREMOVEXATTR,
    ] {
        t.errno(
            n,
            Errno::EOPNOTSUPP,
            "extended attributes are not supported yet",
        );
    }
}

/// A path argument; with `empty_ok` an empty string is allowed (else ENOENT
/// comes from the walk).
fn path_arg(t: &Task, addr: u64) -> Result<Vec<u8>, Errno> {
    t.read_path(addr)
}

fn stat_of(at: &At) -> Result<Stat, Errno> {
    match at {
        At::Dentry(d) => d.inode_ref().stat(),
        At::File(f) => f.stat(),
    }
}

fn file_stat(f: &File) -> Result<Stat, Errno> {
    f.stat()
}

fn sys_stat(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let path = path_arg(t, a[0])?;
    let st = lookup_at(t, AT_FDCWD, &path, true)?.inode_ref().stat()?;
    t.mm.write_obj(a[1], &st)?;
    Ok(0)
}

fn sys_lstat(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let path = path_arg(t, a[0])?;
    let st = lookup_at(t, AT_FDCWD, &path, false)?.inode_ref().stat()?;
    t.mm.write_obj(a[1], &st)?;
    Ok(0)
}

fn sys_fstat(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let f = get_raw(t, fd_arg(a[0]))?;
    let st = file_stat(&f)?;
    t.mm.write_obj(a[1], &st)?;
    Ok(0)
}

/// The target of a `*at()` call with `flags` (AT_SYMLINK_NOFOLLOW,
/// AT_EMPTY_PATH) on the path at `addr`.
fn at_target(t: &Task, dirfd: i32, addr: u64, flags: u32) -> Result<At, Errno> {
    let empty_ok = flags & AT_EMPTY_PATH != 0;
    let path = if empty_ok && addr == 0 {
        Vec::new()
    } else {
        path_arg(t, addr)?
    };
    lookup_at_empty(t, dirfd, &path, flags & AT_SYMLINK_NOFOLLOW == 0, empty_ok)
}

fn sys_newfstatat(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let flags = a[3] as u32;
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let st = stat_of(&at_target(t, a[0] as i32, a[1], flags)?)?;
    t.mm.write_obj(a[2], &st)?;
    Ok(0)
}

fn ts(sec: i64, nsec: i64) -> StatxTimestamp {
    StatxTimestamp {
        tv_sec: sec,
        tv_nsec: nsec as u32,
        _reserved: 0,
    }
}

/// A statx record from stat fields (and the birth time when known).
pub fn statx_from(st: &Stat, btime: Option<crate::vfs::Btime>) -> Statx {
    let mut x = Statx::zeroed();
    x.stx_mask = STATX_BASIC_STATS | STATX_MNT_ID;
    x.stx_blksize = st.st_blksize as u32;
    x.stx_nlink = st.st_nlink as u32;
    x.stx_uid = st.st_uid;
    x.stx_gid = st.st_gid;
    x.stx_mode = st.st_mode as u16;
    x.stx_ino = st.st_ino;
    x.stx_size = st.st_size as u64;
    x.stx_blocks = st.st_blocks as u64;
    x.stx_atime = ts(st.st_atime, st.st_atime_nsec);
    x.stx_mtime = ts(st.st_mtime, st.st_mtime_nsec);
    x.stx_ctime = ts(st.st_ctime, st.st_ctime_nsec);
    if let Some(b) = btime {
        x.stx_mask |= STATX_BTIME;
        x.stx_btime = ts(b.sec, i64::from(b.nsec));
    }
    x.stx_rdev_major = major(st.st_rdev);
    x.stx_rdev_minor = minor(st.st_rdev);
    x.stx_dev_major = major(st.st_dev);
    x.stx_dev_minor = minor(st.st_dev);
    x.stx_mnt_id = u64::from(minor(st.st_dev)) + 1;
    x
}

fn sys_statx(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (dirfd, flags, mask, buf) = (a[0] as i32, a[2] as u32, a[3] as u32, a[4]);
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE) != 0
        || flags & AT_STATX_SYNC_TYPE == AT_STATX_SYNC_TYPE
        || mask & STATX_RESERVED != 0
    {
        return Err(Errno::EINVAL);
    }
    let at = at_target(t, dirfd, a[1], flags)?;
    let st = stat_of(&at)?;
    let btime = match &at {
        At::Dentry(d) => d.inode_ref().btime(),
        At::File(_) => None,
    };
    let mut x = statx_from(&st, btime);
    // Linux reports only what was asked for (the fields are filled anyway).
    x.stx_mask &= mask;
    t.mm.write_obj(buf, &x)?;
    Ok(0)
}

/// access/faccessat/faccessat2.
fn do_access(t: &Task, dirfd: i32, addr: u64, mode: u32, flags: u32) -> SysResult {
    if mode & !7 != 0 {
        return Err(Errno::EINVAL);
    }
    if flags & !(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let at = at_target(t, dirfd, addr, flags)?;
    if mode == F_OK {
        return Ok(0);
    }
    let ids = if flags & AT_EACCESS != 0 {
        Ids::Fs
    } else {
        Ids::Real
    };
    match at {
        At::Dentry(d) => check_access(d.inode_ref(), &t.creds, mode, ids)?,
        At::File(f) => {
            let st = f.stat()?;
            check_perm(
                st.st_mode,
                (st.st_uid, st.st_gid),
                false,
                &t.creds,
                mode,
                ids,
            )?
        }
    }
    Ok(0)
}

fn sys_access(t: &mut Task, a: &[u64; 6]) -> SysResult {
    do_access(t, AT_FDCWD, a[0], a[1] as u32, 0)
}

fn sys_faccessat(t: &mut Task, a: &[u64; 6]) -> SysResult {
    do_access(t, a[0] as i32, a[1], a[2] as u32, 0)
}

fn sys_faccessat2(t: &mut Task, a: &[u64; 6]) -> SysResult {
    do_access(t, a[0] as i32, a[1], a[2] as u32, a[3] as u32)
}

fn do_readlink(t: &Task, dirfd: i32, addr: u64, buf: u64, size: u64) -> SysResult {
    let size = size as i32;
    if size <= 0 {
        return Err(Errno::EINVAL);
    }
    let path = path_arg(t, addr)?;
    let empty = path.is_empty();
    let d = match lookup_at_empty(t, dirfd, &path, false, true)? {
        At::Dentry(d) if d.is_symlink() => d,
        _ => return Err(if empty { Errno::ENOENT } else { Errno::EINVAL }),
    };
    let target = d.inode_ref().readlink()?;
    let n = target.len().min(size as usize);
    t.mm.copy_out(buf, &target[..n])?;
    Ok(n as u64)
}

fn sys_readlink(t: &mut Task, a: &[u64; 6]) -> SysResult {
    do_readlink(t, AT_FDCWD, a[0], a[1], a[2])
}

fn sys_readlinkat(t: &mut Task, a: &[u64; 6]) -> SysResult {
    do_readlink(t, a[0] as i32, a[1], a[2], a[3])
}

fn sys_getcwd(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (buf, size) = (a[0], a[1]);
    let mut path = Vec::new();
    let (cwd, root) = (t.cwd(), t.root());
    if !cwd.is_under(&root) {
        path.extend_from_slice(b"(unreachable)");
    }
    path.extend_from_slice(&cwd.path(&root));
    path.push(0);
    if path.len() as u64 > size {
        return Err(Errno::ERANGE);
    }
    t.mm.copy_out(buf, &path)?;
    Ok(path.len() as u64)
}

fn set_cwd(t: &mut Task, d: Arc<Dentry>) -> SysResult {
    if !d.is_dir() {
        return Err(Errno::ENOTDIR);
    }
    check_access(d.inode_ref(), &t.creds, MAY_EXEC, Ids::Fs)?;
    t.set_cwd(d);
    Ok(0)
}

fn sys_chdir(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let path = path_arg(t, a[0])?;
    let d = lookup_at(t, AT_FDCWD, &path, true)?;
    set_cwd(t, d)
}

fn sys_fchdir(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let f = get_raw(t, fd_arg(a[0]))?;
    let d = f.dentry.clone().ok_or(Errno::ENOTDIR)?;
    set_cwd(t, d)
}

fn sys_statfs(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let path = path_arg(t, a[0])?;
    let s = lookup_at(t, AT_FDCWD, &path, true)?.inode_ref().statfs()?;
    t.mm.write_obj(a[1], &s)?;
    Ok(0)
}

fn sys_fstatfs(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let f = get_raw(t, fd_arg(a[0]))?;
    let s: Statfs = match &f.dentry {
        Some(d) => d.inode_ref().statfs()?,
        None => f.ops.statfs(&f)?,
    };
    t.mm.write_obj(a[1], &s)?;
    Ok(0)
}

// ---- calls that change the namespace or attributes: EROFS for now ----

/// The parent and last component of a path for creating or removing.
fn parent_of(t: &Task, dirfd: i32, path: &[u8]) -> Result<(Arc<Dentry>, Last), Errno> {
    let start = resolve::start_dir(t, dirfd, path)?;
    walker(t).walk_parent(start, path)
}

/// The error of a change on `d`'s file system (after the checks Linux makes
/// before `mnt_want_write`).
fn change_error(d: &Dentry) -> Errno {
    if d.inode_ref().readonly() {
        Errno::EROFS
    } else {
        // Writable file systems come with the filesystems issue; the
        // synthetic ones cannot be changed.
        Errno::EPERM
    }
}

/// `filename_create`: EEXIST for an existing name (or `.`, `..`, `/`),
/// ENOENT/ENOTDIR from the walk, then the file system's refusal.
fn create_at(t: &Task, dirfd: i32, path: &[u8], dir_ok: bool) -> SysResult {
    let (parent, last) = parent_of(t, dirfd, path)?;
    let (name, trailing) = match last {
        Last::Normal(n, tr) => (n, tr),
        _ => return Err(Errno::EEXIST),
    };
    let w = walker(t);
    match w.child(&parent, &name) {
        Ok(_) => return Err(Errno::EEXIST),
        Err(Errno::ENOENT) => {}
        Err(e) => return Err(e),
    }
    if trailing && !dir_ok {
        return Err(Errno::ENOENT);
    }
    if !parent.inode_ref().readonly() {
        check_access(parent.inode_ref(), &t.creds, MAY_WRITE | MAY_EXEC, Ids::Fs)?;
    }
    Err(change_error(&parent))
}

fn sys_mkdir(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let path = path_arg(t, a[0])?;
    create_at(t, AT_FDCWD, &path, true)
}

fn sys_mkdirat(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let path = path_arg(t, a[1])?;
    create_at(t, a[0] as i32, &path, true)
}

fn mknod_common(t: &Task, dirfd: i32, addr: u64, mode: u32) -> SysResult {
    match mode & S_IFMT {
        0 | S_IFREG | S_IFCHR | S_IFBLK | S_IFIFO | S_IFSOCK => {}
        S_IFDIR => return Err(Errno::EPERM),
        _ => return Err(Errno::EINVAL),
    }
    let path = path_arg(t, addr)?;
    create_at(t, dirfd, &path, false)
}

fn sys_mknod(t: &mut Task, a: &[u64; 6]) -> SysResult {
    mknod_common(t, AT_FDCWD, a[0], a[1] as u32)
}

fn sys_mknodat(t: &mut Task, a: &[u64; 6]) -> SysResult {
    mknod_common(t, a[0] as i32, a[1], a[2] as u32)
}

fn symlink_common(t: &Task, target: u64, dirfd: i32, addr: u64) -> SysResult {
    let target = path_arg(t, target)?;
    let path = path_arg(t, addr)?;
    if target.is_empty() {
        return Err(Errno::ENOENT);
    }
    create_at(t, dirfd, &path, false)
}

fn sys_symlink(t: &mut Task, a: &[u64; 6]) -> SysResult {
    symlink_common(t, a[0], AT_FDCWD, a[1])
}

fn sys_symlinkat(t: &mut Task, a: &[u64; 6]) -> SysResult {
    symlink_common(t, a[0], a[1] as i32, a[2])
}

fn link_common(t: &Task, olddir: i32, old: u64, newdir: i32, new: u64, flags: u32) -> SysResult {
    if flags & !(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let oldpath = path_arg(t, old)?;
    let empty_ok = flags & AT_EMPTY_PATH != 0;
    let src = lookup_at_empty(
        t,
        olddir,
        &oldpath,
        flags & AT_SYMLINK_FOLLOW != 0,
        empty_ok,
    )?;
    if let At::Dentry(d) = &src {
        if d.is_dir() {
            return Err(Errno::EPERM);
        }
    }
    let newpath = path_arg(t, new)?;
    create_at(t, newdir, &newpath, false)
}

fn sys_link(t: &mut Task, a: &[u64; 6]) -> SysResult {
    link_common(t, AT_FDCWD, a[0], AT_FDCWD, a[1], 0)
}

fn sys_linkat(t: &mut Task, a: &[u64; 6]) -> SysResult {
    link_common(t, a[0] as i32, a[1], a[2] as i32, a[3], a[4] as u32)
}

/// unlink/rmdir: checks of the last component's type, then the refusal.
fn remove_at(t: &Task, dirfd: i32, addr: u64, rmdir: bool) -> SysResult {
    let path = path_arg(t, addr)?;
    let (parent, last) = parent_of(t, dirfd, &path)?;
    match (&last, rmdir) {
        (Last::Normal(..), _) => {}
        (_, false) => return Err(Errno::EISDIR),
        (Last::DotDot, true) => return Err(Errno::ENOTEMPTY),
        (Last::Dot, true) => return Err(Errno::EINVAL),
        (Last::Root, true) => return Err(Errno::EBUSY),
    }
    if parent.inode_ref().readonly() {
        return Err(Errno::EROFS);
    }
    let Last::Normal(name, trailing) = last else {
        return Err(Errno::EINVAL);
    };
    let d = walker(t).child(&parent, &name)?;
    if rmdir && !d.is_dir() {
        return Err(Errno::ENOTDIR);
    }
    if !rmdir && (d.is_dir() || trailing) {
        return Err(if d.is_dir() {
            Errno::EISDIR
        } else {
            Errno::ENOTDIR
        });
    }
    Err(change_error(&parent))
}

fn sys_unlink(t: &mut Task, a: &[u64; 6]) -> SysResult {
    remove_at(t, AT_FDCWD, a[0], false)
}

fn sys_rmdir(t: &mut Task, a: &[u64; 6]) -> SysResult {
    remove_at(t, AT_FDCWD, a[0], true)
}

fn sys_unlinkat(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let flags = a[2] as u32;
    if flags & !AT_REMOVEDIR != 0 {
        return Err(Errno::EINVAL);
    }
    remove_at(t, a[0] as i32, a[1], flags & AT_REMOVEDIR != 0)
}

fn rename_common(t: &Task, olddir: i32, old: u64, newdir: i32, new: u64, flags: u32) -> SysResult {
    if flags & !(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT) != 0 {
        return Err(Errno::EINVAL);
    }
    if flags & RENAME_EXCHANGE != 0 && flags & (RENAME_NOREPLACE | RENAME_WHITEOUT) != 0 {
        return Err(Errno::EINVAL);
    }
    let oldpath = path_arg(t, old)?;
    let newpath = path_arg(t, new)?;
    let (op, olast) = parent_of(t, olddir, &oldpath)?;
    let (np, nlast) = parent_of(t, newdir, &newpath)?;
    if !Arc::ptr_eq(&op.fs_root(), &np.fs_root()) {
        return Err(Errno::EXDEV);
    }
    if !matches!(olast, Last::Normal(..)) {
        return Err(Errno::EBUSY);
    }
    if !matches!(nlast, Last::Normal(..)) {
        return Err(if flags & RENAME_NOREPLACE != 0 {
            Errno::EEXIST
        } else {
            Errno::EBUSY
        });
    }
    if op.inode_ref().readonly() {
        return Err(Errno::EROFS);
    }
    if let Last::Normal(name, _) = &olast {
        walker(t).child(&op, name)?;
    }
    Err(change_error(&op))
}

fn sys_rename(t: &mut Task, a: &[u64; 6]) -> SysResult {
    rename_common(t, AT_FDCWD, a[0], AT_FDCWD, a[1], 0)
}

fn sys_renameat(t: &mut Task, a: &[u64; 6]) -> SysResult {
    rename_common(t, a[0] as i32, a[1], a[2] as i32, a[3], 0)
}

fn sys_renameat2(t: &mut Task, a: &[u64; 6]) -> SysResult {
    rename_common(t, a[0] as i32, a[1], a[2] as i32, a[3], a[4] as u32)
}

/// The refusal to change attributes of what `at` names.
fn setattr_error(at: &At) -> Errno {
    match at {
        At::Dentry(d) => change_error(d),
        At::File(_) => Errno::EPERM,
    }
}

fn attr_path(t: &Task, dirfd: i32, addr: u64, flags: u32, valid: u32) -> SysResult {
    if flags & !valid != 0 {
        return Err(Errno::EINVAL);
    }
    let at = at_target(t, dirfd, addr, flags)?;
    Err(setattr_error(&at))
}

fn attr_fd(t: &Task, fd: u64) -> SysResult {
    let f = get_io(t, fd_arg(fd))?;
    Err(match &f.dentry {
        Some(d) => change_error(d),
        None => Errno::EPERM,
    })
}

fn sys_chmod(t: &mut Task, a: &[u64; 6]) -> SysResult {
    attr_path(t, AT_FDCWD, a[0], 0, 0)
}

fn sys_fchmod(t: &mut Task, a: &[u64; 6]) -> SysResult {
    attr_fd(t, a[0])
}

fn sys_fchmodat(t: &mut Task, a: &[u64; 6]) -> SysResult {
    attr_path(t, a[0] as i32, a[1], 0, 0)
}

fn sys_fchmodat2(t: &mut Task, a: &[u64; 6]) -> SysResult {
    attr_path(
        t,
        a[0] as i32,
        a[1],
        a[3] as u32,
        AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH,
    )
}

fn sys_chown(t: &mut Task, a: &[u64; 6]) -> SysResult {
    attr_path(t, AT_FDCWD, a[0], 0, 0)
}

fn sys_lchown(t: &mut Task, a: &[u64; 6]) -> SysResult {
    attr_path(t, AT_FDCWD, a[0], AT_SYMLINK_NOFOLLOW, AT_SYMLINK_NOFOLLOW)
}

fn sys_fchown(t: &mut Task, a: &[u64; 6]) -> SysResult {
    attr_fd(t, a[0])
}

fn sys_fchownat(t: &mut Task, a: &[u64; 6]) -> SysResult {
    attr_path(
        t,
        a[0] as i32,
        a[1],
        a[4] as u32,
        AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH,
    )
}

fn sys_truncate(t: &mut Task, a: &[u64; 6]) -> SysResult {
    if (a[1] as i64) < 0 {
        return Err(Errno::EINVAL);
    }
    let path = path_arg(t, a[0])?;
    let d = lookup_at(t, AT_FDCWD, &path, true)?;
    if d.is_dir() {
        return Err(Errno::EISDIR);
    }
    if !d.inode_ref().is_regular() {
        return Err(Errno::EINVAL);
    }
    Err(change_error(&d))
}

fn sys_ftruncate(t: &mut Task, a: &[u64; 6]) -> SysResult {
    if (a[1] as i64) < 0 {
        return Err(Errno::EINVAL);
    }
    let f = get_io(t, fd_arg(a[0]))?;
    let regular = f.stat()?.st_mode & S_IFMT == S_IFREG;
    if !regular || !f.writable() {
        return Err(Errno::EINVAL);
    }
    Err(match &f.dentry {
        Some(d) => change_error(d),
        None => Errno::EPERM,
    })
}

/// Validate a pair of timespecs for utimensat.
fn check_times(t: &Task, addr: u64) -> Result<(), Errno> {
    if addr == 0 {
        return Ok(());
    }
    let mut raw = [0u8; 32];
    t.mm.copy_in(addr, &mut raw)?;
    for half in raw.chunks_exact(16) {
        let ts = Timespec::from_bytes(half).ok_or(Errno::EFAULT)?;
        if ts.tv_nsec != UTIME_NOW
            && ts.tv_nsec != UTIME_OMIT
            && !(0..1_000_000_000).contains(&ts.tv_nsec)
        {
            return Err(Errno::EINVAL);
        }
    }
    Ok(())
}

fn sys_utimensat(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (dirfd, path, times, flags) = (a[0] as i32, a[1], a[2], a[3] as u32);
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    check_times(t, times)?;
    if path == 0 {
        // futimens: the fd itself.
        if dirfd == AT_FDCWD {
            return Err(Errno::EFAULT);
        }
        return attr_fd(t, dirfd as u32 as u64);
    }
    attr_path(t, dirfd, path, flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)
}

fn sys_utimes(t: &mut Task, a: &[u64; 6]) -> SysResult {
    if a[1] != 0 {
        t.mm.read_bytes(a[1], 32)?;
    }
    attr_path(t, AT_FDCWD, a[0], 0, 0)
}

fn sys_futimesat(t: &mut Task, a: &[u64; 6]) -> SysResult {
    if a[2] != 0 {
        t.mm.read_bytes(a[2], 32)?;
    }
    attr_path(t, a[0] as i32, a[1], 0, 0)
}

fn sys_utime(t: &mut Task, a: &[u64; 6]) -> SysResult {
    if a[1] != 0 {
        t.mm.read_bytes(a[1], 16)?;
    }
    attr_path(t, AT_FDCWD, a[0], 0, 0)
}

fn sys_fsync(t: &mut Task, a: &[u64; 6]) -> SysResult {
    get_io(t, fd_arg(a[0]))?;
    Ok(0)
}

fn sys_sync_file_range(t: &mut Task, a: &[u64; 6]) -> SysResult {
    if a[3] as u32 & !7 != 0 || (a[1] as i64) < 0 || (a[2] as i64) < 0 {
        return Err(Errno::EINVAL);
    }
    get_io(t, fd_arg(a[0]))?;
    Ok(0)
}

fn sys_sync(_t: &mut Task, _a: &[u64; 6]) -> SysResult {
    Ok(0)
}
