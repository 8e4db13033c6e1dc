//! Starting a sandbox: build the kernel, the root file system and the init
//! task, exec the program and run it to completion.

use super::task::{default_rlimits, Creds, FsContext, SigState, Task};
use super::{ExitStatus, Kernel};
use crate::mm::memfile::MemoryFile;
use crate::mm::MemoryManager;
use crate::platform::ptrace::StubFactory;
use crate::vfs::{FdTable, Vfs};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::os::fd::OwnedFd;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use syscalls::Errno;

/// What to run, decided by the CLI (`runsc do`, later the OCI spec).
pub struct BootConfig {
    pub argv: Vec<Vec<u8>>,
    pub env: Vec<Vec<u8>>,
    pub cwd: Vec<u8>,
    pub gofer: Arc<gofer::Client>,
    /// Host fds that become the app's fds 0, 1, 2.
    pub stdio: Vec<OwnedFd>,
    pub strace: bool,
    pub hostname: Vec<u8>,
    /// Bind mounts served by their own gofers (`runsc do --volume`).
    pub volumes: Vec<Volume>,
    /// File bind mounts (after the volumes), served by one files gofer.
    pub file_binds: Vec<FileBind>,
    /// OCI mounts of file systems the sentry makes, in config order.
    pub mounts: Vec<FsMount>,
    /// OCI linux.maskedPaths and linux.readonlyPaths (absolute paths).
    pub masked_paths: Vec<Vec<u8>>,
    pub readonly_paths: Vec<Vec<u8>>,
    /// OCI linux.sysctl: (key, value), written to the sandbox's
    /// `/proc/sys` at boot (the keys were validated by the CLI).
    pub sysctl: Vec<(String, String)>,
    /// OCI domainname (None: Linux's "(none)").
    pub domainname: Option<Vec<u8>>,
    /// What the root file system is.
    pub overlay: crate::vfs::RootOverlay,
    /// Collect a compatibility profile (`runsc compat`) and write it as
    /// JSON to this fd when init exits.
    pub compat_out: Option<OwnedFd>,
    /// Identity and limits of the init process (the OCI `process.user`,
    /// capabilities, rlimits...).
    pub user: UserSpec,
    /// The control socket (listening) served by a `control` thread
    /// ([`super::control`]); with `wait_start`, init waits for `start`
    /// before its exec.
    pub control: Option<OwnedFd>,
    pub wait_start: bool,
    /// Told "" once init is ready to exec (or the error that prevents it).
    pub ready: Option<OwnedFd>,
    /// Once init has exec'd, drop the mappings only the boot used
    /// ([`crate::mm::trim`]): for long-lived containers.
    pub trim: bool,
    /// The host console's signals (the sentry leads the session of the pty
    /// on its stdio): passed on to the sandbox by a `console-signals`
    /// thread ([`crate::fs::host::serve_console_signals`]).
    pub console_signals: Option<nix::sys::signalfd::SignalFd>,
    /// The container's seccomp filter (OCI linux.seccomp, compiled by the
    /// CLI): installed on init just before its exec and on every process
    /// `runsc exec` starts, as runc does.
    pub container_seccomp: Option<ContainerFilter>,
}

/// A classic-BPF program for the container's processes.
#[derive(Debug, Clone, Default)]
pub struct ContainerFilter {
    pub program: Vec<super::seccomp::SockFilter>,
    /// SECCOMP_FILTER_FLAG_LOG.
    pub log: bool,
}

/// Credentials, capabilities and limits of a process started by the CLI
/// (init or `runsc exec`). The defaults are root with every capability.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct UserSpec {
    pub uid: u32,
    pub gid: u32,
    #[serde(default)]
    pub groups: Vec<u32>,
    #[serde(default)]
    pub umask: Option<u32>,
    /// Capability sets (bit n = capability n); None keeps Linux's rule
    /// (root: all, others: none).
    #[serde(default)]
    pub caps: Option<CapSpec>,
    #[serde(default)]
    pub no_new_privs: bool,
    /// (resource, soft, hard).
    #[serde(default)]
    pub rlimits: Vec<(u32, u64, u64)>,
    /// OCI process.oomScoreAdj: what /proc/PID/oom_score_adj shows (the
    /// host's OOM killer gets it from the CLI, see runsc's launch).
    #[serde(default)]
    pub oom_score_adj: Option<i32>,
}

