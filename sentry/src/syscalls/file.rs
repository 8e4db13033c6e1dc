//! Syscall handlers: file family (open/close, read/write, seek, fd table
//! operations, fcntl, ioctl, getdents).

use super::{Support, SysResult, Table};
use crate::kernel::task::Task;
use crate::vfs::io::{self, Pos, Segs};
use crate::vfs::{check_access, new_owner, resolve, File, Ids, MAY_EXEC, MAY_WRITE};
use std::sync::Arc;
use syscalls::abi::{Flock, LinuxDirent64Header, OpenHow};
use syscalls::consts::*;
use syscalls::nr;
use syscalls::Errno;

pub fn register(t: &mut Table) {
    let full = Support::Full;
    t.set(nr::READ, sys_read, full);
    t.set(nr::WRITE, sys_write, full);
    t.set(nr::PREAD64, sys_pread64, full);
    t.set(nr::PWRITE64, sys_pwrite64, full);
    t.set(nr::READV, sys_readv, full);
    t.set(nr::WRITEV, sys_writev, full);
    t.set(nr::PREADV, sys_preadv, full);
    t.set(nr::PWRITEV, sys_pwritev, full);
    let rwf = Support::Partial("flags: RWF_HIPRI/DSYNC/SYNC accepted as no-ops; others EOPNOTSUPP");
    t.set(nr::PREADV2, sys_preadv2, rwf);
    t.set(nr::PWRITEV2, sys_pwritev2, rwf);
    t.set(
        nr::OPEN,
        sys_open,
        Support::Partial(
            "creating files (and O_TMPFILE) on tmpfs only: the root is read-only (EROFS)",
        ),
    );
    t.set(
        nr::OPENAT,
        sys_openat,
        Support::Partial(
            "creating files (and O_TMPFILE) on tmpfs only: the root is read-only (EROFS)",
        ),
    );
    t.set(
        nr::OPENAT2,
        sys_openat2,
        Support::Partial("RESOLVE_CACHED never fails with EAGAIN for plain lookups; creating files (and O_TMPFILE) on tmpfs only"),
    );
    t.set(
        nr::CREAT,
        sys_creat,
        Support::Partial("creating files on tmpfs only (the root is read-only: EROFS)"),
    );
    t.set(
        nr::MEMFD_CREATE,
        sys_memfd_create,
        Support::Partial("tmpfs-backed with seals; MFD_HUGETLB gives EINVAL"),
    );
    t.set(
        nr::FALLOCATE,
        sys_fallocate,
        Support::Partial("tmpfs: allocate, FALLOC_FL_KEEP_SIZE and FALLOC_FL_PUNCH_HOLE; other modes and file systems EOPNOTSUPP"),
    );
    t.set(nr::CLOSE, sys_close, full);
    t.set(nr::CLOSE_RANGE, sys_close_range, full);
    t.set(nr::LSEEK, sys_lseek, full);
    t.set(nr::DUP, sys_dup, full);
    t.set(nr::DUP2, sys_dup2, full);
    t.set(nr::DUP3, sys_dup3, full);
    t.set(
        nr::FCNTL,
        sys_fcntl,
        Support::Partial(
            "F_DUPFD*, F_GETFD/SETFD, F_GETFL/SETFL, F_GETPIPE_SZ/SETPIPE_SZ, F_ADD_SEALS/F_GET_SEALS (tmpfs), POSIX and OFD record locks (sandbox-wide, not shared with host processes); others EINVAL",
        ),
    );
    t.set(
        nr::IOCTL,
        sys_ioctl,
        Support::Partial(
            "FIOCLEX/FIONCLEX/FIONBIO/FIOASYNC/FIONREAD/FIOQSIZE; terminal ioctls on host ttys and ptys (termios, window size, job control, TIOCGPTN/TIOCSPTLCK/TIOCGPTPEER/TIOCPKT/TIOCSIG)",
        ),
    );
    t.set(nr::GETDENTS64, sys_getdents64, full);
    t.set(nr::GETDENTS, sys_getdents, full);
    t.set(nr::PIPE, sys_pipe, Support::Full);
    t.set(nr::PIPE2, sys_pipe2, Support::Full);
    t.set(nr::FLOCK, sys_flock, Support::Full);
    t.set(
        nr::FADVISE64,
        sys_fadvise64,
        Support::Partial("validated; advice ignored"),
    );
}

/// An fd argument (`unsigned int` in the kernel: upper bits ignored).
pub fn fd_arg(a: u64) -> i32 {
    a as u32 as i32
}

