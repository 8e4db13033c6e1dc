//! What every terminal shares (Linux's `tty_jobctrl.c`): the session it
//! controls, its foreground process group, the job-control checks
//! (SIGTTOU/SIGTTIN for background groups), the job-control ioctls, and the
//! sessions' controlling terminals (what `/dev/tty` opens). Used by host
//! ttys ([`super::host`]) and pseudo-terminals ([`super::devpts`]).
//!
//! A session's controlling terminal is recorded on the terminal (its
//! `sid`) and in a sandbox-wide table from session to terminal, so `/dev/tty`
//! finds it; the terminal's `sid` is the truth, the table only a pointer.

use crate::kernel::signal::TaskShared;
use crate::kernel::task::Task;
use crate::kernel::Kernel;
use crate::vfs::{File, FileOps};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use syscalls::abi::{Siginfo, Stat};
use syscalls::consts::{TIOCGPGRP, TIOCGSID, TIOCNOTTY, TIOCSCTTY, TIOCSPGRP};
use syscalls::Errno;

/// `si_code` SI_KERNEL: signals the terminal sends.
const SI_KERNEL: i32 = 0x80;

/// A terminal that can be a session's controlling terminal.
pub trait Terminal: Send + Sync {
    /// Its job-control state.
    fn job(&self) -> &JobCtl;
    /// File operations for an open of `/dev/tty` on this terminal.
    fn open_ctty(self: Arc<Self>, flags: u32) -> Result<Box<dyn FileOps>, Errno>;
    /// Its device number.
    fn rdev(&self) -> u64;
}

/// `tty_nr` and `tpgid` of `/proc/[pid]/stat` for a process of session
/// `sid`: the controlling terminal's device in the old encoding and its
/// foreground group; (0, -1) without one.
pub fn proc_stat_fields(sid: i32) -> (u32, i32) {
    match ctty(sid) {
        Some(t) => {
            let rdev = t.rdev();
            let (ma, mi) = (crate::vfs::major(rdev), crate::vfs::minor(rdev));
            let fg = t.job().fg();
            (
                (mi & 0xff) | (ma << 8) | ((mi & !0xff) << 12),
                if fg > 0 { fg } else { -1 },
            )
        }
        None => (0, -1),
    }
}

/// The job-control state of one terminal.
pub struct JobCtl {
    /// The session it controls (0: none).
    sid: AtomicI32,
    /// Its foreground process group (0: none).
    fg_pgrp: AtomicI32,
}

fn cttys() -> std::sync::MutexGuard<'static, HashMap<i32, Weak<dyn Terminal>>> {
    static CTTYS: OnceLock<Mutex<HashMap<i32, Weak<dyn Terminal>>>> = OnceLock::new();
    CTTYS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner())
}

/// The controlling terminal of session `sid`, if it has one.
pub fn ctty(sid: i32) -> Option<Arc<dyn Terminal>> {
    let mut map = cttys();
    let t = map.get(&sid).and_then(Weak::upgrade);
    match t {
        Some(t) if t.job().session() == sid => Some(t),
        _ => {
            map.remove(&sid);
            None
        }
    }
}

/// Make `term` the controlling terminal of session `sid` with foreground
/// group `pgid` (the terminal must have no session).
pub fn set_ctty(term: &Arc<dyn Terminal>, sid: i32, pgid: i32) {
    let job = term.job();
    job.sid.store(sid, Ordering::SeqCst);
    job.fg_pgrp.store(pgid, Ordering::SeqCst);
    cttys().insert(sid, Arc::downgrade(term));
}

/// Send `sig` from the kernel to every process of group `pgid`.
pub fn signal_pgrp(k: &Kernel, pgid: i32, sig: i32) {
    if pgid <= 0 {
        return;
    }
    for g in k.tasks.all_groups() {
        if k.procs.pgid_sid(g.tgid).is_some_and(|(p, _)| p == pgid) {
            g.send(sig, Siginfo::kill(sig, SI_KERNEL, 0, 0));
        }
    }
}

/// `/dev/tty`: the caller's controlling terminal (ENXIO without one). The
/// description reads and writes the terminal; fstat shows `/dev/tty`.
pub fn open_dev_tty(flags: u32, stat: Stat) -> Result<Box<dyn FileOps>, Errno> {
    let k = crate::kernel::wait::current_kernel().ok_or(Errno::ENXIO)?;
    let me = crate::kernel::wait::current().ok_or(Errno::ENXIO)?;
    let (_, sid) = k.procs.pgid_sid(me.tgid).ok_or(Errno::ENXIO)?;
    let term = ctty(sid).ok_or(Errno::ENXIO)?;
    let inner = term.open_ctty(flags)?;
    Ok(Box::new(DevTty { inner, stat }))
}

