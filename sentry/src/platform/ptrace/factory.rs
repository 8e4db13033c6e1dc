//! Making stub processes: [`StubFactory`], its `stub-factory` thread with the
//! template and the pool of ready stubs, and the direct spawn.
//!
//! Contains `unsafe`: the raw clone of the sentry and the call into the
//! child half, and zeroed register state.

use super::stub::{NewStubThread, Stub, StubProcess};
use super::stubcode::{clone_site, stub_child, stub_code, stub_filter, this_thread_rseq};
use super::{host, TRACE_OPTIONS};
use crate::platform::{PlatformError, Regs, STUB_SIZE};
use nix::sys::ptrace;
use nix::sys::signal::Signal;
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;
use std::os::fd::{AsRawFd, OwnedFd};

/// Creates stub processes. One per sandbox; shared by all task threads.
///
/// Fast path (the *pool*): a dedicated sentry thread, `stub-factory`, owns one
/// template stub made with the direct path below and traces it. New stubs are
/// forked from the template by injecting `clone(CLONE_PARENT | SIGCHLD)` at
/// its clone site: the child's address space is a copy of the template's (the
/// stub page only), it inherits the seccomp filter, no_new_privs, the empty
/// signal mask and fd 0 (the memory file), and it has the sentry as parent
/// (CLONE_PARENT), so the sentry reaps it. The template traces forks
/// (PTRACE_O_TRACEFORK), so every child starts traced by the factory thread
/// with EXITKILL and stays stopped in a small pool of ready stubs. `spawn`
/// takes one: the factory detaches it (it falls into the `pause` loop of the
/// clone site) and the calling thread seizes it like a new stub thread, then
/// the factory refills the pool off the caller's critical path.
///
/// Slow path (fallback when the pool cannot be started or breaks, or another
/// memory file is passed): the calling thread raw-clones the sentry, the child
/// empties its address space and stops itself ([`StubFactory::spawn_direct`]).
pub struct StubFactory {
    code_fd: OwnedFd,
    filter: Vec<libc::sock_filter>,
    pub(super) pool: std::sync::OnceLock<Option<Pool>>,
    pub(super) pool_broken: std::sync::atomic::AtomicBool,
}

/// The requesting side of the `stub-factory` thread.
pub(super) struct Pool {
    tx: std::sync::Mutex<std::sync::mpsc::Sender<PoolRequest>>,
    /// (st_dev, st_ino) of the memory file the template holds as fd 0.
    memfile: (u64, u64),
    /// The template's initial registers (segment selectors, flags).
    template: Regs,
}

/// "Give me a ready stub": answered with the host pid of a detached stub
/// process waiting in `pause`.
struct PoolRequest {
    reply: std::sync::mpsc::SyncSender<Result<Pid, PlatformError>>,
}

/// Ready stubs kept forked ahead of demand.
pub(super) const POOL_SIZE: usize = 4;

fn file_id(fd: i32) -> Option<(u64, u64)> {
    let st = nix::sys::stat::fstat(fd).ok()?;
    Some((st.st_dev, st.st_ino))
}