/// RLIMIT_NOFILE of the task.
pub fn nofile(t: &Task) -> u64 {
    t.rlimits[RLIMIT_NOFILE as usize].rlim_cur
}

/// The file of `fd`, O_PATH descriptions included (`fdget_raw`).
pub fn get_raw(t: &Task, fd: i32) -> Result<Arc<File>, Errno> {
    t.fds.get(fd)
}

/// The file of `fd` for I/O: O_PATH descriptions are EBADF (`fdget`).
pub fn get_io(t: &Task, fd: i32) -> Result<Arc<File>, Errno> {
    let f = t.fds.get(fd)?;
    if f.is_path() {
        return Err(Errno::EBADF);
    }
    Ok(f)
}

fn readable(f: &File) -> Result<(), Errno> {
    if !f.readable() {
        return Err(Errno::EBADF);
    }
    Ok(())
}

fn writable(f: &File) -> Result<(), Errno> {
    if !f.writable() {
        return Err(Errno::EBADF);
    }
    Ok(())
}

fn sys_read(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let f = get_io(t, fd_arg(a[0]))?;
    readable(&f)?;
    let segs = io::single_seg(a[1], a[2])?;
    io::read(t, &f, &segs, Pos::Current)
}

fn sys_write(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let f = get_io(t, fd_arg(a[0]))?;
    writable(&f)?;
    let segs = io::single_seg(a[1], a[2])?;
    io::write(t, &f, &segs, Pos::Current)
}

/// The file for pread/pwrite-style calls at `off`: EINVAL for a negative
/// offset (before the fd is looked at), EBADF, ESPIPE for streams.
fn positional(t: &Task, fd: u64, off: u64) -> Result<(Arc<File>, u64), Errno> {
    if (off as i64) < 0 {
        return Err(Errno::EINVAL);
    }
    let f = get_io(t, fd_arg(fd))?;
    if !f.ops.pread_ok() {
        return Err(Errno::ESPIPE);
    }
    Ok((f, off))
}

fn sys_pread64(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (f, off) = positional(t, a[0], a[3])?;
    readable(&f)?;
    let segs = io::single_seg(a[1], a[2])?;
    io::read(t, &f, &segs, Pos::At(off))
}

fn sys_pwrite64(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (f, off) = positional(t, a[0], a[3])?;
    writable(&f)?;
    let segs = io::single_seg(a[1], a[2])?;
    io::write(t, &f, &segs, Pos::At(off))
}

fn vec_read(t: &Task, f: &File, iov: u64, cnt: u64, pos: Pos) -> SysResult {
    readable(f)?;
    let segs: Segs = io::import_iovecs(t, iov, cnt)?;
    io::read(t, f, &segs, pos)
}

fn vec_write(t: &Task, f: &File, iov: u64, cnt: u64, pos: Pos) -> SysResult {
    writable(f)?;
    let segs: Segs = io::import_iovecs(t, iov, cnt)?;
    io::write(t, f, &segs, pos)
}

fn sys_readv(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let f = get_io(t, fd_arg(a[0]))?;
    vec_read(t, &f, a[1], a[2], Pos::Current)
}

fn sys_writev(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let f = get_io(t, fd_arg(a[0]))?;
    vec_write(t, &f, a[1], a[2], Pos::Current)
}

fn sys_preadv(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (f, off) = positional(t, a[0], a[3])?;
    vec_read(t, &f, a[1], a[2], Pos::At(off))
}

fn sys_pwritev(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (f, off) = positional(t, a[0], a[3])?;
    vec_write(t, &f, a[1], a[2], Pos::At(off))
}

fn rwf_check(flags: u64) -> Result<(), Errno> {
    if flags & !u64::from(RWF_HIPRI | RWF_DSYNC | RWF_SYNC) != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    Ok(())
}

/// preadv2/pwritev2: offset -1 means the current position.
fn v2_file(t: &Task, a: &[u64; 6]) -> Result<(Arc<File>, Pos), Errno> {
    if a[3] as i64 == -1 {
        let f = get_io(t, fd_arg(a[0]))?;
        rwf_check(a[5])?;
        return Ok((f, Pos::Current));
    }
    let (f, off) = positional(t, a[0], a[3])?;
    rwf_check(a[5])?;
    Ok((f, Pos::At(off)))
}

fn sys_preadv2(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (f, pos) = v2_file(t, a)?;
    vec_read(t, &f, a[1], a[2], pos)
}

