//! Syscall handlers: time family — clocks, sleeps and process times.
//!
//! Wall and monotonic clocks are read from the host: time is not a host
//! resource the sandbox isolates (gVisor does the same through its vDSO).
//! CPU-time clocks are the app's: the host CPU time of the task's stub
//! thread (the app code) plus that of the task's sentry thread (the time the
//! sentry spent serving the task, which the app sees as system time).
//!
//! Interval timers, POSIX timers and alarm belong to the signals issue.

use super::{Support, SysResult, Table};
use crate::kernel::task::Task;
use std::time::{Duration, Instant};
use syscalls::abi::{Timespec, Timeval, Timezone, Tms};
use syscalls::{consts, nr, Errno};

const NSEC_PER_SEC: i64 = 1_000_000_000;

pub fn register(t: &mut Table) {
    let cpu_note =
        "CPU clocks: stub host CPU time + the task's sentry thread; other tasks' clocks EINVAL";
    t.set(
        nr::CLOCK_GETTIME,
        sys_clock_gettime,
        Support::Partial(cpu_note),
    );
    t.set(nr::CLOCK_GETRES, sys_clock_getres, Support::Full);
    t.set(nr::GETTIMEOFDAY, sys_gettimeofday, Support::Full);
    t.set(nr::TIME, sys_time, Support::Full);
    let no_cap = "arguments validated, then EPERM: the sandbox has no CAP_SYS_TIME";
    t.set(
        nr::SETTIMEOFDAY,
        sys_settimeofday,
        Support::Errno(Errno::EPERM, no_cap),
    );
    t.set(
        nr::CLOCK_SETTIME,
        sys_clock_settime,
        Support::Errno(Errno::EPERM, no_cap),
    );
    let sleep_note =
        "not yet interruptible by signals; absolute REALTIME deadlines do not follow clock changes";
    t.set(nr::NANOSLEEP, sys_nanosleep, Support::Partial(sleep_note));
    t.set(nr::RESTART_SYSCALL, sys_restart_syscall, Support::Full);
    t.set(
        nr::CLOCK_NANOSLEEP,
        sys_clock_nanosleep,
        Support::Partial(sleep_note),
    );
    t.set(
        nr::TIMES,
        sys_times,
        Support::Partial("times as getrusage; ticks counted from the sandbox's boot"),
    );
}

/// Block the task until `deadline`.
///
/// Every sleep of the time family goes through here. For now it sleeps the
/// task's sentry thread; the signals issue makes it interruptible (returning
/// `EINTR`/`ERESTART_RESTARTBLOCK` and letting the caller write the remaining
/// time), which is why it takes the task and returns a `Result`.
/// Sleep until `deadline` unless a signal interrupts: then
/// ERESTART_RESTARTBLOCK (EINTR after a handler; restarted otherwise).
pub fn sleep_until(t: &Task, deadline: Instant) -> Result<(), Errno> {
    let _ = t;
    crate::kernel::wait::sleep_until(Some(deadline)).map_err(|_| Errno::ERESTART_RESTARTBLOCK)
}

/// restart_syscall(2): continue what a signal without handler interrupted
/// (a sleep, to its original deadline); EINTR if nothing is to be continued.
pub fn sys_restart_syscall(t: &mut Task, _a: &[u64; 6]) -> SysResult {
    match t.restart_block.take() {
        Some(crate::kernel::task::RestartBlock::Sleep { deadline, rem }) => {
            if let Err(e) = sleep_until(t, deadline) {
                write_rem(t, rem, deadline)?;
                t.restart_block = Some(crate::kernel::task::RestartBlock::Sleep { deadline, rem });
                return Err(e);
            }
            Ok(0)
        }
        Some(crate::kernel::task::RestartBlock::Poll {
            fds,
            nfds,
            deadline,
        }) => super::poll::restart_poll(t, fds, nfds, deadline),
        Some(crate::kernel::task::RestartBlock::Futex {
            uaddr,
            val,
            bitset,
            private,
            deadline,
        }) => super::futex::restart_wait(t, uaddr, val, bitset, private, deadline),
        None => Err(Errno::EINTR),
    }
}

