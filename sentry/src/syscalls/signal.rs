//! Syscall handlers: signal family — dispositions, masks, the alternate
//! stack, pending signals, and kill/tkill/tgkill.
//!
//! Signals are queued on the target task's `TaskShared` and delivered by
//! the target's own thread before it returns to app code
//! (`kernel::signal`): default actions, or a handler frame.

use super::{Support, SysResult, Table};
use crate::kernel::task::Task;
use syscalls::abi::{KernelSigaction, Siginfo, StackT};
use syscalls::consts::{
    MINSIGSTKSZ, NSIG, SA_EXPOSE_TAGBITS, SA_NOCLDSTOP, SA_NOCLDWAIT, SA_NODEFER, SA_ONSTACK,
    SA_RESETHAND, SA_RESTART, SA_RESTORER, SA_SIGINFO, SIGABRT, SIGBUS, SIGCHLD, SIGCONT, SIGFPE,
    SIGILL, SIGKILL, SIGQUIT, SIGSEGV, SIGSTOP, SIGSYS, SIGTRAP, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG,
    SIGWINCH, SIGXCPU, SIGXFSZ, SIG_BLOCK, SIG_DFL, SIG_IGN, SIG_SETMASK, SIG_UNBLOCK,
    SS_AUTODISARM, SS_DISABLE, SS_ONSTACK,
};
use syscalls::{nr, Errno};

pub fn register(t: &mut Table) {
    t.set(
        nr::RT_SIGACTION,
        sys_rt_sigaction,
        Support::Partial(
            "handlers run with an FXSAVE frame (AVX upper halves not saved); no job-control stops",
        ),
    );
    t.set(
        nr::RT_SIGRETURN,
        sys_rt_sigreturn,
        Support::Partial("restores registers, mask, altstack and x87/SSE state"),
    );
    t.set(nr::RT_SIGSUSPEND, sys_rt_sigsuspend, Support::Full);
    t.set(nr::PAUSE, sys_pause, Support::Full);
    t.set(nr::RT_SIGPROCMASK, sys_rt_sigprocmask, Support::Full);
    t.set(nr::SIGALTSTACK, sys_sigaltstack, Support::Full);
    t.set(nr::RT_SIGPENDING, sys_rt_sigpending, Support::Full);
    let kill_note = "orphaned process groups still get stop signals";
    t.set(nr::RT_SIGTIMEDWAIT, sys_rt_sigtimedwait, Support::Full);
    t.set(nr::RT_SIGQUEUEINFO, sys_rt_sigqueueinfo, Support::Full);
    t.set(nr::RT_TGSIGQUEUEINFO, sys_rt_tgsigqueueinfo, Support::Full);
    t.set(nr::KILL, sys_kill, Support::Partial(kill_note));
    t.set(nr::TKILL, sys_tkill, Support::Partial(kill_note));
    t.set(nr::TGKILL, sys_tgkill, Support::Partial(kill_note));
}

/// The sa_flags bits Linux keeps (UAPI_SA_FLAGS on x86_64); unknown bits
/// are cleared so programs can detect them (SA_UNSUPPORTED).
pub const UAPI_SA_FLAGS: u64 = SA_NOCLDSTOP
    | SA_NOCLDWAIT
    | SA_SIGINFO
    | SA_ONSTACK
    | SA_RESTART
    | SA_NODEFER
    | SA_RESETHAND
    | SA_EXPOSE_TAGBITS
    | SA_RESTORER;

/// The size of the kernel's sigset_t.
const SIGSET_SIZE: u64 = 8;

/// The mask bit of signal `sig` (1..=64).
pub const fn sigbit(sig: i32) -> u64 {
    1u64 << (sig - 1)
}

/// Signals that can be neither blocked nor caught.
pub const UNBLOCKABLE: u64 = sigbit(SIGKILL) | sigbit(SIGSTOP);

/// What a signal does when its disposition is SIG_DFL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultAction {
    Terminate,
    Core,
    Ignore,
    Stop,
    Continue,
}

/// Linux's default action of a signal (1..=64; realtime signals terminate).
pub fn default_action(sig: i32) -> DefaultAction {
    match sig {
        SIGCHLD | SIGURG | SIGWINCH => DefaultAction::Ignore,
        SIGCONT => DefaultAction::Continue,
        SIGSTOP | SIGTSTP | SIGTTIN | SIGTTOU => DefaultAction::Stop,
        SIGQUIT | SIGILL | SIGTRAP | SIGABRT | SIGBUS | SIGFPE | SIGSEGV | SIGXCPU | SIGXFSZ
        | SIGSYS => DefaultAction::Core,
        _ => DefaultAction::Terminate,
    }
}