fn sys_pwritev2(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (f, pos) = v2_file(t, a)?;
    vec_write(t, &f, a[1], a[2], pos)
}

/// Flags open(2) knows; others are silently dropped (openat2 rejects them).
const VALID_OPEN_FLAGS: u32 = O_ACCMODE
    | O_CREAT
    | O_EXCL
    | O_NOCTTY
    | O_TRUNC
    | O_APPEND
    | O_NONBLOCK
    | O_DSYNC
    | O_ASYNC
    | O_DIRECT
    | O_LARGEFILE
    | O_DIRECTORY
    | O_NOFOLLOW
    | O_NOATIME
    | O_CLOEXEC
    | O_SYNC
    | O_PATH
    | O_TMPFILE;
const O_PATH_FLAGS: u32 = O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC;
const VALID_RESOLVE: u64 = RESOLVE_NO_XDEV
    | RESOLVE_NO_MAGICLINKS
    | RESOLVE_NO_SYMLINKS
    | RESOLVE_BENEATH
    | RESOLVE_IN_ROOT
    | RESOLVE_CACHED;

/// Open `path` (already read) and install the new fd; `mode` is the
/// permissions of a created file (before the umask).
pub fn open_and_install(
    t: &Task,
    dirfd: i32,
    path: &[u8],
    flags: u32,
    mode: u32,
    resolve: u64,
) -> SysResult {
    // Linux >= 6.4 (build_open_flags): O_CREAT with O_DIRECTORY is EINVAL.
    if flags & (O_CREAT | O_DIRECTORY) == O_CREAT | O_DIRECTORY {
        return Err(Errno::EINVAL);
    }
    if flags & O_TMPFILE_BIT != 0 {
        if flags & O_TMPFILE != O_TMPFILE || flags & O_CREAT != 0 || flags & O_ACCMODE == O_RDONLY {
            return Err(Errno::EINVAL);
        }
        // An unnamed file in the directory: needs a writable file system.
        let d = resolve::lookup_at(t, dirfd, path, true)?;
        if !d.is_dir() {
            return Err(Errno::ENOTDIR);
        }
        if d.readonly() {
            return Err(Errno::EROFS);
        }
        check_access(d.inode_ref(), &t.creds, MAY_WRITE | MAY_EXEC, Ids::Fs)?;
        let (owner, fmode) = new_owner(
            d.inode_ref(),
            &t.creds,
            S_IFREG | (mode & 0o7777 & !t.umask()),
        );
        // Without O_EXCL it may be linked into the file system later.
        let inode = d.inode_ref().tmpfile(fmode, owner, flags & O_EXCL == 0)?;
        let ino = inode.stat()?.st_ino;
        let name = format!("#{ino}").into_bytes();
        let dentry = d.set_child(&name, inode.clone());
        d.invalidate(&name);
        let ops = inode.open(&dentry, flags & !O_TRUNC)?;
        let fl = (flags & !(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC | O_TMPFILE_BIT))
            | O_LARGEFILE;
        let file = File::new(ops, fl, Some(dentry));
        let fd = t.fds.install(file, flags & O_CLOEXEC != 0, 0, nofile(t))?;
        return Ok(fd as u64);
    }
    // A truncating open of an existing file reports IN_MODIFY after
    // IN_OPEN (not for a file it creates).
    let truncates = crate::fs::inotify::active()
        && flags & (O_TRUNC | O_PATH) == O_TRUNC
        && resolve::lookup_at(t, dirfd, path, flags & O_NOFOLLOW == 0)
            .is_ok_and(|d| d.inode_ref().is_regular());
    let file = resolve::open_at(t, dirfd, path, flags, mode, resolve)?;
    if !file.is_path() {
        crate::fs::inotify::on_file(&file, IN_OPEN);
        if truncates {
            crate::fs::inotify::on_file(&file, IN_MODIFY);
        }
    }
    let fd = t.fds.install(file, flags & O_CLOEXEC != 0, 0, nofile(t))?;
    Ok(fd as u64)
}

/// open/openat/creat: unknown flags dropped, O_LARGEFILE forced, O_PATH
/// keeping only the flags it allows.
fn open_legacy(t: &Task, dirfd: i32, path_addr: u64, flags: u32, mode: u32) -> SysResult {
    let mut flags = (flags & VALID_OPEN_FLAGS) | O_LARGEFILE;
    if flags & O_PATH != 0 {
        flags &= O_PATH_FLAGS;
    }
    let path = t.read_path(path_addr)?;
    open_and_install(t, dirfd, &path, flags, mode, 0)
}

