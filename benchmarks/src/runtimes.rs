//! The runtimes compared: the plain host, runc, gVisor and ours. Each turns
//! a program and its arguments into a host command that runs it.

use std::cell::Cell;
use std::ffi::CString;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::catalog::Location;
use crate::lifecycle::{Oci, Phase, IDLE_INIT};
use crate::memory::{self, Metric};
use serde_json::json;

/// PATH given to every workload, in every runtime (the environment is
/// otherwise empty, so all runtimes start programs alike).
pub const WORKLOAD_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Everything the benchmarks need from Debian, for skip messages and docs.
pub const APT_INSTALL: &str = "apt-get install -y runc runsc busybox-static";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum RuntimeKind {
    Native,
    Runc,
    Gvisor,
    Ours,
}

impl RuntimeKind {
    pub const ALL: [RuntimeKind; 4] = [Self::Native, Self::Runc, Self::Gvisor, Self::Ours];

    /// Id used on the command line and in the JSON.
    pub fn id(self) -> &'static str {
        match self {
            Self::Native => "native",
            Self::Runc => "runc",
            Self::Gvisor => "gvisor",
            Self::Ours => "ours",
        }
    }

    /// Name for tables and legends.
    pub fn label(self) -> &'static str {
        match self {
            Self::Native => "native",
            Self::Runc => "runc",
            Self::Gvisor => "gVisor (ptrace)",
            Self::Ours => "ours (runsc do)",
        }
    }
}

/// Paths and options that select the runtime binaries.
#[derive(Debug, Clone)]
pub struct Locations {
    pub runc: PathBuf,
    pub gvisor: PathBuf,
    /// Our runsc; `None` means look for the workspace build.
    pub ours: Option<PathBuf>,
    /// Directories (the compiled programs) that must be visible inside
    /// runc's container at the same path.
    pub binds: Vec<PathBuf>,
    /// Why the runner could not get a private mount namespace (runc's
    /// bundle needs one), from [`enter_private_mount_namespace`].
    pub mount_ns_error: Option<String>,
    /// The host directory the bind-mount benchmarks write into (mounted at
    /// the same path in every container).
    pub volume: PathBuf,
}

/// Moves this process into a mount namespace of its own, with every mount
/// private, so the bind mount of `/` that runc's bundle needs exists only
/// here and vanishes with the runner however it ends (a bind of `/` left
/// under /tmp would expose the host's root to anything cleaning /tmp).
/// Must be called while the process is single-threaded.
pub fn enter_private_mount_namespace() -> Result<(), String> {
    require_root("runc's bundle")?;
    // SAFETY: plain system calls on constant, NUL-terminated arguments;
    // unshare(CLONE_NEWNS) only affects this (single-threaded) process.
    unsafe {
        if libc::unshare(libc::CLONE_NEWNS) != 0 {
            return Err(format!(
                "unshare(CLONE_NEWNS): {}",
                std::io::Error::last_os_error()
            ));
        }
        if libc::mount(
            std::ptr::null(),
            c"/".as_ptr(),
            std::ptr::null(),
            libc::MS_REC | libc::MS_PRIVATE,
            std::ptr::null(),
        ) != 0
        {
            return Err(format!(
                "making / private: {}",
                std::io::Error::last_os_error()
            ));
        }
    }
    Ok(())
}

/// A runtime found on this machine and ready to run programs.
pub struct Runtime {
    pub kind: RuntimeKind,
    /// The runtime binary (none for native).
    pub binary: Option<PathBuf>,
    pub version: String,
    bundle: Option<RuncBundle>,
    volume: PathBuf,
    runs: Cell<u64>,
    /// Idle-memory samples, shared by the memory rows.
    memory: memory::Samples,
}

