//! Syscall handlers: files that are not files — eventfd, epoll, timerfd and
//! signalfd (the objects live in `fs::{eventfd, epoll, timerfd, signalfd}`).

use super::file::nofile;
use super::poll::set_user_sigmask;
use super::signal::UNBLOCKABLE;
use super::time::{deadline_after, timespec_valid};
use super::{Support, SysResult, Table};
use crate::fs::epoll::{as_epoll, check_events, new_epoll, RECHECK};
use crate::fs::eventfd::{new_eventfd, EFD_SEMAPHORE};
use crate::fs::signalfd::{as_signalfd, new_signalfd};
use crate::fs::timerfd::{as_timerfd, new_timerfd, ts_ns};
use crate::kernel::task::Task;
use crate::kernel::timers::{Ns, NSEC_PER_SEC};
use crate::kernel::wait::{block_on, WaitError};
use crate::vfs::File;
use std::sync::Arc;
use std::time::{Duration, Instant};
use syscalls::abi::{Itimerspec, Timespec};
use syscalls::consts::{
    CLOCK_BOOTTIME, CLOCK_BOOTTIME_ALARM, CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_REALTIME_ALARM,
    EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD, O_CLOEXEC, O_NONBLOCK, S_IFDIR, S_IFMT, S_IFREG,
    TFD_TIMER_ABSTIME, TFD_TIMER_CANCEL_ON_SET,
};
use syscalls::nr;
use syscalls::Errno;

pub fn register(t: &mut Table) {
    t.set(nr::EVENTFD, sys_eventfd, Support::Full);
    t.set(nr::EVENTFD2, sys_eventfd2, Support::Full);
    t.set(nr::EPOLL_CREATE, sys_epoll_create, Support::Full);
    t.set(nr::EPOLL_CREATE1, sys_epoll_create1, Support::Full);
    t.set(
        nr::EPOLL_CTL,
        sys_epoll_ctl,
        Support::Partial(
            "EPOLLEXCLUSIVE is validated but every waiter wakes; the nesting depth is \
             checked below the added epoll only; EPERM only for regular files and directories",
        ),
    );
    let wait = "files without a wait queue (host fds, timerfds) are re-checked every 10 ms";
    t.set(nr::EPOLL_WAIT, sys_epoll_wait, Support::Partial(wait));
    t.set(nr::EPOLL_PWAIT, sys_epoll_pwait, Support::Partial(wait));
    t.set(nr::EPOLL_PWAIT2, sys_epoll_pwait2, Support::Partial(wait));
    t.set(nr::TIMERFD_CREATE, sys_timerfd_create, Support::Full);
    t.set(
        nr::TIMERFD_SETTIME,
        sys_timerfd_settime,
        Support::Partial(
            "TFD_TIMER_CANCEL_ON_SET is accepted but never cancels; pollers see an expiry \
             within 10 ms",
        ),
    );
    t.set(nr::TIMERFD_GETTIME, sys_timerfd_gettime, Support::Full);
    t.set(nr::SIGNALFD, sys_signalfd, Support::Full);
    t.set(nr::SIGNALFD4, sys_signalfd4, Support::Full);
}

fn install(t: &Task, f: Arc<File>, cloexec: bool) -> SysResult {
    Ok(t.fds.install(f, cloexec, 0, nofile(t))? as u64)
}

/// fdget: O_PATH descriptions do not count.
fn get(t: &Task, fd: i32) -> Result<Arc<File>, Errno> {
    t.fds
        .get(fd)
        .ok()
        .filter(|f| !f.is_path())
        .ok_or(Errno::EBADF)
}

// ---- eventfd ----

fn do_eventfd(t: &Task, init: u64, flags: u32) -> SysResult {
    if flags & !(O_CLOEXEC | O_NONBLOCK | EFD_SEMAPHORE) != 0 {
        return Err(Errno::EINVAL);
    }
    let f = new_eventfd(init, flags & EFD_SEMAPHORE != 0, flags);
    install(t, f, flags & O_CLOEXEC != 0)
}

fn sys_eventfd(t: &mut Task, a: &[u64; 6]) -> SysResult {
    do_eventfd(t, u64::from(a[0] as u32), 0)
}

fn sys_eventfd2(t: &mut Task, a: &[u64; 6]) -> SysResult {
    do_eventfd(t, u64::from(a[0] as u32), a[1] as u32)
}

// ---- epoll ----

/// Linux's EP_MAX_EVENTS: INT_MAX / sizeof(struct epoll_event).
const EP_MAX_EVENTS: i32 = i32::MAX / EVENT_SIZE as i32;
/// sizeof(struct epoll_event) on x86_64 (packed).
const EVENT_SIZE: usize = 12;

