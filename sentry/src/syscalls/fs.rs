//! Syscall handlers: fs family (stat, statx, access, readlink, cwd, statfs,
//! the namespace-changing calls, sync).

use super::file::{fd_arg, get_io, get_raw};
use super::{Support, SysResult, Table};
use crate::fs::inotify;
use crate::kernel::task::Task;
use crate::vfs::resolve::{self, lookup_at, lookup_at_empty, walker, At, Last};
use crate::vfs::{
    check_access, check_dentry_access, check_perm, major, minor, new_owner, Dentry, File, Ids,
    SetAttr, Time, MAY_EXEC, MAY_WRITE,
};
use std::sync::Arc;
use syscalls::abi::{Stat, Statfs, Statx, StatxTimestamp, Timespec, Timeval};
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
        Support::Partial(
            "basic stats, btime, the mount id; of stx_attributes only STATX_ATTR_MOUNT_ROOT",
        ),
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
    let ro = Support::Partial(
        "tmpfs and the default overlay root (copy-up into memory) are writable; with --overlay=none the rootfs is read-only (EROFS)",
    );
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
    if let At::Dentry(d) = &at {
        if let Some(m) = d.mnt() {
            x.stx_mnt_id = u64::from(m.id);
            // STATX_ATTR_MOUNT_ROOT, as the VFS adds it for every file.
            const MOUNT_ROOT: u64 = 0x2000;
            x.stx_attributes_mask |= MOUNT_ROOT;
            if d.parent().is_none() {
                x.stx_attributes |= MOUNT_ROOT;
            }
        }
    }
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
        At::Dentry(d) => check_dentry_access(&d, &t.creds, mode, ids)?,
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
    let d = lookup_at(t, AT_FDCWD, &path, true)?;
    let s = statfs_of(&d)?;
    t.mm.write_obj(a[1], &s)?;
    Ok(0)
}

fn sys_fstatfs(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let f = get_raw(t, fd_arg(a[0]))?;
    let s: Statfs = match &f.dentry {
        Some(d) => statfs_of(d)?,
        None => f.ops.statfs(&f)?,
    };
    t.mm.write_obj(a[1], &s)?;
    Ok(0)
}

/// statfs of the file system under `d`, with its mount's flags in f_flags.
fn statfs_of(d: &Arc<Dentry>) -> Result<Statfs, Errno> {
    let mut s = d.inode_ref().statfs()?;
    if s.f_flags != 0 {
        s.f_flags |= d.mount_flags().statfs_flags();
    }
    Ok(s)
}

// ---- calls that change the namespace or attributes ----

/// The parent and last component of a path for creating or removing.
fn parent_of(t: &Task, dirfd: i32, path: &[u8]) -> Result<(Arc<Dentry>, Last), Errno> {
    let start = resolve::start_dir(t, dirfd, path)?;
    walker(t).walk_parent(start, path)
}

/// `filename_create`: EEXIST for an existing name (or `.`, `..`, `/`),
/// ENOENT/ENOTDIR from the walk, EROFS, then write and search permission
/// on the parent. Returns the parent and the new name.
pub(crate) fn create_at(
    t: &Task,
    dirfd: i32,
    path: &[u8],
    dir_ok: bool,
) -> Result<(Arc<Dentry>, Vec<u8>), Errno> {
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
    if parent.readonly() {
        return Err(Errno::EROFS);
    }
    check_access(parent.inode_ref(), &t.creds, MAY_WRITE | MAY_EXEC, Ids::Fs)?;
    Ok((parent, name))
}

/// Create `name` in `parent` with `mode` (type and permissions after the
/// umask), owned as Linux's `inode_init_owner` says.
fn mknod_in(t: &Task, parent: &Arc<Dentry>, name: &[u8], mode: u32, rdev: u64) -> SysResult {
    let (owner, mode) = new_owner(parent.inode_ref(), &t.creds, mode);
    let r = parent.inode_ref().mknod(name, mode, rdev, owner);
    parent.invalidate(name);
    r?;
    let dirflag = if mode & S_IFMT == S_IFDIR {
        IN_ISDIR
    } else {
        0
    };
    inotify::on_child(parent, name, IN_CREATE | dirflag);
    Ok(0)
}

fn mkdir_common(t: &Task, dirfd: i32, addr: u64, mode: u32) -> SysResult {
    let path = path_arg(t, addr)?;
    let (parent, name) = create_at(t, dirfd, &path, true)?;
    let perm = mode & (0o777 | S_ISVTX) & !t.umask();
    mknod_in(t, &parent, &name, S_IFDIR | perm, 0)
}