impl Runtime {
    /// Finds the runtime and prepares it; `Err` is the reason to skip it
    /// (with the command that installs or builds it).
    pub fn detect(kind: RuntimeKind, loc: &Locations) -> Result<Runtime, String> {
        let mut rt = Runtime {
            kind,
            binary: None,
            version: String::new(),
            bundle: None,
            volume: loc.volume.clone(),
            runs: Cell::new(0),
            memory: memory::Samples::default(),
        };
        match kind {
            RuntimeKind::Native => {
                rt.version = format!("Linux {}", read_trimmed("/proc/sys/kernel/osrelease"));
            }
            RuntimeKind::Runc => {
                let bin = find_in_path(&loc.runc)
                    .ok_or_else(|| format!("runc not found; install it: {APT_INSTALL}"))?;
                require_root("runc")?;
                if let Some(why) = &loc.mount_ns_error {
                    return Err(format!("no private mount namespace for the bundle: {why}"));
                }
                rt.version = version_of(&bin);
                let bundle = RuncBundle::create("runc", loc.binds.clone(), loc.volume.clone())
                    .map_err(|e| format!("cannot prepare the runc bundle: {e:#}"))?;
                rt.bundle = Some(bundle);
                rt.binary = Some(bin);
            }
            RuntimeKind::Gvisor => {
                let bin = find_in_path(&loc.gvisor).ok_or_else(|| {
                    format!(
                        "gVisor's runsc not found at {}; install it: {APT_INSTALL}",
                        loc.gvisor.display()
                    )
                })?;
                require_root("gVisor's runsc do")?;
                rt.version = version_of(&bin);
                rt.binary = Some(bin);
                rt.bundle = lifecycle_bundle("gvisor", loc);
            }
            RuntimeKind::Ours => {
                let bin = match &loc.ours {
                    Some(p) => find_in_path(p)
                        .ok_or_else(|| format!("--ours {}: no such executable", p.display()))?,
                    None => default_ours().ok_or_else(|| {
                        "our runsc is not built; build it: cargo build --release -p runsc"
                            .to_string()
                    })?,
                };
                let version =
                    first_line_of(&bin, &["--version"]).unwrap_or_else(|| "version unknown".into());
                rt.version = match checkout_of(&bin) {
                    Some(c) => format!("{version} ({c})"),
                    None => version,
                };
                rt.binary = Some(bin);
                rt.bundle = lifecycle_bundle("ours", loc);
            }
        }
        Ok(rt)
    }

    /// A fresh container id for this runtime.
    fn next_id(&self) -> String {
        let n = self.runs.get();
        self.runs.set(n + 1);
        format!("bench-{}-{n}", std::process::id())
    }