fn sys_epoll_create(t: &mut Task, a: &[u64; 6]) -> SysResult {
    if (a[0] as i32) <= 0 {
        return Err(Errno::EINVAL);
    }
    install(t, new_epoll(), false)
}

fn sys_epoll_create1(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let flags = a[0] as u32;
    if flags & !O_CLOEXEC != 0 {
        return Err(Errno::EINVAL);
    }
    install(t, new_epoll(), flags & O_CLOEXEC != 0)
}

/// Whether epoll may watch the file (Linux: it has a poll method; regular
/// files and directories do not).
fn can_poll(f: &File) -> bool {
    // Message queues are regular files with a poll method.
    crate::fs::mqueue::MqFile::of(f).is_ok()
        || f.stat()
            .map(|s| !matches!(s.st_mode & S_IFMT, S_IFREG | S_IFDIR))
            .unwrap_or(true)
}

fn sys_epoll_ctl(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (epfd, op, fd, evp) = (a[0] as i32, a[1] as i32, a[2] as i32, a[3]);
    let (events, data) = if op != EPOLL_CTL_DEL {
        // struct epoll_event is packed: u32 events, then u64 data.
        let raw: [u8; EVENT_SIZE] = t.mm.read_obj(evp)?;
        let (e, d) = raw.split_at(4);
        let e: [u8; 4] = e.try_into().map_err(|_| Errno::EFAULT)?;
        let d: [u8; 8] = d.try_into().map_err(|_| Errno::EFAULT)?;
        (u32::from_ne_bytes(e), u64::from_ne_bytes(d))
    } else {
        (0, 0)
    };
    let f = get(t, epfd)?;
    let tf = get(t, fd)?;
    if !can_poll(&tf) {
        return Err(Errno::EPERM);
    }
    if Arc::ptr_eq(&f, &tf) {
        return Err(Errno::EINVAL);
    }
    let ep = as_epoll(&f).ok_or(Errno::EINVAL)?;
    let events = if op != EPOLL_CTL_DEL {
        check_events(events, op == EPOLL_CTL_ADD, as_epoll(&tf).is_some())?
    } else {
        events
    };
    match op {
        EPOLL_CTL_ADD => ep.add(&tf, fd, events, data)?,
        EPOLL_CTL_MOD => ep.modify(&tf, fd, events, data)?,
        EPOLL_CTL_DEL => ep.delete(&tf, fd)?,
        _ => return Err(Errno::EINVAL),
    }
    Ok(0)
}

/// Linux's do_epoll_wait; `deadline` None = forever.
fn do_epoll_wait(
    t: &Task,
    epfd: i32,
    addr: u64,
    maxevents: i32,
    deadline: Option<Instant>,
) -> SysResult {
    if maxevents <= 0 || maxevents > EP_MAX_EVENTS {
        return Err(Errno::EINVAL);
    }
    let f = get(t, epfd)?;
    let ep = as_epoll(&f).ok_or(Errno::EINVAL)?;
    let max = maxevents as usize;
    let first = ep.scan(Some(max));
    let mut recheck = first.recheck;
    let events = if !first.events.is_empty() || deadline.is_some_and(|d| Instant::now() >= d) {
        first.events
    } else {
        loop {
            let mut until = deadline;
            if recheck {
                let next = Instant::now() + RECHECK;
                until = Some(until.map_or(next, |d| d.min(next)));
            }
            let r = block_on(&[ep.queue()], until, || {
                let s = ep.scan(Some(max));
                recheck = s.recheck;
                (!s.events.is_empty()).then_some(s.events)
            });
            match r {
                Ok(ev) => break ev,
                Err(WaitError::TimedOut) if deadline.is_some_and(|d| Instant::now() >= d) => {
                    break Vec::new()
                }
                Err(WaitError::TimedOut) => continue,
                Err(WaitError::Interrupted) => return Err(Errno::EINTR),
            }
        }
    };
    let mut raw = Vec::with_capacity(events.len() * EVENT_SIZE);
    for (ev, data) in &events {
        raw.extend_from_slice(&ev.to_ne_bytes());
        raw.extend_from_slice(&data.to_ne_bytes());
    }
    if !raw.is_empty() {
        t.mm.copy_out(addr, &raw)?;
    }
    Ok(events.len() as u64)
}

/// An epoll_wait timeout in milliseconds (negative: forever).
fn ms_deadline(ms: i32) -> Option<Instant> {
    u64::try_from(ms)
        .ok()
        .map(|ms| deadline_after(Duration::from_millis(ms)))
}

/// Restore the mask of epoll_pwait: after the handler if interrupted.
fn finish_pwait(t: &mut Task, old: Option<u64>, ret: SysResult) -> SysResult {
    if let Some(old) = old {
        if ret == Err(Errno::EINTR) {
            t.saved_mask = Some(old);
        } else {
            t.set_mask(old);
        }
    }
    ret
}

