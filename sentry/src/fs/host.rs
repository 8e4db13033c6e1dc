//! Host fds given to the sandbox as files: the container's stdio (and FIFOs
//! of the rootfs). Reads and writes use plain host read/write so the host
//! file offset and O_APPEND are respected (a redirect to a file keeps
//! appending where the host shell left it, never from 0); pread/pwrite and
//! lseek pass through for regular files; terminal ioctls pass through when
//! the fd is a tty.

use super::tty::{JobCtl, Terminal};
use crate::kernel::task::Task;
use crate::kernel::wait::WaitQueue;
use crate::vfs::{File, FileOps};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::sync::Arc;
use syscalls::abi::{Stat, Statfs, Termios, Winsize};
use syscalls::consts::{
    FIONREAD, O_APPEND, O_NONBLOCK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFMT, S_IFREG, S_IFSOCK, TCFLSH,
    TCGETS, TCSBRK, TCSETS, TCSETSF, TCSETSW, TCXONC, TIOCGPGRP, TIOCGSID, TIOCGWINSZ, TIOCNOTTY,
    TIOCSCTTY, TIOCSPGRP, TIOCSWINSZ,
};
use syscalls::{Errno, Pod};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Regular,
    Tty,
    /// Pipes, FIFOs and sockets.
    Stream,
    /// A char device that is not a tty (e.g. the host's /dev/null as stdin).
    CharDev,
    Other,
}

pub struct HostFile {
    fd: Arc<OwnedFd>,
    kind: Kind,
    /// Job-control state of the terminal (ttys only), shared by every fd of
    /// the same host tty.
    tty: Option<Arc<HostTty>>,
}

/// A host terminal's sandbox-side job-control state. Host sessions and
/// process groups mean nothing inside the sandbox, so the controlling
/// session and the foreground group live here, never on the host tty.
/// The sandbox's init session (1) starts with it as controlling terminal.
pub struct HostTty {
    job: JobCtl,
    /// The first host fd seen for the device: what `/dev/tty` reads and
    /// writes.
    fd: Arc<OwnedFd>,
}

impl Terminal for HostTty {
    fn job(&self) -> &JobCtl {
        &self.job
    }
    fn rdev(&self) -> u64 {
        nix::sys::stat::fstat(self.fd.as_raw_fd())
            .map(|st| st.st_rdev)
            .unwrap_or(0)
    }
    fn open_ctty(self: Arc<Self>, _flags: u32) -> Result<Box<dyn FileOps>, Errno> {
        Ok(Box::new(HostFile {
            fd: self.fd.clone(),
            kind: Kind::Tty,
            tty: Some(self),
        }))
    }
}

/// Live host ttys by device number (held weakly: see [`tty_state_of`]).
type TtyTable = std::collections::HashMap<u64, std::sync::Weak<HostTty>>;

fn ttys() -> std::sync::MutexGuard<'static, TtyTable> {
    static TTYS: std::sync::OnceLock<std::sync::Mutex<TtyTable>> = std::sync::OnceLock::new();
    TTYS.get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner())
}

/// The state of the host tty of `fd` (one per device number while any file
/// of it is open), created the first time with session 1 as its session.
/// The table holds it weakly: once the sandbox's last file of the tty is
/// closed, the host fd is closed too (a pty master on the host then sees
/// EOF, as when a runc container's process exits).
fn tty_state_of(fd: &Arc<OwnedFd>) -> Option<Arc<HostTty>> {
    let rdev = nix::sys::stat::fstat(fd.as_raw_fd()).ok()?.st_rdev;
    let mut map = ttys();
    if let Some(t) = map.get(&rdev).and_then(std::sync::Weak::upgrade) {
        return Some(t);
    }
    map.retain(|_, w| w.strong_count() > 0);
    let t = Arc::new(HostTty {
        job: JobCtl::default(),
        fd: fd.clone(),
    });
    map.insert(rdev, Arc::downgrade(&t));
    Some(t)
}

/// A process started by the CLI (init, `runsc exec --tty`) takes the first
/// host terminal among its stdio `files` as its session's controlling
/// terminal, with its group in the foreground, as runc's TIOCSCTTY does
/// (unless the terminal already controls a session, or the session has
/// one).
pub fn acquire_stdio_ctty(files: &[Arc<File>], sid: i32, pgid: i32) {
    let tty = files.iter().find_map(|f| {
        let h = f.ops.as_any()?.downcast_ref::<HostFile>()?;
        h.tty.clone()
    });
    if let Some(t) = tty {
        if t.job.session() == 0 && super::tty::ctty(sid).is_none() {
            let term: Arc<dyn Terminal> = t;
            super::tty::set_ctty(&term, sid, pgid);
        }
    }
}

