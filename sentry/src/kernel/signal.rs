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
use super::wait::{WaitQueue, Waker};
use super::ExitStatus;
use crate::platform::ptrace::Interrupter;
use crate::syscalls::signal::{
    default_action, handler_ignores, sigbit, DefaultAction, UNBLOCKABLE,
};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use syscalls::abi::{KernelSigaction, SigContext, Siginfo, StackT, UContext};
use syscalls::consts::{
    SA_NOCLDSTOP, SA_NODEFER, SA_ONSTACK, SA_RESETHAND, SA_RESTART, SIGCONT, SIGKILL, SIGSTOP,
    SIGTSTP, SIGTTIN, SIGTTOU, SIG_DFL, SS_AUTODISARM, SS_DISABLE, SS_ONSTACK,
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

/// The part of a task other tasks can reach: its private pending signals,
/// its blocked mask (mirrored here so senders and the wait primitive can
/// judge interruption), its waker and the interrupter of its stub thread.
pub struct TaskShared {
    pub tid: i32,
    pub tgid: i32,
    pub group: Arc<ThreadGroup>,
    queue: Mutex<SigQueue>,
    mask: AtomicU64,
    killed: AtomicBool,
    /// PR_SET_PDEATHSIG: sent to this task's process when its parent exits.
    pub pdeathsig: std::sync::atomic::AtomicI32,
    waker: Arc<Waker>,
    kick: Mutex<Option<Interrupter>>,
    /// Seccomp mode and filters (here so that TSYNC can reach them).
    pub seccomp: super::seccomp::SeccompCell,
    /// Host ids for CPU accounting (getrusage): the task's sentry thread,
    /// its stub thread and the stub process; 0 until the task runs.
    pub host: super::usage::HostIds,
    /// The task's fd table (pidfd_getfd), set when it starts running.
    pub files: Mutex<std::sync::Weak<crate::vfs::FdTable>>,
    /// Scheduling policy, priority and nice value (sched_*, setpriority).
    pub sched: Mutex<crate::syscalls::sched::SchedParams>,
    /// Real and effective uid, mirrored after every syscall for other
    /// tasks' permission checks (setpriority, sched_setscheduler).
    uids: AtomicU64,
    /// The capability sets, mirrored like the uids (capget of another task).
    caps: Mutex<crate::syscalls::caps::CapSets>,
    /// What procfs shows of the task's thread-owned state.
    pub view: Mutex<crate::fs::proc::TaskView>,
}

impl TaskShared {
    pub fn new(tid: i32, group: Arc<ThreadGroup>, mask: u64) -> TaskShared {
        TaskShared {
            tid,
            tgid: group.tgid,
            group,
            queue: Mutex::default(),
            mask: AtomicU64::new(mask),
            killed: AtomicBool::new(false),
            pdeathsig: std::sync::atomic::AtomicI32::new(0),
            waker: Arc::new(Waker::default()),
            kick: Mutex::new(None),
            seccomp: Default::default(),
            host: Default::default(),
            files: Mutex::default(),
            sched: Mutex::default(),
            uids: AtomicU64::new(0),
            caps: Mutex::new(crate::syscalls::caps::CapSets::ROOT),
            view: Mutex::default(),
        }
    }

    pub fn queue(&self) -> MutexGuard<'_, SigQueue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The mirrored (real, effective) uid.
    pub fn uids(&self) -> (u32, u32) {
        let v = self.uids.load(Ordering::Relaxed);
        (v as u32, (v >> 32) as u32)
    }

    pub fn set_uids(&self, ruid: u32, euid: u32) {
        self.uids
            .store(u64::from(ruid) | (u64::from(euid) << 32), Ordering::Relaxed);
    }

    pub fn caps(&self) -> crate::syscalls::caps::CapSets {
        *self.caps.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn set_caps(&self, c: crate::syscalls::caps::CapSets) {
        *self.caps.lock().unwrap_or_else(|p| p.into_inner()) = c;
    }

    pub fn waker(&self) -> &Arc<Waker> {
        &self.waker
    }

    /// The blocked mask.
    pub fn mask(&self) -> u64 {
        self.mask.load(Ordering::SeqCst)
    }

    pub fn set_mask(&self, m: u64) {
        self.mask.store(m & !UNBLOCKABLE, Ordering::SeqCst);
    }

    /// The stub to kick when a signal arrives while app code runs.
    pub fn set_interrupter(&self, i: Interrupter) {
        *self.kick.lock().unwrap_or_else(|p| p.into_inner()) = Some(i);
    }

    /// Wake the task wherever it is: blocked in the sentry or in app code.
    pub fn wake(&self) {
        self.waker.fire();
        if let Some(k) = *self.kick.lock().unwrap_or_else(|p| p.into_inner()) {
            k.interrupt();
        }
    }

    /// Queue a thread-directed signal and wake or kick the task.
    pub fn send(&self, sig: i32, info: Siginfo) {
        if sig == SIGKILL {
            self.group.send(sig, info);
            return;
        }
        self.group.prepare(sig);
        if self.mask() & sigbit(sig) == 0 && self.group.ignores(sig) {
            return;
        }
        self.queue().push(sig, info);
        self.wake();
        self.group.signalled.notify_all();
    }

    /// Take the lowest pending signal in `set`, thread-directed ones first
    /// (rt_sigtimedwait).
    pub fn dequeue_from(&self, set: u64) -> Option<(i32, Siginfo)> {
        let own = self.queue().pending & set;
        if own != 0 {
            let sig = own.trailing_zeros() as i32 + 1;
            return Some((sig, self.queue().take(sig)));
        }
        let mut gq = self.group.queue();
        let ready = gq.pending & set;
        if ready != 0 {
            let sig = ready.trailing_zeros() as i32 + 1;
            return Some((sig, gq.take(sig)));
        }
        None
    }

    /// Make the task leave: its run loop ends at the next check.
    pub fn kill(&self) {
        self.killed.store(true, Ordering::SeqCst);
        self.wake();
    }

    pub fn killed(&self) -> bool {
        self.killed.load(Ordering::SeqCst)
    }

    /// Whether a blocking operation must give up: killed, or a signal it
    /// does not block is pending for it or its process.
    pub fn interrupted(&self) -> bool {
        if self.killed() {
            return true;
        }
        let pending = self.queue().pending | self.group.queue().pending;
        pending & !self.mask() != 0
    }

    /// Block until a signal outside `mask` is pending (or the task is killed).
    pub fn wait_unblocked(&self, mask: u64) {
        let _ = super::wait::block_on(&[], None, || {
            let pending = self.queue().pending | self.group.queue().pending;
            (pending & !mask != 0 || self.killed()).then_some(())
        });
    }
}

/// How a thread group ends, and the exec in progress if any.
#[derive(Default)]
pub struct GroupState {
    /// Set by exit_group or a fatal signal: every thread leaves with it.
    pub exit: Option<ExitStatus>,
    /// The leader thread's own exit status (pthread_exit of main).
    pub leader_exit: Option<ExitStatus>,
    /// The thread running an execve that kills the others.
    pub exec_tid: Option<i32>,
    /// How many execs took over the group (a waiting leader leaves quietly).
    pub execs: u64,
    /// In a job-control stop, by this signal.
    pub stopped: Option<i32>,
    /// Continued by SIGCONT; the parent is not told yet.
    pub continued_pending: bool,
    /// CPU time of exited threads and the last stub readings (getrusage).
    pub usage: super::usage::GroupAccount,
}

/// A process: its threads, shared dispositions and process-directed pending
/// signals.
pub struct ThreadGroup {
    pub tgid: i32,
    queue: Mutex<SigQueue>,
    actions: Mutex<[KernelSigaction; 64]>,
    members: Mutex<Vec<Arc<TaskShared>>>,
    state: Mutex<GroupState>,
    /// Notified when a member leaves or the state changes.
    pub changed: WaitQueue,
    /// Notified when a signal is queued for the process or one of its
    /// threads (signalfd readiness).
    pub signalled: WaitQueue,
}

impl ThreadGroup {
    pub fn new(tgid: i32, actions: [KernelSigaction; 64]) -> Arc<ThreadGroup> {
        Arc::new(ThreadGroup {
            tgid,
            queue: Mutex::default(),
            actions: Mutex::new(actions),
            members: Mutex::default(),
            state: Mutex::default(),
            changed: WaitQueue::default(),
            signalled: WaitQueue::default(),
        })
    }

    pub fn queue(&self) -> MutexGuard<'_, SigQueue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The dispositions (shared by every thread).
    pub fn actions(&self) -> MutexGuard<'_, [KernelSigaction; 64]> {
        self.actions.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn action(&self, sig: i32) -> KernelSigaction {
        self.actions()[(sig - 1) as usize]
    }

    pub fn state(&self) -> MutexGuard<'_, GroupState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn members(&self) -> MutexGuard<'_, Vec<Arc<TaskShared>>> {
        self.members.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn add(&self, t: Arc<TaskShared>) {
        self.members().push(t);
    }

    /// Remove a member; returns how many remain.
    pub fn remove(&self, tid: i32) -> usize {
        let n = {
            let mut m = self.members();
            m.retain(|x| x.tid != tid);
            m.len()
        };
        self.changed.notify_all();
        n
    }

    /// Whether `sig` is discarded at generation (ignored disposition).
    fn ignores(&self, sig: i32) -> bool {
        sig != SIGKILL && handler_ignores(sig, self.action(sig).handler)
    }

    /// Queue a process-directed signal and wake one thread that takes it.
    pub fn send(&self, sig: i32, info: Siginfo) {
        if sig == SIGKILL {
            self.begin_exit(
                ExitStatus::Signaled {
                    signal: SIGKILL,
                    core: false,
                },
                0,
            );
            return;
        }
        self.prepare(sig);
        let members = self.members().clone();
        if self.ignores(sig) && members.iter().all(|m| m.mask() & sigbit(sig) == 0) {
            return;
        }
        self.queue().push(sig, info);
        // Prefer the main thread, then any thread that does not block it.
        if let Some(t) = members.iter().find(|m| m.mask() & sigbit(sig) == 0) {
            t.wake();
        }
        self.signalled.notify_all();
    }

    /// Job-control side effects at generation: a stop signal discards a
    /// pending SIGCONT; SIGCONT discards pending stops and resumes a stopped
    /// group at once (even if SIGCONT itself is blocked or ignored).
    fn prepare(&self, sig: i32) {
        let discard = |s: i32| {
            self.queue().discard(s);
            for m in self.members().iter() {
                m.queue().discard(s);
            }
        };
        if is_stop_signal(sig) {
            discard(SIGCONT);
        } else if sig == SIGCONT {
            for s in [SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU] {
                discard(s);
            }
            let resumed = {
                let mut st = self.state();
                if st.stopped.take().is_some() {
                    st.continued_pending = true;
                    true
                } else {
                    false
                }
            };
            if resumed {
                self.changed.notify_all();
                for m in self.members().iter() {
                    m.waker.fire();
                }
            }
        }
    }

    /// Start the exit of the whole group with `status` (first caller wins);
    /// every thread but `except` is killed. Returns the status in force.
    pub fn begin_exit(&self, status: ExitStatus, except: i32) -> ExitStatus {
        let st = {
            let mut s = self.state();
            *s.exit.get_or_insert(status)
        };
        for m in self.members().iter() {
            if m.tid != except {
                m.kill();
            }
        }
        self.changed.notify_all();
        st
    }
}

fn is_stop_signal(sig: i32) -> bool {
    matches!(sig, SIGSTOP | SIGTSTP | SIGTTIN | SIGTTOU)
}

/// Sandbox-wide registry of live tasks by tid and processes by tgid.
#[derive(Default)]
pub struct Registry {
    tasks: Mutex<HashMap<i32, Arc<TaskShared>>>,
    groups: Mutex<HashMap<i32, Arc<ThreadGroup>>>,
}

impl Registry {
    fn lock(&self) -> MutexGuard<'_, HashMap<i32, Arc<TaskShared>>> {
        self.tasks.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn groups(&self) -> MutexGuard<'_, HashMap<i32, Arc<ThreadGroup>>> {
        self.groups.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Register a task (and its group, the first time).
    pub fn add(&self, t: Arc<TaskShared>) {
        self.groups()
            .entry(t.tgid)
            .or_insert_with(|| t.group.clone());
        t.group.add(t.clone());
        self.lock().insert(t.tid, t);
    }

    /// Forget a task (not its group).
    pub fn remove(&self, tid: i32) {
        self.lock().remove(&tid);
    }

    /// Forget a process whose last thread left.
    pub fn remove_group(&self, tgid: i32) {
        self.groups().remove(&tgid);
    }

    pub fn get(&self, tid: i32) -> Option<Arc<TaskShared>> {
        self.lock().get(&tid).cloned()
    }

    pub fn group(&self, tgid: i32) -> Option<Arc<ThreadGroup>> {
        self.groups().get(&tgid).cloned()
    }

    /// Every live process.
    pub fn all_groups(&self) -> Vec<Arc<ThreadGroup>> {
        self.groups().values().cloned().collect()
    }
}

/// The FXSAVE area size and the frame's alignment needs.
const FXSAVE: u64 = 512;
/// Offset of `struct _fpx_sw_bytes` in the FXSAVE area (its sw_reserved).
const SW_BYTES: usize = 464;
const FP_XSTATE_MAGIC1: u32 = 0x4650_5853;
const FP_XSTATE_MAGIC2: u32 = 0x4650_5845;
const UC_FP_XSTATE: u64 = 1;

/// Linux's `_fpx_sw_bytes` for an XSAVE frame of `xsize` bytes: magic1,
/// extended size (with magic2), the feature mask, the XSAVE size.
fn fpx_sw_bytes(xsize: u64, xs: &[u8]) -> [u8; 24] {
    // The host's features as ptrace reported them in the same place, or the
    // XSTATE_BV of this area.
    let host = |o: usize| {
        xs.get(o..o + 8)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_le_bytes)
            .unwrap_or(0)
    };
    let features = match host(SW_BYTES + 8) {
        0 => host(512),
        f => f,
    };
    let mut b = [0u8; 24];
    b[0..4].copy_from_slice(&FP_XSTATE_MAGIC1.to_le_bytes());
    b[4..8].copy_from_slice(&((xsize + 4) as u32).to_le_bytes());
    b[8..16].copy_from_slice(&features.to_le_bytes());
    b[16..20].copy_from_slice(&(xsize as u32).to_le_bytes());
    b
}
const UC_SIGCONTEXT_SS: u64 = 2;
const UC_STRICT_RESTORE_SS: u64 = 4;
const USER_CS: u16 = 0x33;
const USER_DS: u16 = 0x2b;
/// EFLAGS bits sigreturn may restore (Linux's FIX_EFLAGS).
const FIX_EFLAGS: u64 = 0x40dd5;

impl Task {
    /// Deliver pending unblocked signals before returning to app code, and
    /// finish an interrupted syscall: restart it, or make it fail with EINTR
    /// when a handler runs (Linux's ERESTART* rules with SA_RESTART).
    pub fn deliver_signals(&mut self) {
        let restart = self.restart.take();
        loop {
            if self.exit.is_some() {
                return;
            }
            if self.shared.killed() {
                self.exit = Some(self.group_status());
                return;
            }
            // A stopped process takes no more signals until it is
            // continued (Linux's do_signal_stop comes first in get_signal):
            // one sent right after the stop was reported stays pending.
            if self.shared.group.state().stopped.is_some() {
                break;
            }
            let blocked = self.shared.mask() & !UNBLOCKABLE;
            let own = self.shared.queue().pending & !blocked;
            let (sig, info) = if own != 0 {
                let sig = own.trailing_zeros() as i32 + 1;
                (sig, self.shared.queue().take(sig))
            } else {
                let mut gq = self.shared.group.queue();
                let ready = gq.pending & !blocked;
                if ready == 0 {
                    break;
                }
                let sig = ready.trailing_zeros() as i32 + 1;
                (sig, gq.take(sig))
            };
            let mut info = info;
            // A POSIX timer's signal: its overrun, or dropped if stale.
            if !self.k.timers.signal_dequeued(self.tgid, &mut info) {
                continue;
            }
            let act = self.shared.group.action(sig);
            if sig == SIGKILL || act.handler == SIG_DFL {
                match default_action(sig) {
                    DefaultAction::Terminate | DefaultAction::Core => {
                        self.exit_group(ExitStatus::Signaled {
                            signal: sig,
                            core: false,
                        });
                        return;
                    }
                    // Terminal stops of an orphaned process group are
                    // discarded (no one could continue it).
                    DefaultAction::Stop
                        if sig != SIGSTOP
                            && self
                                .k
                                .procs
                                .pgrp_orphaned(crate::syscalls::identity::pgid(self)) => {}
                    DefaultAction::Stop => self.group_stop(sig),
                    DefaultAction::Ignore | DefaultAction::Continue => {}
                }
                continue;
            }
            if handler_ignores(sig, act.handler) {
                continue;
            }
            if let Some(e) = restart {
                let again = match e {
                    Errno::ERESTARTNOINTR => true,
                    Errno::ERESTARTSYS => act.flags & SA_RESTART != 0,
                    _ => false,
                };
                if again {
                    self.restart_syscall();
                } else {
                    self.regs.rax = Errno::EINTR.as_ret();
                    self.restart_block = None;
                }
            }
            if self.setup_frame(sig, info).is_err() {
                // Linux: a frame that cannot be written kills with SIGSEGV.
                self.exit_group(ExitStatus::Signaled {
                    signal: libc::SIGSEGV,
                    core: false,
                });
                return;
            }
            // One handler frame per return to user mode, like Linux.
            return;
        }
        // No handler ran: an interrupted syscall starts over, or continues
        // through restart_syscall(2) where it has a restart block.
        if let Some(e) = restart {
            self.restart_syscall();
            if e == Errno::ERESTART_RESTARTBLOCK && self.restart_block.is_some() {
                self.regs.rax = syscalls::nr::RESTART_SYSCALL as u64;
            }
        }
        if let Some(m) = self.saved_mask.take() {
            self.shared.set_mask(m);
        }
    }

    /// Stop the whole process (SIGSTOP and friends with default action):
    /// every thread parks before returning to app code; the parent hears of
    /// it through wait(WUNTRACED) and SIGCHLD (unless SA_NOCLDSTOP).
    fn group_stop(&mut self, sig: i32) {
        let g = self.shared.group.clone();
        {
            let mut st = g.state();
            if st.stopped.is_some() || st.exit.is_some() {
                return;
            }
            st.stopped = Some(sig);
        }
        for m in g.members().iter() {
            if m.tid != self.tid {
                m.wake();
            }
        }
        self.k.procs.job_event(self.tgid, Some(sig));
        self.notify_parent_job(libc::CLD_STOPPED, sig);
    }

    /// Tell the parent about a stop or continue (SIGCHLD unless it asked
    /// for SA_NOCLDSTOP).
    fn notify_parent_job(&self, code: i32, status: i32) {
        let parent = self.k.procs.parent_of(self.tgid);
        if let Some(pg) = self.k.tasks.group(parent) {
            if pg.action(libc::SIGCHLD).flags & SA_NOCLDSTOP == 0 {
                pg.send(
                    libc::SIGCHLD,
                    Siginfo::sigchld(code, self.tgid, self.creds.ruid, status, 0, 0),
                );
            }
        }
    }

    /// Park while the process is stopped; report a continue once. Returns
    /// true if the task parked (the caller re-checks everything).
    pub fn job_control(&mut self) -> bool {
        let g = self.shared.group.clone();
        let continued = std::mem::take(&mut g.state().continued_pending);
        if continued {
            self.k.procs.job_event(self.tgid, None);
            self.notify_parent_job(libc::CLD_CONTINUED, SIGCONT);
        }
        if g.state().stopped.is_none() {
            return false;
        }
        let _ = super::wait::block_on_killable(&[&g.changed], None, || {
            g.state().stopped.is_none().then_some(())
        });
        true
    }

    /// A synchronous signal from a fault in app code (Linux's force_sig):
    /// if it is blocked or ignored it is unblocked and reset to the default
    /// action, so a fault can never be skipped.
    pub fn force_signal(&mut self, sig: i32, info: Siginfo) {
        let blocked = self.shared.mask() & sigbit(sig) != 0;
        {
            let mut acts = self.shared.group.actions();
            let a = &mut acts[(sig - 1) as usize];
            if blocked || a.handler == syscalls::consts::SIG_IGN {
                a.handler = SIG_DFL;
            }
        }
        if blocked {
            self.shared.set_mask(self.shared.mask() & !sigbit(sig));
        }
        self.shared.queue().push(sig, info);
    }

    /// Back up over the `syscall` instruction so it runs again.
    fn restart_syscall(&mut self) {
        self.regs.rax = self.regs.orig_rax;
        self.regs.rip = self.regs.rip.wrapping_sub(2);
    }

    fn setup_frame(&mut self, sig: i32, info: Siginfo) -> Result<(), Errno> {
        let act = self.shared.group.action(sig);
        let r = self.regs;
        let mut sp = r.rsp.wrapping_sub(128); // red zone
        let ss = self.sig.altstack;
        let on_alt = ss.ss_flags & SS_DISABLE == 0 && sp > ss.ss_sp && sp - ss.ss_sp <= ss.ss_size;
        if act.flags & SA_ONSTACK != 0 && ss.ss_flags & SS_DISABLE == 0 && !on_alt && ss.ss_size > 0
        {
            sp = ss.ss_sp.wrapping_add(ss.ss_size);
        }
        // The FPU state as Linux saves it: the whole XSAVE area with the
        // software bytes and FP_XSTATE_MAGIC2 after it, or (if the host
        // cannot give it) the 512-byte FXSAVE area.
        let xstate = self
            .stub
            .get_xstate()
            .ok()
            .filter(|x| x.len() > FXSAVE as usize);
        let fpstate;
        let mut uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
        let xsave_len = xstate.as_ref().map(|x| x.len());
        match xstate {
            Some(mut xs) => {
                let xsize = xs.len() as u64;
                sp = sp.wrapping_sub(xsize + 4) & !63;
                fpstate = sp;
                let sw = fpx_sw_bytes(xsize, &xs);
                xs[SW_BYTES..SW_BYTES + sw.len()].copy_from_slice(&sw);
                self.mm.copy_out(fpstate, &xs)?;
                self.mm
                    .write_obj(fpstate.wrapping_add(xsize), &FP_XSTATE_MAGIC2)?;
                uc_flags |= UC_FP_XSTATE;
            }
            None => {
                let fp = self.stub.get_fpregs().map_err(|_| Errno::EFAULT)?;
                sp = sp.wrapping_sub(FXSAVE) & !63;
                fpstate = sp;
                self.mm.copy_out(fpstate, &fp)?;
            }
        }
        // pretcode + ucontext + siginfo, then align so (sp + 8) % 16 == 0.
        let frame_size =
            (8 + std::mem::size_of::<UContext>() + std::mem::size_of::<Siginfo>()) as u64;
        sp = (sp.wrapping_sub(frame_size) & !15).wrapping_sub(8);
        let uc_addr = sp.wrapping_add(8);
        let info_addr = uc_addr.wrapping_add(std::mem::size_of::<UContext>() as u64);
        let mask = self.saved_mask.unwrap_or(self.shared.mask());
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
            uc_flags,
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
        // The handler starts with a clean FPU (Linux's fpu__clear_user_states).
        let mut init = vec![0u8; xsave_len.unwrap_or(FXSAVE as usize)];
        init[0..2].copy_from_slice(&0x037fu16.to_le_bytes()); // x87 control word
        init[24..28].copy_from_slice(&0x1f80u32.to_le_bytes()); // MXCSR
        init[28..32].copy_from_slice(&0xffffu32.to_le_bytes()); // MXCSR mask
        let reset = if xsave_len.is_some() {
            self.stub.set_xstate(&init)
        } else {
            let mut fx = [0u8; FXSAVE as usize];
            fx.copy_from_slice(&init[..FXSAVE as usize]);
            self.stub.set_fpregs(&fx)
        };
        if let Err(e) = reset {
            tracing::debug!("resetting the FPU for a handler: {e}");
        }
        self.regs.rsp = sp;
        self.regs.rip = act.handler;
        self.regs.rdi = sig as u64;
        self.regs.rsi = info_addr;
        self.regs.rdx = uc_addr;
        self.regs.rax = 0;
        self.regs.eflags &= !(0x400 | 0x100 | 0x10000); // DF, TF, RF
        let mut new_mask = self.shared.mask() | act.mask;
        if act.flags & SA_NODEFER == 0 {
            new_mask |= sigbit(sig);
        }
        self.shared.set_mask(new_mask);
        self.saved_mask = None;
        if act.flags & SA_RESETHAND != 0 {
            // Only the handler goes back to SIG_DFL (flags and mask stay).
            self.shared.group.actions()[(sig - 1) as usize].handler = SIG_DFL;
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
        self.shared.set_mask(uc.uc_sigmask);
        if m.fpstate != 0 {
            let mut fp = [0u8; FXSAVE as usize];
            self.mm.copy_in(m.fpstate, &mut fp)?;
            // MXCSR reserved bits must be clear or the host refuses the state.
            let mxcsr = u32::from_le_bytes([fp[24], fp[25], fp[26], fp[27]]) & 0xffff;
            fp[24..28].copy_from_slice(&mxcsr.to_le_bytes());
            // An XSAVE frame is recognised as Linux does: both magics and a
            // size that matches this machine's; anything else restores the
            // legacy FXSAVE part only.
            let word = |o: usize| u32::from_le_bytes([fp[o], fp[o + 1], fp[o + 2], fp[o + 3]]);
            let magic1 = word(SW_BYTES);
            let xsize = word(SW_BYTES + 16) as u64;
            let mut restored = false;
            if magic1 == FP_XSTATE_MAGIC1 && xsize > FXSAVE && xsize <= 16 * 1024 {
                let magic2: u32 = self.mm.read_obj(m.fpstate.wrapping_add(xsize))?;
                if magic2 == FP_XSTATE_MAGIC2 {
                    let mut xs = vec![0u8; xsize as usize];
                    self.mm.copy_in(m.fpstate, &mut xs)?;
                    xs[..FXSAVE as usize].copy_from_slice(&fp);
                    restored = self.stub.set_xstate(&xs).is_ok();
                    if !restored {
                        return Err(Errno::EFAULT);
                    }
                }
            }
            if !restored {
                self.stub.set_fpregs(&fp).map_err(|_| Errno::EFAULT)?;
            }
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
    match k.tasks.group(tgid) {
        Some(g) => {
            g.send(sig, info);
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