    /// How to call this runtime as an OCI runtime on its bundle, whose
    /// config.json is rewritten with `argv` as the init; `Ok(None)`
    /// natively, `Err` when there is no bundle.
    fn oci(&self, argv: &[&str]) -> Result<Option<Oci<'_>>, String> {
        let (Some(binary), Some(bundle)) = (&self.binary, &self.bundle) else {
            if self.kind != RuntimeKind::Native {
                return Err(
                    "no bundle (the runner needs root and a private mount namespace)".into(),
                );
            }
            return Ok(None);
        };
        let argv: Vec<String> = argv.iter().map(|a| a.to_string()).collect();
        bundle.write_config(&argv).map_err(|e| format!("{e:#}"))?;
        let mut global = vec![
            "--root".to_string(),
            bundle.state_root.display().to_string(),
        ];
        if self.kind == RuntimeKind::Gvisor {
            global.extend([
                "--platform=ptrace".to_string(),
                "--network=none".to_string(),
            ]);
        }
        Ok(Some(Oci {
            binary,
            global,
            bundle: &bundle.dir,
        }))
    }

    /// One sample of an OCI lifecycle benchmark (see `lifecycle`).
    pub fn lifecycle(&self, phase: Phase, timeout: Duration) -> Result<f64, String> {
        let id = self.next_id();
        let init: &[&str] = match phase {
            Phase::Exec { .. } => &IDLE_INIT,
            _ => &["/bin/true"],
        };
        if let Some(oci) = self.oci(init)? {
            return oci.sample(phase, &id, timeout);
        }
        // Natively, "running /bin/true" (and exec'ing it) is spawning it.
        let count = match phase {
            Phase::Run => 1,
            Phase::Exec { count } => count.max(1),
            _ => return Err(format!("no native equivalent of `{}`", phase.verb())),
        };
        let start = Instant::now();
        for _ in 0..count {
            let st = Command::new("/bin/true")
                .status()
                .map_err(|e| format!("/bin/true: {e}"))?;
            if !st.success() {
                return Err(format!("/bin/true: {st}"));
            }
        }
        Ok(start.elapsed().as_nanos() as f64 / f64::from(count))
    }

    /// One sample of an idle-memory row, in KiB: the memory of the host
    /// processes of a container whose init sleeps, `settle` after it
    /// started (see `memory`). Natively: the sleeping process itself.
    pub fn idle_memory(
        &self,
        metric: Metric,
        settle: Duration,
        timeout: Duration,
    ) -> Result<f64, String> {
        self.memory.next(metric, || {
            let id = self.next_id();
            if let Some(oci) = self.oci(&IDLE_INIT)? {
                return oci.idle_memory(&id, settle, timeout);
            }
            let mut child = Command::new(IDLE_INIT[0])
                .args(&IDLE_INIT[1..])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| format!("{}: {e}", IDLE_INIT[0]))?;
            std::thread::sleep(settle);
            let pids = memory::sandbox_processes(child.id() as i32, None);
            let usage = memory::usage_of(&pids);
            let _ = child.kill();
            let _ = child.wait();
            usage
        })
    }

    /// Base directory for the scratch files of micro benchmarks at
    /// `location` ([`Location`] says what each is in each runtime), or why
    /// this runtime has none.
    pub fn scratch_base(&self, location: Location) -> Result<String, String> {
        Ok(match (location, self.kind) {
            (Location::None, _) => String::new(),
            (Location::Tmpfs, RuntimeKind::Native) if Path::new("/dev/shm").is_dir() => {
                "/dev/shm".into()
            }
            (Location::Tmpfs, _) => "/tmp".into(),
            (Location::Root, RuntimeKind::Runc) => {
                return Err("runc's root here is the host's / read-only".into())
            }
            (Location::Root, _) => "/var/tmp".into(),
            (Location::Bind, _) => self.volume.to_string_lossy().into_owned(),
        })
    }

    /// The host command that runs `argv` in this runtime, with an
    /// environment of just PATH, cwd `/` and the runtime's own options
    /// (and what `location` needs mounted).
    pub fn command(&self, argv: &[String], location: Location) -> Result<Command> {
        let n = self.runs.get();
        self.runs.set(n + 1);
        let mut cmd = match self.kind {
            RuntimeKind::Native => {
                let mut c = Command::new(&argv[0]);
                c.args(&argv[1..]);
                c
            }
            RuntimeKind::Runc => {
                let bundle = self.bundle.as_ref().expect("runc runtime without bundle");
                bundle.write_config(argv)?;
                let mut c = Command::new(self.binary.as_ref().unwrap());
                c.arg("run")
                    .arg("--bundle")
                    .arg(&bundle.dir)
                    .arg(format!("bench-{}-{n}", std::process::id()));
                c
            }
            RuntimeKind::Gvisor => {
                let mut c = Command::new(self.binary.as_ref().unwrap());
                c.args(["--platform=ptrace", "--network=none", "do"]);
                if location == Location::Bind {
                    // No --volume in gVisor's `do`: a write-through root
                    // reaches the host directory through the gofer.
                    c.arg("--force-overlay=false");
                }
                c.args(argv);
                c
            }
            RuntimeKind::Ours => {
                let mut c = Command::new(self.binary.as_ref().unwrap());
                c.arg("do")
                    .arg("--env")
                    .arg(format!("PATH={WORKLOAD_PATH}"));
                if location == Location::Bind {
                    let v = self.volume.display();
                    c.arg("--volume").arg(format!("{v}:{v}"));
                }
                c.arg("--").args(argv);
                c
            }
        };
        cmd.env_clear().env("PATH", WORKLOAD_PATH).current_dir("/");
        Ok(cmd)
    }
}

