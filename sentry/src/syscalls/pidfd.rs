//! Syscall handlers: pidfd_open, pidfd_send_signal, pidfd_getfd, and the
//! pidfd file (also made by clone's CLONE_PIDFD and used by waitid's
//! P_PIDFD).
//!
//! A pidfd names a process (or, with PIDFD_THREAD, a thread) by pid; the
//! sandbox's pids are never reused while the process table still holds the
//! entry, and a reaped pid is only reused after wrapping around the pid
//! space (a stale pidfd is then not told apart, unlike Linux's struct pid).

use super::{Support, SysResult, Table};
use crate::fs::synth::SynthFs;
use crate::kernel::task::Task;
use crate::kernel::wait::WaitQueue;
use crate::kernel::Kernel;
use crate::vfs::file::pollev::{POLLHUP, POLLIN, POLLRDNORM};
use crate::vfs::{File, FileOps};
use std::sync::{Arc, OnceLock};
use syscalls::abi::{Siginfo, Stat};
use syscalls::consts::{O_NONBLOCK, O_RDWR, S_IFREG};
use syscalls::nr;
use syscalls::Errno;

pub fn register(t: &mut Table) {
    t.set(
        nr::PIDFD_OPEN,
        sys_pidfd_open,
        Support::Partial("PIDFD_NONBLOCK and PIDFD_THREAD; a reaped pid reused after wrap-around is not told apart"),
    );
    t.set(
        nr::PIDFD_SEND_SIGNAL,
        sys_pidfd_send_signal,
        Support::Partial("flags 0, PIDFD_SIGNAL_THREAD and PIDFD_SIGNAL_THREAD_GROUP; PIDFD_SIGNAL_PROCESS_GROUP EINVAL"),
    );
    t.set(
        nr::PIDFD_GETFD,
        sys_pidfd_getfd,
        Support::Partial("PTRACE_MODE_ATTACH modelled as: the caller's own process or euid 0"),
    );
}

pub const PIDFD_NONBLOCK: u64 = O_NONBLOCK as u64;
pub const PIDFD_THREAD: u64 = 0o200; // O_EXCL
const PIDFS_MAGIC: i64 = 0x5049_4446;

fn pidfs() -> &'static Arc<SynthFs> {
    static FS: OnceLock<Arc<SynthFs>> = OnceLock::new();
    FS.get_or_init(|| SynthFs::new(PIDFS_MAGIC, false))
}

/// The file behind a pidfd.
pub struct PidFd {
    k: Arc<Kernel>,
    pid: i32,
    thread: bool,
    stat: Stat,
}

/// Whether process `pid` has exited (every thread gone) or was reaped.
fn process_state(k: &Kernel, pid: i32) -> (bool, bool) {
    let procs = k.procs.lock();
    match procs.procs.get(&pid) {
        Some(e) => (e.exit.is_some(), false),
        None => (true, true),
    }
}

impl FileOps for PidFd {
    fn proc_name(&self) -> Option<String> {
        Some("anon_inode:[pidfd]".into())
    }
    fn stat(&self) -> Result<Stat, Errno> {
        Ok(self.stat)
    }
    fn poll(&self, _file: &File, _events: u32) -> (u32, Option<&WaitQueue>) {
        let (exited, reaped) = if !self.thread {
            process_state(&self.k, self.pid)
        } else if self.k.tasks.get(self.pid).is_some() {
            (false, false)
        } else if self.k.procs.lock().procs.contains_key(&self.pid) {
            // A leader thread that left; its process may still run.
            (true, false)
        } else {
            (true, true)
        };
        let mut m = 0;
        if exited {
            m |= POLLIN | POLLRDNORM;
        }
        if reaped {
            m |= POLLHUP;
        }
        (m, Some(self.k.procs.changed()))
    }
    fn pidfd(&self) -> Option<(i32, bool)> {
        Some((self.pid, self.thread))
    }
}

/// Make a pidfd for `pid` and install it (always close-on-exec).
pub fn new_pidfd(t: &Task, pid: i32, flags: u64) -> Result<i32, Errno> {
    let fs = pidfs();
    let mut stat = fs.stat(fs.ino(), S_IFREG | 0o600, 1, 0, 0);
    stat.st_uid = t.creds.euid;
    stat.st_gid = t.creds.egid;
    let f = File::new(
        Box::new(PidFd {
            k: t.k.clone(),
            pid,
            thread: flags & PIDFD_THREAD != 0,
            stat,
        }),
        O_RDWR | (flags & PIDFD_NONBLOCK) as u32,
        None,
    );
    t.fds.install(f, true, 0, super::file::nofile(t))
}