#[derive(Serialize, Deserialize, Debug, Clone, Copy, Default)]
pub struct CapSpec {
    pub effective: u64,
    pub permitted: u64,
    pub inheritable: u64,
    pub bounding: u64,
}

/// Write once to the CLI's readiness pipe ("" = ready, else the error).
struct Ready(Mutex<Option<std::fs::File>>);

impl Ready {
    /// Returns whether this was the report (the pipe was still open).
    fn report(&self, msg: &str) -> bool {
        match self.0.lock().unwrap_or_else(|p| p.into_inner()).take() {
            Some(mut f) => {
                let m: &[u8] = if msg.is_empty() {
                    b"ok"
                } else {
                    msg.as_bytes()
                };
                let _ = f.write_all(m);
                true
            }
            None => false,
        }
    }
}

/// Give `t` the identity, capabilities and limits of `u`.
pub fn apply_user(t: &mut Task, u: &UserSpec) {
    let c = &mut t.creds;
    (c.ruid, c.euid, c.suid, c.fsuid) = (u.uid, u.uid, u.uid, u.uid);
    (c.rgid, c.egid, c.sgid, c.fsgid) = (u.gid, u.gid, u.gid, u.gid);
    c.groups = u.groups.clone();
    if let Some(m) = u.umask {
        t.set_umask(m & 0o777);
    }
    match u.caps {
        Some(cs) => {
            t.extras.caps = crate::syscalls::caps::CapSets {
                effective: cs.effective,
                permitted: cs.permitted,
                inheritable: cs.inheritable,
            };
            t.extras.capbset = cs.bounding;
        }
        None if u.uid != 0 => {
            t.extras.caps = crate::syscalls::caps::CapSets {
                effective: 0,
                permitted: 0,
                inheritable: 0,
            };
        }
        None => {}
    }
    t.extras.no_new_privs = u.no_new_privs;
    if let Some(v) = u.oom_score_adj {
        crate::fs::proc::view(&t.shared).oom_score_adj = v.clamp(-1000, 1000);
    }
    for &(res, cur, max) in &u.rlimits {
        if let Some(r) = t.rlimits.get_mut(res as usize) {
            r.rlim_cur = cur;
            r.rlim_max = max;
        }
    }
    crate::syscalls::sched::mirror_uids(t);
}

/// A host directory mounted into the sandbox through its own gofer.
pub struct Volume {
    /// Absolute path in the sandbox.
    pub path: Vec<u8>,
    pub client: Arc<gofer::Client>,
    pub readonly: bool,
    /// The host may change the tree meanwhile: never cache lookups.
    pub shared: bool,
    /// Per-mount `MS_*` flags besides `MS_RDONLY` (nosuid, nodev, noexec,
    /// atime flags).
    pub flags: u64,
}

/// A host regular file bind-mounted on a sandbox path: the entry `name`
/// of a files gofer (`runsc gofer --bind-file`), whose client the file
/// binds of a sandbox share.
pub struct FileBind {
    /// Absolute path in the sandbox.
    pub path: Vec<u8>,
    pub client: Arc<gofer::Client>,
    pub name: Vec<u8>,
    pub readonly: bool,
    /// As [`Volume::flags`].
    pub flags: u64,
}

/// A mount of a file system the sentry makes itself (an OCI mount of type
/// tmpfs, proc, sysfs, devpts or mqueue), applied at boot.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct FsMount {
    /// Absolute path in the sandbox.
    pub destination: Vec<u8>,
    pub fstype: String,
    pub source: String,
    /// mount(2)'s `MS_*` flags.
    pub flags: u64,
    /// The file-system options (`size=64m,mode=755`).
    pub data: String,
}

/// Why the sandbox could not start the program.
#[derive(Debug, thiserror::Error)]
pub enum BootError {
    #[error("{0}")]
    Setup(String),
    #[error("{prog}: command not found")]
    NotFound { prog: String },
    #[error("{prog}: {errno}")]
    Exec { prog: String, errno: Errno },
}

impl BootError {
    /// The exit status a shell uses for this failure.
    pub fn exit_code(&self) -> i32 {
        match self {
            BootError::NotFound { .. } => 127,
            BootError::Exec {
                errno: Errno::ENOENT,
                ..
            } => 127,
            BootError::Exec { .. } => 126,
            BootError::Setup(_) => 1,
        }
    }
}

/// How long after init's exec the sentry trims its resident set.
const TRIM_DELAY: std::time::Duration = std::time::Duration::from_secs(2);

