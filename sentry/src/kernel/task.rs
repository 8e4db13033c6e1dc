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
use syscalls::abi::{KernelSigaction, Rlimit, StackT};
use syscalls::Errno;

/// Credentials (root inside the sandbox by default).
#[derive(Debug, Clone, Default)]
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

/// Signal state. Delivery comes with the signals issue; for now dispositions,
/// the mask and the alternate stack are recorded so programs start.
#[derive(Clone)]
pub struct SigState {
    pub actions: [KernelSigaction; 64],
    pub mask: u64,
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
    pub fs: FsContext,
    pub creds: Creds,
    pub sig: SigState,
    pub comm: Vec<u8>,
    pub rlimits: [Rlimit; 16],
    pub clear_child_tid: u64,
    pub robust_list: (u64, u64),
    pub extras: crate::syscalls::identity::ProcExtras,
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

impl Task {
    /// Syscall arguments from the registers.
    pub fn args(&self) -> [u64; 6] {
        let r = &self.regs;
        [r.rdi, r.rsi, r.rdx, r.r10, r.r8, r.r9]
    }

    /// Run until the task exits; returns its exit status.
    pub fn run(&mut self) -> ExitStatus {
        loop {
            if let Some(st) = self.exit {
                return st;
            }
            self.deliver_signals();
            if let Some(st) = self.exit {
                return st;
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
                Event::Syscall => crate::syscalls::dispatch(self),
                Event::Fault { signal, addr, .. } => {
                    tracing::trace!("fault at {addr:#x} rip {:#x}", self.regs.rip);
                    match self.mm.handle_fault(addr, &mut self.stub) {
                        Ok(()) => {}
                        Err(e)
                            if tracing::enabled!(tracing::Level::DEBUG)
                                && e != FaultError::Bus
                                && e != FaultError::NoMem =>
                        {
                            tracing::debug!("fault {e:?} at {addr:#x}, rip {:#x}", self.regs.rip);
                            self.fatal_signal(if signal == libc::SIGBUS {
                                libc::SIGBUS
                            } else {
                                libc::SIGSEGV
                            })
                        }
                        Err(FaultError::Bus) => self.fatal_signal(libc::SIGBUS),
                        Err(FaultError::NoMem) => self.fatal_signal(libc::SIGKILL),
                        Err(_) => self.fatal_signal(if signal == libc::SIGBUS {
                            libc::SIGBUS
                        } else {
                            libc::SIGSEGV
                        }),
                    }
                }
                Event::Signal { signal, .. } => self.fatal_signal(signal),
                Event::Interrupted => {}
                Event::Died => {
                    return self.exit.unwrap_or(ExitStatus::Signaled {
                        signal: libc::SIGKILL,
                        core: false,
                    })
                }
            }
        }
    }

    /// A synchronous signal the app cannot handle yet: the default action.
    /// (Delivery to app handlers comes with the signals issue.)
    pub fn fatal_signal(&mut self, signal: i32) {
        // No core file is ever written, so wait(2) reports no core dump
        // (as Linux does with RLIMIT_CORE 0).
        let core = false;
        self.exit = Some(ExitStatus::Signaled { signal, core });
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
    /// waiters, turn the process into a zombie and notify its parent.
    pub fn exit_and_release(mut self, status: ExitStatus) {
        self.release_vfork_parent();
        if self.clear_child_tid != 0 {
            let _ = self.mm.write_obj(self.clear_child_tid, &0u32);
        }
        // Drop the address space and files before waking the parent, so the
        // parent sees pipes closed and memory released when wait returns.
        let k = self.k.clone();
        let tgid = self.tgid;
        k.tasks.remove(self.tid);
        drop(self);
        k.mf.flush_frees();
        k.timers.process_exited(tgid);
        let (parent, sig) = k.procs.exit(tgid, status);
        if parent > 0 && sig > 0 {
            if let Some(p) = k.tasks.get(parent) {
                let (code, st) = match status {
                    ExitStatus::Exited(c) => (libc::CLD_EXITED, c),
                    ExitStatus::Signaled { signal, core: true } => (libc::CLD_DUMPED, signal),
                    ExitStatus::Signaled { signal, .. } => (libc::CLD_KILLED, signal),
                };
                p.send(
                    sig,
                    syscalls::abi::Siginfo::sigchld(code, tgid, 0, st, 0, 0),
                );
            }
        }
    }

    /// Copy helpers that go through this task's memory manager.
    pub fn read_path(&self, addr: u64) -> Result<Vec<u8>, Errno> {
        let p = self.mm.read_cstr(addr, libc::PATH_MAX as usize)?;
        Ok(p)
    }
}
