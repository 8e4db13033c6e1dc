//! Starting a sandbox: build the kernel, the root file system and the init
//! task, exec the program and run it to completion.

use super::task::{default_rlimits, Creds, FsContext, SigState, Task};
use super::{ExitStatus, Kernel};
use crate::mm::memfile::MemoryFile;
use crate::mm::MemoryManager;
use crate::platform::ptrace::StubFactory;
use crate::vfs::{FdTable, Vfs};
use std::os::fd::OwnedFd;
use std::sync::Arc;
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
    /// What the root file system is.
    pub overlay: crate::vfs::RootOverlay,
    /// Collect a compatibility profile (`runsc compat`) and write it as
    /// JSON to this fd when init exits.
    pub compat_out: Option<OwnedFd>,
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

const DEFAULT_PATH: &[u8] = b"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Boot the sandbox and run the init program; returns its exit status.
pub fn run(cfg: BootConfig) -> Result<ExitStatus, BootError> {
    let compat_out = cfg.compat_out;
    if compat_out.is_some() {
        crate::compat::enable();
    }
    let setup = |what: &str, e: &dyn std::fmt::Display| BootError::Setup(format!("{what}: {e}"));
    let mf = MemoryFile::new().map_err(|e| setup("memory file", &e))?;
    let stubs = StubFactory::new().map_err(|e| setup("stub", &e))?;
    let vfs = Vfs::with_root(mf.clone(), cfg.gofer.clone(), cfg.overlay)
        .map_err(|e| setup("root file system", &e))?;
    let k = Arc::new(Kernel {
        mf: mf.clone(),
        stubs,
        vdso: crate::loader::vdso::object(&mf).map_err(|e| setup("vdso", &e))?,
        vfs: vfs.clone(),
        strace: cfg.strace,
        boot: Instant::now(),
        hostname: std::sync::Mutex::new(cfg.hostname.clone()),
        domainname: std::sync::Mutex::new(b"(none)".to_vec()),
        procs: Default::default(),
        tasks: Default::default(),
        futexes: Default::default(),
        timers: Default::default(),
    });
    k.procs.add_init();
    // The init task lives on its own thread: it is the tracer of its stub.
    let handle = std::thread::Builder::new()
        .name("task-1".into())
        .spawn(move || -> Result<ExitStatus, BootError> {
            let mut t = init_task(k, cfg.stdio)?;
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

fn init_task(k: Arc<Kernel>, stdio: Vec<OwnedFd>) -> Result<Task, BootError> {
    let stub = k
        .stubs
        .spawn(&k.mf.fd())
        .map_err(|e| BootError::Setup(format!("stub: {e}")))?;
    let fds = FdTable::new();
    for (i, fd) in stdio.into_iter().enumerate() {
        let _ = fds.install_at(i as i32, crate::fs::host::host_file(fd), false);
    }
    let root = k.vfs.root();
    let mut sig = SigState {
        altstack: Default::default(),
    };
    sig.altstack.ss_flags = libc::SS_DISABLE;
    let regs = stub.initial_regs(0, 0);
    let group = super::signal::ThreadGroup::new(1, [Default::default(); 64]);
    let shared = Arc::new(super::signal::TaskShared::new(1, group, 0));
    shared.set_interrupter(stub.interrupter());
    k.tasks.add(shared.clone());
    Ok(Task {
        mm: MemoryManager::new(k.mf.clone()),
        k,
        tid: 1,
        tgid: 1,
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
fn resolve_program(t: &Task, prog: &[u8], path: &[u8]) -> Result<Vec<u8>, BootError> {
    let name = String::from_utf8_lossy(prog).into_owned();
    if prog.is_empty() {
        return Err(BootError::NotFound { prog: name });
    }
    if prog.contains(&b'/') {
        return Ok(prog.to_vec());
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