pub const DEFAULT_PATH: &[u8] = b"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The per-mount flags of a bind mount: `ro` and the other `MS_*` flags
/// of its options, with Linux's atime default (relatime).
fn bind_flags(readonly: bool, ms: u64) -> crate::vfs::MountFlags {
    let ro = crate::vfs::MountFlags::RDONLY.0;
    crate::vfs::MountFlags::from_ms(if readonly { ms | ro } else { ms & !ro })
}

/// Whether the absolute path `p` is `dir` or below it.
fn path_within(p: &[u8], dir: &[u8]) -> bool {
    let comps = |s: &[u8]| -> Vec<Vec<u8>> {
        s.split(|b| *b == b'/')
            .filter(|c| !c.is_empty() && *c != b".")
            .map(<[u8]>::to_vec)
            .collect()
    };
    let (p, dir) = (comps(p), comps(dir));
    p.len() >= dir.len() && p[..dir.len()] == dir[..]
}

/// Boot the sandbox and run the init program; returns its exit status.
///
/// With a readiness pipe (`cfg.ready`), an error before init was ready is
/// reported there and the returned flag is true: the CLI shows it.
pub fn run(mut cfg: BootConfig) -> Result<ExitStatus, (BootError, bool)> {
    let ready = Arc::new(Ready(Mutex::new(cfg.ready.take().map(std::fs::File::from))));
    run_ready(cfg, &ready).map_err(|e| {
        let reported = ready.report(&e.to_string());
        (e, reported)
    })
}