/// The sandbox's console (`/dev/console`): the host terminal it was given
/// as stdio (the one with the lowest device number still open), as a
/// runc container's console is its pty.
pub fn console() -> Option<Arc<HostTty>> {
    let map = ttys();
    let mut live: Vec<(u64, Arc<HostTty>)> = map
        .iter()
        .filter_map(|(k, w)| w.upgrade().map(|t| (*k, t)))
        .collect();
    live.sort_by_key(|(k, _)| *k);
    live.into_iter().next().map(|(_, t)| t)
}

impl HostTty {
    /// fstat(2) of the host terminal.
    pub fn host_stat(&self) -> Result<Stat, Errno> {
        let s = nix::sys::stat::fstat(self.fd.as_raw_fd()).map_err(nix_err)?;
        Ok(host_stat_to_stat(&s))
    }
}

fn nix_err(e: nix::errno::Errno) -> Errno {
    Errno::from_i32(e as i32).unwrap_or(Errno::EIO)
}

fn retry<T>(mut f: impl FnMut() -> nix::Result<T>) -> Result<T, Errno> {
    loop {
        match f() {
            Err(nix::errno::Errno::EINTR) => continue,
            r => return r.map_err(nix_err),
        }
    }
}

fn classify(fd: &OwnedFd) -> Kind {
    let Ok(st) = nix::sys::stat::fstat(fd.as_raw_fd()) else {
        return Kind::Other;
    };
    match st.st_mode & S_IFMT {
        S_IFREG => Kind::Regular,
        S_IFIFO | S_IFSOCK => Kind::Stream,
        S_IFCHR if nix::unistd::isatty(fd.as_raw_fd()).unwrap_or(false) => Kind::Tty,
        S_IFCHR => Kind::CharDev,
        S_IFDIR => Kind::Other,
        _ => Kind::Other,
    }
}

/// File operations for a host fd.
pub fn host_ops(fd: OwnedFd) -> Box<dyn FileOps> {
    let kind = classify(&fd);
    let fd = Arc::new(fd);
    let tty = if kind == Kind::Tty {
        tty_state_of(&fd)
    } else {
        None
    };
    Box::new(HostFile { fd, kind, tty })
}

/// Wrap a host fd given to the sandbox (stdio) as a file description with
/// the host's access mode and status flags.
pub fn host_file(fd: std::os::fd::OwnedFd) -> Arc<File> {
    let flags =
        nix::fcntl::fcntl(fd.as_raw_fd(), nix::fcntl::FcntlArg::F_GETFL).unwrap_or(libc::O_RDWR);
    File::new(host_ops(fd), flags as u32, None)
}

/// stat(2) fields from a host `struct stat`.
pub fn host_stat_to_stat(s: &libc::stat) -> Stat {
    let mut st = Stat::zeroed();
    st.st_dev = s.st_dev;
    st.st_ino = s.st_ino;
    st.st_nlink = s.st_nlink;
    st.st_mode = s.st_mode;
    st.st_uid = s.st_uid;
    st.st_gid = s.st_gid;
    st.st_rdev = s.st_rdev;
    st.st_size = s.st_size;
    st.st_blksize = s.st_blksize;
    st.st_blocks = s.st_blocks;
    st.st_atime = s.st_atime;
    st.st_atime_nsec = s.st_atime_nsec;
    st.st_mtime = s.st_mtime;
    st.st_mtime_nsec = s.st_mtime_nsec;
    st.st_ctime = s.st_ctime;
    st.st_ctime_nsec = s.st_ctime_nsec;
    st
}

impl HostFile {
    fn positional(&self) -> bool {
        matches!(self.kind, Kind::Regular | Kind::CharDev)
    }

    /// ioctl on the host fd with a pointer to `val`.
    fn host_ioctl_ptr<T: Pod>(&self, cmd: u32, val: &mut T) -> Result<(), Errno> {
        // SAFETY: `val` is a valid, exclusively borrowed `T` of the size the
        // terminal ioctl `cmd` reads or writes (checked by the caller's match).
        let r = unsafe { libc::ioctl(self.fd.as_raw_fd(), cmd as libc::c_ulong, val as *mut T) };
        if r < 0 {
            return Err(Errno::last());
        }
        Ok(())
    }