fn sys_open(t: &mut Task, a: &[u64; 6]) -> SysResult {
    open_legacy(t, AT_FDCWD, a[0], a[1] as u32, a[2] as u32)
}

fn sys_openat(t: &mut Task, a: &[u64; 6]) -> SysResult {
    open_legacy(t, a[0] as i32, a[1], a[2] as u32, a[3] as u32)
}

fn sys_creat(t: &mut Task, a: &[u64; 6]) -> SysResult {
    open_legacy(t, AT_FDCWD, a[0], O_CREAT | O_WRONLY | O_TRUNC, a[1] as u32)
}

fn sys_openat2(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (dirfd, path_addr, how_addr, size) = (a[0] as i32, a[1], a[2], a[3]);
    let base = std::mem::size_of::<OpenHow>() as u64;
    if size < base {
        return Err(Errno::EINVAL);
    }
    if size > 4096 {
        return Err(Errno::E2BIG);
    }
    let how: OpenHow = t.mm.read_obj(how_addr)?;
    if size > base {
        let rest = t.mm.read_bytes(how_addr + base, (size - base) as usize)?;
        if rest.iter().any(|&b| b != 0) {
            return Err(Errno::E2BIG);
        }
    }
    if how.flags & !u64::from(VALID_OPEN_FLAGS) != 0 {
        return Err(Errno::EINVAL);
    }
    let mut flags = how.flags as u32;
    if how.mode & !0o7777 != 0 {
        return Err(Errno::EINVAL);
    }
    if flags & (O_CREAT | O_TMPFILE_BIT) == 0 && how.mode != 0 {
        return Err(Errno::EINVAL);
    }
    if how.resolve & !VALID_RESOLVE != 0 {
        return Err(Errno::EINVAL);
    }
    if how.resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT) == RESOLVE_BENEATH | RESOLVE_IN_ROOT {
        return Err(Errno::EINVAL);
    }
    if flags & O_PATH != 0 {
        if flags & !O_PATH_FLAGS != 0 {
            return Err(Errno::EINVAL);
        }
    } else {
        flags |= O_LARGEFILE;
    }
    if how.resolve & RESOLVE_CACHED != 0 && flags & (O_CREAT | O_TRUNC | O_TMPFILE_BIT) != 0 {
        return Err(Errno::EAGAIN);
    }
    let path = t.read_path(path_addr)?;
    open_and_install(t, dirfd, &path, flags, how.mode as u32, how.resolve)
}

fn sys_close(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let e = t.fds.remove(fd_arg(a[0]))?;
    drop(e);
    Ok(0)
}

fn sys_close_range(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (first, last, flags) = (a[0] as u32, a[1] as u32, a[2] as u32);
    if flags & !(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC) != 0 || first > last {
        return Err(Errno::EINVAL);
    }
    if flags & CLOSE_RANGE_UNSHARE != 0 && Arc::strong_count(&t.fds) > 1 {
        // A private copy of a table shared with CLONE_FILES tasks.
        t.fds = t.fds.fork();
    }
    let closed = t
        .fds
        .close_range(first, last, flags & CLOSE_RANGE_CLOEXEC != 0);
    drop(closed);
    Ok(0)
}

fn sys_lseek(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let f = get_io(t, fd_arg(a[0]))?;
    let whence = a[2] as u32;
    if whence > SEEK_HOLE {
        return Err(Errno::EINVAL);
    }
    f.ops.llseek(&f, a[1] as i64, whence)
}

fn sys_dup(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let f = get_raw(t, fd_arg(a[0]))?;
    Ok(t.fds.install(f, false, 0, nofile(t))? as u64)
}

fn dup_to(t: &Task, old: i32, new: u32, cloexec: bool) -> SysResult {
    if u64::from(new) >= nofile(t) {
        return Err(Errno::EBADF);
    }
    let f = get_raw(t, old)?;
    let prev = t.fds.install_at(new as i32, f, cloexec)?;
    drop(prev);
    Ok(u64::from(new))
}

fn sys_dup2(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (old, new) = (fd_arg(a[0]), a[1] as u32);
    if old as u32 == new {
        get_raw(t, old)?;
        return Ok(u64::from(new));
    }
    dup_to(t, old, new, false)
}

