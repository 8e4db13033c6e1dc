//! Syscall handlers: POSIX message queues (mq_open, mq_unlink,
//! mq_timedsend, mq_timedreceive, mq_notify, mq_getsetattr). They decode
//! and check in Linux's order (ipc/mqueue.c); the queues are
//! [`crate::fs::mqueue`].

use super::file::{get_io, nofile};
use super::{Support, SysResult, Table};
use crate::fs::mqueue::{self, Attr, Creator, MqFile, Notify, Sender, MQ_PRIO_MAX};
use crate::kernel::task::Task;
use crate::vfs::{check_access, Ids, MAY_EXEC, MAY_WRITE};
use std::time::{Duration, Instant};
use syscalls::abi::{Sigevent, Timespec};
use syscalls::consts::{
    O_CLOEXEC, O_CREAT, O_EXCL, O_NOCTTY, O_NONBLOCK, O_TRUNC, SIGEV_NONE, SIGEV_SIGNAL,
    SIGEV_THREAD, S_IFMT, S_IFSOCK, S_ISVTX,
};
use syscalls::{nr, Errno};

pub fn register(t: &mut Table) {
    t.set(nr::MQ_OPEN, sys_mq_open, Support::Full);
    t.set(nr::MQ_UNLINK, sys_mq_unlink, Support::Full);
    let timed = "blocked senders and receivers are served in arrival order (Linux: by \
                 scheduling priority, then arrival)";
    t.set(nr::MQ_TIMEDSEND, sys_mq_timedsend, Support::Partial(timed));
    t.set(
        nr::MQ_TIMEDRECEIVE,
        sys_mq_timedreceive,
        Support::Partial(timed),
    );
    t.set(
        nr::MQ_NOTIFY,
        sys_mq_notify,
        Support::Partial(
            "SIGEV_SIGNAL (SI_MESGQ) and SIGEV_NONE; SIGEV_THREAD needs a netlink socket, \
             which the sandbox has none of (ENOTSOCK/EINVAL as Linux for other fds; glibc's \
             SIGEV_THREAD gives ENOSYS); a signal is sent even if the owner exec'd since \
             (Linux: not), reachable only while it keeps a queue fd without O_CLOEXEC",
        ),
    );
    t.set(nr::MQ_GETSETATTR, sys_mq_getsetattr, Support::Full);
}

/// `struct mq_attr`: mq_flags, mq_maxmsg, mq_msgsize, mq_curmsgs, 4 reserved.
type MqAttr = [i64; 8];

/// NOTIFY_COOKIE_LEN: what SIGEV_THREAD's sival_ptr points to.
const NOTIFY_COOKIE_LEN: usize = 32;

/// A queue name argument (getname, then lookup_one_len's checks).
fn name_arg(t: &Task, addr: u64) -> Result<Vec<u8>, Errno> {
    let name = t.read_path(addr)?;
    if name.is_empty() {
        return Err(Errno::ENOENT);
    }
    mqueue::check_name(&name)?;
    Ok(name)
}

/// An absolute CLOCK_REALTIME timeout (prepare_timeout: EFAULT, EINVAL),
/// as a deadline.
fn timeout_arg(t: &Task, addr: u64) -> Result<Option<Instant>, Errno> {
    if addr == 0 {
        return Ok(None);
    }
    let ts: Timespec = t.mm.read_obj(addr)?;
    if !super::time::timespec_valid(&ts) {
        return Err(Errno::EINVAL);
    }
    let abs = Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32);
    let now =
        nix::time::clock_gettime(nix::time::ClockId::CLOCK_REALTIME).map_err(|_| Errno::EINVAL)?;
    let now = Duration::new(now.tv_sec().max(0) as u64, now.tv_nsec() as u32);
    Ok(Some(super::time::deadline_after(abs.saturating_sub(now))))
}

fn creator(t: &Task) -> Creator {
    Creator {
        ruid: t.creds.ruid,
        limit: t.rlimits[libc::RLIMIT_MSGQUEUE as usize].rlim_cur,
        privileged: super::caps::has_cap(t, mqueue::CAP_SYS_RESOURCE),
    }
}

fn sys_mq_open(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let oflag = a[1] as u32;
    let mode = a[2] as u16 as u32;
    let attr = if a[3] != 0 {
        let v: MqAttr = t.mm.read_obj(a[3])?;
        Some(Attr {
            maxmsg: v[1],
            msgsize: v[2],
        })
    } else {
        None
    };
    let name = name_arg(t, a[0])?;
    // Linux takes the fd first: a full table creates nothing.
    if !t.fds.has_free(nofile(t)) {
        return Err(Errno::EMFILE);
    }
    let mq = mqueue::instance();
    let perm = mode & 0o7777 & !t.umask();
    let create = Some((perm, (t.creds.fsuid, t.creds.fsgid), attr));
    let q = mq.dir.open(&name, oflag, create, &t.creds, &creator(t))?;
    let dentry = mq.root.set_child(&name, q);
    let flags = oflag & !(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC);
    let f = MqFile::open(dentry, flags)?;
    // Always close-on-exec, as Linux's do_mq_open.
    Ok(t.fds.install(f, true, 0, nofile(t))? as u64)
}