/// Whether a signal with this handler is discarded on arrival (Linux's
/// sig_task_ignored: SIG_IGN, or SIG_DFL with an "ignore" default).
pub fn handler_ignores(sig: i32, handler: u64) -> bool {
    handler == SIG_IGN
        || (handler == SIG_DFL
            && matches!(
                default_action(sig),
                DefaultAction::Ignore | DefaultAction::Continue
            ))
}

/// A signal number as `valid_signal` accepts it (0..=64), for kill & co.
fn valid_signal(sig: i32) -> bool {
    (0..=NSIG).contains(&sig)
}

/// Validate an rt_sigaction request: returns the slot index or EINVAL.
pub fn sigaction_slot(sig: i32, setting: bool) -> Result<usize, Errno> {
    if !(1..=NSIG).contains(&sig) || (setting && (sig == SIGKILL || sig == SIGSTOP)) {
        return Err(Errno::EINVAL);
    }
    Ok((sig - 1) as usize)
}

/// Normalise a new action as Linux stores it.
pub fn sanitize_action(mut act: KernelSigaction) -> KernelSigaction {
    act.flags &= UAPI_SA_FLAGS;
    act.mask &= !UNBLOCKABLE;
    act
}

fn sys_rt_sigaction(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (sig, act_ptr, old_ptr, size) = (a[0] as i32, a[1], a[2], a[3]);
    if size != SIGSET_SIZE {
        return Err(Errno::EINVAL);
    }
    let new = if act_ptr != 0 {
        Some(t.mm.read_obj::<KernelSigaction>(act_ptr)?)
    } else {
        None
    };
    let slot = sigaction_slot(sig, new.is_some())?;
    let mut old = t.shared.group.actions()[slot];
    old.flags &= UAPI_SA_FLAGS;
    if let Some(act) = new {
        let act = sanitize_action(act);
        t.shared.group.actions()[slot] = act;
        // Setting a disposition that ignores the signal discards it if pending.
        if handler_ignores(sig, act.handler) {
            t.shared.group.queue().discard(sig);
            for m in t.shared.group.members().iter() {
                m.queue().discard(sig);
            }
        }
    }
    if old_ptr != 0 {
        t.mm.write_obj(old_ptr, &old)?;
    }
    Ok(0)
}

/// Apply rt_sigprocmask's `how` to a mask; EINVAL for an unknown `how`.
pub fn apply_mask(how: i32, mask: u64, set: u64) -> Result<u64, Errno> {
    let set = set & !UNBLOCKABLE;
    let m = match how {
        SIG_BLOCK => mask | set,
        SIG_UNBLOCK => mask & !set,
        SIG_SETMASK => set,
        _ => return Err(Errno::EINVAL),
    };
    Ok(m & !UNBLOCKABLE)
}

fn sys_rt_sigprocmask(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (how, set_ptr, old_ptr, size) = (a[0] as i32, a[1], a[2], a[3]);
    if size != SIGSET_SIZE {
        return Err(Errno::EINVAL);
    }
    let old = t.mask();
    if set_ptr != 0 {
        let set: u64 = t.mm.read_obj(set_ptr)?;
        t.set_mask(apply_mask(how, old, set)?);
    }
    // The new mask stays in force even if writing the old one faults.
    let wrote = if old_ptr != 0 {
        t.mm.write_obj(old_ptr, &old)
    } else {
        Ok(())
    };
    wrote?;
    Ok(0)
}

/// Queue `sig` for the task `target` (tid), with a kill-style siginfo.
fn send(t: &Task, target: &crate::kernel::signal::ThreadGroup, sig: i32) {
    let info = syscalls::abi::Siginfo::kill(sig, SI_USER, t.tgid, t.creds.ruid);
    target.send(sig, info);
}

const SI_USER: i32 = 0;
const SI_TKILL: i32 = -6;

fn sys_rt_sigpending(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let size = a[1];
    if size > SIGSET_SIZE {
        return Err(Errno::EINVAL);
    }
    let pending = (t.shared.queue().pending | t.shared.group.queue().pending) & t.mask();
    t.mm.copy_out(a[0], &pending.to_ne_bytes()[..size as usize])?;
    Ok(0)
}