/// Write the time left until `deadline` to a `rem` argument (if given).
fn write_rem(t: &Task, rem: u64, deadline: Instant) -> Result<(), Errno> {
    if rem == 0 {
        return Ok(());
    }
    let left = deadline.saturating_duration_since(Instant::now());
    t.mm.write_obj(rem, &duration_to_ts(left))
}

/// `Instant::now() + d`, saturating to a far-away instant (the sleep is then
/// "forever" for any practical purpose).
pub fn deadline_after(d: Duration) -> Instant {
    let now = Instant::now();
    let mut d = d;
    loop {
        if let Some(i) = now.checked_add(d) {
            return i;
        }
        d /= 2;
    }
}

/// A timespec as Linux's timespec64_valid: 0 <= sec, 0 <= nsec < 1e9.
pub fn timespec_valid(ts: &Timespec) -> bool {
    ts.tv_sec >= 0 && (0..NSEC_PER_SEC).contains(&ts.tv_nsec)
}

fn ts_to_duration(ts: &Timespec) -> Duration {
    Duration::new(
        ts.tv_sec.max(0) as u64,
        ts.tv_nsec.clamp(0, NSEC_PER_SEC - 1) as u32,
    )
}

fn duration_to_ts(d: Duration) -> Timespec {
    Timespec {
        tv_sec: d.as_secs() as i64,
        tv_nsec: i64::from(d.subsec_nanos()),
    }
}

/// `a - b` for valid timespecs, or None if `b` is later.
fn ts_sub(a: &Timespec, b: &Timespec) -> Option<Duration> {
    let an = i128::from(a.tv_sec) * i128::from(NSEC_PER_SEC) + i128::from(a.tv_nsec);
    let bn = i128::from(b.tv_sec) * i128::from(NSEC_PER_SEC) + i128::from(b.tv_nsec);
    let d = an - bn;
    if d < 0 {
        return None;
    }
    let secs = u64::try_from(d / i128::from(NSEC_PER_SEC)).unwrap_or(u64::MAX);
    Some(Duration::new(secs, (d % i128::from(NSEC_PER_SEC)) as u32))
}

/// What a clock id names, decoded as Linux's clockid_to_kclock does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockId {
    /// A clock read from the host: REALTIME, MONOTONIC, MONOTONIC_RAW, the
    /// COARSE clocks, BOOTTIME, the ALARM clocks, TAI.
    Host(i32),
    /// CLOCK_PROCESS_CPUTIME_ID.
    Process,
    /// CLOCK_THREAD_CPUTIME_ID.
    Thread,
    /// A negative id `(~pid << 3) | perthread << 2 | kind`: the CPU clock of
    /// another (or this) process or thread. `kind` 3 with `perthread` is
    /// invalid but still decodes here (EINVAL later, as in Linux).
    Cpu {
        pid: i32,
        perthread: bool,
        kind: i32,
    },
    /// A negative id with low bits 3: a clock behind a file descriptor
    /// (PTP devices); the sandbox has none.
    Fd,
}

/// CPUCLOCK_VIRT, CPUCLOCK_SCHED (CPUCLOCK_PROF is 0).
const CPUCLOCK_VIRT: i32 = 1;
const CPUCLOCK_SCHED: i32 = 2;

/// Decode a clock id; EINVAL for ids Linux has no clock for.
pub fn decode_clock(id: i32) -> Result<ClockId, Errno> {
    use consts::*;
    if id < 0 {
        if id & 7 == 3 {
            return Ok(ClockId::Fd);
        }
        return Ok(ClockId::Cpu {
            pid: !(id >> 3),
            perthread: id & 4 != 0,
            kind: id & 3,
        });
    }
    match id {
        CLOCK_PROCESS_CPUTIME_ID => Ok(ClockId::Process),
        CLOCK_THREAD_CPUTIME_ID => Ok(ClockId::Thread),
        CLOCK_REALTIME
        | CLOCK_MONOTONIC
        | CLOCK_MONOTONIC_RAW
        | CLOCK_REALTIME_COARSE
        | CLOCK_MONOTONIC_COARSE
        | CLOCK_BOOTTIME
        | CLOCK_REALTIME_ALARM
        | CLOCK_BOOTTIME_ALARM
        | CLOCK_TAI => Ok(ClockId::Host(id)),
        _ => Err(Errno::EINVAL),
    }
}