/// Acquire `term` as the caller's controlling terminal on an open without
/// O_NOCTTY (Linux's tty_open_proc_set_tty): only a session leader without
/// one, and only a terminal no session controls.
pub fn open_may_acquire(term: &Arc<dyn Terminal>) {
    let (Some(k), Some(me)) = (
        crate::kernel::wait::current_kernel(),
        crate::kernel::wait::current(),
    ) else {
        return;
    };
    let Some((pgid, sid)) = k.procs.pgid_sid(me.tgid) else {
        return;
    };
    if sid != me.tgid || term.job().session() != 0 || ctty(sid).is_some() {
        return;
    }
    set_ctty(term, sid, pgid);
}

impl Default for JobCtl {
    fn default() -> Self {
        JobCtl::new(0, 0)
    }
}

impl JobCtl {
    pub fn new(sid: i32, fg_pgrp: i32) -> JobCtl {
        JobCtl {
            sid: AtomicI32::new(sid),
            fg_pgrp: AtomicI32::new(fg_pgrp),
        }
    }

    /// The session this terminal controls (0: none).
    pub fn session(&self) -> i32 {
        self.sid.load(Ordering::SeqCst)
    }

    /// The foreground process group (0: none).
    pub fn fg(&self) -> i32 {
        self.fg_pgrp.load(Ordering::SeqCst)
    }

    /// The terminal no longer controls a session; returns the session it
    /// controlled and its foreground group.
    pub fn detach(&self) -> (i32, i32) {
        let sid = self.sid.swap(0, Ordering::SeqCst);
        let fg = self.fg_pgrp.swap(0, Ordering::SeqCst);
        if sid != 0 {
            cttys().remove(&sid);
        }
        (sid, fg)
    }

    /// Hang up (Linux's tty_signal_session_leader): SIGHUP and SIGCONT to
    /// the leader of the session this terminal controls, which loses it.
    pub fn hangup(&self, k: &Kernel) {
        let (sid, _) = self.detach();
        if sid > 0 {
            if let Some(g) = k.tasks.group(sid) {
                for sig in [libc::SIGHUP, libc::SIGCONT] {
                    g.send(sig, Siginfo::kill(sig, SI_KERNEL, 0, 0));
                }
            }
        }
    }

    /// Job control on the controlling tty for the calling process: `sig`
    /// (SIGTTOU for changes and TOSTOP writes, SIGTTIN for reads) goes to a
    /// background group, which then stops; a blocked or ignored signal lets
    /// changes through but makes reads fail with EIO, as Linux; an orphaned
    /// group gets EIO.
    pub fn check(&self, k: &Kernel, me: &TaskShared, sig: i32) -> Result<(), Errno> {
        let Some((pgid, sid)) = k.procs.pgid_sid(me.tgid) else {
            return Ok(());
        };
        let fg = self.fg();
        if self.session() != sid || fg == 0 || fg == pgid {
            return Ok(());
        }
        let bit = 1u64 << (sig - 1);
        let ignored = me.group.action(sig).handler == libc::SIG_IGN as u64;
        if me.mask() & bit != 0 || ignored {
            return if sig == libc::SIGTTIN {
                Err(Errno::EIO)
            } else {
                Ok(())
            };
        }
        if k.procs.pgrp_orphaned(pgid) {
            return Err(Errno::EIO);
        }
        signal_pgrp(k, pgid, sig);
        Err(Errno::ERESTARTSYS)
    }

    /// [`JobCtl::check`] for the task running on this sentry thread.
    pub fn check_current(&self, sig: i32) -> Result<(), Errno> {
        match (
            crate::kernel::wait::current_kernel(),
            crate::kernel::wait::current(),
        ) {
            (Some(k), Some(me)) => self.check(&k, &me, sig),
            _ => Ok(()),
        }
    }

    /// Linux's tty_check_change: SIGTTOU for a background process changing
    /// the terminal (TIOCSPGRP, tcsetattr, TIOCSWINSZ).
    pub fn check_change(&self, t: &Task) -> Result<(), Errno> {
        self.check(&t.k, &t.shared, libc::SIGTTOU)
    }

