//! One pseudo-terminal pair: the shared state (the slave's line
//! discipline, the output queue the master reads, the window size, the
//! lock) and the file operations of both ends.
//!
//! Bytes written to the master go through the slave's line discipline
//! (signals, editing, echo); bytes written to the slave go through its
//! output processing into the queue the master reads (the master side is
//! always raw, as Linux's pty master termios). Every change notifies one
//! wait queue that blocked readers, writers and pollers of both ends use.

use super::ldisc::{Effects, Ldisc};
use crate::fs::tty::{self, JobCtl, Terminal};
use crate::kernel::task::Task;
use crate::kernel::wait::{block_on, WaitError, WaitQueue};
use crate::vfs::file::pollev::{
    POLLERR, POLLHUP, POLLIN, POLLOUT, POLLPRI, POLLRDNORM, POLLWRNORM,
};
use crate::vfs::{File, FileOps};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use syscalls::abi::{Stat, Termios, Termios2, Winsize};
use syscalls::consts::{
    CREAD, CS6, CS7, CS8, CSIZE, FIONREAD, O_CLOEXEC, O_NOCTTY, O_NONBLOCK, PARENB, TCFLSH, TCGETS,
    TCGETS2, TCIFLUSH, TCIOFF, TCIOFLUSH, TCION, TCOFLUSH, TCOOFF, TCOON, TCSBRK, TCSBRKP, TCSETS,
    TCSETS2, TCSETSF, TCSETSF2, TCSETSW, TCSETSW2, TCXONC, TIOCEXCL, TIOCGETD, TIOCGPGRP, TIOCGPKT,
    TIOCGPTLCK, TIOCGPTN, TIOCGPTPEER, TIOCGSID, TIOCGWINSZ, TIOCNOTTY, TIOCNXCL, TIOCOUTQ,
    TIOCPKT, TIOCSCTTY, TIOCSETD, TIOCSIG, TIOCSPGRP, TIOCSPTLCK, TIOCSWINSZ, TOSTOP, VMIN, VTIME,
};
use syscalls::{Errno, Pod};

/// Output bytes held for the master before slave writes wait.
const OUTPUT_LIMIT: usize = 65536;
/// TIOCPKT status bits.
const TIOCPKT_FLUSHREAD: u8 = 1;
const TIOCPKT_FLUSHWRITE: u8 = 2;

struct State {
    ld: Ldisc,
    /// What the master reads: processed slave output and echoes.
    out: VecDeque<u8>,
    winsize: Winsize,
    locked: bool,
    /// Open slave descriptions.
    slaves: usize,
    /// A slave was opened and all are closed again (Linux's
    /// TTY_OTHER_CLOSED on the master): master reads give EIO once drained.
    slave_closed: bool,
    master_closed: bool,
    packet: bool,
    pktstatus: u8,
}

/// A pseudo-terminal pair.
pub struct Pty {
    pub index: u32,
    state: Mutex<State>,
    queue: WaitQueue,
    job: JobCtl,
    /// The attributes of `/dev/pts/N`.
    slave_stat: Stat,
}