/// Which CPU time a clock measures once resolved to the calling task.
/// Thread and process clocks read the same (one task per process for now).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct CpuClock {
    kind: i32,
}

/// Resolve a CPU clock to the calling task; EINVAL if it names a task that
/// does not exist (the sandbox's other tasks are not reachable yet).
fn resolve_cpu(t: &Task, c: ClockId) -> Result<CpuClock, Errno> {
    match c {
        ClockId::Process => Ok(CpuClock {
            kind: CPUCLOCK_SCHED,
        }),
        ClockId::Thread => Ok(CpuClock {
            kind: CPUCLOCK_SCHED,
        }),
        ClockId::Cpu {
            pid,
            perthread,
            kind,
        } => {
            if kind == 3 {
                return Err(Errno::EINVAL);
            }
            let ours = pid == 0 || pid == t.tid || (!perthread && pid == t.tgid);
            if !ours {
                return Err(Errno::EINVAL);
            }
            Ok(CpuClock { kind })
        }
        ClockId::Host(_) | ClockId::Fd => Err(Errno::EINVAL),
    }
}

/// Read a host clock.
fn host_clock(id: libc::clockid_t) -> Result<Timespec, Errno> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid pointer to a timespec.
    if unsafe { libc::clock_gettime(id, &mut ts) } != 0 {
        return Err(Errno::last());
    }
    Ok(Timespec {
        tv_sec: ts.tv_sec,
        tv_nsec: ts.tv_nsec,
    })
}

/// Resolution of a host clock.
fn host_clock_res(id: libc::clockid_t) -> Result<Timespec, Errno> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid pointer to a timespec.
    if unsafe { libc::clock_getres(id, &mut ts) } != 0 {
        return Err(Errno::last());
    }
    Ok(Timespec {
        tv_sec: ts.tv_sec,
        tv_nsec: ts.tv_nsec,
    })
}

/// The host clock id of a CPU clock of host thread `tid` (0 = the calling
/// thread; Linux allows other threads only within the caller's process).
fn host_thread_cpuclock(tid: i32, kind: i32) -> libc::clockid_t {
    (!tid << 3) | 4 | kind
}

/// The host clock id of a CPU clock of host process `pid` (any process the
/// sentry can see).
fn host_process_cpuclock(pid: i32, kind: i32) -> libc::clockid_t {
    (!pid << 3) | kind
}

fn host_cpu_duration(id: libc::clockid_t) -> Duration {
    host_clock(id)
        .map(|ts| ts_to_duration(&ts))
        .unwrap_or_default()
}

/// CPU time of the calling task: its stub thread's host CPU time of `kind`
/// plus, except for user-only time, its sentry thread's.
fn task_cpu_time(t: &Task, c: CpuClock) -> Duration {
    // The stub is single-threaded, so its process clock is its thread's (the
    // host does not let the sentry read another process's thread clocks).
    let stub = host_cpu_duration(host_process_cpuclock(t.stub.process_pid(), c.kind));
    if c.kind == CPUCLOCK_VIRT {
        return stub;
    }
    stub + host_cpu_duration(libc::CLOCK_THREAD_CPUTIME_ID)
}

/// Read a clock for the calling task.
fn clock_read(t: &Task, id: i32) -> Result<Timespec, Errno> {
    match decode_clock(id)? {
        ClockId::Host(h) => host_clock(h),
        ClockId::Fd => Err(Errno::EINVAL),
        c => Ok(duration_to_ts(task_cpu_time(t, resolve_cpu(t, c)?))),
    }
}

fn sys_clock_gettime(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let ts = clock_read(t, a[0] as i32)?;
    t.mm.write_obj(a[1], &ts)?;
    Ok(0)
}