fn sys_epoll_wait(t: &mut Task, a: &[u64; 6]) -> SysResult {
    do_epoll_wait(t, a[0] as i32, a[1], a[2] as i32, ms_deadline(a[3] as i32))
}

fn sys_epoll_pwait(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let old = set_user_sigmask(t, a[4], a[5])?;
    let ret = do_epoll_wait(t, a[0] as i32, a[1], a[2] as i32, ms_deadline(a[3] as i32));
    finish_pwait(t, old, ret)
}

fn sys_epoll_pwait2(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let deadline = if a[3] == 0 {
        None
    } else {
        let ts: Timespec = t.mm.read_obj(a[3])?;
        if !timespec_valid(&ts) {
            return Err(Errno::EINVAL);
        }
        Some(deadline_after(Duration::new(
            ts.tv_sec as u64,
            ts.tv_nsec as u32,
        )))
    };
    let old = set_user_sigmask(t, a[4], a[5])?;
    let ret = do_epoll_wait(t, a[0] as i32, a[1], a[2] as i32, deadline);
    finish_pwait(t, old, ret)
}

// ---- timerfd ----

fn sys_timerfd_create(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (clock, flags) = (a[0] as i32, a[1] as u32);
    if flags & !(O_CLOEXEC | O_NONBLOCK) != 0 {
        return Err(Errno::EINVAL);
    }
    // The ALARM clocks read as their base clocks (nothing suspends).
    let host = match clock {
        CLOCK_REALTIME | CLOCK_REALTIME_ALARM => CLOCK_REALTIME,
        CLOCK_MONOTONIC => CLOCK_MONOTONIC,
        CLOCK_BOOTTIME | CLOCK_BOOTTIME_ALARM => CLOCK_BOOTTIME,
        _ => return Err(Errno::EINVAL),
    };
    install(t, new_timerfd(host, flags), flags & O_CLOEXEC != 0)
}

fn ns_ts(ns: Ns) -> Timespec {
    let ns = ns.max(0);
    Timespec {
        tv_sec: i64::try_from(ns / NSEC_PER_SEC).unwrap_or(i64::MAX),
        tv_nsec: (ns % NSEC_PER_SEC) as i64,
    }
}

fn itimerspec((value, interval): (Ns, Ns)) -> Itimerspec {
    Itimerspec {
        it_interval: ns_ts(interval),
        it_value: ns_ts(value),
    }
}

fn sys_timerfd_settime(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (fd, flags) = (a[0] as i32, a[1] as u32);
    let spec: Itimerspec = t.mm.read_obj(a[2])?;
    if flags & !(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET) != 0
        || !timespec_valid(&spec.it_value)
        || !timespec_valid(&spec.it_interval)
    {
        return Err(Errno::EINVAL);
    }
    let f = get(t, fd)?;
    let tf = as_timerfd(&f).ok_or(Errno::EINVAL)?;
    let value = ts_ns(spec.it_value.tv_sec, spec.it_value.tv_nsec);
    let interval = ts_ns(spec.it_interval.tv_sec, spec.it_interval.tv_nsec);
    let old = tf.set(value, interval, flags & TFD_TIMER_ABSTIME != 0);
    if a[3] != 0 {
        t.mm.write_obj(a[3], &itimerspec(old))?;
    }
    Ok(0)
}

fn sys_timerfd_gettime(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let f = get(t, a[0] as i32)?;
    let tf = as_timerfd(&f).ok_or(Errno::EINVAL)?;
    t.mm.write_obj(a[1], &itimerspec(tf.get()))?;
    Ok(0)
}

// ---- signalfd ----

fn do_signalfd4(t: &Task, fd: i32, mask_ptr: u64, size: u64, flags: u32) -> SysResult {
    if size != 8 {
        return Err(Errno::EINVAL);
    }
    let mask: u64 = t.mm.read_obj(mask_ptr)?;
    if flags & !(O_CLOEXEC | O_NONBLOCK) != 0 {
        return Err(Errno::EINVAL);
    }
    let mask = mask & !UNBLOCKABLE;
    if fd == -1 {
        let f = new_signalfd(&t.k, t.shared.group.clone(), mask, flags);
        return install(t, f, flags & O_CLOEXEC != 0);
    }
    let f = get(t, fd)?;
    as_signalfd(&f).ok_or(Errno::EINVAL)?.set_mask(mask);
    Ok(fd as u64)
}

fn sys_signalfd(t: &mut Task, a: &[u64; 6]) -> SysResult {
    do_signalfd4(t, a[0] as i32, a[1], a[2], 0)
}

fn sys_signalfd4(t: &mut Task, a: &[u64; 6]) -> SysResult {
    do_signalfd4(t, a[0] as i32, a[1], a[2], a[3] as u32)
}
