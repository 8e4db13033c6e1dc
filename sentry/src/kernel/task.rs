//! Tasks: one app thread, its registers, its stub context and its share of
//! process state. The run loop switches into app code and dispatches what
//! comes back: syscalls to the table, faults to the memory manager.

use super::{ExitStatus, Kernel};
use crate::mm::fault::FaultError;
use crate::mm::MemoryManager;
use crate::platform::ptrace::Stub;
use crate::platform::{Event, Regs};
use crate::vfs::{Dentry, FdTable};
use std::sync::Arc;
use syscalls::abi::{Rlimit, StackT};
use syscalls::Errno;

/// Credentials (root inside the sandbox by default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Creds {
    pub ruid: u32,
    pub euid: u32,
    pub suid: u32,
    pub fsuid: u32,
    pub rgid: u32,
    pub egid: u32,
    pub sgid: u32,
    pub fsgid: u32,
    pub groups: Vec<u32>,
}

/// Root, working directory and umask (CLONE_FS state).
#[derive(Clone)]
pub struct FsContext {
    pub root: Arc<Dentry>,
    pub cwd: Arc<Dentry>,
    pub umask: u32,
}

/// Per-thread signal state kept by the task's own thread. (Dispositions
/// live in the thread group, the blocked mask in [`TaskShared`] so that
/// senders can see it.)
#[derive(Clone)]
pub struct SigState {
    pub altstack: StackT,
}

pub struct Task {
    pub k: Arc<Kernel>,
    pub tid: i32,
    pub tgid: i32,
    pub ppid: i32,
    pub regs: Regs,
    pub stub: Stub,
    pub mm: Arc<MemoryManager>,
    pub fds: Arc<FdTable>,
    /// Root, cwd and umask; shared between tasks cloned with CLONE_FS.
    pub fs: Arc<std::sync::Mutex<FsContext>>,
    pub creds: Creds,
    pub sig: SigState,
    pub comm: Vec<u8>,
    pub rlimits: [Rlimit; 16],
    pub clear_child_tid: u64,
    pub robust_list: (u64, u64),
    pub extras: crate::syscalls::prctl::ProcExtras,
    /// Set by exit/exit_group or a fatal signal; ends the run loop.
    pub exit: Option<ExitStatus>,
    /// Set for a vfork child: signalled when it execs or exits.
    pub vfork_done: Option<Arc<(std::sync::Mutex<bool>, std::sync::Condvar)>>,
    /// What other tasks reach: the signal queue and the interrupter.
    pub shared: Arc<super::signal::TaskShared>,
    /// The mask to restore after sigsuspend/pause delivered a signal.
    pub saved_mask: Option<u64>,
    /// Set by handlers that replace the whole register file (execve):
    /// the return value must not be written to rax.
    pub regs_replaced: bool,
    /// The ERESTART* code of a syscall a signal interrupted, settled by the
    /// next signal delivery.
    pub restart: Option<Errno>,
    /// What restart_syscall(2) continues (ERESTART_RESTARTBLOCK).
    pub restart_block: Option<RestartBlock>,
    /// (address, rip) of a fault found already resolved, retried once.
    pub spurious_fault: Option<(u64, u64)>,
}

/// The state restart_syscall(2) needs to continue an interrupted call.
#[derive(Debug, Clone, Copy)]
pub enum RestartBlock {
    /// A sleep to `deadline`; `rem` is the user's remaining-time pointer (or 0).
    Sleep {
        deadline: std::time::Instant,
        rem: u64,
    },
    /// poll(2) of `nfds` entries at `fds`, until `deadline` (None: forever).
    Poll {
        fds: u64,
        nfds: u32,
        deadline: Option<std::time::Instant>,
    },
    /// A timed futex wait, to its absolute `deadline`.
    Futex {
        uaddr: u64,
        val: u32,
        bitset: u32,
        private: bool,
        deadline: std::time::Instant,
    },
}