fn sys_dup3(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (old, new, flags) = (fd_arg(a[0]), a[1] as u32, a[2] as u32);
    if flags & !O_CLOEXEC != 0 || old as u32 == new {
        return Err(Errno::EINVAL);
    }
    dup_to(t, old, new, flags & O_CLOEXEC != 0)
}

/// Status flags F_SETFL may change.
const F_SETPIPE_SZ: u32 = 1031;
const F_GETPIPE_SZ: u32 = 1032;
const SETFL_MASK: u32 = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;

/// Change the status flags in `mask` to those of `new`.
pub fn set_status_flags(f: &File, mask: u32, new: u32) -> Result<(), Errno> {
    let flags = (f.flags() & !mask) | (new & mask);
    f.ops.set_status_flags(f, flags)?;
    f.set_flags(flags);
    Ok(())
}

fn sys_fcntl(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let fd = fd_arg(a[0]);
    let (cmd, arg) = (a[1] as u32, a[2]);
    let entry = t.fds.entry(fd)?;
    let f = entry.file.clone();
    if f.is_path() && !matches!(cmd, F_DUPFD | F_DUPFD_CLOEXEC | F_GETFD | F_SETFD | F_GETFL) {
        return Err(Errno::EBADF);
    }
    match cmd {
        F_DUPFD | F_DUPFD_CLOEXEC => {
            let min = arg as u32;
            if u64::from(min) >= nofile(t) {
                return Err(Errno::EINVAL);
            }
            Ok(t.fds
                .install(f, cmd == F_DUPFD_CLOEXEC, min as i32, nofile(t))? as u64)
        }
        F_GETFD => Ok(u64::from(entry.cloexec)),
        F_SETFD => {
            t.fds.set_cloexec(fd, arg as u32 & FD_CLOEXEC != 0)?;
            Ok(0)
        }
        F_GETFL => Ok(u64::from(f.flags())),
        F_SETFL => {
            set_status_flags(&f, SETFL_MASK, arg as u32)?;
            Ok(0)
        }
        F_GET_SEALS => {
            let d = f.dentry.as_ref().ok_or(Errno::EINVAL)?;
            Ok(u64::from(d.inode_ref().seals()?))
        }
        F_ADD_SEALS => {
            let d = f.dentry.as_ref().ok_or(Errno::EINVAL)?;
            // Only sealable files get past seals(); then the seal bits,
            // then the open mode.
            d.inode_ref().seals()?;
            let seals = arg as u32;
            if seals
                & !(F_SEAL_SEAL
                    | F_SEAL_SHRINK
                    | F_SEAL_GROW
                    | F_SEAL_WRITE
                    | F_SEAL_FUTURE_WRITE
                    | F_SEAL_EXEC)
                != 0
            {
                return Err(Errno::EINVAL);
            }
            if !f.writable() {
                return Err(Errno::EPERM);
            }
            if seals & F_SEAL_WRITE != 0 && writably_mapped(t, &f) {
                return Err(Errno::EBUSY);
            }
            d.inode_ref().add_seals(seals)?;
            Ok(0)
        }
        F_GETPIPE_SZ => Ok(f.ops.pipe_size()? as u64),
        F_SETPIPE_SZ => Ok(f.ops.set_pipe_size(arg as u32 as u64, t.creds.euid == 0)? as u64),
        F_GETLK | F_OFD_GETLK | F_SETLK | F_SETLKW | F_OFD_SETLK | F_OFD_SETLKW => {
            record_lock(t, &f, cmd, arg)
        }
        _ => Err(Errno::EINVAL),
    }
}

/// Whether some process maps `f`'s pages shared and possibly writable
/// (Linux's `mapping_writably_mapped`: VM_SHARED with VM_MAYWRITE), which
/// makes F_SEAL_WRITE fail with EBUSY.
fn writably_mapped(t: &Task, f: &File) -> bool {
    let Ok(crate::vfs::MmapSource::Object { obj, .. }) = f.mmap() else {
        return false;
    };
    let mut mms = vec![t.mm.clone()];
    for g in t.k.tasks.all_groups() {
        for m in g.members().iter() {
            if let Some(mm) = crate::fs::proc::view(m).mm.upgrade() {
                if !mms.iter().any(|x| Arc::ptr_eq(x, &mm)) {
                    mms.push(mm);
                }
            }
        }
    }
    mms.iter().any(|mm| {
        mm.lock().vmas.values().any(|v| {
            v.shared
                && v.max_prot & crate::mm::PROT_WRITE != 0
                && matches!(&v.backing, crate::mm::Backing::Object { obj: o, .. } if Arc::ptr_eq(o, &obj))
        })
    })
}