fn sys_kill(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (pid, sig) = (a[0] as i32, a[1] as i32);
    if !valid_signal(sig) {
        return Err(Errno::EINVAL);
    }
    let all = t.k.tasks.all_groups();
    let targets: Vec<_> = match pid {
        p if p > 0 => all.into_iter().filter(|x| x.tgid == p).collect(),
        // Every process but init and the caller.
        -1 => all
            .into_iter()
            .filter(|x| x.tgid != 1 && x.tgid != t.tgid)
            .collect(),
        i32::MIN => return Err(Errno::ESRCH),
        p => {
            let pgid = if p == 0 { super::identity::pgid(t) } else { -p };
            let procs = t.k.procs.lock();
            all.into_iter()
                .filter(|x| {
                    procs
                        .procs
                        .get(&x.tgid)
                        .is_some_and(|e| e.pgid == pgid && e.exit.is_none())
                })
                .collect()
        }
    };
    if targets.is_empty() {
        // A zombie still exists for kill(2): the signal just has no effect.
        if pid > 0 && t.k.procs.is_zombie(pid) {
            return Ok(0);
        }
        return Err(Errno::ESRCH);
    }
    if sig != 0 {
        for x in &targets {
            send(t, x, sig);
        }
    }
    Ok(0)
}

fn sys_tkill(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (tid, sig) = (a[0] as i32, a[1] as i32);
    if tid <= 0 {
        return Err(Errno::EINVAL);
    }
    thread_kill(t, None, tid, sig)
}

fn sys_tgkill(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (tgid, tid, sig) = (a[0] as i32, a[1] as i32, a[2] as i32);
    if tgid <= 0 || tid <= 0 {
        return Err(Errno::EINVAL);
    }
    thread_kill(t, Some(tgid), tid, sig)
}

fn thread_kill(t: &Task, tgid: Option<i32>, tid: i32, sig: i32) -> SysResult {
    if !valid_signal(sig) {
        return Err(Errno::EINVAL);
    }
    let target =
        t.k.tasks
            .get(tid)
            .filter(|x| tgid.is_none_or(|g| g == x.tgid))
            .ok_or(Errno::ESRCH)?;
    if sig != 0 {
        target.send(
            sig,
            syscalls::abi::Siginfo::kill(sig, SI_TKILL, t.tgid, t.creds.ruid),
        );
    }
    Ok(0)
}

fn sys_rt_sigtimedwait(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (set_ptr, info_ptr, ts_ptr, size) = (a[0], a[1], a[2], a[3]);
    if size != SIGSET_SIZE {
        return Err(Errno::EINVAL);
    }
    let set: u64 = t.mm.read_obj(set_ptr)?;
    let set = set & !UNBLOCKABLE;
    let deadline = if ts_ptr != 0 {
        let ts: syscalls::abi::Timespec = t.mm.read_obj(ts_ptr)?;
        if !super::time::timespec_valid(&ts) {
            return Err(Errno::EINVAL);
        }
        Some(super::time::deadline_after(std::time::Duration::new(
            ts.tv_sec as u64,
            ts.tv_nsec as u32,
        )))
    } else {
        None
    };
    let take = |t: &mut Task| -> Result<Option<u64>, Errno> {
        while let Some((sig, mut info)) = t.shared.dequeue_from(set) {
            if !t.k.timers.signal_dequeued(t.tgid, &mut info) {
                continue;
            }
            if info_ptr != 0 {
                t.mm.write_obj(info_ptr, &info)?;
            }
            return Ok(Some(sig as u64));
        }
        Ok(None)
    };
    if let Some(sig) = take(t)? {
        return Ok(sig);
    }
    // Wait with the set unblocked, so its signals (and any other unblocked
    // one, which then interrupts) wake us.
    let old = t.mask();
    t.set_mask(old & !set);
    let shared = t.shared.clone();
    let r = crate::kernel::wait::block_on(&[], deadline, || {
        let pending = shared.queue().pending | shared.group.queue().pending;
        (pending & set != 0).then_some(())
    });
    t.set_mask(old);
    if let Some(sig) = take(t)? {
        return Ok(sig);
    }
    match r {
        Err(crate::kernel::wait::WaitError::TimedOut) => Err(Errno::EAGAIN),
        _ => Err(Errno::EINTR),
    }
}

/// The siginfo of rt_sigqueueinfo/rt_tgsigqueueinfo, with Linux's check:
/// a process may not forge kernel or kill()-style codes for others.
fn queued_info(t: &Task, ptr: u64, sig: i32, target_tgid: i32) -> Result<Siginfo, Errno> {
    let mut info: Siginfo = t.mm.read_obj(ptr)?;
    if (info.code() >= 0 || info.code() == SI_TKILL) && target_tgid != t.tgid {
        return Err(Errno::EPERM);
    }
    info.set_signo(sig);
    Ok(info)
}