/// Linux's default rlimits for a new init process.
pub fn default_rlimits() -> [Rlimit; 16] {
    const INF: u64 = u64::MAX;
    let mut r = [Rlimit {
        rlim_cur: INF,
        rlim_max: INF,
    }; 16];
    r[libc::RLIMIT_STACK as usize] = Rlimit {
        rlim_cur: 8 << 20,
        rlim_max: INF,
    };
    r[libc::RLIMIT_CORE as usize] = Rlimit {
        rlim_cur: 0,
        rlim_max: INF,
    };
    r[libc::RLIMIT_NOFILE as usize] = Rlimit {
        rlim_cur: 1024,
        rlim_max: 1 << 20,
    };
    r[libc::RLIMIT_NPROC as usize] = Rlimit {
        rlim_cur: 0x1_0000,
        rlim_max: 0x1_0000,
    };
    r[libc::RLIMIT_MEMLOCK as usize] = Rlimit {
        rlim_cur: 8 << 20,
        rlim_max: 8 << 20,
    };
    r[libc::RLIMIT_SIGPENDING as usize] = Rlimit {
        rlim_cur: 0x1_0000,
        rlim_max: 0x1_0000,
    };
    r[libc::RLIMIT_MSGQUEUE as usize] = Rlimit {
        rlim_cur: 819_200,
        rlim_max: 819_200,
    };
    r[libc::RLIMIT_NICE as usize] = Rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    r[libc::RLIMIT_RTPRIO as usize] = Rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    r
}

const SI_KERNEL: i32 = 0x80;
const SEGV_MAPERR: i32 = 1;
const SEGV_ACCERR: i32 = 2;
const BUS_ADRERR: i32 = 2;

impl Task {
    pub(crate) fn fs_ctx(&self) -> std::sync::MutexGuard<'_, FsContext> {
        self.fs.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn root(&self) -> Arc<Dentry> {
        self.fs_ctx().root.clone()
    }

    pub fn cwd(&self) -> Arc<Dentry> {
        self.fs_ctx().cwd.clone()
    }

    pub fn set_cwd(&self, d: Arc<Dentry>) {
        self.fs_ctx().cwd = d;
    }

    pub fn umask(&self) -> u32 {
        self.fs_ctx().umask
    }

    /// Set the umask; returns the old one.
    pub fn set_umask(&self, m: u32) -> u32 {
        std::mem::replace(&mut self.fs_ctx().umask, m)
    }

    /// Syscall arguments from the registers.
    pub fn args(&self) -> [u64; 6] {
        let r = &self.regs;
        [r.rdi, r.rsi, r.rdx, r.r10, r.r8, r.r9]
    }

