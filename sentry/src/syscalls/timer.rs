//! Syscall handlers: interval timers (getitimer, setitimer, alarm) and POSIX
//! timers (timer_create, timer_settime, timer_gettime, timer_getoverrun,
//! timer_delete). They decode and validate as Linux does, in Linux's order
//! (which decides the errno when several arguments are bad), then call the
//! timer service, [`crate::kernel::timers`].

use super::time::{decode_clock, timespec_valid, ClockId};
use super::{Support, SysResult, Table};
use crate::kernel::task::Task;
use crate::kernel::timers::{
    Clock, CpuKind, CpuSource, Notify, Ns, Setting, ITIMER_PROF, ITIMER_REAL, ITIMER_VIRTUAL,
    KTIME_MAX, NSEC_PER_SEC,
};
use syscalls::abi::{Itimerspec, Itimerval, Sigevent, Timespec, Timeval};
use syscalls::{consts, nr, Errno};

pub fn register(t: &mut Table) {
    let itimer = "ITIMER_VIRTUAL/PROF run on the app's host CPU time (stub + serving sentry \
                  thread), checked every 4 ms; getitimer(ITIMER_REAL) while SIGALRM is pending \
                  shows the next period (Linux: 0)";
    t.set(nr::GETITIMER, sys_getitimer, Support::Partial(itimer));
    t.set(nr::SETITIMER, sys_setitimer, Support::Partial(itimer));
    t.set(nr::ALARM, sys_alarm, Support::Full);
    let posix = "wall clocks run on the host monotonic clock (no clock-set or suspend \
                 adjustment); CPU clocks only of the calling process/thread; alarm clocks \
                 EOPNOTSUPP/EPERM as the host";
    t.set(nr::TIMER_CREATE, sys_timer_create, Support::Partial(posix));
    t.set(
        nr::TIMER_SETTIME,
        sys_timer_settime,
        Support::Partial(posix),
    );
    t.set(nr::TIMER_GETTIME, sys_timer_gettime, Support::Full);
    t.set(nr::TIMER_GETOVERRUN, sys_timer_getoverrun, Support::Full);
    t.set(nr::TIMER_DELETE, sys_timer_delete, Support::Full);
}

fn which_itimer(which: u64) -> Result<usize, Errno> {
    match which as i32 {
        consts::ITIMER_REAL => Ok(ITIMER_REAL),
        consts::ITIMER_VIRTUAL => Ok(ITIMER_VIRTUAL),
        consts::ITIMER_PROF => Ok(ITIMER_PROF),
        _ => Err(Errno::EINVAL),
    }
}

fn ts_ns(ts: &Timespec) -> Ns {
    (Ns::from(ts.tv_sec) * NSEC_PER_SEC + Ns::from(ts.tv_nsec)).min(KTIME_MAX)
}

fn ns_ts(ns: Ns) -> Timespec {
    let ns = ns.clamp(0, KTIME_MAX);
    Timespec {
        tv_sec: (ns / NSEC_PER_SEC) as i64,
        tv_nsec: (ns % NSEC_PER_SEC) as i64,
    }
}

fn ns_tv(ns: Ns) -> Timeval {
    let ts = ns_ts(ns);
    Timeval {
        tv_sec: ts.tv_sec,
        tv_usec: ts.tv_nsec / 1000,
    }
}

/// A timeval as Linux's get_itimerval + timespec64_valid see it.
fn tv_ts(tv: &Timeval) -> Result<Timespec, Errno> {
    if tv.tv_sec < 0 || !(0..1_000_000).contains(&tv.tv_usec) {
        return Err(Errno::EINVAL);
    }
    Ok(Timespec {
        tv_sec: tv.tv_sec,
        tv_nsec: tv.tv_usec * 1000,
    })
}

fn itimerval(s: Setting) -> Itimerval {
    Itimerval {
        it_interval: ns_tv(s.interval),
        it_value: ns_tv(s.value),
    }
}

fn itimerspec(s: Setting) -> Itimerspec {
    Itimerspec {
        it_interval: ns_ts(s.interval),
        it_value: ns_ts(s.value),
    }
}

fn sys_getitimer(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let which = which_itimer(a[0])?;
    let cur = t.k.timers.get_itimer(t.tgid, CpuSource::of(t), which);
    t.mm.write_obj(a[1], &itimerval(cur))?;
    Ok(0)
}

