//! `runsc boot` (internal): the sentry process. Confines itself (new
//! namespaces, an empty read-only root, no_new_privs), then boots the kernel.
//!
//! The sentry is the init of a new pid namespace (made by the CLI before it
//! starts us), so every stub dies with it. It exits with the container
//! init's exit status, and with 128+N when init died by signal N: a
//! pid-namespace init only receives signals it has a handler for, from
//! itself and even from an ancestor namespace (pid_namespaces(7); SIGKILL
//! and SIGSTOP from outside excepted), and the sentry cannot step out of
//! that namespace (a task whose children go to another pid namespace cannot
//! create threads). containerd's shim, which waits on this pid, reports both
//! "killed by N" and "exit 128+N" as 128+N; a SIGKILL from `runsc kill`
//! hits the sentry itself and is seen as such.

use crate::sandbox::{dup_stdio, inherited_fds};
use crate::Cli;
use anyhow::Context;
use clap::Args;
use nix::mount::{mount, umount2, MntFlags, MsFlags};
use nix::sched::{unshare, CloneFlags};
use sentry::kernel::boot::UserSpec;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Args, Debug)]
pub struct BootArgs {
    /// The fd holding the boot configuration (JSON), handed over by `runsc
    /// do`/`create` after the other fds (never on the command line: it holds
    /// the container's environment).
    #[arg(long)]
    pub config_fd: Option<i32>,
}

/// What `runsc do` and `runsc create` hand to the sentry. Fds arrive at 3..
/// in this order: the root's gofer channels, each volume's channels, the
/// files gofer's channels (`file_channels`), then (when set) the compat report fd, the control socket and the readiness
/// pipe.
#[derive(Serialize, Deserialize, Debug, Default)]
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
    /// Bind mounts, each served by its own gofer; their channels follow
    /// the root's (in this order), before the compat fd.
    #[serde(default)]
    pub volumes: Vec<VolumeSpec>,
    /// File bind mounts, all served by one files gofer whose
    /// `file_channels` channels follow the volumes'; the i-th is that
    /// gofer's entry `i`.
    #[serde(default)]
    pub file_binds: Vec<FileBindSpec>,
    #[serde(default)]
    pub file_channels: usize,
    /// Identity, capabilities and limits of init.
    #[serde(default)]
    pub user: UserSpec,
    /// A listening control socket follows.
    #[serde(default)]
    pub control: bool,
    /// Init waits for `start` on the control socket before its exec.
    #[serde(default)]
    pub wait_start: bool,
    /// A readiness pipe follows: "ok" or the error that stopped the boot.
    #[serde(default)]
    pub ready: bool,
    /// Outlive the CLI that started us (`create`): no parent-death signal.
    #[serde(default)]
    pub detached: bool,
    /// Our stdin is a pty slave we lead as controlling terminal (the
    /// console): the host line discipline's signals are passed on to the
    /// sandbox's terminal.
    #[serde(default)]
    pub console: bool,
    /// OCI mounts of tmpfs, proc, sysfs and devpts, in config order.
    #[serde(default)]
    pub mounts: Vec<sentry::kernel::boot::FsMount>,
    /// OCI linux.maskedPaths / linux.readonlyPaths.
    #[serde(default)]
    pub masked_paths: Vec<Vec<u8>>,
    #[serde(default)]
    pub readonly_paths: Vec<Vec<u8>>,
    /// OCI linux.sysctl (validated), set in the sandbox's /proc/sys.
    #[serde(default)]
    pub sysctl: Vec<(String, String)>,
    /// OCI domainname.
    #[serde(default)]
    pub domainname: Option<Vec<u8>>,
    /// OCI linux.namespaces: the host network namespace to join (a path
    /// like /var/run/netns/NAME) instead of a new one.
    #[serde(default)]
    pub netns: Option<String>,
    /// OCI linux.seccomp compiled for the container's processes.
    #[serde(default)]
    pub container_seccomp: Option<crate::oci::seccomp::ContainerSeccomp>,
}