fn sys_clock_getres(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let res = match decode_clock(a[0] as i32)? {
        ClockId::Host(h) => host_clock_res(h)?,
        ClockId::Fd => return Err(Errno::EINVAL),
        c => {
            let cpu = resolve_cpu(t, c)?;
            if cpu.kind == CPUCLOCK_SCHED {
                Timespec {
                    tv_sec: 0,
                    tv_nsec: 1,
                }
            } else {
                // Tick-based (PROF/VIRT): the host's tick, as its own clock says.
                host_clock_res(host_thread_cpuclock(0, cpu.kind))?
            }
        }
    };
    if a[1] != 0 {
        t.mm.write_obj(a[1], &res)?;
    }
    Ok(0)
}

fn sys_gettimeofday(t: &mut Task, a: &[u64; 6]) -> SysResult {
    if a[0] != 0 {
        let now = host_clock(libc::CLOCK_REALTIME)?;
        let tv = Timeval {
            tv_sec: now.tv_sec,
            tv_usec: now.tv_nsec / 1000,
        };
        t.mm.write_obj(a[0], &tv)?;
    }
    if a[1] != 0 {
        // The kernel's sys_tz, which nothing in the sandbox can set.
        t.mm.write_obj(a[1], &Timezone::default())?;
    }
    Ok(0)
}

fn sys_time(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let now = host_clock(libc::CLOCK_REALTIME)?;
    if a[0] != 0 {
        t.mm.write_obj(a[0], &now.tv_sec)?;
    }
    Ok(now.tv_sec as u64)
}

/// TIME_SETTOD_SEC_MAX: the latest time settimeofday accepts.
const TIME_SETTOD_SEC_MAX: i64 = i64::MAX / NSEC_PER_SEC - 30 * 365 * 86400;

fn settod_valid(ts: &Timespec) -> bool {
    timespec_valid(ts) && ts.tv_sec < TIME_SETTOD_SEC_MAX
}

fn sys_settimeofday(t: &mut Task, a: &[u64; 6]) -> SysResult {
    if a[0] != 0 {
        let tv: Timeval = t.mm.read_obj(a[0])?;
        if !(0..=1_000_000).contains(&tv.tv_usec) {
            return Err(Errno::EINVAL);
        }
        let ts = Timespec {
            tv_sec: tv.tv_sec,
            tv_nsec: tv.tv_usec * 1000,
        };
        if !settod_valid(&ts) {
            return Err(Errno::EINVAL);
        }
    }
    if a[1] != 0 {
        let _tz: Timezone = t.mm.read_obj(a[1])?;
    }
    Err(Errno::EPERM)
}

fn sys_clock_settime(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let clock = decode_clock(a[0] as i32)?;
    match clock {
        ClockId::Host(consts::CLOCK_REALTIME) => {
            let ts: Timespec = t.mm.read_obj(a[1])?;
            if !settod_valid(&ts) {
                return Err(Errno::EINVAL);
            }
            Err(Errno::EPERM)
        }
        ClockId::Cpu { .. } => {
            let _ts: Timespec = t.mm.read_obj(a[1])?;
            resolve_cpu(t, clock)?;
            Err(Errno::EPERM)
        }
        ClockId::Fd => {
            let _ts: Timespec = t.mm.read_obj(a[1])?;
            Err(Errno::EINVAL)
        }
        _ => Err(Errno::EINVAL),
    }
}

fn sys_nanosleep(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let req: Timespec = t.mm.read_obj(a[0])?;
    if !timespec_valid(&req) {
        return Err(Errno::EINVAL);
    }
    // `rem` (a[1]) is written only when a signal interrupts the sleep.
    let deadline = deadline_after(ts_to_duration(&req));
    if let Err(e) = sleep_until(t, deadline) {
        write_rem(t, a[1], deadline)?;
        t.restart_block = Some(crate::kernel::task::RestartBlock::Sleep {
            deadline,
            rem: a[1],
        });
        return Err(e);
    }
    Ok(0)
}

