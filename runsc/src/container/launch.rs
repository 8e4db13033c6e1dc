//! Starting a container's sandbox (`create`, `run`): the gofer and the
//! sentry, detached from the CLI, with the sentry waiting on its control
//! socket for `start`. Returns once the sandbox is ready (init resolved,
//! only its exec left) or failed; a failure leaves nothing behind.

use super::spec::Bundle;
use super::{proc, Container, State, Status};
use crate::cmd::boot::BootSpec;
use crate::sandbox::{spawn_self_session, spawn_self_with, Session};
use crate::Cli;
use anyhow::Context;
use std::io::Read;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

/// Gofer channels per sandbox.
const CHANNELS: usize = 4;
/// Gofer channels per bind mount, and of the files gofer.
const VOLUME_CHANNELS: usize = 2;

pub struct Options<'a> {
    pub id: &'a str,
    pub bundle: &'a str,
    pub pid_file: Option<&'a str>,
    pub console_socket: Option<&'a str>,
    /// `run` without `--detach`: a terminal may come from our own stdio.
    pub foreground: bool,
}

/// A created container: its state and the sentry (our child until we exit).
pub struct Created {
    pub container: Container,
    pub state: State,
    pub sentry: Child,
}

/// Check that the pid file can be written before anything is created.
pub fn check_pid_file(p: Option<&str>) -> anyhow::Result<Option<PathBuf>> {
    let Some(p) = p else { return Ok(None) };
    let path = std::path::absolute(p).with_context(|| format!("pid file {p}"))?;
    let dir = path.parent().unwrap_or(Path::new("/"));
    if !dir.is_dir() {
        anyhow::bail!("pid file {}: directory {} does not exist", p, dir.display());
    }
    Ok(Some(path))
}

/// Write a pid file atomically, as runc does.
pub fn write_pid_file(path: &Path, pid: i32) -> anyhow::Result<()> {
    super::write_atomic(path, pid.to_string().as_bytes())
}

/// A pty for `process.terminal`: the master goes to the console socket
/// (runc's protocol: one message, the name as data, the fd as SCM_RIGHTS);
/// returns the slave, the process's stdio.
pub fn console(socket: &str, size: Option<(u16, u16)>) -> anyhow::Result<OwnedFd> {
    let ws = size.map(|(rows, cols)| nix::pty::Winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    });
    let pty = nix::pty::openpty(ws.as_ref(), None).context("open a pty")?;
    let s = nix::sys::socket::socket(
        nix::sys::socket::AddressFamily::Unix,
        nix::sys::socket::SockType::Stream,
        nix::sys::socket::SockFlag::SOCK_CLOEXEC,
        None,
    )
    .context("console socket")?;
    let addr = nix::sys::socket::UnixAddr::new(socket).context("console socket path")?;
    nix::sys::socket::connect(s.as_raw_fd(), &addr)
        .with_context(|| format!("connect to the console socket {socket}"))?;
    sentry::kernel::control::send_msg(s.as_raw_fd(), b"/dev/ptmx", &[pty.master.as_raw_fd()])
        .context("send the pty master to the console socket")?;
    Ok(pty.slave)
}

fn owner() -> String {
    let uid = nix::unistd::getuid();
    nix::unistd::User::from_uid(uid)
        .ok()
        .flatten()
        .map(|u| u.name)
        .unwrap_or_else(|| uid.to_string())
}

/// Start a bind-mount gofer (`runsc [flags] gofer ARGS --detached`) with
/// channels of its own, whose sentry ends are appended to `client`; its
/// pid. It exits when the sentry's ends close.
fn spawn_bind_gofer(mut args: Vec<String>, client: &mut Vec<OwnedFd>) -> anyhow::Result<i32> {
    let mut server = Vec::new();
    for _ in 0..VOLUME_CHANNELS {
        let (s, cl) = gofer::channel_pair().map_err(|e| anyhow::anyhow!("socketpair: {e}"))?;
        server.push(s);
        client.push(cl);
    }
    args.push("--detached".into());
    let g = spawn_self_with(
        &args,
        &server,
        [Stdio::null(), Stdio::null(), Stdio::null()],
        true,
    )?;
    Ok(g.id() as i32)
}