    /// Before a blocking read or write on a host pipe, socket or tty: wait
    /// for readiness in short host polls, giving up with ERESTARTSYS when
    /// the task is interrupted. A plain blocking host call would hold the
    /// task where no signal, stop or kill could reach it (DESIGN §7).
    fn wait_ready(&self, file: &File, events: i16) -> Result<(), Errno> {
        if !matches!(self.kind, Kind::Tty | Kind::Stream) || file.flags() & O_NONBLOCK != 0 {
            return Ok(());
        }
        let Some(me) = crate::kernel::wait::current() else {
            return Ok(());
        };
        loop {
            let mut p = libc::pollfd {
                fd: self.fd.as_raw_fd(),
                events,
                revents: 0,
            };
            // SAFETY: one valid pollfd on the stack for an fd we own.
            let r = unsafe { libc::poll(&mut p, 1, 50) };
            // Ready, hung up or in error: the read or write reports it.
            if r > 0 || (r < 0 && Errno::last() != Errno::EINTR) {
                return Ok(());
            }
            if me.interrupted() {
                return Err(Errno::ERESTARTSYS);
            }
        }
    }

    fn tty_ioctl(&self, t: &mut Task, cmd: u32, arg: u64) -> Result<u64, Errno> {
        match cmd {
            TCGETS => {
                let mut v = Termios::zeroed();
                self.host_ioctl_ptr(cmd, &mut v)?;
                t.mm.write_obj(arg, &v)?;
                Ok(0)
            }
            TCSETS | TCSETSW | TCSETSF => {
                if let Some(tty) = &self.tty {
                    tty.job.check_change(t)?;
                }
                let mut v: Termios = t.mm.read_obj(arg)?;
                self.host_ioctl_ptr(cmd, &mut v)?;
                Ok(0)
            }
            TIOCGWINSZ => {
                let mut v = Winsize::zeroed();
                self.host_ioctl_ptr(cmd, &mut v)?;
                t.mm.write_obj(arg, &v)?;
                Ok(0)
            }
            TIOCSWINSZ => {
                let mut v: Winsize = t.mm.read_obj(arg)?;
                self.host_ioctl_ptr(cmd, &mut v)?;
                Ok(0)
            }
            TIOCGPGRP | TIOCSPGRP | TIOCGSID | TIOCSCTTY | TIOCNOTTY => {
                let term: Arc<dyn Terminal> = self.tty.clone().ok_or(Errno::ENOTTY)?;
                JobCtl::ioctl(&term, t, cmd, arg, false)
            }
            TCFLSH | TCXONC | TCSBRK => {
                // Integer arguments, nothing to copy.
                // SAFETY: these requests take an integer argument, not a pointer.
                let r = unsafe {
                    libc::ioctl(
                        self.fd.as_raw_fd(),
                        cmd as libc::c_ulong,
                        arg as libc::c_ulong,
                    )
                };
                if r < 0 {
                    return Err(Errno::last());
                }
                Ok(0)
            }
            _ => Err(Errno::ENOTTY),
        }
    }
}

