//! Signal queues and delivery (DESIGN §7).
//!
//! Every task has a [`TaskShared`] reachable by tid from other tasks: its
//! pending set, a condition variable that sigsuspend/pause wait on, and an
//! interrupter that kicks its stub out of app code. The task's own thread
//! delivers pending signals right before it switches back into app code:
//! default actions, or a frame on the app stack laid out as Linux's
//! rt_sigframe (siginfo, ucontext with the saved registers and mask, and the
//! FXSAVE area) returning through the handler's sa_restorer.

use super::task::Task;
use super::ExitStatus;
use crate::platform::ptrace::Interrupter;
use crate::syscalls::signal::{
    default_action, handler_ignores, sigbit, DefaultAction, UNBLOCKABLE,
};
use std::collections::{HashMap, VecDeque};
use std::sync::{Condvar, Mutex, MutexGuard};
use syscalls::abi::{SigContext, Siginfo, StackT, UContext};
use syscalls::consts::{
    SA_NODEFER, SA_ONSTACK, SA_RESETHAND, SIGKILL, SIG_DFL, SS_AUTODISARM, SS_DISABLE, SS_ONSTACK,
};
use syscalls::{Errno, Pod};

/// Realtime signals queue up to this many instances per signal.
const RT_QUEUE_MAX: usize = 1024;

#[derive(Default)]
pub struct SigQueue {
    pub pending: u64,
    infos: HashMap<i32, VecDeque<Siginfo>>,
}

impl SigQueue {
    fn push(&mut self, sig: i32, info: Siginfo) {
        let q = self.infos.entry(sig).or_default();
        if sig < 32 {
            // Standard signals coalesce.
            if q.is_empty() {
                q.push_back(info);
            }
        } else if q.len() < RT_QUEUE_MAX {
            q.push_back(info);
        }
        self.pending |= sigbit(sig);
    }

    fn take(&mut self, sig: i32) -> Siginfo {
        let q = self.infos.entry(sig).or_default();
        let info = q.pop_front().unwrap_or_else(|| Siginfo::new(sig, 0));
        if q.is_empty() {
            self.pending &= !sigbit(sig);
        }
        info
    }

    /// Drop every queued instance of `sig`.
    pub fn discard(&mut self, sig: i32) {
        self.infos.remove(&sig);
        self.pending &= !sigbit(sig);
    }
}

/// The part of a task other tasks can reach.
pub struct TaskShared {
    pub tid: i32,
    pub tgid: i32,
    queue: Mutex<SigQueue>,
    changed: Condvar,
    kick: Mutex<Option<Interrupter>>,
}

impl TaskShared {
    pub fn new(tid: i32, tgid: i32) -> TaskShared {
        TaskShared {
            tid,
            tgid,
            queue: Mutex::default(),
            changed: Condvar::new(),
            kick: Mutex::new(None),
        }
    }

    pub fn queue(&self) -> MutexGuard<'_, SigQueue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The stub to kick when a signal arrives while app code runs.
    pub fn set_interrupter(&self, i: Interrupter) {
        *self.kick.lock().unwrap_or_else(|p| p.into_inner()) = Some(i);
    }

    /// Queue a signal and wake or kick the task.
    pub fn send(&self, sig: i32, info: Siginfo) {
        self.queue().push(sig, info);
        self.changed.notify_all();
        if let Some(k) = *self.kick.lock().unwrap_or_else(|p| p.into_inner()) {
            k.interrupt();
        }
    }