/// Create the container `o.id` under `cli.root`.
pub fn create(cli: &Cli, o: &Options) -> anyhow::Result<Created> {
    let pid_file = check_pid_file(o.pid_file)?;
    let bundle = super::spec::load(o.bundle)?;
    if bundle.terminal && o.console_socket.is_none() && !o.foreground {
        anyhow::bail!("cannot allocate tty if runsc will detach without setting console socket");
    }
    if !bundle.terminal && o.console_socket.is_some() {
        anyhow::bail!("cannot use console socket if runsc will not detach or allocate tty");
    }
    // flag > dev.runsc.* annotation > config file > default.
    let opts = crate::config::resolve(&crate::config::cli_flags(cli), &bundle.annotations)?;
    let root = std::path::absolute(&cli.root).context("--root")?;
    let c = Container::create(&root, o.id)?;
    match launch(cli, &opts, &c, &bundle, o, pid_file.as_deref()) {
        Ok((state, sentry)) => Ok(Created {
            container: c,
            state,
            sentry,
        }),
        Err(e) => {
            let _ = c.remove();
            Err(e)
        }
    }
}

fn launch(
    cli: &Cli,
    opts: &crate::config::Options,
    c: &Container,
    b: &Bundle,
    o: &Options,
    pid_file: Option<&Path>,
) -> anyhow::Result<(State, Child)> {
    // With a console the sentry leads a session whose controlling terminal
    // is the pty slave, so the host line discipline's signals (^C, ^\, ^Z,
    // resizes, hangup) reach it and it passes them on (docs/architecture.md).
    let console_used = o.console_socket.is_some() && b.terminal;
    let stdio: [Stdio; 3] = match o.console_socket {
        Some(sock) if b.terminal => {
            let slave = console(sock, b.console_size)?;
            [
                Stdio::from(slave.try_clone()?),
                Stdio::from(slave.try_clone()?),
                Stdio::from(slave),
            ]
        }
        _ => [Stdio::inherit(), Stdio::inherit(), Stdio::inherit()],
    };
    let listener = super::client::listen_at(&c.socket())?;
    let mut server = Vec::new();
    let mut client = Vec::new();
    for _ in 0..CHANNELS {
        let (s, cl) = gofer::channel_pair().map_err(|e| anyhow::anyhow!("socketpair: {e}"))?;
        server.push(s);
        client.push(cl);
    }
    // linux.cgroupsPath / linux.resources: the CLI enters the sandbox's
    // cgroup before it starts the gofer and the sentry, so every process of
    // the sandbox (every stub included) starts inside.
    let home = crate::cgroup::Cgroup::current().ok();
    let cgroup = if b.cgroups_path.is_some() || b.resources.is_some() {
        let res = b.resources.clone().unwrap_or_default();
        let cg = crate::cgroup::Cgroup::create(b.cgroups_path.as_deref(), &c.id, &res)?;
        if let Err(e) = cg.add_pid(std::process::id() as i32) {
            let _ = cg.remove();
            return Err(e);
        }
        Some(cg)
    } else {
        None
    };
    let leave_cgroup = || {
        if let Some(cg) = &cgroup {
            if let Some(home) = &home {
                let _ = home.add_pid(std::process::id() as i32);
            }
            let _ = cg.remove();
        }
    };
    // process.oomScoreAdj: the host's OOM killer weighs the whole sandbox
    // (gofers, sentry, stubs inherit it from us), as runc sets it on init.
    if let Some(v) = b.user.oom_score_adj {
        if let Err(e) = std::fs::write("/proc/self/oom_score_adj", v.to_string()) {
            leave_cgroup();
            anyhow::bail!("write /proc/self/oom_score_adj: {e}");
        }
    }
    let mut gofer_args = opts.boot_flags();
    gofer_args.extend([
        "gofer".to_string(),
        "--root".into(),
        b.rootfs.to_string_lossy().into_owned(),
        "--channels".into(),
        CHANNELS.to_string(),
        "--detached".into(),
    ]);
    // With the memory overlay the workload's writes never reach the rootfs.
    if b.readonly || opts.overlay {
        gofer_args.push("--readonly".into());
    }
    // The gofer's errors go to a text log; never into a JSON one (the shim
    // reads it line by line as JSON).
    let gofer_err = match &cli.log {
        Some(p) if opts.log_format != crate::config::LogFormat::Json => std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(p)
            .map(Stdio::from)
            .unwrap_or_else(|_| Stdio::null()),
        _ => Stdio::null(),
    };
    let mut gofer = match spawn_self_with(
        &gofer_args,
        &server,
        [Stdio::null(), Stdio::null(), gofer_err],
        true,
    ) {
        Ok(g) => g,
        Err(e) => {
            leave_cgroup();
            return Err(e);
        }
    };
    drop(server);
    let kill_gofer = |g: &mut Child| {
        let _ = g.kill();
        let _ = g.wait();
        leave_cgroup();
    };
    // Directory bind mounts: a gofer each (like `runsc do --volume`), with
    // its channels after the root's. They exit when the sentry's ends of
    // their channels close; their pids are recorded so that delete waits
    // for them (before the cgroup goes).
    let mut volumes = Vec::new();
    let mut volume_gofers = Vec::new();
    for m in &b.binds {
        let mut args = opts.boot_flags();
        args.extend([
            "gofer".to_string(),
            "--root".into(),
            m.source.to_string_lossy().into_owned(),
            "--channels".into(),
            VOLUME_CHANNELS.to_string(),
        ]);
        if m.readonly {
            args.push("--readonly".into());
        }
        match spawn_bind_gofer(args, &mut client) {
            Ok(pid) => volume_gofers.push(pid),
            Err(e) => {
                kill_gofer(&mut gofer);
                return Err(e);
            }
        }
        volumes.push(crate::cmd::boot::VolumeSpec {
            path: m.destination.as_bytes().to_vec(),
            channels: VOLUME_CHANNELS,
            readonly: m.readonly,
            shared: false,
            flags: m.flags,
        });
    }
    // File bind mounts: one gofer for all of them (Docker adds three).
    let mut file_binds = Vec::new();
    if !b.file_binds.is_empty() {
        let files: Vec<gofer::BoundFile> = b
            .file_binds
            .iter()
            .map(|m| gofer::BoundFile {
                source: m.source.clone(),
                readonly: m.readonly,
            })
            .collect();
        let mut args = opts.boot_flags();
        args.extend(crate::cmd::gofer::files_gofer_args(&files, VOLUME_CHANNELS));
        match spawn_bind_gofer(args, &mut client) {
            Ok(pid) => volume_gofers.push(pid),
            Err(e) => {
                kill_gofer(&mut gofer);
                return Err(e);
            }
        }
        file_binds = b
            .file_binds
            .iter()
            .map(|m| crate::cmd::boot::FileBindSpec {
                path: m.destination.as_bytes().to_vec(),
                readonly: m.readonly,
                flags: m.flags,
            })
            .collect();
    }
    let spec = BootSpec {
        argv: b.argv.iter().map(|s| s.as_bytes().to_vec()).collect(),
        env: b.env.iter().map(|s| s.as_bytes().to_vec()).collect(),
        cwd: b.cwd.as_bytes().to_vec(),
        channels: CHANNELS,
        hostname: b.hostname.as_bytes().to_vec(),
        user: b.user.clone(),
        control: true,
        wait_start: true,
        ready: true,
        detached: !o.foreground,
        console: console_used,
        overlay: opts.overlay,
        seccomp: opts.seccomp,
        volumes,
        file_channels: if file_binds.is_empty() {
            0
        } else {
            VOLUME_CHANNELS
        },
        file_binds,
        mounts: b.mounts.clone(),
        masked_paths: b
            .masked_paths
            .iter()
            .map(|p| p.as_bytes().to_vec())
            .collect(),
        readonly_paths: b
            .readonly_paths
            .iter()
            .map(|p| p.as_bytes().to_vec())
            .collect(),
        sysctl: b.sysctl.clone(),
        domainname: b.domainname.as_ref().map(|d| d.as_bytes().to_vec()),
        netns: b.netns.clone(),
        container_seccomp: b.seccomp.clone(),
        ..Default::default()
    };
    let mut boot_args = opts.boot_flags();
    if let Some(l) = &cli.log {
        boot_args.extend(["--log".to_string(), l.clone()]);
    }
    let config = crate::sandbox::config_fd(&serde_json::to_string(&spec)?)?;
    let (ready_r, ready_w) =
        nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).context("readiness pipe")?;
    // The sentry is the init of a new pid namespace: when it dies, every
    // stub dies with it.
    if let Err(e) = nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWPID) {
        kill_gofer(&mut gofer);
        return Err(e).context("new pid namespace");
    }
    let mut fds = client;
    fds.push(listener);
    fds.push(ready_w);
    // The configuration comes last, its fd number on the command line.
    boot_args.extend([
        "boot".to_string(),
        "--config-fd".into(),
        (crate::sandbox::FIRST_FD + fds.len() as i32).to_string(),
    ]);
    fds.push(config);
    let session = if console_used {
        Session::Console
    } else if o.foreground {
        Session::Same
    } else {
        Session::New
    };
    let mut sentry = match spawn_self_session(&boot_args, &fds, stdio, session) {
        Ok(s) => s,
        Err(e) => {
            kill_gofer(&mut gofer);
            return Err(e);
        }
    };
    drop(fds);
    let mut msg = String::new();
    let _ = std::fs::File::from(ready_r).read_to_string(&mut msg);
    if msg != "ok" {
        let _ = sentry.kill();
        let _ = sentry.wait();
        kill_gofer(&mut gofer);
        if msg.is_empty() {
            msg = "the sandbox failed to start".into();
        }
        anyhow::bail!("{msg}");
    }
    let pid = sentry.id() as i32;
    let gofer_pid = gofer.id() as i32;
    let state = State {
        id: c.id.clone(),
        bundle: b.dir.to_string_lossy().into_owned(),
        rootfs: b.rootfs.to_string_lossy().into_owned(),
        pid,
        pid_start: proc::start_time(pid),
        gofer_pid,
        gofer_start: proc::start_time(gofer_pid),
        volume_gofers: volume_gofers
            .iter()
            .map(|&p| (p, proc::start_time(p)))
            .collect(),
        status: Status::Created,
        created: super::now_rfc3339(),
        owner: owner(),
        annotations: b.annotations.clone(),
        unmounted: b
            .unmounted
            .iter()
            .map(|m| format!("{} ({} from {})", m.destination, m.typ, m.source))
            .collect(),
        cgroup: cgroup.as_ref().map(|_| super::CgroupRef {
            path: b.cgroups_path.clone(),
        }),
    };
    let fail = |mut sentry: Child, mut gofer: Child, e: anyhow::Error| {
        let _ = sentry.kill();
        let _ = sentry.wait();
        kill_gofer(&mut gofer);
        Err(e)
    };
    if let Err(e) = c.save(&state) {
        return fail(sentry, gofer, e);
    }
    // Hooks on the host with the state on stdin (runtime-spec order); a
    // failing one fails the create and undoes it.
    use crate::oci::hooks::HookKind;
    for kind in [
        HookKind::Prestart,
        HookKind::CreateRuntime,
        HookKind::CreateContainer,
    ] {
        if let Err(e) = b.hooks.run(kind, &state.hook_state("creating")) {
            return fail(sentry, gofer, e);
        }
    }
    if let Some(p) = pid_file {
        if let Err(e) = write_pid_file(p, pid) {
            return fail(sentry, gofer, e);
        }
    }
    // Not waited for: with `create` the sentry outlives us (our parent, the
    // shim, is a subreaper and reaps it); the gofer exits with the sentry.
    drop(gofer);
    Ok((state, sentry))
}
