//! `runsc do`: run a program in a fresh sandbox, like `runc run` without a
//! bundle. The root is the host's `/` (through the gofer) unless `--rootfs`
//! says otherwise, under an in-memory overlay unless `--overlay=none`.

use super::boot::{BootSpec, FileBindSpec, VolumeSpec};
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
/// Gofer channels per volume.
const VOLUME_CHANNELS: usize = 2;

/// A parsed `--volume HOST:SANDBOX[:ro]`.
#[derive(Debug, PartialEq)]
pub struct Volume {
    pub host: std::path::PathBuf,
    pub sandbox: String,
    pub readonly: bool,
    /// The host may change the tree while the sandbox runs: lookups are
    /// not cached (each walk asks the gofer).
    pub shared: bool,
    /// The host path is a regular file (served by the files gofer).
    pub file: bool,
}

/// Parse and check one `--volume` argument (the host directory or regular
/// file must exist).
pub fn parse_volume(arg: &str) -> anyhow::Result<Volume> {
    let mut parts: Vec<&str> = arg.split(':').collect();
    let (mut readonly, mut shared) = (false, false);
    if parts.len() == 3 {
        for opt in parts.pop().unwrap_or_default().split(',') {
            match opt {
                "ro" => readonly = true,
                "rw" => readonly = false,
                "shared" => shared = true,
                _ => anyhow::bail!(
                    "--volume {arg}: unknown option {opt:?} (expected HOST_PATH:SANDBOX_PATH[:ro|rw][,shared])"
                ),
            }
        }
    }
    let [host, sandbox] = parts[..] else {
        anyhow::bail!("--volume {arg}: expected HOST_PATH:SANDBOX_PATH[:ro]");
    };
    if !host.starts_with('/') {
        anyhow::bail!("--volume {arg}: host path {host} is not absolute");
    }
    if !sandbox.starts_with('/') {
        anyhow::bail!("--volume {arg}: sandbox path {sandbox} is not absolute");
    }
    if sandbox.split('/').any(|c| c == ".." || c == ".") {
        anyhow::bail!("--volume {arg}: sandbox path {sandbox} has . or .. components");
    }
    let meta = std::fs::metadata(host)
        .map_err(|e| anyhow::anyhow!("--volume {arg}: host path {host}: {e}"))?;
    if !meta.is_dir() && !meta.is_file() {
        anyhow::bail!("--volume {arg}: host path {host} is not a directory or a regular file");
    }
    let host = std::fs::canonicalize(host)
        .map_err(|e| anyhow::anyhow!("--volume {arg}: host path {host}: {e}"))?;
    Ok(Volume {
        host,
        sandbox: sandbox.to_string(),
        readonly,
        shared,
        file: meta.is_file(),
    })
}

