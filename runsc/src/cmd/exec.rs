//! `runsc exec`: run a new process in a running container, from
//! `--process FILE` (an OCI process JSON) or the trailing command with
//! `--cwd/--env/--user/--cap/--tty` (defaults from the bundle's process, as
//! runc does).
//!
//! The process's stdio are our fds (or a pty slave with
//! `--console-socket`), passed to the sentry with SCM_RIGHTS; the sentry
//! wraps them as host files, so output goes straight to them. The host
//! process representing it is a relay (`runsc exec-relay`, internal): it
//! holds the control connection, forwards the signals it gets to the
//! process in the sandbox and exits with its status (or dies by the same
//! signal). Without `--detach` this CLI is the relay itself; with it, a
//! relay is left behind and its pid goes to `--pid-file`. If the relay
//! dies, the sentry kills the process.

use crate::container::launch::{check_pid_file, console, write_pid_file};
use crate::container::{client, spec, Container, Status};
use crate::sandbox::{die_by_signal, inherited_fds, spawn_self_session, take_ctty, Session};
use crate::Cli;
use anyhow::Context;
use clap::Args;
use nix::sys::signal::{SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use sentry::kernel::boot::UserSpec;
use sentry::kernel::control::{ExecSpec, Request};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::process::Stdio;

#[derive(Args, Debug)]
pub struct ExecArgs {
    /// OCI process JSON; overrides the command and the flags below.
    #[arg(long, short = 'p')]
    pub process: Option<String>,
    #[arg(long, short = 'd')]
    pub detach: bool,
    #[arg(long = "pid-file")]
    pub pid_file: Option<String>,
    #[arg(long = "console-socket")]
    pub console_socket: Option<String>,
    #[arg(long, short = 't')]
    pub tty: bool,
    #[arg(long)]
    pub cwd: Option<String>,
    #[arg(long, short = 'e')]
    pub env: Vec<String>,
    /// UID[:GID].
    #[arg(long, short = 'u')]
    pub user: Option<String>,
    #[arg(long = "additional-gids", short = 'g')]
    pub additional_gids: Vec<u32>,
    /// Add a capability (repeatable).
    #[arg(long = "cap", short = 'c')]
    pub caps: Vec<String>,
    #[arg(long = "no-new-privs")]
    pub no_new_privs: bool,
    #[arg(long = "preserve-fds", default_value_t = 0)]
    pub preserve_fds: u32,
    pub id: String,
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub command: Vec<String>,
}

#[derive(Args, Debug)]
pub struct RelayArgs {
    /// The control socket (for forwarding signals).
    #[arg(long)]
    pub socket: String,
    /// The process's pid in the sandbox.
    #[arg(long)]
    pub pid: i32,
    /// Our stdin is the process's pty slave, our controlling terminal: the
    /// line discipline's signals go to its terminal's foreground group.
    #[arg(long)]
    pub console: bool,
}

/// What to run: from --process or from the flags on top of the bundle's
/// process.
fn exec_spec(a: &ExecArgs, bundle: &str) -> anyhow::Result<(ExecSpec, bool)> {
    let base = spec::load(bundle).ok();
    if let Some(p) = &a.process {
        let data = std::fs::read(p).with_context(|| format!("process file {p}"))?;
        let proc: oci_spec::runtime::Process =
            serde_json::from_slice(&data).with_context(|| format!("process file {p}"))?;
        let b = spec::from_process(&proc).with_context(|| format!("process file {p}"))?;
        return Ok((
            ExecSpec {
                argv: b.argv,
                env: b.env,
                cwd: b.cwd,
                user: b.user,
                terminal: b.terminal || a.tty,
            },
            b.terminal || a.tty,
        ));
    }
    if a.command.is_empty() {
        anyhow::bail!("exec: no command given (need --process or a command)");
    }
    let (mut env, cwd, mut user) = match &base {
        Some(b) => (b.env.clone(), b.cwd.clone(), b.user.clone()),
        None => (Vec::new(), "/".to_string(), UserSpec::default()),
    };
    env.extend(a.env.iter().cloned());
    if let Some(u) = &a.user {
        let (uid, gid) = u.split_once(':').unwrap_or((u, "0"));
        user.uid = uid.parse().with_context(|| format!("bad --user {u}"))?;
        user.gid = gid.parse().with_context(|| format!("bad --user {u}"))?;
    }
    if !a.additional_gids.is_empty() {
        user.groups = a.additional_gids.clone();
    }
    for c in &a.caps {
        let n = spec::cap_number(c).with_context(|| format!("unknown capability {c}"))?;
        let caps = user.caps.get_or_insert_with(Default::default);
        caps.effective |= 1 << n;
        caps.permitted |= 1 << n;
        caps.bounding |= 1 << n;
    }
    user.no_new_privs |= a.no_new_privs;
    Ok((
        ExecSpec {
            argv: a.command.clone(),
            env,
            cwd: a.cwd.clone().unwrap_or(cwd),
            user,
            terminal: a.tty,
        },
        a.tty,
    ))
}

pub fn run(cli: &Cli, a: &ExecArgs) -> anyhow::Result<i32> {
    let pid_file = check_pid_file(a.pid_file.as_deref())?;
    let c = Container::open(std::path::Path::new(&cli.root), &a.id)?;
    let st = c.load()?;
    match st.status() {
        Status::Created | Status::Running => {}
        Status::Paused => anyhow::bail!("cannot exec in a paused container"),
        _ => anyhow::bail!("cannot exec in a stopped container"),
    }
    let (spec, tty) = exec_spec(a, &st.bundle)?;
    if tty && a.console_socket.is_none() && a.detach {
        anyhow::bail!("cannot allocate tty if runsc will detach without setting console socket");
    }
    // With a console, the relay leads the pty's session (as the sentry does
    // for init's console) and passes the line discipline's signals on.
    let mut console_slave = None;
    let stdio: Vec<OwnedFd> = match (&a.console_socket, tty) {
        (Some(sock), true) => {
            let slave = console(sock, None)?;
            console_slave = Some(slave.try_clone()?);
            vec![slave.try_clone()?, slave.try_clone()?, slave]
        }
        (Some(_), false) => {
            anyhow::bail!("cannot use console socket if runsc will not detach or allocate tty")
        }
        _ => vec![
            crate::sandbox::dup_stdio(0)?,
            crate::sandbox::dup_stdio(1)?,
            crate::sandbox::dup_stdio(2)?,
        ],
    };
    let sock = c.socket();
    let conn = client::connect_to(&sock)?;
    let raw: Vec<i32> = stdio.iter().map(|f| f.as_raw_fd()).collect();
    client::send(&conn, &Request::Exec(spec), &raw)?;
    drop(stdio);
    let r = client::recv(&conn)?;
    if !r.error.is_empty() {
        anyhow::bail!("{}", r.error);
    }
    // Other verbs may run while the process does.
    drop(c);
    let sock_s = sock.to_string_lossy().into_owned();
    if a.detach {
        let mut args = vec![
            "exec-relay".to_string(),
            "--socket".into(),
            sock_s,
            "--pid".into(),
            r.pid.to_string(),
        ];
        let (stdin, session) = match console_slave {
            Some(s) => {
                args.push("--console".into());
                (Stdio::from(s), Session::Console)
            }
            None => (Stdio::null(), Session::New),
        };
        let relay = spawn_self_session(
            &args,
            std::slice::from_ref(&conn),
            [stdin, Stdio::null(), Stdio::null()],
            session,
        )?;
        if let Some(p) = &pid_file {
            write_pid_file(p, relay.id() as i32)?;
        }
        return Ok(0);
    }
    if let Some(p) = &pid_file {
        write_pid_file(p, std::process::id() as i32)?;
    }
    // In the foreground we can lead the pty's session unless we lead a
    // process group (started by a shell): then its keys reach no one.
    let console = match &console_slave {
        Some(s) => match block_forwarded().and_then(|()| Ok(take_ctty(s)?)) {
            Ok(()) => true,
            Err(e) => {
                tracing::debug!("exec: cannot lead the console's session: {e}");
                false
            }
        },
        None => false,
    };
    relay(&sock_s, r.pid, conn, false, console)
}

/// `runsc exec-relay` (internal): the connection arrives as fd 3.
pub fn run_relay(a: &RelayArgs) -> anyhow::Result<i32> {
    let conn = inherited_fds(1)
        .pop()
        .context("exec-relay: no connection")?;
    relay(&a.socket, a.pid, conn, true, a.console)
}

/// The signals a relay (and `run` in the foreground) passes on.
pub const FORWARDED: [Signal; 10] = [
    Signal::SIGHUP,
    Signal::SIGINT,
    Signal::SIGQUIT,
    Signal::SIGUSR1,
    Signal::SIGUSR2,
    Signal::SIGTERM,
    Signal::SIGALRM,
    Signal::SIGCONT,
    Signal::SIGWINCH,
    Signal::SIGTSTP,
];

fn forwarded_set() -> SigSet {
    let mut set = SigSet::empty();
    for s in FORWARDED {
        set.add(s);
    }
    set
}

/// Block the signals a relay forwards (read from a signalfd).
fn block_forwarded() -> anyhow::Result<()> {
    nix::sys::signal::pthread_sigmask(SigmaskHow::SIG_BLOCK, Some(&forwarded_set()), None)
        .context("block signals")
}

/// `si_code` of a signal the host kernel generated (the line discipline).
pub const SI_KERNEL: i32 = 0x80;

/// Wait for the exec'd process to end, forwarding signals; then leave with
/// its status: its exit code, or death by its signal (`die`, the relay) or
/// 128+N (the foreground CLI, like runc). With `console` (we lead the
/// session of the process's pty), the line discipline's signals are for
/// that terminal's foreground group in the sandbox, not for the process.
fn relay(sock: &str, pid: i32, conn: OwnedFd, die: bool, console: bool) -> anyhow::Result<i32> {
    block_forwarded()?;
    let set = forwarded_set();
    let sfd = SignalFd::with_flags(&set, SfdFlags::SFD_CLOEXEC | SfdFlags::SFD_NONBLOCK)
        .context("signalfd")?;
    loop {
        let mut fds = [
            nix::poll::PollFd::new(conn.as_fd(), nix::poll::PollFlags::POLLIN),
            nix::poll::PollFd::new(sfd.as_fd(), nix::poll::PollFlags::POLLIN),
        ];
        match nix::poll::poll(&mut fds, nix::poll::PollTimeout::NONE) {
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => anyhow::bail!("poll: {e}"),
            Ok(_) => {}
        }
        let sig_ready = fds[1].revents().is_some_and(|r| !r.is_empty());
        let conn_ready = fds[0].revents().is_some_and(|r| !r.is_empty());
        if sig_ready {
            while let Ok(Some(si)) = sfd.read_signal() {
                let signal = si.ssi_signo as i32;
                let req = if console && si.ssi_code == SI_KERNEL {
                    Request::TtySignal { signal, pid }
                } else {
                    Request::Kill {
                        signal,
                        all: false,
                        pid,
                    }
                };
                if let Err(e) = client::call(std::path::Path::new(sock), &req) {
                    tracing::debug!("exec-relay: forward signal: {e:#}");
                }
            }
        }
        if conn_ready {
            let r = client::recv(&conn);
            let ws = match r {
                Ok(r) => r.wait_status.unwrap_or(libc::SIGKILL),
                // The sandbox is gone, and the process with it.
                Err(_) => libc::SIGKILL,
            };
            if ws & 0x7f == 0 {
                return Ok((ws >> 8) & 0xff);
            }
            if !die {
                return Ok(128 + (ws & 0x7f));
            }
            die_by_signal(ws & 0x7f);
        }
    }
}