    /// Block until a signal outside `mask` is pending.
    pub fn wait_unblocked(&self, mask: u64) {
        let mut q = self.queue();
        while q.pending & !mask == 0 {
            q = self.changed.wait(q).unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// Sandbox-wide registry of live tasks by tid.
#[derive(Default)]
pub struct Registry {
    tasks: Mutex<HashMap<i32, std::sync::Arc<TaskShared>>>,
}

impl Registry {
    fn lock(&self) -> MutexGuard<'_, HashMap<i32, std::sync::Arc<TaskShared>>> {
        self.tasks.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn add(&self, t: std::sync::Arc<TaskShared>) {
        self.lock().insert(t.tid, t);
    }

    pub fn remove(&self, tid: i32) {
        self.lock().remove(&tid);
    }

    pub fn get(&self, tid: i32) -> Option<std::sync::Arc<TaskShared>> {
        self.lock().get(&tid).cloned()
    }

    /// Every live task.
    pub fn all(&self) -> Vec<std::sync::Arc<TaskShared>> {
        self.lock().values().cloned().collect()
    }
}

/// The FXSAVE area size and the frame's alignment needs.
const FXSAVE: u64 = 512;
const UC_SIGCONTEXT_SS: u64 = 2;
const UC_STRICT_RESTORE_SS: u64 = 4;
const USER_CS: u16 = 0x33;
const USER_DS: u16 = 0x2b;
/// EFLAGS bits sigreturn may restore (Linux's FIX_EFLAGS).
const FIX_EFLAGS: u64 = 0x40dd5;

impl Task {
    /// Deliver pending unblocked signals before returning to app code.
    pub fn deliver_signals(&mut self) {
        loop {
            if self.exit.is_some() {
                return;
            }
            let sig = {
                let q = self.shared.queue();
                let ready = q.pending & !(self.sig.mask & !UNBLOCKABLE);
                if ready == 0 {
                    break;
                }
                ready.trailing_zeros() as i32 + 1
            };
            let mut info = self.shared.queue().take(sig);
            // A POSIX timer's signal: its overrun, or dropped if stale.
            if !self.k.timers.signal_dequeued(self.tgid, &mut info) {
                continue;
            }
            let act = self.sig.actions[(sig - 1) as usize];
            if sig == SIGKILL || act.handler == SIG_DFL {
                match default_action(sig) {
                    DefaultAction::Terminate => {
                        self.exit = Some(ExitStatus::Signaled {
                            signal: sig,
                            core: false,
                        })
                    }
                    DefaultAction::Core => {
                        self.exit = Some(ExitStatus::Signaled {
                            signal: sig,
                            core: false,
                        })
                    }
                    // Job-control stops come with the sessions work.
                    DefaultAction::Stop | DefaultAction::Ignore | DefaultAction::Continue => {}
                }
                continue;
            }
            if handler_ignores(sig, act.handler) {
                continue;
            }
            if self.setup_frame(sig, info).is_err() {
                // Linux: a frame that cannot be written kills with SIGSEGV.
                self.exit = Some(ExitStatus::Signaled {
                    signal: libc::SIGSEGV,
                    core: false,
                });
                return;
            }
            // One handler frame per return to user mode, like Linux.
            break;
        }
        if let Some(m) = self.saved_mask.take() {
            self.sig.mask = m;
        }
    }

    fn setup_frame(&mut self, sig: i32, info: Siginfo) -> Result<(), Errno> {
        let act = self.sig.actions[(sig - 1) as usize];
        let r = self.regs;
        let mut sp = r.rsp.wrapping_sub(128); // red zone
        let ss = self.sig.altstack;
        let on_alt = ss.ss_flags & SS_DISABLE == 0 && sp > ss.ss_sp && sp - ss.ss_sp <= ss.ss_size;
        if act.flags & SA_ONSTACK != 0 && ss.ss_flags & SS_DISABLE == 0 && !on_alt && ss.ss_size > 0
        {
            sp = ss.ss_sp.wrapping_add(ss.ss_size);
        }
        let fp = self.stub.get_fpregs().map_err(|_| Errno::EFAULT)?;
        sp = sp.wrapping_sub(FXSAVE) & !63;
        let fpstate = sp;
        self.mm.copy_out(fpstate, &fp)?;
        // pretcode + ucontext + siginfo, then align so (sp + 8) % 16 == 0.
        let frame_size =
            (8 + std::mem::size_of::<UContext>() + std::mem::size_of::<Siginfo>()) as u64;
        sp = (sp.wrapping_sub(frame_size) & !15).wrapping_sub(8);
        let uc_addr = sp.wrapping_add(8);
        let info_addr = uc_addr.wrapping_add(std::mem::size_of::<UContext>() as u64);
        let mask = self.saved_mask.unwrap_or(self.sig.mask);
        let mc = SigContext {
            r8: r.r8,
            r9: r.r9,
            r10: r.r10,
            r11: r.r11,
            r12: r.r12,
            r13: r.r13,
            r14: r.r14,
            r15: r.r15,
            rdi: r.rdi,
            rsi: r.rsi,
            rbp: r.rbp,
            rbx: r.rbx,
            rdx: r.rdx,
            rax: r.rax,
            rcx: r.rcx,
            rsp: r.rsp,
            rip: r.rip,
            eflags: r.eflags,
            cs: USER_CS,
            ss: USER_DS,
            oldmask: mask,
            fpstate,
            ..SigContext::zeroed()
        };
        let uc = UContext {
            uc_flags: UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS,
            uc_link: 0,
            uc_stack: StackT {
                ss_sp: ss.ss_sp,
                ss_flags: if ss.ss_flags & SS_DISABLE != 0 {
                    SS_DISABLE
                } else if on_alt {
                    SS_ONSTACK
                } else {
                    ss.ss_flags & SS_AUTODISARM
                },
                ss_size: ss.ss_size,
                ..StackT::zeroed()
            },
            uc_mcontext: mc,
            uc_sigmask: mask,
        };
        self.mm.write_obj(sp, &act.restorer)?;
        self.mm.write_obj(uc_addr, &uc)?;
        // Linux copies siginfo only for SA_SIGINFO handlers.
        if act.flags & syscalls::consts::SA_SIGINFO != 0 {
            self.mm.write_obj(info_addr, &info)?;
        }
        if act.flags & SA_ONSTACK != 0 && ss.ss_flags & SS_AUTODISARM != 0 {
            self.sig.altstack = StackT {
                ss_flags: SS_DISABLE,
                ..StackT::zeroed()
            };
        }
        self.regs.rsp = sp;
        self.regs.rip = act.handler;
        self.regs.rdi = sig as u64;
        self.regs.rsi = info_addr;
        self.regs.rdx = uc_addr;
        self.regs.rax = 0;
        self.regs.eflags &= !(0x400 | 0x100 | 0x10000); // DF, TF, RF
        let mut new_mask = self.sig.mask | act.mask;
        if act.flags & SA_NODEFER == 0 {
            new_mask |= sigbit(sig);
        }
        self.sig.mask = new_mask & !UNBLOCKABLE;
        self.saved_mask = None;
        if act.flags & SA_RESETHAND != 0 {
            self.sig.actions[(sig - 1) as usize] = Default::default();
        }
        Ok(())
    }

    /// rt_sigreturn: restore what setup_frame saved (validated).
    pub fn sigreturn(&mut self) -> Result<(), Errno> {
        let uc_addr = self.regs.rsp;
        let uc: UContext = self.mm.read_obj(uc_addr)?;
        let m = uc.uc_mcontext;
        let r = &mut self.regs;
        r.r8 = m.r8;
        r.r9 = m.r9;
        r.r10 = m.r10;
        r.r11 = m.r11;
        r.r12 = m.r12;
        r.r13 = m.r13;
        r.r14 = m.r14;
        r.r15 = m.r15;
        r.rdi = m.rdi;
        r.rsi = m.rsi;
        r.rbp = m.rbp;
        r.rbx = m.rbx;
        r.rdx = m.rdx;
        r.rax = m.rax;
        r.rcx = m.rcx;
        r.rsp = m.rsp;
        r.rip = m.rip;
        r.eflags = (r.eflags & !FIX_EFLAGS) | (m.eflags & FIX_EFLAGS);
        r.orig_rax = u64::MAX; // no syscall restart
        self.sig.mask = uc.uc_sigmask & !UNBLOCKABLE;
        if m.fpstate != 0 {
            let mut fp = [0u8; FXSAVE as usize];
            self.mm.copy_in(m.fpstate, &mut fp)?;
            // MXCSR reserved bits must be clear or the host refuses the state.
            let mxcsr = u32::from_le_bytes([fp[24], fp[25], fp[26], fp[27]]) & 0xffff;
            fp[24..28].copy_from_slice(&mxcsr.to_le_bytes());
            self.stub.set_fpregs(&fp).map_err(|_| Errno::EFAULT)?;
        }
        // Restore the alternate stack setting like sigaltstack would.
        let st = uc.uc_stack;
        if st.ss_flags & SS_DISABLE != 0 {
            self.sig.altstack = StackT {
                ss_flags: SS_DISABLE,
                ..StackT::zeroed()
            };
        } else if st.ss_size >= syscalls::consts::MINSIGSTKSZ {
            self.sig.altstack = StackT {
                ss_sp: st.ss_sp,
                ss_flags: st.ss_flags & SS_AUTODISARM,
                ss_size: st.ss_size,
                ..StackT::zeroed()
            };
        }
        Ok(())
    }
}

/// Send a process-directed signal to thread group `tgid` (kill(2) semantics:
/// any thread that does not block it takes it). Returns false if no such
/// process is alive.
pub fn send_to_process(k: &super::Kernel, tgid: i32, sig: i32, info: Siginfo) -> bool {
    match k.tasks.get(tgid).filter(|x| x.tgid == tgid) {
        Some(target) => {
            target.send(sig, info);
            true
        }
        None => false,
    }
}

/// Send a thread-directed signal to task `tid` (tgkill(2) semantics).
/// Returns false if no such task is alive.
pub fn send_to_thread(k: &super::Kernel, tid: i32, sig: i32, info: Siginfo) -> bool {
    match k.tasks.get(tid) {
        Some(target) => {
            target.send(sig, info);
            true
        }
        None => false,
    }
}