fn run_ready(cfg: BootConfig, ready: &Arc<Ready>) -> Result<ExitStatus, BootError> {
    let compat_out = cfg.compat_out;
    if compat_out.is_some() {
        crate::compat::enable();
    }
    let setup = |what: &str, e: &dyn std::fmt::Display| BootError::Setup(format!("{what}: {e}"));
    let mf = MemoryFile::new().map_err(|e| setup("memory file", &e))?;
    let stubs = StubFactory::new().map_err(|e| setup("stub", &e))?;
    let vfs = Vfs::with_root(mf.clone(), cfg.gofer.clone(), cfg.overlay)
        .map_err(|e| setup("root file system", &e))?;
    // OCI mounts: engines list parents before children, so a file-system
    // mount goes before the volumes unless it lies below one of them.
    let below_volume = |m: &FsMount| {
        cfg.volumes
            .iter()
            .any(|v| path_within(&m.destination, &v.path))
    };
    let (late, early): (Vec<FsMount>, Vec<FsMount>) =
        cfg.mounts.into_iter().partition(below_volume);
    let fs_mount = |m: &FsMount| {
        crate::syscalls::mount::boot_mount(&vfs, m).map_err(|e| {
            setup(
                &format!(
                    "mount {} on {}",
                    m.fstype,
                    String::from_utf8_lossy(&m.destination)
                ),
                &e,
            )
        })
    };
    for m in &early {
        fs_mount(m)?;
    }
    for v in cfg.volumes {
        let what = format!("volume {}", String::from_utf8_lossy(&v.path));
        let m = vfs
            .mount_volume(&v.path, v.client, v.readonly, v.shared)
            .map_err(|e| setup(&what, &e))?;
        m.set_flags(bind_flags(v.readonly, v.flags));
    }
    for m in &late {
        fs_mount(m)?;
    }
    for f in cfg.file_binds {
        let what = format!("file bind mount {}", String::from_utf8_lossy(&f.path));
        let m = vfs
            .mount_file(&f.path, f.client, &f.name, f.readonly)
            .map_err(|e| setup(&what, &e))?;
        m.set_flags(bind_flags(f.readonly, f.flags));
    }
    // As runc: a path that cannot be made read-only or masked fails the
    // container (a missing one is skipped).
    for p in &cfg.readonly_paths {
        crate::syscalls::mount::readonly_path(&vfs, p).map_err(|e| {
            setup(
                &format!("can't make {:?} read-only", String::from_utf8_lossy(p)),
                &e,
            )
        })?;
    }
    for p in &cfg.masked_paths {
        crate::syscalls::mount::mask_path(&vfs, p).map_err(|e| {
            setup(
                &format!("can't mask path {}", String::from_utf8_lossy(p)),
                &e,
            )
        })?;
    }
    let container_seccomp = match &cfg.container_seccomp {
        Some(f) => Some(Arc::new(super::seccomp::Filter {
            prog: super::seccomp::Program::new(&f.program)
                .map_err(|e| setup("seccomp profile", &e))?,
            log: f.log,
            prev: None,
        })),
        None => None,
    };
    let k = Arc::new(Kernel {
        mf: mf.clone(),
        stubs,
        vdso: crate::loader::vdso::object(&mf).map_err(|e| setup("vdso", &e))?,
        vfs: vfs.clone(),
        strace: cfg.strace,
        boot: Instant::now(),
        hostname: std::sync::Mutex::new(cfg.hostname.clone()),
        domainname: std::sync::Mutex::new(
            cfg.domainname.clone().unwrap_or_else(|| b"(none)".to_vec()),
        ),
        procs: Default::default(),
        tasks: Default::default(),
        futexes: Default::default(),
        timers: Default::default(),
        freezer: Default::default(),
        container_seccomp,
    });
    k.procs.add_init();
    apply_sysctls(&k, &cfg.sysctl)?;
    let gate = Arc::new(super::control::StartGate::default());
    if !cfg.wait_start {
        gate.open();
    }
    if let Some(l) = cfg.control {
        super::control::serve(k.clone(), l, gate.clone())
            .map_err(|e| setup("control thread", &e))?;
    }
    if let Some(sfd) = cfg.console_signals {
        crate::fs::host::serve_console_signals(k.clone(), sfd)
            .map_err(|e| setup("console signals thread", &e))?;
    }
    let ready = ready.clone();
    let trim = cfg.trim;
    // The init task lives on its own thread: it is the tracer of its stub.
    let handle = std::thread::Builder::new()
        .name("task-1".into())
        .spawn(move || -> Result<ExitStatus, BootError> {
            let mut t = new_process_task(k, 1, cfg.stdio, true)?;
            apply_user(&mut t, &cfg.user);
            let prog = cfg.argv.first().cloned().unwrap_or_default();
            let env_path = cfg
                .env
                .iter()
                .find_map(|e| e.strip_prefix(b"PATH="))
                .map(|p| p.to_vec());
            if !cfg.cwd.is_empty() {
                let d = crate::vfs::lookup_dir(&t, &cfg.cwd).map_err(|e| {
                    BootError::Setup(format!("cwd {}: {e}", String::from_utf8_lossy(&cfg.cwd)))
                })?;
                t.set_cwd(d);
            }
            let path = resolve_program(&t, &prog, env_path.as_deref().unwrap_or(DEFAULT_PATH))?;
            let name = String::from_utf8_lossy(&prog).into_owned();
            let _ = ready.report("");
            gate.wait();
            // runc installs the profile last, after no_new_privs, just
            // before the exec.
            crate::syscalls::seccomp::install_container_filter(&t);
            match crate::syscalls::seccomp::container_exec_verdict(&t) {
                Ok(()) => {}
                Err(Some(errno)) => return Err(BootError::Exec { prog: name, errno }),
                Err(None) => {
                    return Ok(ExitStatus::Signaled {
                        signal: libc::SIGSYS,
                        core: true,
                    })
                }
            }
            let (argv, envc) = (cfg.argv.clone(), cfg.env.len());
            let start = std::time::Instant::now();
            let res = crate::syscalls::process::exec_into(
                &mut t,
                libc::AT_FDCWD,
                path.clone(),
                cfg.argv,
                cfg.env,
                0,
            );
            let ret = match &res {
                Ok(()) => 0,
                Err(e) => e.as_ret(),
            };
            if t.k.strace {
                crate::strace::initial_exec(&t, &path, &argv, envc, ret, start.elapsed());
            }
            if crate::compat::enabled() {
                crate::compat::record(syscalls::nr::EXECVE as u64, &[0; 6], ret);
            }
            res.map_err(|errno| BootError::Exec { prog: name, errno })?;
            if trim {
                // The sandbox is built: once init has started, let go of
                // the mappings only building and starting it used.
                let mf = t.k.mf.clone();
                crate::mm::trim::release_after(TRIM_DELAY, move || mf.release_mapping());
            }
            Ok(t.run())
        })
        .map_err(|e| setup("task thread", &e))?;
    let res = handle
        .join()
        .map_err(|_| BootError::Setup("init task thread panicked".into()))
        .and_then(|r| r);
    if let Some(fd) = compat_out {
        crate::compat::write_report(fd);
    }
    res
}