/// Detects each requested runtime (native always, first). Returns the
/// available ones, the skipped ones with the reason, and a description of
/// all for the report. Skips are printed as they are found.
pub fn detect_all(
    wanted: &[RuntimeKind],
    loc: &Locations,
) -> (
    Vec<Runtime>,
    Vec<(RuntimeKind, String)>,
    Vec<crate::report::RuntimeInfo>,
) {
    let mut kinds: Vec<RuntimeKind> = wanted.to_vec();
    kinds.push(RuntimeKind::Native);
    kinds.sort();
    kinds.dedup();
    let (mut found, mut skipped, mut infos) = (Vec::new(), Vec::new(), Vec::new());
    for kind in kinds {
        match Runtime::detect(kind, loc) {
            Ok(rt) => {
                infos.push(crate::report::RuntimeInfo {
                    id: kind.id().into(),
                    label: kind.label().into(),
                    available: true,
                    version: Some(rt.version.clone()),
                    binary: rt.binary.as_ref().map(|b| b.display().to_string()),
                    note: None,
                });
                found.push(rt);
            }
            Err(why) => {
                eprintln!("skipping {}: {why}", kind.label());
                infos.push(crate::report::RuntimeInfo {
                    id: kind.id().into(),
                    label: kind.label().into(),
                    available: false,
                    version: None,
                    binary: None,
                    note: Some(why.clone()),
                });
                skipped.push((kind, why));
            }
        }
    }
    (found, skipped, infos)
}

fn version_of(bin: &Path) -> String {
    first_line_of(bin, &["--version"]).unwrap_or_else(|| "version unknown".into())
}

fn require_root(what: &str) -> Result<(), String> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Err(format!(
            "{what} needs root here; run the benchmarks as root"
        ));
    }
    Ok(())
}

fn read_trimmed(path: &str) -> String {
    fs::read_to_string(path)
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "unknown".into())
}

/// `name` itself if it has a slash, else the first match on PATH.
pub fn find_in_path(name: &Path) -> Option<PathBuf> {
    let is_exec = |p: &Path| {
        use std::os::unix::fs::PermissionsExt;
        p.metadata()
            .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            .unwrap_or(false)
    };
    if name.as_os_str().as_bytes().contains(&b'/') {
        return is_exec(name).then(|| name.to_path_buf());
    }
    let path = std::env::var_os("PATH").unwrap_or_else(|| WORKLOAD_PATH.into());
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| is_exec(p))
}

/// The first non-empty line `bin ARGS` prints, if it succeeds.
pub fn first_line_of(bin: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new(bin).args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(if out.stdout.is_empty() {
        &out.stderr
    } else {
        &out.stdout
    })
    .into_owned();
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_string)
}

/// The workspace this runner was built from.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("benchmarks crate has a parent directory")
        .to_path_buf()
}

/// `target/release/runsc` of the workspace, else a `runsc` built next to
/// this runner (same cargo target directory).
fn default_ours() -> Option<PathBuf> {
    let mut candidates = vec![workspace_root().join("target/release/runsc")];
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf))
    {
        candidates.push(dir.join("runsc"));
    }
    candidates.into_iter().find_map(|p| find_in_path(&p))
}

/// The git checkout a binary was built in, when it lies inside one (as
/// `target/release/runsc` does): `commit abc1234`, plus `with uncommitted
/// changes` when tracked files differ from that commit. This is the state
/// of the checkout now, not a record of the build: build from a clean
/// checkout for numbers that name their commit exactly.
fn checkout_of(bin: &Path) -> Option<String> {
    let dir = bin.canonicalize().ok()?.parent()?.to_path_buf();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .arg("-C")
            .arg(&dir)
            .args(args)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let commit = git(&["rev-parse", "--short", "HEAD"])?;
    let dirty =
        git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    Some(if dirty {
        format!("commit {commit} with uncommitted changes")
    } else {
        format!("commit {commit}")
    })
}

/// An OCI bundle for runc whose root is a read-only bind of the host's `/`
/// (the root file system only, not the mounts under it), with fresh proc,
/// dev, sys and a tmpfs on /tmp inside the container.
struct RuncBundle {
    dir: PathBuf,
    rootfs: PathBuf,
    binds: Vec<PathBuf>,
    volume: PathBuf,
    /// The runtime's `--root` for lifecycle benchmarks (removed on drop).
    state_root: PathBuf,
}