fn gofer_args(root: &std::path::Path, channels: usize, readonly: bool) -> Vec<String> {
    let mut v = vec![
        "gofer".to_string(),
        "--root".into(),
        root.to_string_lossy().into_owned(),
        "--channels".into(),
        channels.to_string(),
    ];
    if readonly {
        v.push("--readonly".into());
    }
    v
}

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
    /// Bind-mount a host directory or regular file:
    /// HOST_PATH:SANDBOX_PATH[:ro|rw][,shared] (repeatable). Each directory
    /// volume is served by its own gofer, every file volume by one files
    /// gofer; writes reach the host unless `ro` (then EROFS). `shared`: the host changes the
    /// tree meanwhile, so directory lookups are never cached.
    #[arg(long = "volume", short = 'v')]
    pub volumes: Vec<String>,
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
    let volumes = a
        .volumes
        .iter()
        .map(|v| parse_volume(v))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let pairs = |n: usize| -> anyhow::Result<(Vec<OwnedFd>, Vec<OwnedFd>)> {
        let mut server = Vec::new();
        let mut client = Vec::new();
        for _ in 0..n {
            let (s, c) = gofer::channel_pair().map_err(|e| anyhow::anyhow!("socketpair: {e}"))?;
            server.push(s);
            client.push(c);
        }
        Ok((server, client))
    };
    let (server, mut client) = pairs(CHANNELS)?;
    // With the in-memory overlay nothing is written to the root; with
    // --overlay=none the root's gofer serves it writable.
    let gofer_cmd = |root: &std::path::Path, channels: usize, readonly: bool| {
        let mut v = opts.boot_flags();
        v.extend(gofer_args(root, channels, readonly));
        v
    };
    // The CLI enters the cgroup first, so the gofer, the sentry and every
    // stub start in it (no window where a stub is forked outside).
    let cgroup = match &a.cgroup_path {
        Some(p) => Some(SandboxCgroup::enter(p, a.resources.as_deref())?),
        None => None,
    };
    let mut gofers = vec![spawn_self(
        &gofer_cmd(&root, CHANNELS, opts.overlay),
        &server,
        true,
    )?];
    drop(server);
    // One gofer process per directory volume, with its own channels.
    for v in volumes.iter().filter(|v| !v.file) {
        let (server, c) = pairs(VOLUME_CHANNELS)?;
        gofers.push(spawn_self(
            &gofer_cmd(&v.host, VOLUME_CHANNELS, v.readonly),
            &server,
            true,
        )?);
        client.extend(c);
    }
    // One gofer for every file volume.
    let files: Vec<gofer::BoundFile> = volumes
        .iter()
        .filter(|v| v.file)
        .map(|v| gofer::BoundFile {
            source: v.host.clone(),
            readonly: v.readonly,
        })
        .collect();
    if !files.is_empty() {
        let (server, c) = pairs(VOLUME_CHANNELS)?;
        let mut args = opts.boot_flags();
        args.extend(super::gofer::files_gofer_args(&files, VOLUME_CHANNELS));
        gofers.push(spawn_self(&args, &server, true)?);
        client.extend(c);
    }

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
        volumes: volumes
            .iter()
            .filter(|v| !v.file)
            .map(|v| VolumeSpec {
                path: v.sandbox.as_bytes().to_vec(),
                channels: VOLUME_CHANNELS,
                readonly: v.readonly,
                shared: v.shared,
                flags: 0,
            })
            .collect(),
        file_binds: volumes
            .iter()
            .filter(|v| v.file)
            .map(|v| FileBindSpec {
                path: v.sandbox.as_bytes().to_vec(),
                readonly: v.readonly,
                flags: 0,
            })
            .collect(),
        file_channels: if files.is_empty() { 0 } else { VOLUME_CHANNELS },
        seccomp: opts.seccomp,
        ..Default::default()
    };
    let mut boot_args = opts.boot_flags();
    let config = crate::sandbox::config_fd(&serde_json::to_string(&spec)?)?;
    // The sentry is the init of a new pid namespace: when it dies, every
    // stub dies with it.
    nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWPID).context("new pid namespace")?;
    // Handed over after the channels (BootSpec::compat).
    let mut fds = client;
    fds.extend(compat_out);
    // The configuration comes last, its fd number on the command line.
    boot_args.extend([
        "boot".to_string(),
        "--config-fd".into(),
        (crate::sandbox::FIRST_FD + fds.len() as i32).to_string(),
    ]);
    fds.push(config);
    let boot = spawn_self(&boot_args, &fds, false)?;
    drop(fds);
    let code = wait_code(boot.id() as i32);
    // The gofers exit when their channels close; don't let them linger.
    for mut g in gofers {
        let _ = g.kill();
        let _ = g.wait();
    }
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

#[cfg(test)]
mod tests {
    use super::parse_volume;

    #[test]
    fn volume_arguments() {
        let v = parse_volume("/tmp:/data").unwrap();
        assert_eq!(
            (v.sandbox.as_str(), v.readonly, v.shared),
            ("/data", false, false)
        );
        let v = parse_volume("/tmp:/data:ro").unwrap();
        assert!(v.readonly && !v.shared);
        let v = parse_volume("/tmp:/data:rw,shared").unwrap();
        assert!(!v.readonly && v.shared);
        let v = parse_volume("/tmp:/data:ro,shared").unwrap();
        assert!(v.readonly && v.shared && !v.file);
        // A regular file is a file volume.
        let v = parse_volume("/etc/hostname:/etc/hostname:ro").unwrap();
        assert!(v.readonly && v.file);
        for bad in [
            "/tmp",
            "/tmp:/a:ro:x",
            "/tmp:/a:bogus",
            "tmp:/a",
            "/tmp:a",
            "/tmp:/a/../b",
            "/no/such/dir/here:/a",
            "/dev/null:/a",
        ] {
            assert!(parse_volume(bad).is_err(), "{bad}");
        }
    }
}