fn sys_mkdir(t: &mut Task, a: &[u64; 6]) -> SysResult {
    mkdir_common(t, AT_FDCWD, a[0], a[1] as u32)
}

fn sys_mkdirat(t: &mut Task, a: &[u64; 6]) -> SysResult {
    mkdir_common(t, a[0] as i32, a[1], a[2] as u32)
}

fn mknod_common(t: &Task, dirfd: i32, addr: u64, mode: u32, dev: u64) -> SysResult {
    let ty = match mode & S_IFMT {
        0 => S_IFREG,
        ty @ (S_IFREG | S_IFCHR | S_IFBLK | S_IFIFO | S_IFSOCK) => ty,
        S_IFDIR => return Err(Errno::EPERM),
        _ => return Err(Errno::EINVAL),
    };
    let path = path_arg(t, addr)?;
    let (parent, name) = create_at(t, dirfd, &path, false)?;
    let rdev = if matches!(ty, S_IFCHR | S_IFBLK) {
        if t.creds.fsuid != 0 {
            return Err(Errno::EPERM);
        }
        // The syscall's dev_t is the old 32-bit encoding.
        let dev = dev as u32;
        crate::vfs::makedev((dev >> 8) & 0xfff, (dev & 0xff) | ((dev >> 12) & 0xfff00))
    } else {
        0
    };
    mknod_in(t, &parent, &name, ty | (mode & 0o7777 & !t.umask()), rdev)
}

fn sys_mknod(t: &mut Task, a: &[u64; 6]) -> SysResult {
    mknod_common(t, AT_FDCWD, a[0], a[1] as u32, a[2])
}

fn sys_mknodat(t: &mut Task, a: &[u64; 6]) -> SysResult {
    mknod_common(t, a[0] as i32, a[1], a[2] as u32, a[3])
}

fn symlink_common(t: &Task, target: u64, dirfd: i32, addr: u64) -> SysResult {
    let target = path_arg(t, target)?;
    let path = path_arg(t, addr)?;
    if target.is_empty() {
        return Err(Errno::ENOENT);
    }
    let (parent, name) = create_at(t, dirfd, &path, false)?;
    let (owner, _) = new_owner(parent.inode_ref(), &t.creds, S_IFLNK | 0o777);
    let r = parent.inode_ref().symlink(&name, &target, owner);
    parent.invalidate(&name);
    r?;
    inotify::on_child(&parent, &name, IN_CREATE);
    Ok(0)
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
    let (parent, name) = create_at(t, newdir, &newpath, false)?;
    let At::Dentry(src) = src else {
        return Err(Errno::EXDEV);
    };
    if !Arc::ptr_eq(&src.fs_root(), &parent.fs_root()) {
        return Err(Errno::EXDEV);
    }
    let r = parent.inode_ref().link(&name, &src.inode());
    parent.invalidate(&name);
    r?;
    inotify::on_inode(src.inode_ref(), IN_ATTRIB);
    inotify::on_child(&parent, &name, IN_CREATE);
    Ok(0)
}

fn sys_link(t: &mut Task, a: &[u64; 6]) -> SysResult {
    link_common(t, AT_FDCWD, a[0], AT_FDCWD, a[1], 0)
}

fn sys_linkat(t: &mut Task, a: &[u64; 6]) -> SysResult {
    link_common(t, a[0] as i32, a[1], a[2] as i32, a[3], a[4] as u32)
}

/// The sticky-directory rule (`check_sticky`): in a sticky directory only
/// the owner of the entry, the owner of the directory or root may remove
/// or rename it.
fn sticky_ok(t: &Task, dir: &Dentry, victim: &Dentry) -> bool {
    if dir.inode_ref().mode() & S_ISVTX == 0 || t.creds.fsuid == 0 {
        return true;
    }
    let uid = t.creds.fsuid;
    victim.inode_ref().owner().0 == uid || dir.inode_ref().owner().0 == uid
}

/// `may_delete`: write and search permission on the parent, the sticky
/// rule, and the victim not a mount point.
fn may_delete(t: &Task, dir: &Arc<Dentry>, name: &[u8]) -> Result<Arc<Dentry>, Errno> {
    let victim = dir.lookup(name)?;
    check_access(dir.inode_ref(), &t.creds, MAY_WRITE | MAY_EXEC, Ids::Fs)?;
    if !sticky_ok(t, dir, &victim) {
        return Err(Errno::EPERM);
    }
    Ok(victim)
}