/// The record-lock commands of fcntl(2).
fn record_lock(t: &Task, f: &File, cmd: u32, arg: u64) -> SysResult {
    use crate::vfs::lock::{self, Owner, Request};
    let mut fl: Flock = t.mm.read_obj(arg)?;
    let ofd = matches!(cmd, F_OFD_GETLK | F_OFD_SETLK | F_OFD_SETLKW);
    let get = matches!(cmd, F_GETLK | F_OFD_GETLK);
    let kind = match fl.l_type {
        F_RDLCK => Some(false),
        F_WRLCK => Some(true),
        F_UNLCK if !get || cmd == F_OFD_GETLK => None,
        _ => return Err(Errno::EINVAL),
    };
    if ofd && fl.l_pid != 0 {
        return Err(Errno::EINVAL);
    }
    // Linux's flock_to_posix_lock.
    let base: i64 = match fl.l_whence as u32 {
        SEEK_SET => 0,
        SEEK_CUR => *f.pos.lock().unwrap_or_else(|p| p.into_inner()) as i64,
        SEEK_END => f.ops.size()? as i64,
        _ => return Err(Errno::EINVAL),
    };
    let mut start = base.checked_add(fl.l_start).ok_or(Errno::EOVERFLOW)?;
    if start < 0 {
        return Err(Errno::EINVAL);
    }
    let end: u64 = if fl.l_len > 0 {
        if fl.l_len - 1 > i64::MAX - start {
            return Err(Errno::EOVERFLOW);
        }
        (start + fl.l_len - 1) as u64
    } else if fl.l_len < 0 {
        if start + fl.l_len < 0 {
            return Err(Errno::EINVAL);
        }
        let e = (start - 1) as u64;
        start += fl.l_len;
        e
    } else {
        u64::MAX
    };
    let req = Request {
        kind,
        start: start as u64,
        end,
    };
    let owner = if ofd {
        Owner::Ofd(f as *const File as usize)
    } else {
        Owner::Posix(t.fds.owner())
    };
    let key = lock::key_of(f)?;
    if get {
        match lock::get_record(key, owner, req) {
            None => fl.l_type = F_UNLCK,
            Some(c) => {
                fl.l_type = if c.write { F_WRLCK } else { F_RDLCK };
                fl.l_whence = SEEK_SET as i16;
                fl.l_start = c.start as i64;
                fl.l_len = if c.end == u64::MAX {
                    0
                } else {
                    (c.end - c.start + 1) as i64
                };
                fl.l_pid = c.pid;
            }
        }
        t.mm.write_obj(arg, &fl)?;
        return Ok(0);
    }
    match kind {
        Some(false) if !f.readable() => return Err(Errno::EBADF),
        Some(true) if !f.writable() => return Err(Errno::EBADF),
        _ => {}
    }
    let pid = if ofd { -1 } else { t.tgid };
    let wait = matches!(cmd, F_SETLKW | F_OFD_SETLKW);
    lock::set_record(f, key, owner, pid, req, wait)?;
    Ok(0)
}

fn sys_ioctl(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let fd = fd_arg(a[0]);
    let (cmd, arg) = (a[1] as u32, a[2]);
    let f = get_io(t, fd)?;
    match cmd {
        FIOCLEX | FIONCLEX => {
            t.fds.set_cloexec(fd, cmd == FIOCLEX)?;
            Ok(0)
        }
        FIONBIO => {
            let on: i32 = t.mm.read_obj(arg)?;
            set_status_flags(&f, O_NONBLOCK, if on != 0 { O_NONBLOCK } else { 0 })?;
            Ok(0)
        }
        FIOASYNC => {
            let on: i32 = t.mm.read_obj(arg)?;
            set_status_flags(&f, O_ASYNC, if on != 0 { O_ASYNC } else { 0 })?;
            Ok(0)
        }
        FIONREAD | FIOQSIZE
            if f.dentry
                .as_ref()
                .is_some_and(|d| d.inode_ref().is_regular()) =>
        {
            let size = f.ops.size()? as i64;
            if cmd == FIOQSIZE {
                t.mm.write_obj(arg, &size)?;
            } else {
                let pos = *f.pos.lock().unwrap_or_else(|p| p.into_inner()) as i64;
                t.mm.write_obj(arg, &(size.wrapping_sub(pos) as i32))?;
            }
            Ok(0)
        }
        FIOQSIZE if f.dentry.as_ref().is_some_and(|d| d.is_dir()) => {
            let size = f.ops.size()? as i64;
            t.mm.write_obj(arg, &size)?;
            Ok(0)
        }
        _ => {
            let ops = f.clone();
            ops.ops.ioctl(&f, t, u64::from(cmd), arg)
        }
    }
}