/// How clock_nanosleep sleeps on a clock, or the errno Linux returns
/// before reading the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sleeper {
    /// A wall or monotonic host clock.
    Host(i32),
    /// A CPU clock of this process (decoded, resolved after the request is read).
    Cpu(ClockId),
}

fn sleeper(id: i32) -> Result<Sleeper, Errno> {
    use consts::*;
    match decode_clock(id)? {
        ClockId::Host(h) => match h {
            CLOCK_REALTIME | CLOCK_MONOTONIC | CLOCK_BOOTTIME | CLOCK_TAI => Ok(Sleeper::Host(h)),
            // Alarm clocks sleep only where the host has an RTC for them.
            CLOCK_REALTIME_ALARM | CLOCK_BOOTTIME_ALARM => match host_clock_res(h) {
                Ok(_) => Ok(Sleeper::Host(if h == CLOCK_REALTIME_ALARM {
                    CLOCK_REALTIME
                } else {
                    CLOCK_BOOTTIME
                })),
                Err(_) => Err(Errno::EOPNOTSUPP),
            },
            _ => Err(Errno::EOPNOTSUPP),
        },
        // CLOCK_THREAD_CPUTIME_ID and fd clocks have no nsleep in Linux.
        ClockId::Thread | ClockId::Fd => Err(Errno::EOPNOTSUPP),
        c @ (ClockId::Process | ClockId::Cpu { .. }) => Ok(Sleeper::Cpu(c)),
    }
}

fn sys_clock_nanosleep(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (id, flags) = (a[0] as i32, a[1] as i32);
    let how = sleeper(id)?;
    let req: Timespec = t.mm.read_obj(a[2])?;
    if !timespec_valid(&req) {
        return Err(Errno::EINVAL);
    }
    let abs = flags & consts::TIMER_ABSTIME != 0;
    match how {
        Sleeper::Host(clock) => {
            let wait = if abs {
                let now = host_clock(clock)?;
                ts_sub(&req, &now).unwrap_or_default()
            } else {
                ts_to_duration(&req)
            };
            let deadline = deadline_after(wait);
            if let Err(e) = sleep_until(t, deadline) {
                let rem = if abs { 0 } else { a[3] };
                write_rem(t, rem, deadline)?;
                t.restart_block = Some(crate::kernel::task::RestartBlock::Sleep { deadline, rem });
                return Err(e);
            }
        }
        Sleeper::Cpu(c) => {
            // Linux refuses to sleep on the caller's own thread clock.
            if let ClockId::Cpu {
                pid,
                perthread: true,
                ..
            } = c
            {
                if pid == 0 || pid == t.tid {
                    return Err(Errno::EINVAL);
                }
            }
            let cpu = resolve_cpu(t, c)?;
            let start = task_cpu_time(t, cpu);
            let target = if abs {
                ts_to_duration(&req)
            } else {
                start.saturating_add(ts_to_duration(&req))
            };
            // The process's CPU clock advances only while its other threads
            // run; poll it (a lone thread sleeps until a signal, as on Linux).
            while task_cpu_time(t, cpu) < target {
                sleep_until(t, deadline_after(Duration::from_millis(10)))?;
            }
        }
    }
    Ok(0)
}

/// Clock ticks (USER_HZ) in a duration.
fn ticks(d: Duration) -> i64 {
    (d.as_nanos() / (1_000_000_000 / u128::from(consts::CLK_TCK))) as i64
}

fn sys_times(t: &mut Task, a: &[u64; 6]) -> SysResult {
    if a[0] != 0 {
        let own = super::usage::self_usage(t);
        let children = super::usage::children_usage(t);
        let tms = Tms {
            tms_utime: ticks(own.utime),
            tms_stime: ticks(own.stime),
            tms_cutime: ticks(children.utime),
            tms_cstime: ticks(children.stime),
        };
        t.mm.write_obj(a[0], &tms)?;
    }
    Ok(times_ret(t.k.boot.elapsed()))
}

/// Linux's INITIAL_JIFFIES (5 minutes before the 32-bit jiffies wrap) in
/// clock ticks, for the common CONFIG_HZ=250.
const INITIAL_TICKS: u64 = ((1u64 << 32) - 300 * 250) * consts::CLK_TCK / 250;