/// unlink/rmdir.
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
    if parent.readonly() {
        return Err(Errno::EROFS);
    }
    let Last::Normal(name, trailing) = last else {
        return Err(Errno::EINVAL);
    };
    let d = walker(t).child(&parent, &name)?;
    let victim = may_delete(t, &parent, &name)?;
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
    if victim.mounted().is_some() {
        return Err(Errno::EBUSY);
    }
    let gone = inotify::victim(&victim);
    let r = parent.inode_ref().unlink(&name, rmdir);
    parent.invalidate(&name);
    r?;
    if gone.is_some() {
        // Out of the cache now: other holders are open files (or cwds).
        drop(d);
        let still_open = Arc::strong_count(&victim) > 1;
        inotify::on_remove(&parent, &name, gone, still_open);
    }
    Ok(0)
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
    let Last::Normal(oname, otrail) = olast else {
        return Err(Errno::EBUSY);
    };
    let Last::Normal(nname, ntrail) = nlast else {
        return Err(if flags & RENAME_NOREPLACE != 0 {
            Errno::EEXIST
        } else {
            Errno::EBUSY
        });
    };
    if op.readonly() {
        return Err(Errno::EROFS);
    }
    let w = walker(t);
    w.child(&op, &oname)?;
    let src = may_delete(t, &op, &oname)?;
    let exchange = flags & RENAME_EXCHANGE != 0;
    let dst = match w.child(&np, &nname) {
        Ok(_) => {
            if flags & RENAME_NOREPLACE != 0 {
                return Err(Errno::EEXIST);
            }
            Some(may_delete(t, &np, &nname)?)
        }
        Err(Errno::ENOENT) if !exchange => {
            check_access(np.inode_ref(), &t.creds, MAY_WRITE | MAY_EXEC, Ids::Fs)?;
            None
        }
        Err(e) => return Err(e),
    };
    if flags & RENAME_WHITEOUT != 0 {
        return Err(Errno::EINVAL);
    }
    // Trailing slashes need directories.
    let dst_dir = dst.as_ref().is_some_and(|d| d.is_dir());
    let trail_bad = if exchange {
        (otrail && !src.is_dir()) || (ntrail && !dst_dir)
    } else {
        (otrail || ntrail) && !src.is_dir()
    };
    if trail_bad {
        return Err(Errno::ENOTDIR);
    }
    if src.mounted().is_some() || dst.as_ref().is_some_and(|d| d.mounted().is_some()) {
        return Err(Errno::EBUSY);
    }
    let moves = !Arc::ptr_eq(&op, &np);
    // A directory moving to another parent changes its `..`.
    if moves && src.is_dir() {
        check_access(src.inode_ref(), &t.creds, MAY_WRITE, Ids::Fs)?;
    }
    if let (true, true, Some(d)) = (moves, exchange && dst_dir, &dst) {
        check_access(d.inode_ref(), &t.creds, MAY_WRITE, Ids::Fs)?;
    }
    // A directory cannot move below itself.
    if src.is_dir() && np.is_under(&src) {
        return Err(Errno::EINVAL);
    }
    if let (true, Some(d)) = (exchange && dst_dir, &dst) {
        if op.is_under(d) {
            return Err(Errno::EINVAL);
        }
    }
    // Renaming onto an ancestor of the source: it is not empty.
    if let Some(d) = &dst {
        if !exchange && op.is_under(d) {
            return Err(Errno::ENOTEMPTY);
        }
    }
    let moved = inotify::victim(&src);
    let target = dst.as_ref().and_then(|d| inotify::victim(d));
    let r = op
        .inode_ref()
        .rename(&oname, &np.inode(), &nname, flags & !RENAME_WHITEOUT);
    op.invalidate(&oname);
    np.invalidate(&nname);
    r?;
    inotify::on_rename(&op, &oname, &np, &nname, moved, target, exchange);
    Ok(0)
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

/// An attribute change requested by chmod/chown/utimes.
enum Change {
    Mode(u32),
    Owner(Option<u32>, Option<u32>),
    /// (atime, mtime) as timespecs (UTIME_NOW/UTIME_OMIT allowed); `None`
    /// means both now.
    Times(Option<[Timespec; 2]>),
}

fn ts_time(ts: &Timespec, now: Time) -> Option<Time> {
    match ts.tv_nsec {
        UTIME_OMIT => None,
        UTIME_NOW => Some(now),
        nsec => Some(Time {
            sec: ts.tv_sec,
            nsec,
        }),
    }
}