/// The pid (and thread flag) of pidfd `fd`: EBADF if it is not one.
pub fn pidfd_target(t: &Task, fd: i32) -> Result<(i32, bool, Arc<File>), Errno> {
    let f = t.fds.get(fd)?;
    let (pid, thread) = f.ops.pidfd().ok_or(Errno::EBADF)?;
    Ok((pid, thread, f))
}

fn sys_pidfd_open(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (pid, flags) = (a[0] as i32, a[1]);
    if flags & !(PIDFD_NONBLOCK | PIDFD_THREAD) != 0 || pid <= 0 {
        return Err(Errno::EINVAL);
    }
    let is_process = t.k.procs.lock().procs.contains_key(&pid);
    if flags & PIDFD_THREAD != 0 {
        if t.k.tasks.get(pid).is_none() && !is_process {
            return Err(Errno::ESRCH);
        }
    } else if !is_process {
        // A live thread that is not a leader: EINVAL, as Linux.
        return Err(if t.k.tasks.get(pid).is_some() {
            Errno::EINVAL
        } else {
            Errno::ESRCH
        });
    }
    Ok(new_pidfd(t, pid, flags)? as u64)
}

const PIDFD_SIGNAL_THREAD: u64 = 1;
const PIDFD_SIGNAL_THREAD_GROUP: u64 = 2;
const PIDFD_SIGNAL_PROCESS_GROUP: u64 = 4;
const SI_USER: i32 = 0;
const SI_TKILL: i32 = -6;

fn sys_pidfd_send_signal(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (fd, sig, info_ptr, flags) = (a[0] as i32, a[1] as i32, a[2], a[3]);
    let scope = PIDFD_SIGNAL_THREAD | PIDFD_SIGNAL_THREAD_GROUP | PIDFD_SIGNAL_PROCESS_GROUP;
    if flags & !scope != 0 || (flags & scope).count_ones() > 1 {
        return Err(Errno::EINVAL);
    }
    if flags & PIDFD_SIGNAL_PROCESS_GROUP != 0 {
        return Err(Errno::EINVAL);
    }
    let (pid, thread, _f) = pidfd_target(t, fd)?;
    if !(0..=64).contains(&sig) {
        return Err(Errno::EINVAL);
    }
    let to_thread = match flags {
        PIDFD_SIGNAL_THREAD => true,
        PIDFD_SIGNAL_THREAD_GROUP => false,
        _ => thread,
    };
    let target_tgid = if to_thread {
        t.k.tasks.get(pid).map(|x| x.tgid)
    } else {
        t.k.tasks.group(pid).map(|g| g.tgid)
    };
    let Some(target_tgid) = target_tgid else {
        // A zombie still has its pid: the signal is accepted and dropped.
        let zombie = !to_thread && t.k.procs.lock().procs.contains_key(&pid);
        return if zombie { Ok(0) } else { Err(Errno::ESRCH) };
    };
    let info = if info_ptr != 0 {
        let info: Siginfo = t.mm.read_obj(info_ptr)?;
        if info.signo() != sig {
            return Err(Errno::EINVAL);
        }
        if (info.code() >= 0 || info.code() == SI_TKILL) && target_tgid != t.tgid {
            return Err(Errno::EPERM);
        }
        info
    } else {
        let code = if to_thread { SI_TKILL } else { SI_USER };
        Siginfo::kill(sig, code, t.tgid, t.creds.ruid)
    };
    if sig == 0 {
        return Ok(0);
    }
    if to_thread {
        if let Some(x) = t.k.tasks.get(pid) {
            x.send(sig, info);
        }
    } else if let Some(g) = t.k.tasks.group(pid) {
        g.send(sig, info);
    }
    Ok(0)
}

fn sys_pidfd_getfd(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (fd, targetfd, flags) = (a[0] as i32, a[1] as i32, a[2]);
    if flags != 0 {
        return Err(Errno::EINVAL);
    }
    let (pid, _, _f) = pidfd_target(t, fd)?;
    let target = t.k.tasks.get(pid).ok_or(Errno::ESRCH)?;
    if target.tgid != t.tgid && t.creds.euid != 0 {
        return Err(Errno::EPERM);
    }
    let files = target
        .files
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .upgrade()
        .ok_or(Errno::ESRCH)?;
    let file = files.get(targetfd)?;
    Ok(t.fds.install(file, true, 0, super::file::nofile(t))? as u64)
}
