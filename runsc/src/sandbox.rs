//! Launching the sandbox's processes: the gofer and the sentry (`boot`),
//! re-executing this binary, with fds handed over at fixed numbers.
//!
//! The only unsafe code of the CLI lives here: adopting inherited fds and the
//! pre-exec fd shuffling.

use anyhow::Context;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};

/// First fd number used for handed-over fds in a child.
pub const FIRST_FD: RawFd = 3;

/// A memfd holding `data` (a boot configuration), to be handed to a child
/// as an fd: on the command line it would be readable by every host user in
/// /proc/PID/cmdline, and it holds the container's environment.
pub fn config_fd(data: &str) -> anyhow::Result<OwnedFd> {
    use nix::sys::memfd::{memfd_create, MemFdCreateFlag};
    let fd = memfd_create(c"runsc-config", MemFdCreateFlag::MFD_CLOEXEC)
        .context("memfd for the boot config")?;
    let mut f = std::fs::File::from(fd);
    std::io::Write::write_all(&mut f, data.as_bytes()).context("write the boot config")?;
    Ok(OwnedFd::from(f))
}

/// Read the configuration a parent handed over as fd `n` ([`config_fd`])
/// and close it. `n` must be one of the inherited fds (at least FIRST_FD)
/// and a regular file.
pub fn take_config(n: RawFd) -> anyhow::Result<String> {
    let st = nix::sys::stat::fstat(n).context("boot config fd")?;
    if n < FIRST_FD || st.st_mode & libc::S_IFMT != libc::S_IFREG {
        anyhow::bail!("boot config fd {n} is not a handed-over file");
    }
    // SAFETY: `n` is open (fstat above), was handed to us by our parent for
    // this purpose and nothing else in this process owns it.
    let f = std::fs::File::from(unsafe { OwnedFd::from_raw_fd(n) });
    let mut text = String::new();
    let mut at = 0u64;
    let mut buf = vec![0u8; 64 << 10];
    loop {
        let got = std::os::unix::fs::FileExt::read_at(&f, &mut buf, at)
            .context("read the boot config")?;
        if got == 0 {
            break;
        }
        text.push_str(std::str::from_utf8(&buf[..got]).context("boot config is not UTF-8")?);
        at += got as u64;
    }
    Ok(text)
}

/// Spawn `runsc <args>` with `fds` at FIRST_FD, FIRST_FD+1, ...
pub fn spawn_self(args: &[String], fds: &[OwnedFd], stdin_null: bool) -> anyhow::Result<Child> {
    let exe = std::env::current_exe().context("cannot find our own executable")?;
    let mut cmd = Command::new(exe);
    cmd.args(args);
    if stdin_null {
        cmd.stdin(Stdio::null()).stdout(Stdio::null());
    }
    spawn_with(cmd, fds, Session::Same)
}

/// How a spawned sandbox process stands to the CLI's session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Session {
    /// The CLI's session and process group.
    Same,
    /// A new session: detached from the CLI's terminal and process group.
    New,
    /// A new session whose controlling terminal is the child's stdin (a pty
    /// slave): the host line discipline then signals the child for ^C, ^\,
    /// ^Z, a resize of the master and its hangup (the console of a sandbox).
    Console,
}

/// Like [`spawn_self`] with the stdio set by the caller, optionally in a
/// new session (detached from the CLI's terminal and process group).
pub fn spawn_self_with(
    args: &[String],
    fds: &[OwnedFd],
    stdio: [Stdio; 3],
    setsid: bool,
) -> anyhow::Result<Child> {
    let session = if setsid { Session::New } else { Session::Same };
    spawn_self_session(args, fds, stdio, session)
}

/// [`spawn_self_with`] with the child's session spelled out.
pub fn spawn_self_session(
    args: &[String],
    fds: &[OwnedFd],
    stdio: [Stdio; 3],
    session: Session,
) -> anyhow::Result<Child> {
    let exe = std::env::current_exe().context("cannot find our own executable")?;
    let mut cmd = Command::new(exe);
    let [i, o, e] = stdio;
    cmd.args(args).stdin(i).stdout(o).stderr(e);
    spawn_with(cmd, fds, session)
}