/// A bundle for the OCI lifecycle benchmarks of gVisor and ours, when the
/// runner can make one (root, private mount namespace).
fn lifecycle_bundle(name: &str, loc: &Locations) -> Option<RuncBundle> {
    if loc.mount_ns_error.is_some() || require_root("a bundle").is_err() {
        return None;
    }
    RuncBundle::create(name, loc.binds.clone(), loc.volume.clone())
        .map_err(|e| eprintln!("no OCI bundle for {name}: {e:#}"))
        .ok()
}

impl RuncBundle {
    fn create(name: &str, binds: Vec<PathBuf>, volume: PathBuf) -> Result<RuncBundle> {
        let pid = std::process::id();
        let dir = std::env::temp_dir().join(format!("benchmarks-{name}-{pid}"));
        let state_root = PathBuf::from(format!("/run/benchmarks-{name}-{pid}"));
        let rootfs = dir.join("rootfs");
        fs::create_dir_all(&rootfs).with_context(|| format!("creating {}", rootfs.display()))?;
        let target = CString::new(rootfs.as_os_str().as_bytes())?;
        // SAFETY: valid NUL-terminated strings; null data/fstype are allowed
        // for bind and propagation changes.
        unsafe {
            if libc::mount(
                c"/".as_ptr(),
                target.as_ptr(),
                std::ptr::null(),
                libc::MS_BIND,
                std::ptr::null(),
            ) != 0
            {
                let err = std::io::Error::last_os_error();
                let _ = fs::remove_dir(&rootfs);
                let _ = fs::remove_dir(&dir);
                bail!("bind-mounting / on {}: {err}", rootfs.display());
            }
            // The namespace is private already; this keeps it so for the
            // bind itself too.
            libc::mount(
                std::ptr::null(),
                target.as_ptr(),
                std::ptr::null(),
                libc::MS_PRIVATE,
                std::ptr::null(),
            );
        }
        Ok(RuncBundle {
            dir,
            rootfs,
            binds,
            volume,
            state_root,
        })
    }

    fn write_config(&self, argv: &[String]) -> Result<()> {
        let config = runc_config(argv, &self.binds, &self.volume);
        let path = self.dir.join("config.json");
        fs::write(&path, serde_json::to_vec_pretty(&config)?)
            .with_context(|| format!("writing {}", path.display()))
    }
}

impl Drop for RuncBundle {
    fn drop(&mut self) {
        let Ok(target) = CString::new(self.rootfs.as_os_str().as_bytes()) else {
            return;
        };
        // SAFETY: valid NUL-terminated path.
        let unmounted = unsafe { libc::umount2(target.as_ptr(), libc::MNT_DETACH) } == 0;
        // Never remove recursively: while the bind is mounted, rootfs *is*
        // the host's root. rmdir fails harmlessly if anything is left.
        let _ = fs::remove_file(self.dir.join("config.json"));
        let _ = fs::remove_dir_all(&self.state_root);
        if unmounted {
            let _ = fs::remove_dir(&self.rootfs);
            let _ = fs::remove_dir(&self.dir);
        } else {
            eprintln!(
                "warning: could not unmount {}; run: umount {0}",
                self.rootfs.display()
            );
        }
    }
}