fn sys_setitimer(t: &mut Task, a: &[u64; 6]) -> SysResult {
    // A NULL new value disarms (a Linux misfeature, kept).
    let new = if a[1] != 0 {
        let v: Itimerval = t.mm.read_obj(a[1])?;
        Setting {
            value: ts_ns(&tv_ts(&v.it_value)?),
            interval: ts_ns(&tv_ts(&v.it_interval)?),
        }
    } else {
        Setting::default()
    };
    let which = which_itimer(a[0])?;
    let k = t.k.clone();
    let old = k
        .timers
        .set_itimer(&k, t.tgid, CpuSource::of(t), which, new);
    if a[2] != 0 {
        t.mm.write_obj(a[2], &itimerval(old))?;
    }
    Ok(0)
}

/// alarm(2)'s return value: the old ITIMER_REAL value in seconds, rounded
/// as Linux's alarm_setitimer does (never 0 for a pending alarm).
fn alarm_secs(old: Ns) -> u64 {
    let ts = ns_ts(old);
    let mut secs = ts.tv_sec as u64;
    if (ts.tv_sec == 0 && ts.tv_nsec != 0) || ts.tv_nsec >= NSEC_PER_SEC as i64 / 2 {
        secs += 1;
    }
    secs
}

fn sys_alarm(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let secs = a[0] as u32;
    let new = Setting {
        value: Ns::from(secs) * NSEC_PER_SEC,
        interval: 0,
    };
    let k = t.k.clone();
    let old = k
        .timers
        .set_itimer(&k, t.tgid, CpuSource::of(t), ITIMER_REAL, new);
    Ok(alarm_secs(old.value))
}

/// How timer_create treats a clock before allocating an id.
enum Kind {
    Host(i32),
    Alarm(i32),
    Cpu(ClockId),
}

fn timer_clock(id: i32) -> Result<Kind, Errno> {
    use consts::*;
    match decode_clock(id)? {
        ClockId::Host(h) => match h {
            CLOCK_REALTIME | CLOCK_MONOTONIC | CLOCK_BOOTTIME | CLOCK_TAI => Ok(Kind::Host(h)),
            CLOCK_REALTIME_ALARM | CLOCK_BOOTTIME_ALARM => Ok(Kind::Alarm(h)),
            // MONOTONIC_RAW and the COARSE clocks have no timers.
            _ => Err(Errno::EOPNOTSUPP),
        },
        ClockId::Fd => Err(Errno::EOPNOTSUPP),
        c => Ok(Kind::Cpu(c)),
    }
}

/// Linux's good_sigevent: what the timer notifies, or EINVAL.
fn notify_of(t: &Task, ev: &Sigevent) -> Result<Notify, Errno> {
    let signo_ok = (1..=consts::SIGRTMAX).contains(&ev.sigev_signo);
    match ev.sigev_notify {
        consts::SIGEV_NONE => Ok(Notify::None),
        consts::SIGEV_SIGNAL | consts::SIGEV_THREAD if signo_ok => Ok(Notify::Signal {
            sig: ev.sigev_signo,
            value: ev.sigev_value,
            thread: None,
        }),
        consts::SIGEV_THREAD_ID => {
            let tid = ev.notify_thread_id;
            let ours = t.k.tasks.get(tid).is_some_and(|s| s.tgid == t.tgid);
            if !ours || !signo_ok {
                return Err(Errno::EINVAL);
            }
            Ok(Notify::Signal {
                sig: ev.sigev_signo,
                value: ev.sigev_value,
                thread: Some(tid),
            })
        }
        _ => Err(Errno::EINVAL),
    }
}

/// The timeline of a CPU-clock timer: only the caller's own clocks.
fn cpu_clock(t: &Task, c: ClockId) -> Result<Clock, Errno> {
    let kind = |k: i32| match k {
        0 => Ok(CpuKind::Prof),
        1 => Ok(CpuKind::Virt),
        2 => Ok(CpuKind::Sched),
        _ => Err(Errno::EINVAL),
    };
    match c {
        ClockId::Process => Ok(Clock::ProcCpu(CpuKind::Sched)),
        ClockId::Thread => Ok(Clock::ThreadCpu(CpuSource::of(t), CpuKind::Sched)),
        ClockId::Cpu {
            pid,
            perthread,
            kind: k,
        } => {
            let k = kind(k)?;
            if perthread && (pid == 0 || pid == t.tid) {
                Ok(Clock::ThreadCpu(CpuSource::of(t), k))
            } else if !perthread && (pid == 0 || pid == t.tgid) {
                Ok(Clock::ProcCpu(k))
            } else {
                Err(Errno::EINVAL)
            }
        }
        _ => Err(Errno::EINVAL),
    }
}