fn sys_mq_unlink(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let name = name_arg(t, a[0])?;
    let mq = mqueue::instance();
    let q = mq.dir.get(&name)?;
    // may_delete: write and search on the directory, then the sticky bit.
    let dir = &*mq.dir;
    check_access(dir, &t.creds, MAY_WRITE | MAY_EXEC, Ids::Fs)?;
    use crate::vfs::Inode;
    let uid = t.creds.fsuid;
    if dir.mode() & S_ISVTX != 0 && uid != 0 && q.owner().0 != uid && dir.owner().0 != uid {
        return Err(Errno::EPERM);
    }
    mq.dir.remove(&name)?;
    Ok(0)
}

fn sys_mq_timedsend(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (fd, ptr, len, prio) = (a[0] as i32, a[1], a[2], a[3] as u32);
    let deadline = timeout_arg(t, a[4])?;
    if prio >= MQ_PRIO_MAX {
        return Err(Errno::EINVAL);
    }
    let f = get_io(t, fd)?;
    let q = MqFile::of(&f)?;
    if !f.writable() {
        return Err(Errno::EBADF);
    }
    let (_, msgsize, _) = q.attr();
    if len > msgsize as u64 {
        return Err(Errno::EMSGSIZE);
    }
    let data = t.mm.read_bytes(ptr, len as usize)?;
    let from = Sender {
        tgid: t.tgid,
        ruid: t.creds.ruid,
    };
    q.send((prio, data), f.flags() & O_NONBLOCK != 0, deadline, from)?;
    Ok(0)
}

fn sys_mq_timedreceive(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (fd, ptr, len, prio_ptr) = (a[0] as i32, a[1], a[2], a[3]);
    let deadline = timeout_arg(t, a[4])?;
    let f = get_io(t, fd)?;
    let q = MqFile::of(&f)?;
    if !f.readable() {
        return Err(Errno::EBADF);
    }
    let (_, msgsize, _) = q.attr();
    if len < msgsize as u64 {
        return Err(Errno::EMSGSIZE);
    }
    let (prio, data) = q.receive(f.flags() & O_NONBLOCK != 0, deadline)?;
    // The message is consumed even when it cannot be stored.
    if prio_ptr != 0 {
        t.mm.write_obj(prio_ptr, &prio)?;
    }
    t.mm.copy_out(ptr, &data)?;
    Ok(data.len() as u64)
}

fn sys_mq_notify(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let ev: Option<Sigevent> = if a[1] != 0 {
        Some(t.mm.read_obj(a[1])?)
    } else {
        None
    };
    if let Some(ev) = &ev {
        match ev.sigev_notify {
            SIGEV_NONE => {}
            // valid_signal: 0 is accepted (and never sent).
            SIGEV_SIGNAL if (0..=syscalls::consts::NSIG).contains(&ev.sigev_signo) => {}
            SIGEV_THREAD => {
                t.mm.read_bytes(ev.sigev_value, NOTIFY_COOKIE_LEN)?;
                let sock = get_io(t, ev.sigev_signo)?;
                // netlink_getsockbyfilp: sockets only, and only netlink
                // ones, which the sandbox does not have.
                return Err(if sock.stat()?.st_mode & S_IFMT != S_IFSOCK {
                    Errno::ENOTSOCK
                } else {
                    Errno::EINVAL
                });
            }
            _ => return Err(Errno::EINVAL),
        }
    }
    let f = get_io(t, a[0] as i32)?;
    let q = MqFile::of(&f)?;
    let n = ev.map(|ev| Notify {
        tgid: t.tgid,
        how: ev.sigev_notify,
        signo: ev.sigev_signo,
        value: ev.sigev_value,
    });
    q.set_notify(t.tgid, n)?;
    Ok(0)
}

fn sys_mq_getsetattr(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let new: Option<MqAttr> = if a[1] != 0 {
        Some(t.mm.read_obj(a[1])?)
    } else {
        None
    };
    if new.is_some_and(|n| n[0] & !(O_NONBLOCK as i64) != 0) {
        return Err(Errno::EINVAL);
    }
    let f = get_io(t, a[0] as i32)?;
    let q = MqFile::of(&f)?;
    let (maxmsg, msgsize, curmsgs) = q.attr();
    let flags = f.flags();
    let old: MqAttr = [
        i64::from(flags & O_NONBLOCK),
        maxmsg,
        msgsize,
        curmsgs,
        0,
        0,
        0,
        0,
    ];
    if let Some(n) = new {
        let nb = if n[0] & O_NONBLOCK as i64 != 0 {
            O_NONBLOCK
        } else {
            0
        };
        f.set_flags((f.flags() & !O_NONBLOCK) | nb);
        q.attr_changed();
    }
    if a[2] != 0 {
        t.mm.write_obj(a[2], &old)?;
    }
    Ok(0)
}