    /// Run until the task exits; returns its exit status.
    pub fn run(&mut self) -> ExitStatus {
        super::wait::set_current(Some(self.shared.clone()));
        super::wait::set_current_kernel(Some(self.k.clone()));
        self.shared
            .host
            .set(self.stub.pid(), self.stub.process_pid());
        *self.shared.files.lock().unwrap_or_else(|p| p.into_inner()) = Arc::downgrade(&self.fds);
        crate::fs::proc::sync_view(self);
        loop {
            if self.exit.is_none() && self.shared.killed() {
                self.exit = Some(self.group_status());
            }
            if let Some(st) = self.exit {
                return st;
            }
            self.deliver_signals();
            if let Some(st) = self.exit {
                return st;
            }
            if self.job_control() || self.k.freezer.park() {
                continue;
            }
            if let Err(e) = self.mm.sync(&mut self.stub) {
                tracing::error!("address space sync failed: {e}");
                return ExitStatus::Signaled {
                    signal: libc::SIGKILL,
                    core: false,
                };
            }
            let ev = match self.stub.switch(&mut self.regs) {
                Ok(ev) => ev,
                Err(e) => {
                    tracing::error!("platform failure: {e}");
                    return ExitStatus::Signaled {
                        signal: libc::SIGKILL,
                        core: false,
                    };
                }
            };
            match ev {
                Event::Syscall => {
                    self.spurious_fault = None;
                    crate::syscalls::dispatch(self)
                }
                // A general-protection fault (non-canonical address, hlt, ...):
                // the host reports SI_KERNEL with no address; nothing to map.
                Event::Fault { signal, code, .. } if code == SI_KERNEL => {
                    self.force_signal(signal, syscalls::abi::Siginfo::fault(signal, SI_KERNEL, 0))
                }
                Event::Fault { addr, .. } => {
                    tracing::trace!("fault at {addr:#x} rip {:#x}", self.regs.rip);
                    let r = match self.mm.handle_fault(addr, &mut self.stub) {
                        // Another thread may have mapped the page while this
                        // one was on its way in: retry once at the same spot.
                        Err(FaultError::AlreadyMapped)
                            if self.spurious_fault != Some((addr, self.regs.rip)) =>
                        {
                            self.spurious_fault = Some((addr, self.regs.rip));
                            continue;
                        }
                        Err(FaultError::AlreadyMapped) => Err(FaultError::AccErr),
                        r => r,
                    };
                    self.spurious_fault = None;
                    if let Err(e) = r {
                        tracing::debug!("fault {e:?} at {addr:#x}, rip {:#x}", self.regs.rip);
                        let (sig, code) = match e {
                            FaultError::MapErr => (libc::SIGSEGV, SEGV_MAPERR),
                            FaultError::AccErr | FaultError::AlreadyMapped => {
                                (libc::SIGSEGV, SEGV_ACCERR)
                            }
                            FaultError::Bus => (libc::SIGBUS, BUS_ADRERR),
                            FaultError::NoMem => {
                                self.exit_group(ExitStatus::Signaled {
                                    signal: libc::SIGKILL,
                                    core: false,
                                });
                                continue;
                            }
                        };
                        self.force_signal(sig, syscalls::abi::Siginfo::fault(sig, code, addr));
                    }
                }
                Event::Signal { signal, code, addr } => {
                    self.force_signal(signal, syscalls::abi::Siginfo::fault(signal, code, addr))
                }
                Event::Interrupted => {}
                Event::Died => {
                    if self.exit.is_none() {
                        // Killed from outside the sandbox: the whole process goes.
                        self.exit_group(ExitStatus::Signaled {
                            signal: libc::SIGKILL,
                            core: false,
                        });
                    }
                }
            }
        }
    }

    /// exit_group(2) and fatal signals: every thread of the process leaves.
    pub fn exit_group(&mut self, status: ExitStatus) {
        let st = self.shared.group.begin_exit(status, self.tid);
        self.exit = Some(st);
    }

    /// The status a killed thread leaves with: the group's.
    pub fn group_status(&self) -> ExitStatus {
        self.shared
            .group
            .state()
            .exit
            .unwrap_or(ExitStatus::Signaled {
                signal: libc::SIGKILL,
                core: false,
            })
    }

    /// The blocked signal mask.
    pub fn mask(&self) -> u64 {
        self.shared.mask()
    }

    pub fn set_mask(&self, m: u64) {
        self.shared.set_mask(m)
    }

    /// Release a vfork parent (at exec or exit).
    pub fn release_vfork_parent(&mut self) {
        if let Some(v) = self.vfork_done.take() {
            let (m, c) = &*v;
            *m.lock().unwrap_or_else(|p| p.into_inner()) = true;
            c.notify_all();
        }
    }