/// `notify_change` with Linux's permission rules (`chmod_common`,
/// `chown_common`, `vfs_utimes`) on what `at` names.
fn apply_change(t: &Task, at: &At, change: Change) -> SysResult {
    let d = match at {
        At::Dentry(d) => d,
        At::File(_) => return Err(Errno::EPERM),
    };
    let inode = d.inode_ref();
    if d.readonly() {
        return Err(Errno::EROFS);
    }
    let c = &t.creds;
    let root = c.fsuid == 0;
    let (ouid, ogid) = inode.owner();
    let is_owner = root || c.fsuid == ouid;
    let in_group = |g: u32| c.fsgid == g || c.groups.contains(&g);
    let mode = inode.mode();
    let mut attr = SetAttr::default();
    match change {
        Change::Mode(m) => {
            if !is_owner {
                return Err(Errno::EPERM);
            }
            if inode.is_symlink() {
                return Err(Errno::EOPNOTSUPP);
            }
            let mut m = m & 0o7777;
            if !root && !in_group(ogid) {
                m &= !S_ISGID;
            }
            attr.mode = Some(m);
        }
        Change::Owner(uid, gid) => {
            // chown_ok / chgrp_ok: without privilege only the owner may
            // "change" the uid to itself and the group to one of its own.
            if !root {
                if uid.is_some_and(|u| c.fsuid != ouid || u != ouid) {
                    return Err(Errno::EPERM);
                }
                if gid.is_some_and(|g| c.fsuid != ouid || (g != ogid && !in_group(g))) {
                    return Err(Errno::EPERM);
                }
            }
            attr.uid = uid;
            attr.gid = gid;
            if (uid.is_some() || gid.is_some()) && mode & S_IFMT != S_IFDIR {
                // Changing the owner drops set-user/group-ID (group only
                // when group-executable).
                let mut m = mode & 0o7777 & !S_ISUID;
                if m & 0o010 != 0 {
                    m &= !S_ISGID;
                }
                if m != mode & 0o7777 {
                    attr.mode = Some(m);
                }
            }
        }
        Change::Times(times) => {
            let now = Time::now();
            match times {
                None => {
                    if !is_owner {
                        check_access(inode, c, MAY_WRITE, Ids::Fs)?;
                    }
                    attr.atime = Some(now);
                    attr.mtime = Some(now);
                }
                Some([a, m]) => {
                    if a.tv_nsec == UTIME_OMIT && m.tv_nsec == UTIME_OMIT {
                        return Ok(0);
                    }
                    let both_now = a.tv_nsec == UTIME_NOW && m.tv_nsec == UTIME_NOW;
                    if !is_owner {
                        if !both_now {
                            return Err(Errno::EPERM);
                        }
                        check_access(inode, c, MAY_WRITE, Ids::Fs)?;
                    }
                    attr.atime = ts_time(&a, now);
                    attr.mtime = ts_time(&m, now);
                }
            }
        }
    }
    inode.setattr(&attr)?;
    inotify::on_dentry(d, IN_ATTRIB);
    Ok(0)
}

fn attr_path(t: &Task, dirfd: i32, addr: u64, flags: u32, valid: u32, change: Change) -> SysResult {
    if flags & !valid != 0 {
        return Err(Errno::EINVAL);
    }
    let at = at_target(t, dirfd, addr, flags)?;
    apply_change(t, &at, change)
}

fn attr_fd(t: &Task, fd: u64, change: Change) -> SysResult {
    let f = get_io(t, fd_arg(fd))?;
    let at = match &f.dentry {
        Some(d) => At::Dentry(d.clone()),
        None => At::File(f.clone()),
    };
    apply_change(t, &at, change)
}

fn sys_chmod(t: &mut Task, a: &[u64; 6]) -> SysResult {
    attr_path(t, AT_FDCWD, a[0], 0, 0, Change::Mode(a[1] as u32))
}

fn sys_fchmod(t: &mut Task, a: &[u64; 6]) -> SysResult {
    attr_fd(t, a[0], Change::Mode(a[1] as u32))
}

fn sys_fchmodat(t: &mut Task, a: &[u64; 6]) -> SysResult {
    attr_path(t, a[0] as i32, a[1], 0, 0, Change::Mode(a[2] as u32))
}

fn sys_fchmodat2(t: &mut Task, a: &[u64; 6]) -> SysResult {
    attr_path(
        t,
        a[0] as i32,
        a[1],
        a[3] as u32,
        AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH,
        Change::Mode(a[2] as u32),
    )
}

/// chown's ids: -1 leaves one unchanged.
fn owner_change(uid: u64, gid: u64) -> Change {
    let id = |v: u64| Some(v as u32).filter(|&v| v != u32::MAX);
    Change::Owner(id(uid), id(gid))
}

fn sys_chown(t: &mut Task, a: &[u64; 6]) -> SysResult {
    attr_path(t, AT_FDCWD, a[0], 0, 0, owner_change(a[1], a[2]))
}