impl FileOps for HostFile {
    fn fsync(&self, _file: &File, datasync: bool) -> Result<(), Errno> {
        let fd = self.fd.as_raw_fd();
        let r = if datasync {
            nix::unistd::fdatasync(fd)
        } else {
            nix::unistd::fsync(fd)
        };
        r.map_err(|e| Errno::from_i32(e as i32).unwrap_or(Errno::EIO))
    }
    fn read(&self, file: &File, buf: &mut [u8], off: u64) -> Result<usize, Errno> {
        if self.positional() {
            let off = i64::try_from(off).map_err(|_| Errno::EINVAL)?;
            retry(|| nix::sys::uio::pread(self.fd.as_fd(), buf, off))
        } else {
            self.read_cur(file, buf)
        }
    }
    fn write(&self, file: &File, buf: &[u8], off: u64) -> Result<usize, Errno> {
        if self.positional() {
            let off = i64::try_from(off).map_err(|_| Errno::EINVAL)?;
            retry(|| nix::sys::uio::pwrite(self.fd.as_fd(), buf, off))
        } else {
            self.write_cur(file, buf)
        }
    }
    fn read_cur(&self, file: &File, buf: &mut [u8]) -> Result<usize, Errno> {
        if let Some(tty) = &self.tty {
            // A background process reading its controlling terminal: SIGTTIN.
            tty.job.check_current(libc::SIGTTIN)?;
        }
        self.wait_ready(file, libc::POLLIN)?;
        retry(|| nix::unistd::read(self.fd.as_raw_fd(), buf))
    }
    fn write_cur(&self, file: &File, buf: &[u8]) -> Result<usize, Errno> {
        self.wait_ready(file, libc::POLLOUT)?;
        retry(|| nix::unistd::write(self.fd.as_fd(), buf))
    }
    fn seek_ok(&self) -> bool {
        matches!(self.kind, Kind::Regular | Kind::CharDev | Kind::Other)
    }
    fn llseek(&self, _file: &File, off: i64, whence: u32) -> Result<u64, Errno> {
        if !self.seek_ok() {
            return Err(Errno::ESPIPE);
        }
        // SAFETY: lseek on an fd we own; no memory is involved.
        let r = unsafe { libc::lseek(self.fd.as_raw_fd(), off, whence as libc::c_int) };
        if r < 0 {
            return Err(Errno::last());
        }
        Ok(r as u64)
    }
    fn pread_ok(&self) -> bool {
        self.positional()
    }
    fn stat(&self) -> Result<Stat, Errno> {
        let s = nix::sys::stat::fstat(self.fd.as_raw_fd()).map_err(nix_err)?;
        Ok(host_stat_to_stat(&s))
    }
    /// A host terminal is the sandbox's `/dev/console` (whose stat is the
    /// host tty's), so ttyname(3) and `tty` name it.
    fn proc_name(&self) -> Option<String> {
        (self.kind == Kind::Tty).then(|| "/dev/console".to_string())
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn ioctl(&self, _file: &File, t: &mut Task, cmd: u64, arg: u64) -> Result<u64, Errno> {
        let cmd = cmd as u32;
        if cmd == FIONREAD && matches!(self.kind, Kind::Tty | Kind::Stream) {
            let mut n: libc::c_int = 0;
            self.host_ioctl_ptr(cmd, &mut n)?;
            t.mm.write_obj(arg, &n)?;
            return Ok(0);
        }
        if self.kind != Kind::Tty {
            return Err(Errno::ENOTTY);
        }
        self.tty_ioctl(t, cmd, arg)
    }
    fn size(&self) -> Result<u64, Errno> {
        Ok(self.stat()?.st_size.max(0) as u64)
    }
    fn set_status_flags(&self, _file: &File, flags: u32) -> Result<(), Errno> {
        let mirrored = O_APPEND | O_NONBLOCK;
        let cur = nix::fcntl::fcntl(self.fd.as_raw_fd(), nix::fcntl::FcntlArg::F_GETFL)
            .map_err(nix_err)? as u32;
        let new = (cur & !mirrored) | (flags & mirrored);
        if new != cur {
            let fl = nix::fcntl::OFlag::from_bits_retain(new as i32);
            nix::fcntl::fcntl(self.fd.as_raw_fd(), nix::fcntl::FcntlArg::F_SETFL(fl))
                .map_err(nix_err)?;
        }
        Ok(())
    }
    /// Asks the host with a zero-timeout poll(2) on the fd the sentry owns.
    /// Nothing notifies the sentry of host readiness, so there is no queue:
    /// pollers re-check periodically.
    fn poll(&self, _file: &File, events: u32) -> (u32, Option<&WaitQueue>) {
        let mut p = libc::pollfd {
            fd: self.fd.as_raw_fd(),
            events: events as u16 as i16,
            revents: 0,
        };
        // SAFETY: one valid pollfd on the stack, an fd we own, no timeout.
        let r = unsafe { libc::poll(&mut p, 1, 0) };
        if r < 0 {
            return (0, None);
        }
        (u32::from(p.revents as u16), None)
    }
    fn statfs(&self, _file: &File) -> Result<Statfs, Errno> {
        let s = nix::sys::statfs::fstatfs(self.fd.as_fd()).map_err(nix_err)?;
        let mut out = Statfs::zeroed();
        out.f_type = s.filesystem_type().0;
        out.f_bsize = s.block_size();
        out.f_blocks = s.blocks();
        out.f_bfree = s.blocks_free();
        out.f_bavail = s.blocks_available();
        out.f_files = s.files();
        out.f_ffree = s.files_free();
        out.f_namelen = s.maximum_name_length();
        out.f_frsize = s.block_size();
        out.f_flags = super::synth::ST_VALID;
        Ok(out)
    }
}

/// The signals the host's line discipline sends to the sentry when it leads
/// the session of its console (a pty slave as stdio, `runsc create
/// --console-socket`): ^C, ^\, ^Z, a resize of the master (SIGWINCH), and
/// its hangup (SIGHUP, with SIGCONT). `runsc boot` blocks them before any
/// thread starts and reads them from a signalfd ([`serve_console_signals`]).
pub const CONSOLE_SIGNALS: [i32; 6] = [
    libc::SIGHUP,
    libc::SIGINT,
    libc::SIGQUIT,
    libc::SIGTSTP,
    libc::SIGWINCH,
    libc::SIGCONT,
];

/// `si_code` of a signal the host kernel generated (the line discipline).
const SI_KERNEL: i32 = 0x80;

/// Start the `console-signals` thread: it passes the host console's signals
/// on to the sandbox as Linux's tty layer would send them to the sandbox's
/// session ([`console_signal`]). The console is the host tty on the
/// sentry's own fd 0.
pub fn serve_console_signals(
    k: Arc<crate::kernel::Kernel>,
    sfd: nix::sys::signalfd::SignalFd,
) -> std::io::Result<()> {
    let rdev = nix::sys::stat::fstat(0).map(|s| s.st_rdev).unwrap_or(0);
    std::thread::Builder::new()
        .name("console-signals".into())
        .spawn(move || loop {
            match sfd.read_signal() {
                Ok(Some(si)) => {
                    let (sig, code) = (si.ssi_signo as i32, si.ssi_code);
                    tracing::debug!("console: host signal {sig} (si_code {code})");
                    console_signal(&k, rdev, sig, code == SI_KERNEL);
                }
                Ok(None) | Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => {
                    tracing::warn!("console signals: {e}");
                    return;
                }
            }
        })
        .map(|_| ())
}

/// One signal the sentry got as its console's session leader. From the
/// line discipline (`from_tty`): ^C/^\/^Z and SIGWINCH go to the foreground
/// process group of the sandbox's session on that terminal (what the
/// sandbox set with TIOCSPGRP), a hangup to the session leader with
/// SIGCONT, which loses the terminal (Linux's tty_signal_session_leader).
/// From a host process (`kill` of the sentry's pid, the pid a runc
/// container's init would have): to the sandbox's init. Either way as
/// signals from outside the sandbox's pid namespace: init only gets what
/// it handles.
pub fn console_signal(k: &crate::kernel::Kernel, rdev: u64, sig: i32, from_tty: bool) {
    if !from_tty {
        if let Some(g) = k.tasks.group(1) {
            send_from_host(&g, sig, 0);
        }
        return;
    }
    let tty = ttys().get(&rdev).and_then(std::sync::Weak::upgrade);
    if let Some(tty) = tty {
        host_tty_signal(k, &tty.job, sig);
    }
}

/// A signal from the host's line discipline for a host terminal whose
/// job-control state is `job` (the console, or the pty of `runsc exec
/// --tty` relayed by its host process): ^C/^\/^Z and SIGWINCH to the
/// foreground group of the session it controls; a hangup (SIGHUP) to that
/// session's leader with SIGCONT, the session losing the terminal.
pub fn host_tty_signal(k: &crate::kernel::Kernel, job: &JobCtl, sig: i32) {
    match sig {
        libc::SIGHUP => {
            let (sid, _) = job.detach();
            if let Some(g) = (sid > 0).then(|| k.tasks.group(sid)).flatten() {
                send_from_host(&g, libc::SIGHUP, SI_KERNEL);
                send_from_host(&g, libc::SIGCONT, SI_KERNEL);
            }
        }
        // Comes with SIGHUP, sent above.
        libc::SIGCONT => {}
        _ => {
            let fg = job.fg();
            if fg <= 0 {
                return;
            }
            for g in k.tasks.all_groups() {
                if k.procs.pgid_sid(g.tgid).is_some_and(|(p, _)| p == fg) {
                    send_from_host(&g, sig, SI_KERNEL);
                }
            }
        }
    }
}

/// Send a signal from outside the sandbox's pid namespace: as for a pid
/// namespace's init in Linux (SIGNAL_UNKILLABLE), the sandbox's init
/// ignores what it has no handler for, SIGKILL and SIGSTOP excepted.
fn send_from_host(g: &crate::kernel::signal::ThreadGroup, sig: i32, code: i32) {
    let unkillable = g.tgid == 1
        && sig != libc::SIGKILL
        && sig != libc::SIGSTOP
        && g.action(sig).handler == libc::SIG_DFL as u64;
    if !unkillable {
        g.send(sig, syscalls::abi::Siginfo::kill(sig, code, 0, 0));
    }
}