fn sys_rt_sigqueueinfo(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (tgid, sig) = (a[0] as i32, a[1] as i32);
    if !valid_signal(sig) {
        return Err(Errno::EINVAL);
    }
    let info = queued_info(t, a[2], sig, tgid)?;
    let g = if tgid > 0 {
        t.k.tasks.group(tgid)
    } else {
        None
    }
    .ok_or(Errno::ESRCH)?;
    if sig != 0 {
        g.send(sig, info);
    }
    Ok(0)
}

fn sys_rt_tgsigqueueinfo(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (tgid, tid, sig) = (a[0] as i32, a[1] as i32, a[2] as i32);
    if tgid <= 0 || tid <= 0 || !valid_signal(sig) {
        return Err(Errno::EINVAL);
    }
    let info = queued_info(t, a[3], sig, tgid)?;
    let target =
        t.k.tasks
            .get(tid)
            .filter(|x| x.tgid == tgid)
            .ok_or(Errno::ESRCH)?;
    if sig != 0 {
        target.send(sig, info);
    }
    Ok(0)
}

fn sys_rt_sigsuspend(t: &mut Task, a: &[u64; 6]) -> SysResult {
    if a[1] != SIGSET_SIZE {
        return Err(Errno::EINVAL);
    }
    let mask: u64 = t.mm.read_obj(a[0])?;
    let old = t.mask();
    t.set_mask(mask);
    t.saved_mask = Some(old);
    t.shared.wait_unblocked(t.mask());
    Err(Errno::ERESTARTNOHAND)
}

fn sys_pause(t: &mut Task, _a: &[u64; 6]) -> SysResult {
    t.shared.wait_unblocked(t.mask());
    Err(Errno::ERESTARTNOHAND)
}

fn sys_rt_sigreturn(t: &mut Task, _a: &[u64; 6]) -> SysResult {
    if t.sigreturn().is_err() {
        t.exit = Some(crate::kernel::ExitStatus::Signaled {
            signal: SIGSEGV,
            core: false,
        });
    }
    t.regs_replaced = true;
    Ok(0)
}

/// Whether `sp` is on the alternate stack `ss` (Linux's on_sig_stack: never
/// with SS_AUTODISARM, whose stack is disarmed while in use).
pub fn on_sig_stack(ss: &StackT, sp: u64) -> bool {
    if ss.ss_flags & SS_AUTODISARM != 0 {
        return false;
    }
    sp > ss.ss_sp && sp - ss.ss_sp <= ss.ss_size
}

/// The flags sigaltstack reports for the current stack.
pub fn reported_flags(ss: &StackT, sp: u64) -> i32 {
    let mode = if ss.ss_size == 0 {
        SS_DISABLE
    } else if on_sig_stack(ss, sp) {
        SS_ONSTACK
    } else {
        0
    };
    mode | (ss.ss_flags & SS_AUTODISARM)
}

/// Linux's do_sigaltstack for a new stack: the stack to record, `None` for
/// a no-op, or the errno.
pub fn new_altstack(cur: &StackT, sp: u64, req: &StackT) -> Result<Option<StackT>, Errno> {
    if on_sig_stack(cur, sp) {
        return Err(Errno::EPERM);
    }
    let flags = req.ss_flags;
    let mode = flags & !SS_AUTODISARM;
    if mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0 {
        return Err(Errno::EINVAL);
    }
    if cur.ss_sp == req.ss_sp && cur.ss_size == req.ss_size && cur.ss_flags == flags {
        return Ok(None);
    }
    if mode == SS_DISABLE {
        return Ok(Some(StackT {
            ss_sp: 0,
            ss_flags: flags,
            _pad0: 0,
            ss_size: 0,
        }));
    }
    if req.ss_size < MINSIGSTKSZ {
        return Err(Errno::ENOMEM);
    }
    Ok(Some(StackT {
        ss_sp: req.ss_sp,
        ss_flags: flags,
        _pad0: 0,
        ss_size: req.ss_size,
    }))
}