fn sys_lchown(t: &mut Task, a: &[u64; 6]) -> SysResult {
    attr_path(
        t,
        AT_FDCWD,
        a[0],
        AT_SYMLINK_NOFOLLOW,
        AT_SYMLINK_NOFOLLOW,
        owner_change(a[1], a[2]),
    )
}

fn sys_fchown(t: &mut Task, a: &[u64; 6]) -> SysResult {
    attr_fd(t, a[0], owner_change(a[1], a[2]))
}

fn sys_fchownat(t: &mut Task, a: &[u64; 6]) -> SysResult {
    attr_path(
        t,
        a[0] as i32,
        a[1],
        a[4] as u32,
        AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH,
        owner_change(a[2], a[3]),
    )
}

fn set_size(d: &Arc<Dentry>, size: u64) -> SysResult {
    if d.readonly() {
        return Err(Errno::EROFS);
    }
    let attr = SetAttr {
        size: Some(size),
        ..SetAttr::default()
    };
    d.inode_ref().setattr(&attr)?;
    inotify::on_dentry(d, IN_MODIFY);
    Ok(0)
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
    if d.readonly() {
        return Err(Errno::EROFS);
    }
    check_access(d.inode_ref(), &t.creds, MAY_WRITE, Ids::Fs)?;
    set_size(&d, a[1])
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
    match &f.dentry {
        Some(d) => set_size(d, a[1]),
        None => Err(Errno::EPERM),
    }
}

/// A pair of timespecs for utimensat (`None` for a null pointer).
fn read_times(t: &Task, addr: u64) -> Result<Option<[Timespec; 2]>, Errno> {
    if addr == 0 {
        return Ok(None);
    }
    let mut raw = [0u8; 32];
    t.mm.copy_in(addr, &mut raw)?;
    let a = Timespec::from_bytes(&raw[..16]).ok_or(Errno::EFAULT)?;
    let m = Timespec::from_bytes(&raw[16..]).ok_or(Errno::EFAULT)?;
    for ts in [&a, &m] {
        if ts.tv_nsec != UTIME_NOW
            && ts.tv_nsec != UTIME_OMIT
            && !(0..1_000_000_000).contains(&ts.tv_nsec)
        {
            return Err(Errno::EINVAL);
        }
    }
    Ok(Some([a, m]))
}

fn sys_utimensat(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (dirfd, path, times, flags) = (a[0] as i32, a[1], a[2], a[3] as u32);
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let times = read_times(t, times)?;
    if path == 0 {
        // futimens: the fd itself.
        if dirfd == AT_FDCWD {
            return Err(Errno::EFAULT);
        }
        return attr_fd(t, dirfd as u32 as u64, Change::Times(times));
    }
    attr_path(
        t,
        dirfd,
        path,
        flags,
        AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH,
        Change::Times(times),
    )
}

/// Two timevals (utimes, futimesat) as timespecs; EINVAL for bad usecs.
fn read_timevals(t: &Task, addr: u64) -> Result<Option<[Timespec; 2]>, Errno> {
    if addr == 0 {
        return Ok(None);
    }
    let raw = t.mm.read_bytes(addr, 32)?;
    let mut out = [Timespec::zeroed(), Timespec::zeroed()];
    for (i, half) in raw.chunks_exact(16).enumerate() {
        let tv = Timeval::from_bytes(half).ok_or(Errno::EFAULT)?;
        if !(0..1_000_000).contains(&tv.tv_usec) {
            return Err(Errno::EINVAL);
        }
        out[i] = Timespec {
            tv_sec: tv.tv_sec,
            tv_nsec: tv.tv_usec * 1000,
        };
    }
    Ok(Some(out))
}

fn sys_utimes(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let times = read_timevals(t, a[1])?;
    attr_path(t, AT_FDCWD, a[0], 0, 0, Change::Times(times))
}

fn sys_futimesat(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let times = read_timevals(t, a[2])?;
    attr_path(t, a[0] as i32, a[1], 0, 0, Change::Times(times))
}

fn sys_utime(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let times = if a[1] == 0 {
        None
    } else {
        let raw = t.mm.read_bytes(a[1], 16)?;
        let v = |i: usize| {
            raw.get(i..i + 8)
                .and_then(|b| b.try_into().ok())
                .map(i64::from_ne_bytes)
                .ok_or(Errno::EFAULT)
        };
        Some([
            Timespec {
                tv_sec: v(0)?,
                tv_nsec: 0,
            },
            Timespec {
                tv_sec: v(8)?,
                tv_nsec: 0,
            },
        ])
    };
    attr_path(t, AT_FDCWD, a[0], 0, 0, Change::Times(times))
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