impl Pty {
    pub fn new(index: u32, slave_stat: Stat) -> Arc<Pty> {
        Arc::new(Pty {
            index,
            state: Mutex::new(State {
                ld: Ldisc::new(),
                out: VecDeque::new(),
                winsize: Winsize::zeroed(),
                locked: true,
                slaves: 0,
                slave_closed: false,
                master_closed: false,
                packet: false,
                pktstatus: 0,
            }),
            queue: WaitQueue::default(),
            job: JobCtl::default(),
            slave_stat,
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn slave_stat(&self) -> Stat {
        self.slave_stat
    }

    /// TIOCSPTLCK: (un)lock the slave; opening a locked slave gives EIO.
    pub fn set_locked(&self, locked: bool) {
        self.lock().locked = locked;
    }

    /// Whether `/dev/pts/N` exists: until the master is closed.
    pub fn visible(&self) -> bool {
        !self.lock().master_closed
    }

    /// Open a slave description (EIO while locked or after the master
    /// closed).
    pub fn open_slave(self: &Arc<Self>) -> Result<Box<dyn FileOps>, Errno> {
        let mut s = self.lock();
        if s.locked || s.master_closed {
            return Err(Errno::EIO);
        }
        s.slaves += 1;
        s.slave_closed = false;
        drop(s);
        self.queue.notify_all();
        Ok(Box::new(SlaveFile { pty: self.clone() }))
    }

    /// A new master description (from opening a ptmx).
    pub fn master(self: &Arc<Self>, stat: Stat) -> Box<dyn FileOps> {
        Box::new(MasterFile {
            pty: self.clone(),
            stat,
        })
    }

    fn term(self: &Arc<Self>) -> Arc<dyn Terminal> {
        self.clone()
    }

    /// Apply what input processing caused (with the state lock held) and
    /// return the signals to send once it is released.
    fn apply(s: &mut State, fx: Effects) -> Vec<i32> {
        if fx.flush_output {
            s.out.clear();
            if s.packet {
                s.pktstatus |= TIOCPKT_FLUSHREAD | TIOCPKT_FLUSHWRITE;
            }
        }
        s.out.extend(fx.echo);
        fx.signals
    }

    fn send_signals(&self, sigs: &[i32]) {
        if sigs.is_empty() {
            return;
        }
        if let Some(k) = crate::kernel::wait::current_kernel() {
            for &sig in sigs {
                tty::signal_pgrp(&k, self.job.fg(), sig);
            }
        }
    }

    fn termios_ioctl(&self, t: &mut Task, cmd: u32, arg: u64, slave: bool) -> Result<u64, Errno> {
        match cmd {
            TCGETS => {
                let v = self.lock().ld.termios;
                t.mm.write_obj(arg, &v)?;
            }
            TCGETS2 => {
                let v = self.lock().ld.termios;
                let mut v2 = Termios2::zeroed();
                v2.as_bytes_mut()[..std::mem::size_of::<Termios>()].copy_from_slice(v.as_bytes());
                v2.c_ispeed = 38400;
                v2.c_ospeed = 38400;
                t.mm.write_obj(arg, &v2)?;
            }
            _ => {
                let mut v: Termios = t.mm.read_obj(arg)?;
                if slave {
                    self.job.check_change(t)?;
                }
                // A pty is always 8 bits without parity, receiving: Linux
                // (6.x as measured) refuses CS6, CS7, PARENB and !CREAD
                // with EINVAL and turns CS5 into CS8.
                let csize = v.c_cflag & CSIZE;
                if csize == CS6 || csize == CS7 || v.c_cflag & PARENB != 0 || v.c_cflag & CREAD == 0
                {
                    return Err(Errno::EINVAL);
                }
                v.c_cflag = (v.c_cflag & !CSIZE) | CS8;
                let mut s = self.lock();
                if matches!(cmd, TCSETSF | TCSETSF2) {
                    s.ld.flush_input();
                }
                s.ld.set_termios(v);
                drop(s);
                self.queue.notify_all();
            }
        }
        Ok(0)
    }

    fn winsize_ioctl(&self, t: &mut Task, cmd: u32, arg: u64) -> Result<u64, Errno> {
        if cmd == TIOCGWINSZ {
            let v = self.lock().winsize;
            t.mm.write_obj(arg, &v)?;
            return Ok(0);
        }
        let v: Winsize = t.mm.read_obj(arg)?;
        let changed = {
            let mut s = self.lock();
            let changed = s.winsize != v;
            s.winsize = v;
            changed
        };
        if changed {
            tty::signal_pgrp(&t.k, self.job.fg(), libc::SIGWINCH);
        }
        Ok(0)
    }

    /// The ioctls both ends share.
    fn common_ioctl(
        self: &Arc<Self>,
        t: &mut Task,
        cmd: u32,
        arg: u64,
        slave: bool,
    ) -> Result<u64, Errno> {
        match cmd {
            TCGETS | TCGETS2 | TCSETS | TCSETSW | TCSETSF | TCSETS2 | TCSETSW2 | TCSETSF2 => {
                self.termios_ioctl(t, cmd, arg, slave)
            }
            TIOCGWINSZ | TIOCSWINSZ => self.winsize_ioctl(t, cmd, arg),
            TIOCGPGRP | TIOCSPGRP | TIOCGSID | TIOCSCTTY | TIOCNOTTY => {
                JobCtl::ioctl(&self.term(), t, cmd, arg, !slave)
            }
            TIOCOUTQ => {
                // Linux's pty keeps nothing in a driver buffer.
                t.mm.write_obj(arg, &0i32)?;
                Ok(0)
            }
            TCFLSH => {
                let (inq, outq) = match arg as u32 {
                    TCIFLUSH => (true, false),
                    TCOFLUSH => (false, true),
                    TCIOFLUSH => (true, true),
                    _ => return Err(Errno::EINVAL),
                };
                let mut s = self.lock();
                // Each end flushes what it has to read; output already
                // passed to the other end stays there (Linux's
                // pty_flush_buffer only reaches the peer's flip buffer).
                // A master in packet mode learns of the slave's flushes.
                if slave {
                    if inq {
                        s.ld.flush_input();
                    }
                    if s.packet {
                        if inq {
                            s.pktstatus |= TIOCPKT_FLUSHREAD;
                        }
                        if outq {
                            s.pktstatus |= TIOCPKT_FLUSHWRITE;
                        }
                    }
                } else if inq {
                    s.out.clear();
                }
                drop(s);
                self.queue.notify_all();
                Ok(0)
            }
            TCXONC => {
                let mut s = self.lock();
                match arg as u32 {
                    TCOOFF => s.ld.stopped = true,
                    TCOON => s.ld.stopped = false,
                    TCIOFF | TCION => {}
                    _ => return Err(Errno::EINVAL),
                }
                drop(s);
                self.queue.notify_all();
                Ok(0)
            }
            TCSBRK | TCSBRKP | TIOCEXCL | TIOCNXCL => Ok(0),
            TIOCGETD => {
                t.mm.write_obj(arg, &0i32)?;
                Ok(0)
            }
            TIOCSETD => {
                let d: i32 = t.mm.read_obj(arg)?;
                if d == 0 {
                    Ok(0)
                } else {
                    Err(Errno::EINVAL)
                }
            }
            _ => Err(Errno::ENOTTY),
        }
    }
}

impl Terminal for Pty {
    fn job(&self) -> &JobCtl {
        &self.job
    }
    fn rdev(&self) -> u64 {
        self.slave_stat.st_rdev
    }
    fn open_ctty(self: Arc<Self>, _flags: u32) -> Result<Box<dyn FileOps>, Errno> {
        self.open_slave()
    }
}

/// The master end.
pub struct MasterFile {
    pty: Arc<Pty>,
    /// The attributes of the ptmx it was opened from.
    stat: Stat,
}

impl Drop for MasterFile {
    /// Closing the master hangs the slave up: `/dev/pts/N` disappears,
    /// slave reads give EOF (EIO for one blocked at the time), writes EIO,
    /// and the session it controls gets SIGHUP and SIGCONT.
    fn drop(&mut self) {
        self.pty.lock().master_closed = true;
        // Signals first: a reader woken by the hangup must find SIGHUP
        // pending when its read returns (as on Linux), not later.
        match crate::kernel::wait::current_kernel() {
            Some(k) => self.pty.job.hangup(&k),
            None => {
                self.pty.job.detach();
            }
        }
        self.pty.queue.notify_all();
    }
}

impl FileOps for MasterFile {
    fn read(&self, file: &File, buf: &mut [u8], _off: u64) -> Result<usize, Errno> {
        self.read_cur(file, buf)
    }
    fn write(&self, file: &File, buf: &[u8], _off: u64) -> Result<usize, Errno> {
        self.write_cur(file, buf)
    }
    fn read_cur(&self, file: &File, buf: &mut [u8]) -> Result<usize, Errno> {
        if buf.is_empty() {
            return Ok(0);
        }
        let nonblock = file.flags() & O_NONBLOCK != 0;
        let q = &self.pty.queue;
        block_on(&[q], None, || {
            let mut s = self.pty.lock();
            if s.packet && s.pktstatus != 0 {
                buf[0] = s.pktstatus;
                s.pktstatus = 0;
                return Some(Ok(1));
            }
            if !s.out.is_empty() {
                let (skip, room) = if s.packet {
                    buf[0] = 0;
                    (1, buf.len() - 1)
                } else {
                    (0, buf.len())
                };
                let n = s.out.len().min(room);
                for (d, b) in buf[skip..skip + n].iter_mut().zip(s.out.drain(..n)) {
                    *d = b;
                }
                drop(s);
                q.notify_all();
                return Some(Ok(n + skip));
            }
            if s.slave_closed {
                return Some(Err(Errno::EIO));
            }
            if nonblock {
                return Some(Err(Errno::EAGAIN));
            }
            None
        })
        .unwrap_or_else(|e| Err(e.restartsys()))
    }
    fn write_cur(&self, file: &File, buf: &[u8]) -> Result<usize, Errno> {
        let nonblock = file.flags() & O_NONBLOCK != 0;
        let q = &self.pty.queue;
        let mut done = 0;
        let r = block_on(&[q], None, || {
            let mut s = self.pty.lock();
            if done == buf.len() {
                return Some(Ok(()));
            }
            if s.ld.input_room() == 0 {
                return nonblock.then_some(Err(Errno::EAGAIN));
            }
            let mut fx = Effects::default();
            done += s.ld.receive(&buf[done..], &mut fx);
            let sigs = Pty::apply(&mut s, fx);
            drop(s);
            q.notify_all();
            self.pty.send_signals(&sigs);
            (done == buf.len()).then_some(Ok(()))
        });
        match r {
            Ok(Ok(())) => Ok(done),
            _ if done > 0 => Ok(done),
            Ok(Err(e)) => Err(e),
            Err(e) => Err(e.restartsys()),
        }
    }
    fn stat(&self) -> Result<Stat, Errno> {
        Ok(self.stat)
    }
    fn size(&self) -> Result<u64, Errno> {
        Ok(0)
    }
    fn ioctl(&self, _file: &File, t: &mut Task, cmd: u64, arg: u64) -> Result<u64, Errno> {
        let cmd = cmd as u32;
        match cmd {
            TIOCGPTN => {
                t.mm.write_obj(arg, &self.pty.index)?;
                Ok(0)
            }
            TIOCSPTLCK => {
                let v: i32 = t.mm.read_obj(arg)?;
                self.pty.set_locked(v != 0);
                Ok(0)
            }
            TIOCGPTLCK => {
                let v = i32::from(self.pty.lock().locked);
                t.mm.write_obj(arg, &v)?;
                Ok(0)
            }
            TIOCPKT => {
                let v: i32 = t.mm.read_obj(arg)?;
                let mut s = self.pty.lock();
                if (v != 0) != s.packet {
                    s.pktstatus = 0;
                }
                s.packet = v != 0;
                Ok(0)
            }
            TIOCGPKT => {
                let v = i32::from(self.pty.lock().packet);
                t.mm.write_obj(arg, &v)?;
                Ok(0)
            }
            TIOCGPTPEER => {
                let flags = arg as u32;
                let ops = self.pty.open_slave()?;
                if flags & O_NOCTTY == 0 {
                    tty::open_may_acquire(&self.pty.term());
                }
                let acc = flags & (libc::O_ACCMODE as u32 | O_NONBLOCK);
                let f = File::new(ops, acc | syscalls::consts::O_LARGEFILE, None);
                let fd = t.fds.install(
                    f,
                    flags & O_CLOEXEC != 0,
                    0,
                    crate::syscalls::file::nofile(t),
                )?;
                Ok(fd as u64)
            }
            TIOCSIG => {
                let sig = arg as i32;
                if !(1..=64).contains(&sig) {
                    return Err(Errno::EINVAL);
                }
                tty::signal_pgrp(&t.k, self.pty.job.fg(), sig);
                Ok(0)
            }
            FIONREAD => {
                let n = self.pty.lock().out.len() as i32;
                t.mm.write_obj(arg, &n)?;
                Ok(0)
            }
            _ => self.pty.common_ioctl(t, cmd, arg, false),
        }
    }
    fn poll(&self, _file: &File, _events: u32) -> (u32, Option<&WaitQueue>) {
        let s = self.pty.lock();
        let mut mask = 0;
        if !s.out.is_empty() {
            mask |= POLLIN | POLLRDNORM;
        }
        if s.packet && s.pktstatus != 0 {
            mask |= POLLPRI | POLLIN | POLLRDNORM;
        }
        if s.ld.input_room() > 0 {
            mask |= POLLOUT | POLLWRNORM;
        }
        if s.slave_closed {
            mask |= POLLHUP;
        }
        (mask, Some(&self.pty.queue))
    }
}

/// A slave end.
pub struct SlaveFile {
    pty: Arc<Pty>,
}

impl Drop for SlaveFile {
    fn drop(&mut self) {
        let mut s = self.pty.lock();
        s.slaves = s.slaves.saturating_sub(1);
        if s.slaves == 0 {
            s.slave_closed = true;
        }
        drop(s);
        self.pty.queue.notify_all();
    }
}

impl SlaveFile {
    /// Non-canonical read with Linux's VMIN/VTIME rules: MIN 0 and TIME 0
    /// returns what is there; MIN 0 waits up to TIME for one byte; MIN > 0
    /// waits for MIN bytes (or the buffer's size), TIME then being an
    /// inter-byte timer started by each arrival.
    fn read_raw(&self, nonblock: bool, buf: &mut [u8]) -> Result<usize, Errno> {
        let q = &self.pty.queue;
        let (vmin, vtime) = {
            let s = self.pty.lock();
            (
                usize::from(s.ld.termios.c_cc[VMIN]),
                u64::from(s.ld.termios.c_cc[VTIME]),
            )
        };
        let time = Duration::from_millis(vtime * 100);
        let want = vmin.max(1).min(buf.len());
        let mut deadline = (vmin == 0 && vtime > 0).then(|| Instant::now() + time);
        let mut got = 0;
        loop {
            let r = block_on(&[q], deadline, || {
                let mut s = self.pty.lock();
                if s.master_closed {
                    return Some(Err(Errno::EIO));
                }
                let (n, _) = s.ld.read(&mut buf[got..]);
                if n > 0 {
                    got += n;
                    drop(s);
                    q.notify_all();
                    return Some(Ok(true));
                }
                if vmin == 0 && vtime == 0 {
                    return Some(Ok(false));
                }
                if nonblock {
                    return Some(Err(Errno::EAGAIN));
                }
                None
            });
            match r {
                Ok(Ok(true)) => {
                    if got >= want || vmin == 0 {
                        return Ok(got);
                    }
                    if vtime > 0 {
                        deadline = Some(Instant::now() + time);
                    }
                }
                Ok(Ok(false)) | Err(WaitError::TimedOut) => return Ok(got),
                _ if got > 0 => return Ok(got),
                Ok(Err(e)) => return Err(e),
                Err(e) => return Err(e.restartsys()),
            }
        }
    }

    fn read_canon(&self, nonblock: bool, buf: &mut [u8]) -> Result<usize, Errno> {
        let q = &self.pty.queue;
        block_on(&[q], None, || {
            let mut s = self.pty.lock();
            if s.master_closed {
                return Some(Err(Errno::EIO));
            }
            let (n, took) = s.ld.read(buf);
            if took {
                drop(s);
                q.notify_all();
                return Some(Ok(n));
            }
            if nonblock {
                return Some(Err(Errno::EAGAIN));
            }
            None
        })
        .unwrap_or_else(|e| Err(e.restartsys()))
    }
}

impl FileOps for SlaveFile {
    fn read(&self, file: &File, buf: &mut [u8], _off: u64) -> Result<usize, Errno> {
        self.read_cur(file, buf)
    }
    fn write(&self, file: &File, buf: &[u8], _off: u64) -> Result<usize, Errno> {
        self.write_cur(file, buf)
    }
    fn read_cur(&self, file: &File, buf: &mut [u8]) -> Result<usize, Errno> {
        let canon = {
            let s = self.pty.lock();
            if s.master_closed {
                // Hung up: end of file.
                return Ok(0);
            }
            s.ld.canonical()
        };
        // A background process reading its controlling terminal: SIGTTIN.
        self.pty.job.check_current(libc::SIGTTIN)?;
        if buf.is_empty() {
            return Ok(0);
        }
        let nonblock = file.flags() & O_NONBLOCK != 0;
        if canon {
            self.read_canon(nonblock, buf)
        } else {
            self.read_raw(nonblock, buf)
        }
    }
    fn write_cur(&self, file: &File, buf: &[u8]) -> Result<usize, Errno> {
        let tostop = {
            let s = self.pty.lock();
            if s.master_closed {
                return Err(Errno::EIO);
            }
            s.ld.termios.c_lflag & TOSTOP != 0
        };
        if tostop {
            self.pty.job.check_current(libc::SIGTTOU)?;
        }
        let nonblock = file.flags() & O_NONBLOCK != 0;
        let q = &self.pty.queue;
        let mut done = 0;
        let r = block_on(&[q], None, || {
            let mut s = self.pty.lock();
            if s.master_closed {
                return Some(Err(Errno::EIO));
            }
            if done == buf.len() {
                return Some(Ok(()));
            }
            if s.ld.stopped || s.out.len() >= OUTPUT_LIMIT {
                return nonblock.then_some(Err(Errno::EAGAIN));
            }
            let mut out = Vec::new();
            while done < buf.len() && s.out.len() + out.len() < OUTPUT_LIMIT {
                s.ld.output_byte(buf[done], &mut out);
                done += 1;
            }
            s.out.extend(out);
            drop(s);
            q.notify_all();
            (done == buf.len()).then_some(Ok(()))
        });
        match r {
            Ok(Ok(())) => Ok(done),
            _ if done > 0 => Ok(done),
            Ok(Err(e)) => Err(e),
            Err(e) => Err(e.restartsys()),
        }
    }
    fn stat(&self) -> Result<Stat, Errno> {
        Ok(self.pty.slave_stat)
    }
    fn size(&self) -> Result<u64, Errno> {
        Ok(0)
    }
    fn proc_name(&self) -> Option<String> {
        Some(format!("/dev/pts/{}", self.pty.index))
    }
    fn ioctl(&self, _file: &File, t: &mut Task, cmd: u64, arg: u64) -> Result<u64, Errno> {
        let cmd = cmd as u32;
        if self.pty.lock().master_closed {
            // Linux's hung_up_tty_ioctl.
            return Err(if cmd == TIOCSPGRP {
                Errno::ENOTTY
            } else {
                Errno::EIO
            });
        }
        match cmd {
            // Linux's ptm_open_peer refuses anything but a master.
            TIOCGPTPEER => Err(Errno::EIO),
            FIONREAD => {
                let n = self.pty.lock().ld.inq() as i32;
                t.mm.write_obj(arg, &n)?;
                Ok(0)
            }
            _ => self.pty.common_ioctl(t, cmd, arg, true),
        }
    }
    fn poll(&self, _file: &File, _events: u32) -> (u32, Option<&WaitQueue>) {
        let s = self.pty.lock();
        if s.master_closed {
            let m = POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDNORM | POLLWRNORM;
            return (m, Some(&self.pty.queue));
        }
        let t = &s.ld.termios;
        let (vmin, vtime) = (t.c_cc[VMIN], t.c_cc[VTIME]);
        let min = if vtime == 0 && vmin > 0 {
            usize::from(vmin)
        } else {
            1
        };
        let mut mask = 0;
        if s.ld.input_ready(min) {
            mask |= POLLIN | POLLRDNORM;
        }
        if !s.ld.stopped && s.out.len() < OUTPUT_LIMIT {
            mask |= POLLOUT | POLLWRNORM;
        }
        (mask, Some(&self.pty.queue))
    }
}