/// OCI linux.sysctl: each value written to the sandbox's `/proc/sys` as
/// runc writes the container's (Linux's checks; a key the sandbox does not
/// have is an error, as a missing `/proc/sys` file is for runc).
fn apply_sysctls(k: &Arc<Kernel>, sysctl: &[(String, String)]) -> Result<(), BootError> {
    if sysctl.is_empty() {
        return Ok(());
    }
    // The uts sysctls reach the kernel as a task's writes would.
    super::wait::set_current_kernel(Some(k.clone()));
    let r = sysctl.iter().try_for_each(|(key, v)| {
        crate::fs::proc::sys::apply(key, v)
            .map_err(|e| BootError::Setup(format!("write sysctl key {key}: {e}")))
    });
    super::wait::set_current_kernel(None);
    r
}

/// A task for a new process `pid` (already in the process table) with
/// `stdio` as fds 0-2, root credentials and a fresh stub; not yet exec'd.
/// With `ctty`, the first terminal among its stdio becomes its session's
/// controlling terminal ([`crate::fs::host::acquire_stdio_ctty`]).
pub fn new_process_task(
    k: Arc<Kernel>,
    pid: i32,
    stdio: Vec<OwnedFd>,
    ctty: bool,
) -> Result<Task, BootError> {
    let stub = k
        .stubs
        .spawn(&k.mf.fd())
        .map_err(|e| BootError::Setup(format!("stub: {e}")))?;
    let fds = FdTable::new();
    let files: Vec<_> = stdio.into_iter().map(crate::fs::host::host_file).collect();
    for (i, f) in files.iter().enumerate() {
        let _ = fds.install_at(i as i32, f.clone(), false);
    }
    if ctty {
        if let Some((pgid, sid)) = k.procs.pgid_sid(pid) {
            crate::fs::host::acquire_stdio_ctty(&files, sid, pgid);
        }
    }
    let root = k.vfs.root();
    let mut sig = SigState {
        altstack: Default::default(),
    };
    sig.altstack.ss_flags = libc::SS_DISABLE;
    let regs = stub.initial_regs(0, 0);
    let group = super::signal::ThreadGroup::new(pid, [Default::default(); 64]);
    let shared = Arc::new(super::signal::TaskShared::new(pid, group, 0));
    shared.set_interrupter(stub.interrupter());
    k.tasks.add(shared.clone());
    Ok(Task {
        mm: MemoryManager::new(k.mf.clone()),
        k,
        tid: pid,
        tgid: pid,
        ppid: 0,
        regs,
        stub,
        fds,
        fs: Arc::new(std::sync::Mutex::new(FsContext {
            root: root.clone(),
            cwd: root,
            umask: 0o022,
        })),
        creds: Creds::default(),
        sig,
        comm: b"init".to_vec(),
        rlimits: default_rlimits(),
        clear_child_tid: 0,
        robust_list: (0, 0),
        extras: Default::default(),
        vfork_done: None,
        shared,
        saved_mask: None,
        exit: None,
        regs_replaced: false,
        restart: None,
        restart_block: None,
        spurious_fault: None,
    })
}

/// Find the program like a shell: names with a '/' are used as given,
/// others are searched in PATH.
pub fn resolve_program(t: &Task, prog: &[u8], path: &[u8]) -> Result<Vec<u8>, BootError> {
    let name = String::from_utf8_lossy(prog).into_owned();
    if prog.is_empty() {
        return Err(BootError::NotFound { prog: name });
    }
    if prog.contains(&b'/') {
        // Checked now so that `runsc create` reports it, as runc does.
        return match crate::vfs::open_exec(t, libc::AT_FDCWD, prog, 0) {
            Ok(_) => Ok(prog.to_vec()),
            Err(errno) => Err(BootError::Exec { prog: name, errno }),
        };
    }
    let mut denied = None;
    for dir in path.split(|b| *b == b':') {
        let dir: &[u8] = if dir.is_empty() { b"." } else { dir };
        let mut cand = dir.to_vec();
        cand.push(b'/');
        cand.extend_from_slice(prog);
        match crate::vfs::open_exec(t, libc::AT_FDCWD, &cand, 0) {
            Ok(_) => return Ok(cand),
            Err(Errno::EACCES) => denied = Some(cand),
            Err(_) => {}
        }
    }
    match denied {
        Some(_) => Err(BootError::Exec {
            prog: name,
            errno: Errno::EACCES,
        }),
        None => Err(BootError::NotFound { prog: name }),
    }
}