/// What times() returns `uptime` after the sandbox booted: like Linux, a
/// tick counter that starts at INITIAL_JIFFIES at boot, so it is never
/// small or zero (programs treat the value as opaque and subtract).
pub fn times_ret(uptime: Duration) -> u64 {
    INITIAL_TICKS + ticks(uptime) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_ids() {
        assert_eq!(decode_clock(0), Ok(ClockId::Host(0)));
        assert_eq!(decode_clock(2), Ok(ClockId::Process));
        assert_eq!(decode_clock(3), Ok(ClockId::Thread));
        assert_eq!(decode_clock(10), Err(Errno::EINVAL));
        assert_eq!(decode_clock(12), Err(Errno::EINVAL));
        assert_eq!(decode_clock(i32::MAX), Err(Errno::EINVAL));
        // glibc's MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED) and the thread variant.
        let proc_clock = |pid: i32, kind: i32| (!pid << 3) | kind;
        assert_eq!(
            decode_clock(proc_clock(1, 2)),
            Ok(ClockId::Cpu {
                pid: 1,
                perthread: false,
                kind: 2
            })
        );
        assert_eq!(
            decode_clock(proc_clock(77, 2) | 4),
            Ok(ClockId::Cpu {
                pid: 77,
                perthread: true,
                kind: 2
            })
        );
        assert_eq!(decode_clock(proc_clock(5, 3)), Ok(ClockId::Fd));
        assert_eq!(
            decode_clock(-1),
            Ok(ClockId::Cpu {
                pid: 0,
                perthread: true,
                kind: 3
            })
        );
    }

    #[test]
    fn sleep_clocks() {
        assert_eq!(
            sleeper(consts::CLOCK_MONOTONIC),
            Ok(Sleeper::Host(consts::CLOCK_MONOTONIC))
        );
        assert_eq!(sleeper(consts::CLOCK_MONOTONIC_RAW), Err(Errno::EOPNOTSUPP));
        assert_eq!(
            sleeper(consts::CLOCK_REALTIME_COARSE),
            Err(Errno::EOPNOTSUPP)
        );
        assert_eq!(
            sleeper(consts::CLOCK_THREAD_CPUTIME_ID),
            Err(Errno::EOPNOTSUPP)
        );
        assert_eq!(sleeper(100), Err(Errno::EINVAL));
        assert_eq!(
            sleeper(consts::CLOCK_PROCESS_CPUTIME_ID),
            Ok(Sleeper::Cpu(ClockId::Process))
        );
    }

    #[test]
    fn timespecs() {
        assert!(timespec_valid(&Timespec {
            tv_sec: 0,
            tv_nsec: 999_999_999
        }));
        assert!(!timespec_valid(&Timespec {
            tv_sec: 0,
            tv_nsec: NSEC_PER_SEC
        }));
        assert!(!timespec_valid(&Timespec {
            tv_sec: -1,
            tv_nsec: 0
        }));
        assert!(!timespec_valid(&Timespec {
            tv_sec: 0,
            tv_nsec: -1
        }));
        let a = Timespec {
            tv_sec: 5,
            tv_nsec: 100,
        };
        let b = Timespec {
            tv_sec: 3,
            tv_nsec: 200,
        };
        assert_eq!(ts_sub(&a, &b), Some(Duration::new(1, 999_999_900)));
        assert_eq!(ts_sub(&b, &a), None);
        // A huge request does not overflow the deadline.
        let far = deadline_after(Duration::from_secs(i64::MAX as u64));
        assert!(far > Instant::now() + Duration::from_secs(3600));
    }

    #[test]
    fn tick_count() {
        assert_eq!(ticks(Duration::from_secs(3)), 300);
        assert_eq!(ticks(Duration::from_millis(19)), 1);
        assert_eq!(times_ret(Duration::ZERO), 1_717_956_918);
        assert_eq!(times_ret(Duration::from_secs(1)), 1_717_957_018);
    }
}