    /// Everything after the task's run loop ended: wake clear_child_tid
    /// waiters, leave the thread group, and when the last thread is gone
    /// turn the process into a zombie and notify its parent. The leader's
    /// sentry thread stays until then (it created the stub process, whose
    /// death signal is tied to it, and it reports the process's exit).
    pub fn exit_and_release(mut self, status: ExitStatus) {
        super::wait::set_current(None);
        super::wait::set_current_kernel(None);
        self.shared.seccomp.mark_exiting();
        self.release_vfork_parent();
        let k = self.k.clone();
        let (tid, tgid) = (self.tid, self.tgid);
        let group = self.shared.group.clone();
        let leader = tid == tgid;
        super::usage::thread_exiting(&self.shared, &self.mm);
        // Leave the registry first: once a joiner sees the cleared tid the
        // thread is gone for tgkill too; and before the group, since an exec
        // taking over the leader's tid waits for the group only.
        k.tasks.remove(tid);
        crate::syscalls::futex::exit_robust_list(&self);
        if self.clear_child_tid != 0 && self.mm.write_obj(self.clear_child_tid, &0u32).is_ok() {
            crate::syscalls::futex::wake_address(&self, self.clear_child_tid, 1);
        }
        let remaining = group.remove(tid);
        // Drop the files and stub thread before waking the parent, so it
        // sees pipes closed when wait returns. The address space is released
        // last (tearing down a large one takes milliseconds, and nothing
        // the parent can observe depends on it).
        let _mm_last = self.mm.clone();
        drop(self);
        k.mf.flush_frees();
        let (exec_tid, execs) = {
            let st = group.state();
            (st.exec_tid, st.execs)
        };
        if exec_tid.is_some_and(|e| e != tid) {
            // Killed by an exec in another thread, which takes the process over.
            if !leader {
                k.procs.free_tid(tid);
            }
            return;
        }
        if !leader {
            k.procs.free_tid(tid);
            return;
        }
        if remaining > 0 {
            // Zombie leader: wait for the other threads (or an exec).
            group.state().leader_exit = Some(status);
            let _ = super::wait::block_on(&[&group.changed], None, || {
                let st = group.state();
                (st.execs != execs || st.exec_tid.is_some() || group.members().is_empty())
                    .then_some(())
            });
            let st = group.state();
            if st.execs != execs || st.exec_tid.is_some() {
                return;
            }
        }
        let status = {
            let st = group.state();
            st.exit.or(st.leader_exit).unwrap_or(status)
        };
        k.tasks.remove_group(tgid);
        // SEM_UNDO adjustments of the process are applied at its exit.
        super::ipc::sem::exit_undo(tgid);
        super::ipc::shm::exit_forced(tgid);
        if Arc::strong_count(&_mm_last) == 1 {
            super::ipc::shm::exit_mm(&_mm_last);
        }
        k.timers.process_exited(tgid);
        // A session leader's exit hangs up its controlling terminal.
        if k.procs.pgid_sid(tgid).is_some_and(|(_, sid)| sid == tgid) {
            crate::fs::tty::session_leader_exit(&k, tgid);
        }
        k.procs.set_usage(tgid, super::usage::group_usage(&group));
        // Children that asked for a parent-death signal get it now.
        for c in k.procs.children_of(tgid) {
            if let Some(g) = k.tasks.group(c) {
                let sigs: Vec<i32> = g
                    .members()
                    .iter()
                    .map(|m| m.pdeathsig.load(std::sync::atomic::Ordering::SeqCst))
                    .filter(|s| *s > 0)
                    .collect();
                for s in sigs {
                    g.send(s, syscalls::abi::Siginfo::kill(s, 0, tgid, 0));
                }
            }
        }
        // A parent ignoring SIGCHLD (or with SA_NOCLDWAIT) never sees the
        // zombie: it is reaped at once (and with SIG_IGN gets no signal).
        // The exit signal is queued before a waiter can see the zombie.
        let ignored = std::cell::Cell::new(false);
        k.procs.exit_notify(
            tgid,
            status,
            |parent| {
                k.tasks.group(parent).is_some_and(|pg| {
                    let act = pg.action(libc::SIGCHLD);
                    ignored.set(act.handler == libc::SIG_IGN as u64);
                    ignored.get() || act.flags & syscalls::consts::SA_NOCLDWAIT != 0
                })
            },
            |parent, sig| {
                if parent <= 0 || sig <= 0 || (sig == libc::SIGCHLD && ignored.get()) {
                    return;
                }
                let (code, st) = match status {
                    ExitStatus::Exited(c) => (libc::CLD_EXITED, c),
                    ExitStatus::Signaled { signal, core: true } => (libc::CLD_DUMPED, signal),
                    ExitStatus::Signaled { signal, .. } => (libc::CLD_KILLED, signal),
                };
                super::signal::send_to_process(
                    &k,
                    parent,
                    sig,
                    syscalls::abi::Siginfo::sigchld(code, tgid, 0, st, 0, 0),
                );
            },
        );
    }

    /// Copy helpers that go through this task's memory manager.
    pub fn read_path(&self, addr: u64) -> Result<Vec<u8>, Errno> {
        let p = self.mm.read_cstr(addr, libc::PATH_MAX as usize)?;
        Ok(p)
    }
}