/// getdents64/getdents: serialize entries from the file's position into
/// `count` bytes at `addr` (EINVAL if not even one fits).
fn getdents_common(t: &mut Task, a: &[u64; 6], old: bool) -> SysResult {
    let f = get_io(t, fd_arg(a[0]))?;
    let (addr, count) = (a[1], a[2] as u32 as usize);
    let mut pos = f.pos.lock().unwrap_or_else(|p| p.into_inner());
    let max_entries = count / 20 + 1;
    let mut out = Vec::with_capacity(count.min(1 << 16));
    let mut next = *pos;
    f.ops
        .readdir_with(&f, *pos, max_entries, &mut |ino, off, d_type, name| {
            let len = if old {
                old_reclen(name.len())
            } else {
                LinuxDirent64Header::reclen(name.len())
            };
            if out.len() + len > count {
                return false;
            }
            if old {
                append_old(&mut out, ino, off as i64, d_type, name);
            } else {
                LinuxDirent64Header::append(&mut out, ino, off as i64, d_type, name);
            }
            next = off;
            true
        })?;
    if out.is_empty() && next == *pos {
        // Nothing fitted: either the end, or the buffer is too small.
        let more = f.ops.readdir(&f, *pos, 1)?;
        if !more.is_empty() {
            return Err(Errno::EINVAL);
        }
        drop(pos);
        crate::fs::inotify::on_file(&f, IN_ACCESS);
        return Ok(0);
    }
    t.mm.copy_out(addr, &out)?;
    *pos = next;
    drop(pos);
    crate::fs::inotify::on_file(&f, IN_ACCESS);
    Ok(out.len() as u64)
}

/// `struct linux_dirent`: ino, off, reclen, name, NUL, padding, d_type.
fn old_reclen(name_len: usize) -> usize {
    (8 + 8 + 2 + name_len + 2 + 7) & !7
}

fn append_old(out: &mut Vec<u8>, ino: u64, off: i64, d_type: u8, name: &[u8]) {
    let reclen = old_reclen(name.len());
    let start = out.len();
    out.extend_from_slice(&ino.to_le_bytes());
    out.extend_from_slice(&off.to_le_bytes());
    out.extend_from_slice(&(reclen as u16).to_le_bytes());
    out.extend_from_slice(name);
    out.resize(start + reclen, 0);
    out[start + reclen - 1] = d_type;
}

fn sys_getdents64(t: &mut Task, a: &[u64; 6]) -> SysResult {
    getdents_common(t, a, false)
}

fn sys_getdents(t: &mut Task, a: &[u64; 6]) -> SysResult {
    getdents_common(t, a, true)
}

fn sys_flock(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let f = get_io(t, fd_arg(a[0]))?;
    // LOCK_MAND (obsolete mandatory locks) is ignored with success.
    if a[1] as u32 & 32 != 0 {
        return Ok(0);
    }
    let op = a[1] as u32 & !LOCK_NB;
    let kind = match op {
        LOCK_SH => Some(false),
        LOCK_EX => Some(true),
        LOCK_UN => None,
        _ => return Err(Errno::EINVAL),
    };
    crate::vfs::lock::flock(&f, kind, a[1] as u32 & LOCK_NB != 0)?;
    Ok(0)
}

fn sys_fadvise64(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let f = get_io(t, fd_arg(a[0]))?;
    if !f.ops.pread_ok() {
        return Err(Errno::ESPIPE);
    }
    if (a[2] as i64) < 0 || !(0..=5).contains(&(a[3] as i32)) {
        return Err(Errno::EINVAL);
    }
    Ok(0)
}