fn spawn_with(mut cmd: Command, fds: &[OwnedFd], session: Session) -> anyhow::Result<Child> {
    let raw: Vec<RawFd> = fds.iter().map(|f| f.as_raw_fd()).collect();
    // SAFETY: the closure runs between fork and exec in the child and only
    // makes async-signal-safe calls (fcntl/dup2/setsid/sigprocmask/ioctl) on
    // fds we own and a sigset on its stack.
    unsafe {
        cmd.pre_exec(move || {
            // Move sources out of the way first so targets can't clobber them.
            let mut moved = Vec::with_capacity(raw.len());
            for fd in &raw {
                let n = libc::fcntl(*fd, libc::F_DUPFD_CLOEXEC, 1000);
                if n < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                moved.push(n);
            }
            for (i, fd) in moved.iter().enumerate() {
                if libc::dup2(*fd, FIRST_FD + i as i32) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            if session != Session::Same && libc::setsid() < 0 {
                return Err(std::io::Error::last_os_error());
            }
            if session == Session::Console {
                // The terminal's signals stay blocked across the exec (the
                // child reads them from a signalfd): none may act on it
                // before it is ready for them.
                let mut set: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut set);
                for sig in sentry::fs::host::CONSOLE_SIGNALS {
                    libc::sigaddset(&mut set, sig);
                }
                libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
                // Stdio is in place (std sets it up before these hooks):
                // the new session leader takes stdin as its controlling
                // terminal.
                if libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
    cmd.spawn().context("cannot start a sandbox process")
}

/// Become the leader of a new session whose controlling terminal is `tty`
/// (a pty slave), so that the host line discipline's signals for it come
/// to us. Fails with EPERM when we lead a process group already.
pub fn take_ctty(tty: &OwnedFd) -> std::io::Result<()> {
    nix::unistd::setsid()?;
    // SAFETY: TIOCSCTTY takes an integer argument (0: do not steal).
    if unsafe { libc::ioctl(tty.as_raw_fd(), libc::TIOCSCTTY, 0) } < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// Adopt `n` fds handed over at FIRST_FD.. (in a child started by spawn_self).
pub fn inherited_fds(n: usize) -> Vec<OwnedFd> {
    (0..n)
        .map(|i| {
            let fd = FIRST_FD + i as i32;
            // SAFETY: the parent placed exactly these fds for us (spawn_self)
            // and nothing else in this process owns them.
            let owned = unsafe { OwnedFd::from_raw_fd(fd) };
            let _ = nix::fcntl::fcntl(
                owned.as_raw_fd(),
                nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC),
            );
            owned
        })
        .collect()
}

/// Whether fds FIRST_FD..FIRST_FD+n are unix sockets, as `spawn_self` hands
/// them to `runsc boot` and `runsc gofer` (a check that they were started by
/// runsc, not by hand).
pub fn handed_over_sockets(n: usize) -> bool {
    (0..n).all(|i| {
        nix::sys::stat::fstat(FIRST_FD + i as i32)
            .map(|st| st.st_mode & libc::S_IFMT == libc::S_IFSOCK)
            .unwrap_or(false)
    })
}

/// Duplicate one of our stdio fds as an owned fd.
pub fn dup_stdio(fd: RawFd) -> anyhow::Result<OwnedFd> {
    // SAFETY: fds 0-2 are open for the life of the process; we only borrow
    // them to duplicate.
    let b = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
    b.try_clone_to_owned()
        .with_context(|| format!("stdio fd {fd} is not open"))
}

/// pidfd_open(2): a handle on process `pid` that cannot be fooled by pid
/// reuse once opened.
pub fn pidfd_open(pid: i32) -> std::io::Result<OwnedFd> {
    // SAFETY: a plain syscall with integer arguments; on success it returns
    // a new fd that we alone own.
    let r = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if r < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: r is a fresh fd (see above).
    Ok(unsafe { OwnedFd::from_raw_fd(r as RawFd) })
}

/// pidfd_send_signal(2).
pub fn pidfd_signal(pidfd: &OwnedFd, sig: i32) -> std::io::Result<()> {
    // SAFETY: a plain syscall on an fd we own; a null siginfo is allowed.
    let r = unsafe {
        libc::syscall(
            libc::SYS_pidfd_send_signal,
            pidfd.as_raw_fd(),
            sig,
            std::ptr::null::<libc::siginfo_t>(),
            0,
        )
    };
    if r < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// Leave like a process killed by `sig` (the container init died by it):
/// default disposition, unblocked, no core file; exit 128+sig as a fallback.
pub fn die_by_signal(sig: i32) -> ! {
    let _ = nix::sys::resource::setrlimit(nix::sys::resource::Resource::RLIMIT_CORE, 0, 0);
    if let Ok(s) = nix::sys::signal::Signal::try_from(sig) {
        // SAFETY: installing SIG_DFL has no handler code to be unsafe about.
        let _ = unsafe { nix::sys::signal::signal(s, nix::sys::signal::SigHandler::SigDfl) };
        let mut set = nix::sys::signal::SigSet::empty();
        set.add(s);
        let _ = nix::sys::signal::pthread_sigmask(
            nix::sys::signal::SigmaskHow::SIG_UNBLOCK,
            Some(&set),
            None,
        );
        let _ = nix::sys::signal::raise(s);
    }
    std::process::exit(128 + sig)
}
