//! `runsc run`: create + start. With `--detach` it returns once started;
//! otherwise it forwards the signals it gets to init, waits for the
//! sandbox, removes the container and returns init's exit status (128+N for
//! a signal).

use crate::container::launch::{self, Options};
use crate::Cli;
use anyhow::Context;
use clap::Args;
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::Pid;

#[derive(Args, Debug)]
pub struct RunArgs {
    #[arg(long, short = 'b', default_value = ".")]
    pub bundle: String,
    #[arg(long = "pid-file")]
    pub pid_file: Option<String>,
    #[arg(long = "console-socket")]
    pub console_socket: Option<String>,
    /// Return once the container started.
    #[arg(long, short = 'd')]
    pub detach: bool,
    #[arg(long = "no-pivot")]
    pub no_pivot: bool,
    #[arg(long = "no-new-keyring")]
    pub no_new_keyring: bool,
    #[arg(long = "preserve-fds", default_value_t = 0)]
    pub preserve_fds: u32,
    pub id: String,
}

pub fn run(cli: &Cli, a: &RunArgs) -> anyhow::Result<i32> {
    let created = launch::create(
        cli,
        &Options {
            id: &a.id,
            bundle: &a.bundle,
            pid_file: a.pid_file.as_deref(),
            console_socket: a.console_socket.as_deref(),
            foreground: !a.detach,
        },
    )?;
    let launch::Created {
        container,
        state,
        sentry,
    } = created;
    if let Err(e) = super::start::start(&container) {
        let _ = super::delete::destroy(container, &state);
        return Err(e);
    }
    if a.detach {
        return Ok(0);
    }
    // Let other verbs (exec, kill, ps) in while we wait.
    let root = container.dir.parent().map(|p| p.to_path_buf());
    let sock = container.socket();
    drop(container);
    // process.terminal without a console socket: the sandbox's terminal is
    // our own (inherited), so what its line discipline sends us is for the
    // sandbox's foreground group on it.
    let own_tty = a.console_socket.is_none()
        && crate::container::spec::load(&a.bundle).is_ok_and(|b| b.terminal);
    forward_signals(&sock, sentry.id() as i32, own_tty)?;
    let code = loop {
        match waitpid(Pid::from_raw(sentry.id() as i32), None) {
            Ok(WaitStatus::Exited(_, c)) => break c,
            Ok(WaitStatus::Signaled(_, s, _)) => break 128 + s as i32,
            Ok(_) | Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => anyhow::bail!("waiting for the sandbox: {e}"),
        }
    };
    if let Some(root) = root {
        if let Ok(c) = crate::container::Container::open(&root, &a.id) {
            let st = c.load()?;
            super::delete::destroy(c, &st)?;
        }
    }
    Ok(code)
}

/// Until the sentry exits, pass the signals we get (INT, TERM, HUP, ...) to
/// the container's init, as runc does in the foreground. With `own_tty`
/// (init's terminal is ours), those our terminal's line discipline sends
/// (^C, ^\, ^Z, a resize, a hangup) go where Linux would send them in the
/// sandbox: to the foreground group of init's terminal, or its hangup.
fn forward_signals(sock: &std::path::Path, sentry: i32, own_tty: bool) -> anyhow::Result<()> {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    use nix::sys::signal::{SigSet, SigmaskHow};
    use nix::sys::signalfd::{SfdFlags, SignalFd};
    use std::os::fd::AsFd;
    let pidfd = crate::sandbox::pidfd_open(sentry).context("pidfd of the sentry")?;
    let mut set = SigSet::empty();
    for s in super::exec::FORWARDED {
        set.add(s);
    }
    nix::sys::signal::pthread_sigmask(SigmaskHow::SIG_BLOCK, Some(&set), None)
        .context("block signals")?;
    let sfd = SignalFd::with_flags(&set, SfdFlags::SFD_CLOEXEC | SfdFlags::SFD_NONBLOCK)
        .context("signalfd")?;
    loop {
        let mut fds = [
            PollFd::new(pidfd.as_fd(), PollFlags::POLLIN),
            PollFd::new(sfd.as_fd(), PollFlags::POLLIN),
        ];
        match poll(&mut fds, PollTimeout::NONE) {
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => anyhow::bail!("poll: {e}"),
            Ok(_) => {}
        }
        if fds[0].revents().is_some_and(|r| !r.is_empty()) {
            return Ok(());
        }
        while let Ok(Some(si)) = sfd.read_signal() {
            use sentry::kernel::control::Request;
            let signal = si.ssi_signo as i32;
            let req = if own_tty && si.ssi_code == super::exec::SI_KERNEL {
                Request::TtySignal { signal, pid: 1 }
            } else {
                Request::Kill {
                    signal,
                    all: false,
                    pid: 0,
                }
            };
            if let Err(e) = crate::container::client::call(sock, &req) {
                tracing::debug!("run: forward signal: {e:#}");
            }
        }
    }
}