/// One `--volume` as the sentry sees it.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct VolumeSpec {
    /// Absolute path in the sandbox.
    pub path: Vec<u8>,
    /// Gofer channels of this volume.
    pub channels: usize,
    pub readonly: bool,
    /// Lookups are not cached (the host changes the tree).
    #[serde(default)]
    pub shared: bool,
    /// Per-mount `MS_*` flags besides `MS_RDONLY` (nosuid, nodev, noexec,
    /// atime flags).
    #[serde(default)]
    pub flags: u64,
}

/// One file bind mount as the sentry sees it.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct FileBindSpec {
    /// Absolute path in the sandbox.
    pub path: Vec<u8>,
    pub readonly: bool,
    /// As [`VolumeSpec::flags`].
    #[serde(default)]
    pub flags: u64,
}

fn yes() -> bool {
    true
}

pub fn run(cli: &Cli, a: &BootArgs) -> anyhow::Result<i32> {
    let spec: BootSpec = match a.config_fd {
        Some(fd) if crate::sandbox::handed_over_sockets(1) => {
            let text = crate::sandbox::take_config(fd)?;
            serde_json::from_str(&text).context("bad boot config")?
        }
        _ => anyhow::bail!(
            "runsc boot is internal: it is started by runsc create/run/do with its fds set up, not by hand"
        ),
    };
    if !spec.detached {
        // If the CLI that started us dies, the sandbox must not outlive it.
        nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL).context("pdeathsig")?;
    }
    // Before any thread exists, so that every thread inherits the mask:
    // the console's signals are only read from the signalfd.
    let console_signals = if spec.console {
        Some(console_signalfd()?)
    } else {
        None
    };
    let vol_channels: usize = spec.volumes.iter().map(|v| v.channels).sum();
    let n = spec.channels
        + vol_channels
        + spec.file_channels
        + usize::from(spec.compat)
        + usize::from(spec.control)
        + usize::from(spec.ready);
    let mut fds = inherited_fds(n);
    let ready = if spec.ready { fds.pop() } else { None };
    let control = if spec.control { fds.pop() } else { None };
    let compat_out = if spec.compat { fds.pop() } else { None };
    let mut channels = fds;
    // The volumes' channels follow the root's, each volume's together.
    let mut rest = channels.split_off(spec.channels.min(channels.len()));
    let mut volumes = Vec::new();
    for v in &spec.volumes {
        let tail = rest.split_off(v.channels.min(rest.len()));
        volumes.push(sentry::kernel::boot::Volume {
            path: v.path.clone(),
            client: Arc::new(gofer::Client::new(std::mem::replace(&mut rest, tail))),
            readonly: v.readonly,
            shared: v.shared,
            flags: v.flags,
        });
    }
    let mut file_binds = Vec::new();
    if !spec.file_binds.is_empty() {
        let client = Arc::new(gofer::Client::new(rest));
        for (i, f) in spec.file_binds.iter().enumerate() {
            file_binds.push(sentry::kernel::boot::FileBind {
                path: f.path.clone(),
                client: client.clone(),
                name: i.to_string().into_bytes(),
                readonly: f.readonly,
                flags: f.flags,
            });
        }
    }
    let stdio = vec![dup_stdio(0)?, dup_stdio(1)?, dup_stdio(2)?];
    let container_seccomp = match &spec.container_seccomp {
        Some(c) => Some(sentry::kernel::boot::ContainerFilter {
            program: c.instructions()?,
            log: c.log,
        }),
        None => None,
    };
    if !spec.no_confine {
        // Last step of the confinement: everything the sentry needs from
        // the host is open; from here on its syscalls are an allowlist.
        let confined = confine(spec.netns.as_deref())
            .context("cannot confine the sentry")
            .and_then(|()| crate::seccomp::install_sentry(spec.seccomp));
        if let Err(e) = confined {
            let msg = format!("{e:#}");
            if let Some(r) = &ready {
                let _ = nix::unistd::write(r, msg.as_bytes());
            }
            anyhow::bail!(msg);
        }
    }
    let cfg = sentry::kernel::boot::BootConfig {
        argv: spec.argv,
        env: spec.env,
        cwd: spec.cwd,
        gofer: Arc::new(gofer::Client::new(channels)),
        stdio,
        strace: cli.strace,
        hostname: spec.hostname,
        volumes,
        file_binds,
        mounts: spec.mounts,
        masked_paths: spec.masked_paths,
        readonly_paths: spec.readonly_paths,
        sysctl: spec.sysctl,
        domainname: spec.domainname,
        overlay: if spec.overlay {
            sentry::vfs::RootOverlay::Memory
        } else {
            sentry::vfs::RootOverlay::None
        },
        compat_out,
        user: spec.user,
        control,
        // OCI containers live on after start; `runsc do` runs one program.
        trim: spec.wait_start,
        wait_start: spec.wait_start,
        ready,
        console_signals,
        container_seccomp,
    };
    match sentry::kernel::boot::run(cfg) {
        Ok(st) => Ok(st.shell_code()),
        Err((e, reported)) => {
            if reported {
                tracing::debug!("boot failed: {e}");
            } else {
                eprintln!("runsc: {e}");
            }
            Ok(e.exit_code())
        }
    }
}