fn sys_sigaltstack(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (ss_ptr, old_ptr) = (a[0], a[1]);
    let req = if ss_ptr != 0 {
        Some(t.mm.read_obj::<StackT>(ss_ptr)?)
    } else {
        None
    };
    let sp = t.regs.rsp;
    let cur = t.sig.altstack;
    let old = StackT {
        ss_sp: cur.ss_sp,
        ss_flags: reported_flags(&cur, sp),
        _pad0: 0,
        ss_size: cur.ss_size,
    };
    if let Some(req) = req {
        if let Some(new) = new_altstack(&cur, sp, &req)? {
            t.sig.altstack = new;
        }
    }
    if old_ptr != 0 {
        t.mm.write_obj(old_ptr, &old)?;
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use syscalls::consts::SIGUSR2;

    fn stack(sp: u64, size: u64, flags: i32) -> StackT {
        StackT {
            ss_sp: sp,
            ss_flags: flags,
            _pad0: 0,
            ss_size: size,
        }
    }

    #[test]
    fn sigaction_rules() {
        assert_eq!(sigaction_slot(0, false), Err(Errno::EINVAL));
        assert_eq!(sigaction_slot(65, false), Err(Errno::EINVAL));
        assert_eq!(sigaction_slot(-1, false), Err(Errno::EINVAL));
        assert_eq!(sigaction_slot(64, false), Ok(63));
        assert_eq!(sigaction_slot(SIGKILL, false), Ok(8));
        assert_eq!(sigaction_slot(SIGKILL, true), Err(Errno::EINVAL));
        assert_eq!(sigaction_slot(SIGSTOP, true), Err(Errno::EINVAL));
        let act = KernelSigaction {
            handler: 0x1000,
            flags: SA_RESTORER | SA_SIGINFO | 0x400 | (1 << 40),
            restorer: 0x2000,
            mask: sigbit(SIGUSR2) | sigbit(SIGKILL) | sigbit(SIGSTOP) | (1 << 40),
        };
        let s = sanitize_action(act);
        assert_eq!(s.flags, SA_RESTORER | SA_SIGINFO);
        assert_eq!(s.mask, sigbit(SIGUSR2) | (1 << 40));
    }

    #[test]
    fn masks() {
        let all = apply_mask(SIG_SETMASK, 0, u64::MAX);
        assert_eq!(all, Ok(!UNBLOCKABLE));
        assert_eq!(apply_mask(SIG_BLOCK, 1, 2), Ok(3));
        assert_eq!(apply_mask(SIG_UNBLOCK, 3, 2), Ok(1));
        assert_eq!(apply_mask(3, 0, 0), Err(Errno::EINVAL));
        assert_eq!(apply_mask(-1, 0, 0), Err(Errno::EINVAL));
    }

    #[test]
    fn defaults() {
        assert_eq!(default_action(SIGCHLD), DefaultAction::Ignore);
        assert_eq!(default_action(SIGSEGV), DefaultAction::Core);
        assert_eq!(default_action(15), DefaultAction::Terminate);
        assert_eq!(default_action(40), DefaultAction::Terminate);
        assert!(handler_ignores(SIGWINCH, SIG_DFL));
        assert!(handler_ignores(15, SIG_IGN));
        assert!(!handler_ignores(15, SIG_DFL));
        assert!(!handler_ignores(SIGCHLD, 0x1234));
    }

    #[test]
    fn altstacks() {
        let none = stack(0, 0, SS_DISABLE);
        assert_eq!(reported_flags(&none, 0x5000), SS_DISABLE);
        let s = stack(0x1000, 0x4000, 0);
        assert_eq!(reported_flags(&s, 0x2000), SS_ONSTACK);
        assert_eq!(reported_flags(&s, 0x1000), 0);
        assert_eq!(reported_flags(&s, 0x5000), SS_ONSTACK);
        assert_eq!(reported_flags(&s, 0x5001), 0);
        let ad = stack(0x1000, 0x4000, SS_AUTODISARM);
        assert_eq!(reported_flags(&ad, 0x2000), SS_AUTODISARM);
        // Changing it while on it.
        assert_eq!(
            new_altstack(&s, 0x2000, &stack(0x9000, 0x4000, 0)),
            Err(Errno::EPERM)
        );
        // Too small, bad flags, disable ignoring size and pointer.
        assert_eq!(
            new_altstack(&none, 0, &stack(0x9000, 1024, 0)),
            Err(Errno::ENOMEM)
        );
        assert_eq!(
            new_altstack(&none, 0, &stack(0x9000, 0x4000, 0x1234)),
            Err(Errno::EINVAL)
        );
        assert_eq!(
            new_altstack(&s, 0, &stack(0x77, 5, SS_DISABLE)),
            Ok(Some(stack(0, 0, SS_DISABLE)))
        );
        assert_eq!(new_altstack(&s, 0, &s), Ok(None));
        assert_eq!(
            new_altstack(&none, 0, &stack(0x9000, 0x4000, SS_ONSTACK)),
            Ok(Some(stack(0x9000, 0x4000, SS_ONSTACK)))
        );
    }
}
