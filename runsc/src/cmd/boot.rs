//! `runsc boot` (internal): the sentry process. Confines itself (new
//! namespaces, an empty read-only root, no_new_privs), then boots the kernel.

use crate::sandbox::{dup_stdio, inherited_fds};
use crate::Cli;
use anyhow::Context;
use clap::Args;
use nix::mount::{mount, umount2, MntFlags, MsFlags};
use nix::sched::{unshare, CloneFlags};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Args, Debug)]
pub struct BootArgs {
    /// The boot configuration (JSON), written by `runsc do`/`create`.
    #[arg(long)]
    pub config: Option<String>,
}

/// What `runsc do` (and later `create`) hands to the sentry.
#[derive(Serialize, Deserialize, Debug)]
pub struct BootSpec {
    pub argv: Vec<Vec<u8>>,
    pub env: Vec<Vec<u8>>,
    pub cwd: Vec<u8>,
    pub channels: usize,
    pub hostname: Vec<u8>,
    /// Skip namespace confinement (debugging only).
    pub no_confine: bool,
    /// The root is an in-memory overlay over the rootfs (`--overlay=memory`).
    #[serde(default = "yes")]
    pub overlay: bool,
    /// Collect a compatibility profile (`runsc compat`): one more fd after
    /// the gofer channels, where the sentry writes the JSON report.
    #[serde(default)]
    pub compat: bool,
    /// Action of the sentry's seccomp filter outside its allowlist.
    #[serde(default)]
    pub seccomp: crate::config::SeccompMode,
}

fn yes() -> bool {
    true
}

pub fn run(cli: &Cli, a: &BootArgs) -> anyhow::Result<i32> {
    // If the CLI that started us dies, the sandbox must not outlive it.
    nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL).context("pdeathsig")?;
    let spec: BootSpec = match &a.config {
        Some(c) if crate::sandbox::handed_over_sockets(1) => {
            serde_json::from_str(c).context("bad boot config")?
        }
        _ => anyhow::bail!(
            "runsc boot is internal: it is started by runsc create/run/do with its fds set up, not by hand"
        ),
    };
    let mut channels = inherited_fds(spec.channels + usize::from(spec.compat));
    let compat_out = if spec.compat { channels.pop() } else { None };
    let stdio = vec![dup_stdio(0)?, dup_stdio(1)?, dup_stdio(2)?];
    if !spec.no_confine {
        confine().context("cannot confine the sentry")?;
        // Last step of the confinement: everything the sentry needs from
        // the host is open; from here on its syscalls are an allowlist.
        crate::seccomp::install_sentry(spec.seccomp)?;
    }
    let cfg = sentry::kernel::boot::BootConfig {
        argv: spec.argv,
        env: spec.env,
        cwd: spec.cwd,
        gofer: Arc::new(gofer::Client::new(channels)),
        stdio,
        strace: cli.strace,
        hostname: spec.hostname,
        overlay: if spec.overlay {
            sentry::vfs::RootOverlay::Memory
        } else {
            sentry::vfs::RootOverlay::None
        },
        compat_out,
    };
    match sentry::kernel::boot::run(cfg) {
        Ok(st) => Ok(st.shell_code()),
        Err(e) => {
            eprintln!("runsc: {e}");
            Ok(e.exit_code())
        }
    }
}

/// New mount/uts/ipc/net namespaces and an empty read-only root: after this
/// the sentry cannot open any host path.
fn confine() -> anyhow::Result<()> {
    unshare(
        CloneFlags::CLONE_NEWNS
            | CloneFlags::CLONE_NEWUTS
            | CloneFlags::CLONE_NEWIPC
            | CloneFlags::CLONE_NEWNET,
    )
    .context("unshare")?;
    mount(
        None::<&str>,
        "/",
        None::<&str>,
        MsFlags::MS_REC | MsFlags::MS_PRIVATE,
        None::<&str>,
    )
    .context("make / private")?;
    mount(
        Some("runsc-root"),
        "/tmp",
        Some("tmpfs"),
        MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC,
        Some("size=4k,mode=0555"),
    )
    .context("mount empty root")?;
    nix::unistd::chdir("/tmp").context("chdir")?;
    nix::unistd::pivot_root(".", ".").context("pivot_root")?;
    umount2(".", MntFlags::MNT_DETACH).context("detach old root")?;
    nix::unistd::chdir("/").context("chdir /")?;
    mount(
        None::<&str>,
        "/",
        None::<&str>,
        MsFlags::MS_REMOUNT
            | MsFlags::MS_BIND
            | MsFlags::MS_RDONLY
            | MsFlags::MS_NOSUID
            | MsFlags::MS_NODEV
            | MsFlags::MS_NOEXEC,
        None::<&str>,
    )
    .context("remount root read-only")?;
    nix::sys::prctl::set_no_new_privs().context("no_new_privs")?;
    Ok(())
}