/// Block the signals the host console sends us (as its session leader and
/// foreground group) and open a signalfd for them, before seccomp (the
/// filter does not need signalfd4). Blocked, they are queued even though we
/// are a pid namespace's init, and never act on the sentry itself: a hangup
/// of the console must not end the sandbox behind its back.
fn console_signalfd() -> anyhow::Result<nix::sys::signalfd::SignalFd> {
    use nix::sys::signal::{SigSet, SigmaskHow, Signal};
    let mut set = SigSet::empty();
    for s in sentry::fs::host::CONSOLE_SIGNALS {
        set.add(Signal::try_from(s).context("console signal")?);
    }
    nix::sys::signal::pthread_sigmask(SigmaskHow::SIG_BLOCK, Some(&set), None)
        .context("block the console signals")?;
    nix::sys::signalfd::SignalFd::with_flags(&set, nix::sys::signalfd::SfdFlags::SFD_CLOEXEC)
        .context("signalfd for the console signals")
}

/// New mount/uts/ipc namespaces, a new network namespace or the one at
/// `netns` (OCI linux.namespaces `network` with a path: the sandbox then
/// lives in that netns, e.g. one a CNI plugin configured), and an empty
/// read-only root: after this the sentry cannot open any host path.
fn confine(netns: Option<&str>) -> anyhow::Result<()> {
    let mut flags = CloneFlags::CLONE_NEWNS | CloneFlags::CLONE_NEWUTS | CloneFlags::CLONE_NEWIPC;
    match netns {
        Some(p) => {
            let f =
                std::fs::File::open(p).with_context(|| format!("open network namespace {p}"))?;
            nix::sched::setns(&f, CloneFlags::CLONE_NEWNET)
                .with_context(|| format!("join network namespace {p}"))?;
        }
        None => flags |= CloneFlags::CLONE_NEWNET,
    }
    unshare(flags).context("unshare")?;
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
    // A read-only /proc of the sentry's pid namespace (the sentry and its
    // stubs): host tools that enter this mount namespace to list a
    // container's processes (podman top) find them. The sentry itself never
    // opens a path after confinement (its seccomp filter answers ENOENT),
    // and a read-only mount refuses every write (/proc/sys...).
    nix::unistd::mkdir("/proc", nix::sys::stat::Mode::from_bits_truncate(0o555))
        .context("mkdir /proc")?;
    mount(
        Some("proc"),
        "/proc",
        Some("proc"),
        MsFlags::MS_RDONLY | MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC,
        None::<&str>,
    )
    .context("mount /proc")?;
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