    /// TIOCGPGRP, TIOCSPGRP, TIOCGSID, TIOCSCTTY, TIOCNOTTY on `term`.
    /// `peer` is true when the call comes through a pty master (which may
    /// query the slave's groups without controlling it, as Linux).
    pub fn ioctl(
        term: &Arc<dyn Terminal>,
        t: &mut Task,
        cmd: u32,
        arg: u64,
        peer: bool,
    ) -> Result<u64, Errno> {
        let job = term.job();
        let (pgid, sid) = t.k.procs.pgid_sid(t.tgid).ok_or(Errno::ESRCH)?;
        let ours = job.session() == sid;
        match cmd {
            TIOCGPGRP => {
                if !ours && !peer {
                    return Err(Errno::ENOTTY);
                }
                t.mm.write_obj(arg, &job.fg())?;
                Ok(0)
            }
            TIOCSPGRP => {
                if !ours {
                    return Err(Errno::ENOTTY);
                }
                job.check_change(t)?;
                let pg: i32 = t.mm.read_obj(arg)?;
                if pg < 0 {
                    return Err(Errno::EINVAL);
                }
                // The group must exist (ESRCH) in the caller's session
                // (EPERM), as Linux's tiocspgrp.
                {
                    let tab = t.k.procs.lock();
                    let live = |e: &&crate::kernel::procs::ProcEntry| e.exit.is_none();
                    let mut members = tab.procs.values().filter(live).filter(|e| e.pgid == pg);
                    let group_sid = match members.next() {
                        Some(e) => Some(e.sid),
                        None => tab.procs.get(&pg).filter(live).map(|e| e.sid),
                    };
                    match group_sid {
                        None => return Err(Errno::ESRCH),
                        Some(s) if s != sid => return Err(Errno::EPERM),
                        Some(_) => {}
                    }
                }
                job.fg_pgrp.store(pg, Ordering::SeqCst);
                Ok(0)
            }
            TIOCGSID => {
                let s = job.session();
                if (!ours && !peer) || s == 0 {
                    return Err(Errno::ENOTTY);
                }
                t.mm.write_obj(arg, &s)?;
                Ok(0)
            }
            TIOCSCTTY => {
                if ours && sid == t.tgid {
                    return Ok(0);
                }
                // Only a session leader without a controlling terminal
                // takes one; stealing one from another session needs
                // arg 1 and privilege.
                if sid != t.tgid || ctty(sid).is_some() {
                    return Err(Errno::EPERM);
                }
                let cur = job.session();
                if cur != 0 {
                    if !(arg == 1 && t.creds.euid == 0) {
                        return Err(Errno::EPERM);
                    }
                    job.detach();
                }
                set_ctty(term, sid, pgid);
                Ok(0)
            }
            TIOCNOTTY => {
                if !ours {
                    return Err(Errno::ENOTTY);
                }
                // A session leader gives the terminal up for its session
                // (Linux's disassociate_ctty): its foreground group gets
                // SIGHUP and SIGCONT.
                if sid == t.tgid {
                    let (_, fg) = job.detach();
                    signal_pgrp(&t.k, fg, libc::SIGHUP);
                    signal_pgrp(&t.k, fg, libc::SIGCONT);
                }
                Ok(0)
            }
            _ => Err(Errno::ENOTTY),
        }
    }
}

/// A session leader exits (Linux's disassociate_ctty(1)): the foreground
/// group of its controlling terminal gets SIGHUP and the session loses the
/// terminal.
pub fn session_leader_exit(k: &Kernel, sid: i32) {
    let Some(term) = ctty(sid) else {
        return;
    };
    let (_, fg) = term.job().detach();
    signal_pgrp(k, fg, libc::SIGHUP);
}

/// A description opened through `/dev/tty`: the controlling terminal's
/// operations, with `/dev/tty`'s own attributes.
struct DevTty {
    inner: Box<dyn FileOps>,
    stat: Stat,
}

impl FileOps for DevTty {
    fn read(&self, file: &File, buf: &mut [u8], off: u64) -> Result<usize, Errno> {
        self.inner.read(file, buf, off)
    }
    fn write(&self, file: &File, buf: &[u8], off: u64) -> Result<usize, Errno> {
        self.inner.write(file, buf, off)
    }
    fn read_cur(&self, file: &File, buf: &mut [u8]) -> Result<usize, Errno> {
        self.inner.read_cur(file, buf)
    }
    fn write_cur(&self, file: &File, buf: &[u8]) -> Result<usize, Errno> {
        self.inner.write_cur(file, buf)
    }
    fn stat(&self) -> Result<Stat, Errno> {
        Ok(self.stat)
    }
    fn ioctl(&self, file: &File, t: &mut Task, cmd: u64, arg: u64) -> Result<u64, Errno> {
        self.inner.ioctl(file, t, cmd, arg)
    }
    fn set_status_flags(&self, file: &File, flags: u32) -> Result<(), Errno> {
        self.inner.set_status_flags(file, flags)
    }
    fn poll(&self, file: &File, events: u32) -> (u32, Option<&crate::kernel::wait::WaitQueue>) {
        self.inner.poll(file, events)
    }
    fn size(&self) -> Result<u64, Errno> {
        Ok(0)
    }
}