impl StubFactory {
    pub fn new() -> Result<StubFactory, PlatformError> {
        let fd = nix::sys::memfd::memfd_create(
            c"runsc-stub",
            nix::sys::memfd::MemFdCreateFlag::MFD_CLOEXEC,
        )
        .map_err(host("memfd_create"))?;
        let (code, _) = stub_code();
        let mut page = vec![0xccu8; STUB_SIZE as usize]; // int3 padding
        page[..code.len()].copy_from_slice(code);
        nix::unistd::ftruncate(&fd, STUB_SIZE as i64).map_err(host("ftruncate"))?;
        nix::sys::uio::pwrite(&fd, &page, 0).map_err(host("pwrite"))?;
        Ok(StubFactory {
            code_fd: fd,
            filter: stub_filter(),
            pool: std::sync::OnceLock::new(),
            pool_broken: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// Create a new stub process traced by the calling thread. `memfd` is the
    /// sandbox memory file; in the stub it becomes fd 0.
    pub fn spawn(&self, memfd: &impl AsRawFd) -> Result<Stub, PlatformError> {
        match self.spawn_pooled(memfd.as_raw_fd()) {
            Some(Ok(stub)) => return Ok(stub),
            Some(Err(e))
                if !self
                    .pool_broken
                    .swap(true, std::sync::atomic::Ordering::Relaxed) =>
            {
                tracing::warn!("stub pool failed, falling back to direct spawns: {e}");
            }
            _ => {}
        }
        self.spawn_direct(memfd)
    }

    /// A stub from the pool, or None if the pool is not usable for `memfd`.
    fn spawn_pooled(&self, memfd: i32) -> Option<Result<Stub, PlatformError>> {
        if self.pool_broken.load(std::sync::atomic::Ordering::Relaxed) {
            return None;
        }
        let pool = self.pool.get_or_init(|| self.start_pool(memfd)).as_ref()?;
        if file_id(memfd) != Some(pool.memfile) {
            return None;
        }
        let (reply, answer) = std::sync::mpsc::sync_channel(1);
        let sent = pool
            .tx
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .send(PoolRequest { reply });
        if sent.is_err() {
            return Some(Err(PlatformError::Unexpected(
                "stub-factory thread is gone".into(),
            )));
        }
        let pid = match answer.recv() {
            Ok(Ok(pid)) => pid,
            Ok(Err(e)) => return Some(Err(e)),
            Err(_) => {
                return Some(Err(PlatformError::Unexpected(
                    "stub-factory thread is gone".into(),
                )))
            }
        };
        // From here the new process is ours: if attaching fails, dropping
        // the StubProcess kills and reaps it.
        let new = NewStubThread {
            tid: pid,
            process: std::sync::Arc::new(StubProcess { pid }),
            template: pool.template,
        };
        Some(new.attach())
    }

    /// Start the `stub-factory` thread and its template; None on failure
    /// (logged; spawns then use the direct path).
    fn start_pool(&self, memfd: i32) -> Option<Pool> {
        let memfile = file_id(memfd)?;
        let code_fd = match self.code_fd.try_clone() {
            Ok(fd) => fd,
            Err(e) => {
                tracing::warn!("stub pool: cannot dup the stub code fd: {e}");
                return None;
            }
        };
        let filter = self.filter.clone();
        let (tx, rx) = std::sync::mpsc::channel::<PoolRequest>();
        let (ready_tx, ready_rx) = std::sync::mpsc::sync_channel(1);
        let spawned = std::thread::Builder::new()
            .name("stub-factory".into())
            .spawn(move || {
                let factory = StubFactory {
                    code_fd,
                    filter,
                    pool: std::sync::OnceLock::new(),
                    pool_broken: std::sync::atomic::AtomicBool::new(true),
                };
                // The caller of start_pool blocks on ready_rx, so `memfd`
                // stays open until the template holds its own copy.
                let template = match factory.spawn_template(memfd) {
                    Ok(t) => t,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let _ = ready_tx.send(Ok(template.template));
                factory_loop(template, rx);
            });
        if let Err(e) = spawned {
            tracing::warn!("stub pool: cannot start the stub-factory thread: {e}");
            return None;
        }
        match ready_rx.recv() {
            Ok(Ok(template)) => Some(Pool {
                tx: std::sync::Mutex::new(tx),
                memfile,
                template,
            }),
            Ok(Err(e)) => {
                tracing::warn!("stub pool: cannot create the template stub: {e}");
                None
            }
            Err(_) => {
                tracing::warn!("stub pool: the stub-factory thread died");
                None
            }
        }
    }

    /// The template stub: a direct spawn that also traces its forks.
    fn spawn_template(&self, memfd: i32) -> Result<Stub, PlatformError> {
        let stub = self.spawn_direct(&memfd)?;
        let opts = TRACE_OPTIONS.union(ptrace::Options::PTRACE_O_TRACEFORK);
        ptrace::setoptions(stub.tid, opts).map_err(host("PTRACE_SETOPTIONS"))?;
        Ok(stub)
    }

    /// Create a new stub process by raw-cloning the sentry from the calling
    /// thread, which becomes its tracer (the slow path).
    pub fn spawn_direct(&self, memfd: &impl AsRawFd) -> Result<Stub, PlatformError> {
        let prog = libc::sock_fprog {
            len: self.filter.len() as u16,
            filter: self.filter.as_ptr() as *mut libc::sock_filter,
        };
        let prog_ptr = &prog as *const libc::sock_fprog as u64;
        let code_fd = self.code_fd.as_raw_fd();
        let mem_fd = memfd.as_raw_fd();
        let rseq = this_thread_rseq();
        // SAFETY: a raw clone without CLONE_VM gives the child a private copy of
        // our address space; the child only makes raw syscalls (no allocation,
        // no locks) and then jumps into the stub page, never returning here.
        let pid = unsafe {
            libc::syscall(
                libc::SYS_clone,
                libc::SIGCHLD as u64,
                0u64,
                0u64,
                0u64,
                0u64,
            )
        };
        if pid == 0 {
            // SAFETY: child side, see above. Every call is a plain syscall.
            unsafe { stub_child(code_fd, mem_fd, prog_ptr, rseq) }
        }
        if pid < 0 {
            return Err(PlatformError::Host {
                call: "clone",
                errno: nix::errno::Errno::last(),
            });
        }
        let pid = Pid::from_raw(pid as i32);
        let mut stub = Stub {
            tid: pid,
            process: std::sync::Arc::new(StubProcess { pid }),
            cpu: -1,
            template: zero_regs(),
            alive: true,
        };
        match waitpid(pid, Some(WaitPidFlag::__WALL)).map_err(host("waitpid"))? {
            WaitStatus::Stopped(_, Signal::SIGSTOP) => {}
            other => {
                let rip = ptrace::getregs(pid).map(|r| r.rip).unwrap_or(0);
                let (code, addr) = stub.siginfo();
                stub.kill();
                return Err(PlatformError::Unexpected(format!(
                    "new stub: {other:?} at rip {rip:#x} (si_code {code}, addr {addr:#x})"
                )));
            }
        }
        ptrace::setoptions(pid, TRACE_OPTIONS).map_err(host("PTRACE_SETOPTIONS"))?;
        stub.template = ptrace::getregs(pid).map_err(host("PTRACE_GETREGS"))?;
        Ok(stub)
    }
}

/// Flags of the host clone that forks a new stub process from the template.
/// CLONE_PARENT makes the sentry (the template's parent) the child's parent,
/// so the sentry reaps it; with CLONE_PARENT the kernel ignores the exit
/// signal passed and uses the template's, which is SIGCHLD (the direct spawn
/// clones with SIGCHLD). SIGCHLD also makes the clone a "fork" for ptrace, so
/// PTRACE_O_TRACEFORK attaches the child. CLONE_PARENT is refused (EINVAL)
/// only to a pid namespace's init, which the template never is.
const STUB_FORK_FLAGS: u64 = (libc::CLONE_PARENT | libc::SIGCHLD) as u64;

/// Body of the `stub-factory` thread: it traces the template and the pool of
/// ready stubs, serves requests, and refills the pool while idle. It ends
/// (killing the pool and the template) when the factory is dropped or when
/// forking fails; requesters then fall back to the direct path.
fn factory_loop(mut template: Stub, rx: std::sync::mpsc::Receiver<PoolRequest>) {
    use std::sync::mpsc::TryRecvError;
    let mut ready: std::collections::VecDeque<Pid> = std::collections::VecDeque::new();
    'serve: loop {
        // Refill while nobody is waiting.
        let req = loop {
            match rx.try_recv() {
                Ok(r) => break r,
                Err(TryRecvError::Disconnected) => break 'serve,
                Err(TryRecvError::Empty) => {}
            }
            if ready.len() >= POOL_SIZE {
                match rx.recv() {
                    Ok(r) => break r,
                    Err(_) => break 'serve,
                }
            }
            match fork_template(&mut template) {
                Ok(pid) => ready.push_back(pid),
                Err(e) => {
                    tracing::warn!("stub-factory: cannot fork the template: {e}");
                    break 'serve;
                }
            }
        };
        let pid = match ready.pop_front() {
            Some(pid) => pid,
            None => match fork_template(&mut template) {
                Ok(pid) => pid,
                Err(e) => {
                    tracing::warn!("stub-factory: cannot fork the template: {e}");
                    let _ = req.reply.send(Err(e));
                    break 'serve;
                }
            },
        };
        // Untrace it: it resumes into the `pause` loop of the clone site,
        // where the requester seizes it.
        if let Err(e) = ptrace::detach(pid, None) {
            drop(StubProcess { pid });
            let _ = req.reply.send(Err(host("PTRACE_DETACH")(e)));
            continue;
        }
        if req.reply.send(Ok(pid)).is_err() {
            drop(StubProcess { pid }); // the requester is gone
        }
    }
    for pid in ready {
        drop(StubProcess { pid });
    }
    drop(template);
}

/// Fork a new stub process from the template. It comes back traced by the
/// calling (factory) thread and stopped.
fn fork_template(template: &mut Stub) -> Result<Pid, PlatformError> {
    let (site, ret) = clone_site();
    let r = template.inject_at(site, ret, libc::SYS_clone, [STUB_FORK_FLAGS, 0, 0, 0, 0, 0])?;
    let pid = Pid::from_raw(Stub::check(r, "template clone")? as i32);
    // PTRACE_O_TRACEFORK attached it with a SIGSTOP queued (the template
    // was attached with TRACEME, not SEIZE) and our ptrace options,
    // EXITKILL included: if the sentry dies now, so does the child.
    loop {
        match waitpid(pid, Some(WaitPidFlag::__WALL)) {
            Ok(WaitStatus::Stopped(_, Signal::SIGSTOP)) | Ok(WaitStatus::PtraceEvent(..)) => {
                return Ok(pid)
            }
            Ok(WaitStatus::Stopped(..)) => {
                // Any other signal: suppress it and wait for the SIGSTOP.
                ptrace::cont(pid, None).map_err(host("PTRACE_CONT"))?;
            }
            Ok(WaitStatus::Exited(..)) | Ok(WaitStatus::Signaled(..)) => {
                return Err(PlatformError::StubDied)
            }
            Ok(_) | Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => {
                drop(StubProcess { pid });
                return Err(host("waitpid")(e));
            }
        }
    }
}

fn zero_regs() -> Regs {
    // SAFETY: user_regs_struct is plain integers; all-zero is valid.
    unsafe { std::mem::zeroed() }
}
