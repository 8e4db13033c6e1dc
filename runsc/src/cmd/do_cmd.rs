//! `runsc do`: run a program in a fresh sandbox, like `runc run` without a
//! bundle. The root is the host's `/` (through the gofer) unless `--rootfs`
//! says otherwise, under an in-memory overlay unless `--overlay=none`.

use super::boot::BootSpec;
use crate::sandbox::spawn_self;
use crate::Cli;
use anyhow::Context;
use clap::Args;
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::Pid;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;

/// Gofer channels per sandbox (concurrent file operations).
const CHANNELS: usize = 4;

#[derive(Args, Debug)]
pub struct DoArgs {
    /// Root file system of the sandbox.
    #[arg(long, default_value = "/")]
    pub rootfs: String,
    /// Working directory inside the sandbox (default: the current directory
    /// when the root is the host's `/`, else `/`).
    #[arg(long)]
    pub cwd: Option<String>,
    /// Environment variable K=V (repeatable). Without any, the program gets an empty environment.
    #[arg(long = "env")]
    pub env: Vec<String>,
    /// Bundle-style annotation K=V (repeatable); `dev.runsc.<option>=VALUE`
    /// sets a runsc option as a bundle's annotation would.
    #[arg(long = "annotation", value_parser = parse_annotation)]
    pub annotations: Vec<(String, String)>,
    /// Run the whole sandbox (gofer, sentry, stubs) in this cgroup
    /// (linux.cgroupsPath rules), created for the run and removed after it.
    #[arg(long = "cgroup-path")]
    pub cgroup_path: Option<String>,
    /// linux.resources JSON (memory, cpu, pids) applied to that cgroup.
    #[arg(long, requires = "cgroup_path")]
    pub resources: Option<std::path::PathBuf>,
    /// Skip the sentry's namespace confinement and seccomp filter (debugging).
    #[arg(long, hide = true)]
    pub no_confine: bool,
    /// The program and its arguments.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true)]
    pub command: Vec<std::ffi::OsString>,
}

fn parse_annotation(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .ok_or_else(|| format!("annotation {s:?} is not KEY=VALUE"))
}

pub fn run(cli: &Cli, a: &DoArgs) -> anyhow::Result<i32> {
    launch(cli, a, None)
}

/// Start the gofer and the sentry for `a`, wait for the sandbox to exit and
/// return its exit status. With `compat_out`, the sentry collects a
/// compatibility profile and writes it (JSON) to that fd (`runsc compat`).
pub fn launch(cli: &Cli, a: &DoArgs, compat_out: Option<OwnedFd>) -> anyhow::Result<i32> {
    let annotations = a.annotations.iter().cloned().collect();
    let opts = crate::config::resolve(&crate::config::cli_flags(cli), &annotations)?;
    let root = std::fs::canonicalize(&a.rootfs).with_context(|| format!("rootfs {}", a.rootfs))?;
    if !root.is_dir() {
        anyhow::bail!("rootfs {} is not a directory", a.rootfs);
    }
    let mut server = Vec::new();
    let mut client = Vec::new();
    for _ in 0..CHANNELS {
        let (s, c) = gofer::channel_pair().map_err(|e| anyhow::anyhow!("socketpair: {e}"))?;
        server.push(s);
        client.push(c);
    }
    let mut gofer_args = opts.boot_flags();
    gofer_args.extend([
        "gofer".to_string(),
        "--root".into(),
        root.to_string_lossy().into_owned(),
        "--channels".into(),
        CHANNELS.to_string(),
        "--readonly".into(),
    ]);
    // The CLI enters the cgroup first, so the gofer, the sentry and every
    // stub start in it (no window where a stub is forked outside).
    let cgroup = match &a.cgroup_path {
        Some(p) => Some(SandboxCgroup::enter(p, a.resources.as_deref())?),
        None => None,
    };
    let mut gofer = spawn_self(&gofer_args, &server, true)?;
    drop(server);

    let spec = BootSpec {
        argv: a.command.iter().map(|s| s.as_bytes().to_vec()).collect(),
        env: a.env.iter().map(|s| s.as_bytes().to_vec()).collect(),
        cwd: match &a.cwd {
            Some(c) => c.as_bytes().to_vec(),
            None if root == std::path::Path::new("/") => std::env::current_dir()
                .map(|d| d.as_os_str().as_bytes().to_vec())
                .unwrap_or_else(|_| b"/".to_vec()),
            None => b"/".to_vec(),
        },
        channels: CHANNELS,
        hostname: b"runsc".to_vec(),
        no_confine: a.no_confine,
        overlay: opts.overlay,
        compat: compat_out.is_some(),
        seccomp: opts.seccomp,
    };
    let mut boot_args = opts.boot_flags();
    boot_args.extend([
        "boot".to_string(),
        "--config".into(),
        serde_json::to_string(&spec)?,
    ]);
    // The sentry is the init of a new pid namespace: when it dies, every
    // stub dies with it.
    nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWPID).context("new pid namespace")?;
    // Handed over after the channels (BootSpec::compat).
    let mut fds = client;
    fds.extend(compat_out);
    let boot = spawn_self(&boot_args, &fds, false)?;
    drop(fds);
    let code = wait_code(boot.id() as i32);
    // The gofer exits when its channels close; don't let it linger.
    let _ = gofer.kill();
    let _ = gofer.wait();
    // Every process of the sandbox is reaped (the stubs died with the
    // sentry, the init of their pid namespace): the cgroup can go.
    drop(cgroup);
    code
}

/// The cgroup of a `runsc do --cgroup-path` run, with where the CLI was.
struct SandboxCgroup {
    cg: crate::cgroup::Cgroup,
    home: crate::cgroup::Cgroup,
}

impl SandboxCgroup {
    fn enter(path: &str, resources: Option<&std::path::Path>) -> anyhow::Result<SandboxCgroup> {
        let res = match resources {
            Some(f) => {
                let text = std::fs::read_to_string(f)
                    .with_context(|| format!("cannot read {}", f.display()))?;
                serde_json::from_str(&text)
                    .map_err(|e| anyhow::anyhow!("{}: invalid resources JSON: {e}", f.display()))?
            }
            None => crate::cgroup::Resources::default(),
        };
        let home = crate::cgroup::Cgroup::current()?;
        let cg = crate::cgroup::Cgroup::create(Some(path), "do", &res)?;
        if let Err(e) = cg.add_pid(std::process::id() as i32) {
            let _ = home.add_pid(std::process::id() as i32);
            let _ = cg.remove();
            return Err(e);
        }
        Ok(SandboxCgroup { cg, home })
    }
}

/// Leaving (also on an early error return): the CLI moves back to where it
/// was and removes the cgroup.
impl Drop for SandboxCgroup {
    fn drop(&mut self) {
        let back = self.home.add_pid(std::process::id() as i32);
        if let Err(e) = back.and_then(|_| self.cg.remove()) {
            tracing::warn!("{e:#}");
        }
    }
}

fn wait_code(pid: i32) -> anyhow::Result<i32> {
    loop {
        match waitpid(Pid::from_raw(pid), None) {
            Ok(WaitStatus::Exited(_, c)) => return Ok(c),
            Ok(WaitStatus::Signaled(_, s, _)) => return Ok(128 + s as i32),
            Ok(_) => continue,
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => anyhow::bail!("waiting for the sandbox: {e}"),
        }
    }
}
