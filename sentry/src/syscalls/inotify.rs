//! Syscall handlers: inotify(7). The instances, watches and event hooks are
//! in [`crate::fs::inotify`].

use super::file::{fd_arg, nofile};
use super::{Support, SysResult, Table};
use crate::fs::inotify;
use crate::kernel::task::Task;
use crate::vfs::{check_access, resolve, Ids, MAY_READ};
use syscalls::consts::*;
use syscalls::nr;
use syscalls::Errno;

pub fn register(t: &mut Table) {
    let local =
        Support::Partial("events of the sandbox's own operations only (not of host processes)");
    t.set(nr::INOTIFY_INIT, sys_inotify_init, Support::Full);
    t.set(nr::INOTIFY_INIT1, sys_inotify_init1, Support::Full);
    t.set(nr::INOTIFY_ADD_WATCH, sys_inotify_add_watch, local);
    t.set(nr::INOTIFY_RM_WATCH, sys_inotify_rm_watch, Support::Full);
}

fn init(t: &Task, flags: u32) -> SysResult {
    if flags & !(IN_CLOEXEC | IN_NONBLOCK) != 0 {
        return Err(Errno::EINVAL);
    }
    let (file, _) = inotify::new_file(flags);
    Ok(t.fds.install(file, flags & IN_CLOEXEC != 0, 0, nofile(t))? as u64)
}

fn sys_inotify_init(t: &mut Task, _a: &[u64; 6]) -> SysResult {
    init(t, 0)
}

fn sys_inotify_init1(t: &mut Task, a: &[u64; 6]) -> SysResult {
    init(t, a[0] as u32)
}

fn instance(t: &Task, fd: i32) -> Result<std::sync::Arc<inotify::Inotify>, Errno> {
    let f = t.fds.get(fd)?;
    inotify::of_file(&f).ok_or(Errno::EINVAL)
}

fn sys_inotify_add_watch(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (fd, path_addr, mask) = (fd_arg(a[0]), a[1], a[2] as u32);
    // Linux's ALL_INOTIFY_BITS.
    let valid = IN_ALL_EVENTS
        | IN_UNMOUNT
        | IN_Q_OVERFLOW
        | IN_IGNORED
        | IN_ONLYDIR
        | IN_DONT_FOLLOW
        | IN_EXCL_UNLINK
        | IN_MASK_CREATE
        | IN_MASK_ADD
        | IN_ISDIR
        | IN_ONESHOT;
    if mask & IN_MASK_ADD != 0 && mask & IN_MASK_CREATE != 0 {
        return Err(Errno::EINVAL);
    }
    if mask & valid == 0 {
        return Err(Errno::EINVAL);
    }
    let ino = {
        let f = t.fds.get(fd)?;
        inotify::of_file(&f).ok_or(Errno::EINVAL)?
    };
    if mask & !valid != 0 {
        return Err(Errno::EINVAL);
    }
    let path = t.read_path(path_addr)?;
    let d = resolve::lookup_at(t, AT_FDCWD, &path, mask & IN_DONT_FOLLOW == 0)?;
    check_access(d.inode_ref(), &t.creds, MAY_READ, Ids::Fs)?;
    if mask & IN_ONLYDIR != 0 && !d.is_dir() {
        return Err(Errno::ENOTDIR);
    }
    let key = inotify::key_of(d.inode_ref()).ok_or(Errno::ENOENT)?;
    Ok(ino.add_watch(key, mask)? as u64)
}

fn sys_inotify_rm_watch(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let ino = instance(t, fd_arg(a[0]))?;
    ino.rm_watch(a[1] as i32)?;
    Ok(0)
}