fn sys_timer_create(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let ev: Option<Sigevent> = if a[1] != 0 {
        Some(t.mm.read_obj(a[1])?)
    } else {
        None
    };
    let kind = timer_clock(a[0] as i32)?;
    // From here on the id is consumed even if creation fails, as in Linux.
    let svc = &t.k.timers;
    let id = svc.reserve_id(t.tgid);
    let notify = match &ev {
        Some(ev) => notify_of(t, ev)?,
        None => Notify::Signal {
            sig: consts::SIGALRM,
            value: id as u64,
            thread: None,
        },
    };
    t.mm.write_obj(a[2], &id)?;
    let clock = match kind {
        Kind::Host(h) => Clock::Mono(h),
        // Without an RTC the host refuses alarm timers; with one, the
        // sandbox has no CAP_WAKE_ALARM.
        Kind::Alarm(h) => {
            return Err(match crate::kernel::timers::host_clock_ns(h) {
                Some(_) => Errno::EPERM,
                None => Errno::EOPNOTSUPP,
            })
        }
        Kind::Cpu(c) => cpu_clock(t, c)?,
    };
    t.k.timers
        .create(t.tgid, CpuSource::of(t), id, clock, notify);
    Ok(0)
}

fn timer_id(a: u64) -> i32 {
    a as i32
}

fn sys_timer_settime(t: &mut Task, a: &[u64; 6]) -> SysResult {
    if a[2] == 0 {
        return Err(Errno::EINVAL);
    }
    let spec: Itimerspec = t.mm.read_obj(a[2])?;
    if !timespec_valid(&spec.it_value) || !timespec_valid(&spec.it_interval) {
        return Err(Errno::EINVAL);
    }
    // Flags other than TIMER_ABSTIME are ignored, as in Linux.
    let abs = (a[1] as i32) & consts::TIMER_ABSTIME != 0;
    let new = Setting {
        value: ts_ns(&spec.it_value),
        interval: ts_ns(&spec.it_interval),
    };
    let k = t.k.clone();
    let old = k
        .timers
        .settime(&k, t.tgid, CpuSource::of(t), timer_id(a[0]), abs, new)
        .ok_or(Errno::EINVAL)?;
    if a[3] != 0 {
        t.mm.write_obj(a[3], &itimerspec(old))?;
    }
    Ok(0)
}

fn sys_timer_gettime(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let cur =
        t.k.timers
            .gettime(t.tgid, CpuSource::of(t), timer_id(a[0]))
            .ok_or(Errno::EINVAL)?;
    t.mm.write_obj(a[1], &itimerspec(cur))?;
    Ok(0)
}

fn sys_timer_getoverrun(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let n =
        t.k.timers
            .getoverrun(t.tgid, timer_id(a[0]))
            .ok_or(Errno::EINVAL)?;
    Ok(n as u64)
}

fn sys_timer_delete(t: &mut Task, a: &[u64; 6]) -> SysResult {
    if t.k.timers.delete(t.tgid, timer_id(a[0])) {
        Ok(0)
    } else {
        Err(Errno::EINVAL)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alarm_rounding() {
        let ms = |m: i128| m * 1_000_000;
        assert_eq!(alarm_secs(0), 0);
        assert_eq!(alarm_secs(ms(400)), 1);
        assert_eq!(alarm_secs(ms(600)), 1);
        assert_eq!(alarm_secs(ms(2400)), 2);
        assert_eq!(alarm_secs(ms(2600)), 3);
        assert_eq!(alarm_secs(1), 1);
    }

    #[test]
    fn timevals() {
        assert!(tv_ts(&Timeval {
            tv_sec: 0,
            tv_usec: 1_000_000
        })
        .is_err());
        assert!(tv_ts(&Timeval {
            tv_sec: -1,
            tv_usec: 0
        })
        .is_err());
        assert!(tv_ts(&Timeval {
            tv_sec: 0,
            tv_usec: -1
        })
        .is_err());
        let tv = ns_tv(1_500_000_999);
        assert_eq!((tv.tv_sec, tv.tv_usec), (1, 500_000));
        assert_eq!(
            ns_ts(KTIME_MAX * 2).tv_sec,
            (KTIME_MAX / NSEC_PER_SEC) as i64
        );
    }

    #[test]
    fn clocks() {
        assert!(matches!(timer_clock(0), Ok(Kind::Host(0))));
        assert_eq!(timer_clock(4).err(), Some(Errno::EOPNOTSUPP));
        assert_eq!(timer_clock(10).err(), Some(Errno::EINVAL));
        assert!(matches!(timer_clock(8), Ok(Kind::Alarm(8))));
        assert!(matches!(timer_clock(2), Ok(Kind::Cpu(ClockId::Process))));
    }
}