fn do_pipe(t: &Task, addr: u64, flags: u32) -> SysResult {
    if flags & !(O_CLOEXEC | O_NONBLOCK | O_DIRECT) != 0 {
        return Err(Errno::EINVAL);
    }
    let (r, w) = crate::fs::pipe::new_pipe(t, flags);
    let cloexec = flags & O_CLOEXEC != 0;
    let rfd = t.fds.install(r, cloexec, 0, nofile(t))?;
    let wfd = match t.fds.install(w, cloexec, 0, nofile(t)) {
        Ok(fd) => fd,
        Err(e) => {
            let _ = t.fds.remove(rfd);
            return Err(e);
        }
    };
    let mut out = [0u8; 8];
    out[..4].copy_from_slice(&rfd.to_le_bytes());
    out[4..].copy_from_slice(&wfd.to_le_bytes());
    if let Err(e) = t.mm.copy_out(addr, &out) {
        let _ = t.fds.remove(rfd);
        let _ = t.fds.remove(wfd);
        return Err(e);
    }
    Ok(0)
}

fn sys_pipe(t: &mut Task, a: &[u64; 6]) -> SysResult {
    do_pipe(t, a[0], 0)
}

fn sys_pipe2(t: &mut Task, a: &[u64; 6]) -> SysResult {
    do_pipe(t, a[0], a[1] as u32)
}

/// memfd_create(2): an unlinked file of the internal tmpfs named
/// `memfd:NAME`, open read-write.
fn sys_memfd_create(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let flags = a[1] as u32;
    let known = MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | MFD_NOEXEC_SEAL | MFD_EXEC;
    if flags & !known != 0 {
        return Err(Errno::EINVAL);
    }
    if flags & MFD_HUGETLB != 0 {
        // No hugetlbfs in the sandbox.
        return Err(Errno::EINVAL);
    }
    if flags & MFD_NOEXEC_SEAL != 0 && flags & MFD_EXEC != 0 {
        return Err(Errno::EINVAL);
    }
    // NAME_MAX minus the "memfd:" prefix.
    const MFD_NAME_MAX: usize = 255 - 6;
    let name =
        t.mm.read_cstr(a[0], MFD_NAME_MAX + 1)
            .map_err(|e| match e {
                Errno::ENAMETOOLONG => Errno::EINVAL,
                e => e,
            })?;
    let (perm, seals) = if flags & MFD_NOEXEC_SEAL != 0 {
        (0o666, F_SEAL_EXEC)
    } else if flags & MFD_ALLOW_SEALING != 0 {
        (0o777, 0)
    } else {
        (0o777, F_SEAL_SEAL)
    };
    let vfs = &t.k.vfs;
    let owner = (t.creds.fsuid, t.creds.fsgid);
    let inode = vfs.memfd.new_unlinked_file(perm, owner, seals);
    let mut dname = b"memfd:".to_vec();
    dname.extend_from_slice(&name);
    // A dentry for the file's name (not kept in the hidden directory).
    let dentry = vfs.memfd_root.set_child(&dname, inode.clone());
    vfs.memfd_root.invalidate(&dname);
    let ops = Box::new(crate::fs::tmpfs::TmpFile::new(inode));
    let file = File::new(ops, O_RDWR | O_LARGEFILE, Some(dentry));
    let fd = t
        .fds
        .install(file, flags & MFD_CLOEXEC != 0, 0, nofile(t))?;
    Ok(fd as u64)
}

/// fallocate(2): the checks of Linux's `vfs_fallocate`, then the file
/// system's.
fn sys_fallocate(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (mode, off, len) = (a[1] as u32, a[2] as i64, a[3] as i64);
    let f = get_io(t, fd_arg(a[0]))?;
    let known = FALLOC_FL_KEEP_SIZE
        | FALLOC_FL_PUNCH_HOLE
        | FALLOC_FL_COLLAPSE_RANGE
        | FALLOC_FL_ZERO_RANGE
        | FALLOC_FL_INSERT_RANGE
        | FALLOC_FL_UNSHARE_RANGE;
    if off < 0 || len <= 0 {
        return Err(Errno::EINVAL);
    }
    if mode & !known != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    if mode & FALLOC_FL_PUNCH_HOLE != 0 && mode & FALLOC_FL_KEEP_SIZE == 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    if !f.writable() {
        return Err(Errno::EBADF);
    }
    match f.stat()?.st_mode & S_IFMT {
        S_IFDIR => return Err(Errno::EISDIR),
        S_IFIFO => return Err(Errno::ESPIPE),
        S_IFREG => {}
        _ => return Err(Errno::ENODEV),
    }
    if off.checked_add(len).is_none() {
        return Err(Errno::EFBIG);
    }
    if mode & !(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE) != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    let d = f.dentry.as_ref().ok_or(Errno::EOPNOTSUPP)?;
    d.inode_ref().fallocate(mode, off as u64, len as u64)?;
    Ok(0)
}