/// An OCI runtime spec close to `runc spec`'s and Docker's defaults.
fn runc_config(argv: &[String], binds: &[PathBuf], volume: &Path) -> serde_json::Value {
    let caps = [
        "CAP_CHOWN",
        "CAP_DAC_OVERRIDE",
        "CAP_FSETID",
        "CAP_FOWNER",
        "CAP_MKNOD",
        "CAP_NET_RAW",
        "CAP_SETGID",
        "CAP_SETUID",
        "CAP_SETFCAP",
        "CAP_SETPCAP",
        "CAP_NET_BIND_SERVICE",
        "CAP_SYS_CHROOT",
        "CAP_KILL",
        "CAP_AUDIT_WRITE",
    ];
    let mut mounts = vec![
        json!({"destination": "/proc", "type": "proc", "source": "proc"}),
        json!({"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
               "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]}),
        json!({"destination": "/dev/pts", "type": "devpts", "source": "devpts",
               "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]}),
        json!({"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
               "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]}),
        json!({"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
               "options": ["nosuid", "noexec", "nodev"]}),
        json!({"destination": "/sys", "type": "sysfs", "source": "sysfs",
               "options": ["nosuid", "noexec", "nodev", "ro"]}),
        json!({"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
               "options": ["nosuid", "nodev", "mode=1777"]}),
    ];
    for b in binds {
        mounts.push(json!({"destination": b, "type": "bind", "source": b,
                           "options": ["rbind", "ro"]}));
    }
    mounts.push(
        json!({"destination": volume, "type": "bind", "source": volume,
                       "options": ["rbind", "rw"]}),
    );
    json!({
        "ociVersion": "1.0.2",
        "process": {
            "terminal": false,
            "user": {"uid": 0, "gid": 0},
            "args": argv,
            "env": [format!("PATH={WORKLOAD_PATH}")],
            "cwd": "/",
            "capabilities": {"bounding": caps, "effective": caps, "permitted": caps},
            "noNewPrivileges": true
        },
        "root": {"path": "rootfs", "readonly": true},
        "hostname": "bench",
        "mounts": mounts,
        "linux": {
            "namespaces": [
                {"type": "pid"}, {"type": "network"}, {"type": "ipc"},
                {"type": "uts"}, {"type": "mount"}
            ],
            "maskedPaths": [
                "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
                "/sys/firmware", "/proc/scsi"
            ],
            "readonlyPaths": [
                "/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq",
                "/proc/sys", "/proc/sysrq-trigger"
            ]
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runc_config_carries_args_and_binds() {
        let argv = vec!["/bin/true".to_string(), "x".to_string()];
        let c = runc_config(
            &argv,
            &[PathBuf::from("/opt/progs")],
            Path::new("/var/tmp/v"),
        );
        assert_eq!(c["process"]["args"], json!(["/bin/true", "x"]));
        assert_eq!(c["root"]["readonly"], json!(true));
        let mounts = c["mounts"].as_array().unwrap();
        assert!(mounts.iter().any(|m| m["destination"] == "/opt/progs"));
        assert!(mounts.iter().any(|m| m["destination"] == "/var/tmp/v"
            && m["options"].as_array().unwrap().contains(&json!("rw"))));
        assert!(mounts
            .iter()
            .any(|m| m["destination"] == "/tmp" && m["type"] == "tmpfs"));
    }

    #[test]
    fn native_command_runs_the_program_directly() {
        let loc = Locations {
            runc: "runc".into(),
            gvisor: "/usr/bin/runsc".into(),
            ours: None,
            binds: vec![],
            mount_ns_error: None,
            volume: "/var/tmp/v".into(),
        };
        let rt = Runtime::detect(RuntimeKind::Native, &loc).unwrap();
        let cmd = rt
            .command(&["/bin/true".to_string()], Location::None)
            .unwrap();
        assert_eq!(cmd.get_program(), "/bin/true");
        for l in [Location::Tmpfs, Location::Root, Location::Bind] {
            assert!(Path::new(&rt.scratch_base(l).unwrap()).is_absolute());
        }
        assert_eq!(rt.scratch_base(Location::Bind).unwrap(), "/var/tmp/v");
    }

    #[test]
    fn checkout_names_the_commit_of_files_inside_one() {
        let inside = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
        if Command::new("git").arg("--version").output().is_ok()
            && Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../.git")
                .exists()
        {
            let c = checkout_of(&inside).unwrap();
            assert!(c.starts_with("commit "), "{c}");
        }
        assert_eq!(checkout_of(Path::new("/nonexistent/runsc")), None);
    }

    #[test]
    fn missing_binaries_are_skipped_with_a_hint() {
        let loc = Locations {
            runc: "/nonexistent/runc".into(),
            gvisor: "/nonexistent/runsc".into(),
            ours: Some("/nonexistent/ours".into()),
            binds: vec![],
            mount_ns_error: None,
            volume: "/var/tmp/v".into(),
        };
        let err = Runtime::detect(RuntimeKind::Runc, &loc).err().unwrap();
        assert!(err.contains("apt-get install"), "{err}");
        let err = Runtime::detect(RuntimeKind::Gvisor, &loc).err().unwrap();
        assert!(err.contains("apt-get install"), "{err}");
        assert!(Runtime::detect(RuntimeKind::Ours, &loc).is_err());
    }
}
