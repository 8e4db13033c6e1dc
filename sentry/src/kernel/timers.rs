//! Interval timers (setitimer, alarm) and POSIX timers (timer_create …) on
//! one sandbox-wide timer service (DESIGN §7).
//!
//! One background thread owns every timer: wall/monotonic timers sit in a
//! deadline heap, CPU-time timers are polled every few milliseconds (Linux
//! checks them at each tick). The thread sleeps on a condition variable until
//! the next deadline or until a syscall arms something new. It starts with
//! the first armed timer.
//!
//! Semantics follow Linux 6.x:
//! - ITIMER_REAL / alarm send SIGALRM (`SI_KERNEL`) to the process and
//!   re-arm past `now`; ITIMER_VIRTUAL / ITIMER_PROF run on the process's CPU
//!   time, are armed one tick late and advance one interval per expiry.
//! - A POSIX timer's signal is queued once: expirations while it is still
//!   queued are counted as overruns, folded into `si_overrun` when the task
//!   dequeues it ([`TimerService::signal_dequeued`]), which also sets what
//!   timer_getoverrun reports. A queued signal of a deleted or re-set timer is
//!   dropped at dequeue, as Linux 6.13+ does.
//! - fork: the child has no timers; exec deletes POSIX timers and keeps the
//!   interval timers; exit deletes everything.
//!
//! CPU time is the host CPU time of the process's stub (the app code) plus
//! that of the sentry thread serving it (the app's system time); ITIMER_VIRTUAL
//! counts the stub's user time only.

use super::signal::{send_to_process, send_to_thread};
use super::task::Task;
use super::Kernel;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};
use syscalls::abi::Siginfo;
use syscalls::consts::{SIGALRM, SIGPROF, SIGVTALRM, SI_KERNEL, SI_TIMER};

/// Nanoseconds on some clock's timeline (wide enough for any sum).
pub type Ns = i128;
pub const NSEC_PER_SEC: Ns = 1_000_000_000;
/// Linux's KTIME_MAX: longer durations saturate to it.
pub const KTIME_MAX: Ns = i64::MAX as Ns;

/// How often armed CPU-time timers are checked.
const CPU_POLL: Duration = Duration::from_millis(4);
/// The service never re-checks sooner than this (timers with tiny intervals
/// count their missed periods instead of spinning the thread).
const MIN_SLEEP: Duration = Duration::from_micros(50);
/// Upper bound of one wait, so a dropped kernel is noticed.
const MAX_SLEEP: Duration = Duration::from_secs(1);

pub const ITIMER_REAL: usize = 0;
pub const ITIMER_VIRTUAL: usize = 1;
pub const ITIMER_PROF: usize = 2;

/// A CPU clock's kind (Linux's CPUCLOCK_PROF, _VIRT, _SCHED).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CpuKind {
    /// User + system time.
    Prof = 0,
    /// User time.
    Virt = 1,
    /// User + system time, precisely (the clocks PROCESS/THREAD_CPUTIME_ID).
    Sched = 2,
}

const CPU_KINDS: [CpuKind; 3] = [CpuKind::Prof, CpuKind::Virt, CpuKind::Sched];

/// Read a host clock in nanoseconds.
fn host_ns(id: libc::clockid_t) -> Option<Ns> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid pointer to a timespec that lives across the call.
    if unsafe { libc::clock_gettime(id, &mut ts) } != 0 {
        return None;
    }
    Some(Ns::from(ts.tv_sec) * NSEC_PER_SEC + Ns::from(ts.tv_nsec))
}

/// Read a host clock (CLOCK_REALTIME, CLOCK_TAI …) for absolute deadlines.
pub fn host_clock_ns(id: i32) -> Option<Ns> {
    host_ns(id)
}

/// Where a task's CPU time is measured on the host: the stub process that
/// runs its app code and the sentry thread that serves its syscalls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CpuSource {
    pub stub_pid: i32,
    pub sentry_tid: i32,
}

impl CpuSource {
    /// The calling task's source; call it on the task's own sentry thread.
    pub fn of(t: &Task) -> CpuSource {
        CpuSource {
            stub_pid: t.stub.process_pid(),
            sentry_tid: nix::unistd::gettid().as_raw(),
        }
    }

    fn read(&self, kind: CpuKind) -> Option<Ns> {
        // The stub process clock covers all of its threads.
        let stub = host_ns((!self.stub_pid << 3) | kind as i32)?;
        if kind == CpuKind::Virt {
            return Some(stub);
        }
        let sentry = host_ns((!self.sentry_tid << 3) | 4 | kind as i32).unwrap_or(0);
        Some(stub + sentry)
    }
}

/// A process's CPU clocks, continuous across a change of source (exec gives
/// the process a fresh stub whose host clock starts at zero).
#[derive(Default)]
struct ProcCpu {
    src: Option<CpuSource>,
    offset: [Ns; 3],
    last: [Ns; 3],
}

impl ProcCpu {
    fn read(&mut self, kind: CpuKind) -> Ns {
        let k = kind as usize;
        if let Some(v) = self.src.and_then(|s| s.read(kind)) {
            self.last[k] = self.last[k].max(self.offset[k] + v);
        }
        self.last[k]
    }

    fn set_source(&mut self, src: CpuSource) {
        if self.src == Some(src) {
            return;
        }
        for kind in CPU_KINDS {
            let k = kind as usize;
            let raw = src.read(kind).unwrap_or(0);
            self.offset[k] = if self.src.is_some() {
                self.read(kind) - raw
            } else {
                0
            };
        }
        self.src = Some(src);
    }
}

/// The timeline a timer runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// A wall or monotonic clock (REALTIME, MONOTONIC, BOOTTIME, TAI): kept
    /// on the host's monotonic clock; the id converts absolute deadlines.
    Mono(i32),
    /// The process's CPU time.
    ProcCpu(CpuKind),
    /// One thread's CPU time.
    ThreadCpu(CpuSource, CpuKind),
}

/// What an expiry does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notify {
    /// An interval timer: this signal, `SI_KERNEL`, to the process.
    Itimer(i32),
    /// SIGEV_NONE: nothing; timer_gettime shows the countdown.
    None,
    /// SIGEV_SIGNAL (to the process) or SIGEV_THREAD_ID (to `thread`).
    Signal {
        sig: i32,
        value: u64,
        thread: Option<i32>,
    },
}

struct Timer {
    clock: Clock,
    /// The next expiry on the clock's timeline; None = disarmed.
    expires: Option<Ns>,
    interval: Ns,
    notify: Notify,
    /// Bumped by every timer_settime: a queued signal stamped with an older
    /// sequence is stale and dropped at dequeue.
    seq: u64,
    /// The sequence the queued signal carries, while one is queued.
    queued: Option<u64>,
    /// Expirations since the queued signal was queued.
    overrun: i64,
    /// What timer_getoverrun reports.
    overrun_last: i64,
}

impl Timer {
    fn new(clock: Clock, notify: Notify) -> Timer {
        Timer {
            clock,
            expires: None,
            interval: 0,
            notify,
            seq: 0,
            queued: None,
            overrun: 0,
            overrun_last: 0,
        }
    }
}

/// A slot in a process's timers: interval timers are -1-which, POSIX
/// timers their id.
type Slot = i64;

fn itimer_slot(which: usize) -> Slot {
    -1 - which as Slot
}

struct ProcTimers {
    itimers: [Timer; 3],
    posix: BTreeMap<i32, Timer>,
    next_id: i32,
    cpu: ProcCpu,
}

impl ProcTimers {
    fn new() -> ProcTimers {
        let it = |which: usize, sig: i32| {
            let clock = match which {
                ITIMER_REAL => Clock::Mono(libc::CLOCK_MONOTONIC),
                ITIMER_VIRTUAL => Clock::ProcCpu(CpuKind::Virt),
                _ => Clock::ProcCpu(CpuKind::Prof),
            };
            Timer::new(clock, Notify::Itimer(sig))
        };
        ProcTimers {
            itimers: [
                it(ITIMER_REAL, SIGALRM),
                it(ITIMER_VIRTUAL, SIGVTALRM),
                it(ITIMER_PROF, SIGPROF),
            ],
            posix: BTreeMap::new(),
            next_id: 0,
            cpu: ProcCpu::default(),
        }
    }

    fn slot(&mut self, s: Slot) -> Option<&mut Timer> {
        if s < 0 {
            self.itimers.get_mut(usize::try_from(-1 - s).ok()?)
        } else {
            self.posix.get_mut(&i32::try_from(s).ok()?)
        }
    }
}

/// Read `clock` now (the monotonic timeline is the service's).
fn clock_now(cpu: &mut ProcCpu, clock: Clock, mono: Ns) -> Ns {
    match clock {
        Clock::Mono(_) => mono,
        Clock::ProcCpu(kind) => cpu.read(kind),
        Clock::ThreadCpu(src, kind) => src.read(kind).unwrap_or(0),
    }
}

#[derive(Default)]
struct State {
    procs: HashMap<i32, ProcTimers>,
    /// Monotonic deadlines: (expiry, tgid, slot). Entries whose timer moved
    /// are stale and skipped when popped.
    heap: BinaryHeap<Reverse<(Ns, i32, Slot)>>,
    thread: bool,
}

struct Inner {
    state: Mutex<State>,
    wake: Condvar,
    epoch: Instant,
    /// Linux's TICK_NSEC (the CPU itimers' granularity).
    tick: Ns,
    shutdown: AtomicBool,
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn mono_now(&self) -> Ns {
        self.epoch.elapsed().as_nanos() as Ns
    }
}

/// A timer's setting as the syscalls report it: time to the next expiry and
/// the interval, in nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Setting {
    pub value: Ns,
    pub interval: Ns,
}

/// The sandbox-wide timer service.
pub struct TimerService {
    inner: Arc<Inner>,
}

impl Default for TimerService {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TimerService {
    fn drop(&mut self) {
        self.inner.shutdown.store(true, Ordering::SeqCst);
        self.inner.wake.notify_all();
    }
}

/// Whether `sig` is still queued for its target (the fallback for a signal
/// consumed without going through [`TimerService::signal_dequeued`], e.g.
/// discarded by a disposition change).
fn still_queued(k: &Kernel, tgid: i32, thread: Option<i32>, sig: i32) -> bool {
    let bit = 1u64 << ((sig - 1) & 63);
    match thread {
        Some(tid) => k
            .tasks
            .get(tid)
            .is_some_and(|s| s.queue().pending & bit != 0),
        None => k
            .tasks
            .group(tgid)
            .is_some_and(|g| g.queue().pending & bit != 0),
    }
}

/// Number of expirations of a timer due at `exp` with `interval` by `now`.
fn expirations(exp: Ns, interval: Ns, now: Ns) -> Ns {
    if interval > 0 {
        (now - exp) / interval + 1
    } else {
        1
    }
}

/// Handle the expiry of `t` (due: `expires <= now`); `slot` is the POSIX
/// timer id for its siginfo.
fn expire(k: &Kernel, tgid: i32, slot: Slot, t: &mut Timer, now: Ns) {
    let Some(exp) = t.expires else { return };
    let n = expirations(exp, t.interval, now);
    match t.notify {
        Notify::Itimer(sig) => {
            send_to_process(k, tgid, sig, Siginfo::new(sig, SI_KERNEL));
            t.expires = match (t.interval, t.clock) {
                (0, _) => None,
                // CPU itimers move one interval per check, as Linux's tick.
                (iv, Clock::ProcCpu(_)) => Some(exp + iv),
                (iv, _) => Some(exp + n * iv),
            };
            return;
        }
        Notify::None => return,
        Notify::Signal { sig, value, thread } => {
            if t.queued.is_some() && !still_queued(k, tgid, thread, sig) {
                t.queued = None;
            }
            match t.queued {
                Some(s) if s == t.seq => t.overrun = t.overrun.saturating_add(n as i64),
                Some(_) => {
                    // The queued signal is a stale one of this timer: it now
                    // stands for this expiry.
                    t.queued = Some(t.seq);
                    t.overrun = (n - 1) as i64;
                }
                None => {
                    let id = slot as i32;
                    let info = Siginfo::timer(sig, id, 0, value);
                    let sent = match thread {
                        Some(tid) => send_to_thread(k, tid, sig, info),
                        None => send_to_process(k, tgid, sig, info),
                    };
                    if !sent {
                        // Linux: a timer whose signal cannot be sent stops.
                        t.expires = None;
                        return;
                    }
                    t.queued = Some(t.seq);
                    t.overrun = (n - 1) as i64;
                }
            }
        }
    }
    t.expires = (t.interval > 0).then_some(exp + n * t.interval);
}

fn to_i32_overrun(v: i64) -> i32 {
    // Linux's timer_overrun_to_int: DELAYTIMER_MAX is INT_MAX.
    v.clamp(0, i64::from(i32::MAX)) as i32
}

impl TimerService {
    pub fn new() -> TimerService {
        let tick = {
            let mut ts = libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            };
            // SAFETY: a valid pointer to a timespec that lives across the call.
            let ok = unsafe { libc::clock_getres(libc::CLOCK_MONOTONIC_COARSE, &mut ts) } == 0;
            if ok && ts.tv_sec == 0 && ts.tv_nsec > 0 {
                Ns::from(ts.tv_nsec)
            } else {
                4_000_000
            }
        };
        TimerService {
            inner: Arc::new(Inner {
                state: Mutex::default(),
                wake: Condvar::new(),
                epoch: Instant::now(),
                tick,
                shutdown: AtomicBool::new(false),
            }),
        }
    }

    /// The service's monotonic timeline now (for absolute deadlines).
    pub fn mono_now(&self) -> Ns {
        self.inner.mono_now()
    }

    /// Start the service thread if needed and wake it (something was armed).
    fn kick(&self, st: &mut State, k: &Arc<Kernel>) {
        if !st.thread {
            let inner = self.inner.clone();
            let weak = Arc::downgrade(k);
            let spawned = std::thread::Builder::new()
                .name("timers".into())
                .spawn(move || service_loop(inner, weak));
            match spawned {
                Ok(_) => st.thread = true,
                Err(e) => tracing::error!("cannot start the timer service: {e}"),
            }
        }
        self.inner.wake.notify_all();
    }

    /// Arm or disarm a timer of `p` and queue its deadline.
    fn arm(
        heap: &mut BinaryHeap<Reverse<(Ns, i32, Slot)>>,
        tgid: i32,
        slot: Slot,
        t: &mut Timer,
        expires: Option<Ns>,
        interval: Ns,
    ) {
        t.expires = expires;
        t.interval = interval;
        if let (Some(e), Clock::Mono(_)) = (expires, t.clock) {
            if t.notify != Notify::None {
                heap.push(Reverse((e, tgid, slot)));
            }
        }
    }

    /// getitimer(2): the setting of interval timer `which`.
    pub fn get_itimer(&self, tgid: i32, src: CpuSource, which: usize) -> Setting {
        let mono = self.mono_now();
        let tick = self.inner.tick;
        let mut st = self.inner.lock();
        let Some(p) = st.procs.get_mut(&tgid) else {
            return Setting::default();
        };
        p.cpu.set_source(src);
        itimer_setting(p, which, mono, tick, false)
    }

    /// setitimer(2): set interval timer `which` (relative value and interval
    /// in ns; value 0 disarms) and return the old setting.
    pub fn set_itimer(
        &self,
        k: &Arc<Kernel>,
        tgid: i32,
        src: CpuSource,
        which: usize,
        new: Setting,
    ) -> Setting {
        let mono = self.mono_now();
        let tick = self.inner.tick;
        let mut guard = self.inner.lock();
        let st = &mut *guard;
        let p = st.procs.entry(tgid).or_insert_with(ProcTimers::new);
        p.cpu.set_source(src);
        let old = itimer_setting(p, which, mono, tick, true);
        let Some(t) = p.itimers.get(which).map(|t| t.clock) else {
            return old;
        };
        let now = clock_now(&mut p.cpu, t, mono);
        let value = new.value.min(KTIME_MAX);
        let (expires, interval) = if value == 0 {
            (None, 0)
        } else if which == ITIMER_REAL {
            (Some(now + value), new.interval.min(KTIME_MAX))
        } else {
            // Linux arms CPU itimers one tick late.
            (Some(now + value + tick), new.interval.min(KTIME_MAX))
        };
        if let Some(t) = p.itimers.get_mut(which) {
            Self::arm(&mut st.heap, tgid, itimer_slot(which), t, expires, interval);
        }
        if expires.is_some() {
            self.kick(st, k);
        }
        old
    }

    /// Reserve the next POSIX timer id of process `tgid` (Linux consumes it
    /// even when timer_create fails later).
    pub fn reserve_id(&self, tgid: i32) -> i32 {
        let mut st = self.inner.lock();
        let p = st.procs.entry(tgid).or_insert_with(ProcTimers::new);
        loop {
            let id = p.next_id;
            p.next_id = id.wrapping_add(1) & i32::MAX;
            if !p.posix.contains_key(&id) {
                return id;
            }
        }
    }

    /// Install a POSIX timer (disarmed) under a reserved id.
    pub fn create(&self, tgid: i32, src: CpuSource, id: i32, clock: Clock, notify: Notify) {
        let mut st = self.inner.lock();
        let p = st.procs.entry(tgid).or_insert_with(ProcTimers::new);
        p.cpu.set_source(src);
        p.posix.insert(id, Timer::new(clock, notify));
    }

    /// timer_gettime(2); None if the process has no such timer.
    pub fn gettime(&self, tgid: i32, src: CpuSource, id: i32) -> Option<Setting> {
        let mono = self.mono_now();
        let mut st = self.inner.lock();
        let p = st.procs.get_mut(&tgid)?;
        p.cpu.set_source(src);
        let clock = p.posix.get(&id)?.clock;
        let now = clock_now(&mut p.cpu, clock, mono);
        p.posix.get_mut(&id).map(|t| posix_setting(t, now))
    }

    /// timer_settime(2): `value` is relative, or absolute on the timer's
    /// clock with `abs` (0 disarms). Returns the old setting, or None if the
    /// process has no such timer.
    pub fn settime(
        &self,
        k: &Arc<Kernel>,
        tgid: i32,
        src: CpuSource,
        id: i32,
        abs: bool,
        new: Setting,
    ) -> Option<Setting> {
        let mono = self.mono_now();
        let mut guard = self.inner.lock();
        let st = &mut *guard;
        let p = st.procs.get_mut(&tgid)?;
        p.cpu.set_source(src);
        let clock = p.posix.get(&id)?.clock;
        let now = clock_now(&mut p.cpu, clock, mono);
        let t = p.posix.get_mut(&id)?;
        let old = posix_setting(t, now);
        t.seq = t.seq.wrapping_add(1);
        t.overrun = 0;
        t.overrun_last = 0;
        let value = new.value.min(KTIME_MAX);
        let expires = if value == 0 {
            None
        } else if !abs {
            Some(now + value)
        } else if let Clock::Mono(host) = clock {
            // An absolute deadline on a host clock, moved to our timeline.
            let host_now = host_clock_ns(host).unwrap_or(0);
            Some(now + (value - host_now))
        } else {
            Some(value)
        };
        let interval = if value == 0 {
            0
        } else {
            new.interval.min(KTIME_MAX)
        };
        Self::arm(&mut st.heap, tgid, Slot::from(id), t, expires, interval);
        if expires.is_some() && t.notify != Notify::None {
            self.kick(st, k);
        }
        Some(old)
    }

    /// timer_getoverrun(2); None if the process has no such timer.
    pub fn getoverrun(&self, tgid: i32, id: i32) -> Option<i32> {
        let st = self.inner.lock();
        let t = st.procs.get(&tgid)?.posix.get(&id)?;
        Some(to_i32_overrun(t.overrun_last))
    }

    /// timer_delete(2); false if the process has no such timer.
    pub fn delete(&self, tgid: i32, id: i32) -> bool {
        let mut st = self.inner.lock();
        st.procs
            .get_mut(&tgid)
            .and_then(|p| p.posix.remove(&id))
            .is_some()
    }

    /// A task of `tgid` is dequeuing `info` for delivery. For a POSIX timer's
    /// signal this sets `si_overrun` (and what timer_getoverrun reports);
    /// returns false if the signal is stale (its timer was deleted or re-set
    /// since) and must be dropped, as Linux does. Call it without holding
    /// signal locks.
    pub fn signal_dequeued(&self, tgid: i32, info: &mut Siginfo) -> bool {
        if info.code() != SI_TIMER {
            return true;
        }
        let mono = self.mono_now();
        let mut guard = self.inner.lock();
        let st = &mut *guard;
        let Some(p) = st.procs.get_mut(&tgid) else {
            return false;
        };
        let id = info.timer_id();
        let Some(clock) = p.posix.get(&id).map(|t| t.clock) else {
            return false;
        };
        let now = clock_now(&mut p.cpu, clock, mono);
        let Some(t) = p.posix.get_mut(&id) else {
            return false;
        };
        match t.queued.take() {
            Some(s) if s == t.seq => {}
            _ => return false,
        }
        // Periods that elapsed since the service last looked count too.
        if let (Some(exp), true) = (t.expires, t.interval > 0) {
            if exp <= now {
                let n = expirations(exp, t.interval, now);
                t.overrun = t.overrun.saturating_add(n as i64);
                let next = exp + n * t.interval;
                let iv = t.interval;
                Self::arm(&mut st.heap, tgid, Slot::from(id), t, Some(next), iv);
            }
        }
        let ov = to_i32_overrun(t.overrun.saturating_add(i64::from(info.overrun())));
        info.set_overrun(ov);
        t.overrun_last = i64::from(ov);
        t.overrun = 0;
        true
    }

    /// The thread group `tgid` ended: delete all its timers.
    pub fn process_exited(&self, tgid: i32) {
        self.inner.lock().procs.remove(&tgid);
    }

    /// Process `tgid` exec'd (now running on `src`): POSIX timers are
    /// deleted, interval timers keep running on its CPU time.
    pub fn process_execed(&self, tgid: i32, src: CpuSource) {
        let mut st = self.inner.lock();
        if let Some(p) = st.procs.get_mut(&tgid) {
            p.posix.clear();
            p.cpu.set_source(src);
        }
    }
}

/// The interval timer's setting as getitimer/setitimer report it.
fn itimer_setting(p: &mut ProcTimers, which: usize, mono: Ns, tick: Ns, setting: bool) -> Setting {
    let Some(clock) = p.itimers.get(which).map(|t| t.clock) else {
        return Setting::default();
    };
    let now = clock_now(&mut p.cpu, clock, mono);
    let Some(t) = p.itimers.get(which) else {
        return Setting::default();
    };
    let value = match t.expires {
        None => 0,
        Some(e) if which == ITIMER_REAL => {
            // itimer_get_remtime: an active timer reports at least 1us.
            if e - now <= 0 {
                1000
            } else {
                e - now
            }
        }
        // get_cpu_itimer / set_process_cpu_timer: "about to fire" is a tick.
        Some(e) if e < now || (setting && e == now) => tick,
        Some(e) => e - now,
    };
    Setting {
        value,
        interval: t.interval,
    }
}

/// common_timer_get: the POSIX timer's setting at `now` on its clock.
fn posix_setting(t: &mut Timer, now: Ns) -> Setting {
    let interval = t.interval;
    let Some(mut exp) = t.expires else {
        return Setting { value: 0, interval };
    };
    let sig_none = t.notify == Notify::None;
    if interval > 0 && sig_none && exp <= now {
        let n = expirations(exp, interval, now);
        exp += n * interval;
        t.expires = Some(exp);
        t.overrun = t.overrun.saturating_add(n as i64);
    }
    let rem = exp - now;
    let value = if rem > 0 {
        rem
    } else if sig_none {
        0
    } else {
        1
    };
    Setting { value, interval }
}

fn service_loop(inner: Arc<Inner>, k: Weak<Kernel>) {
    let mut guard = inner.lock();
    loop {
        if inner.shutdown.load(Ordering::SeqCst) {
            return;
        }
        let Some(kernel) = k.upgrade() else { return };
        let mono = inner.mono_now();
        let st = &mut *guard;
        while let Some(&Reverse((at, tgid, slot))) = st.heap.peek() {
            if at > mono {
                break;
            }
            st.heap.pop();
            let Some(p) = st.procs.get_mut(&tgid) else {
                continue;
            };
            let Some(t) = p.slot(slot) else { continue };
            if t.expires != Some(at) {
                continue; // stale entry
            }
            expire(&kernel, tgid, slot, t, mono);
            if let (Some(e), Clock::Mono(_)) = (t.expires, t.clock) {
                st.heap.push(Reverse((e, tgid, slot)));
            }
        }
        let cpu_armed = poll_cpu(&kernel, st, mono);
        // Drop stale entries once they dominate the heap.
        let live: usize = st
            .procs
            .values()
            .map(|p| {
                p.itimers.iter().filter(|t| t.expires.is_some()).count()
                    + p.posix.values().filter(|t| t.expires.is_some()).count()
            })
            .sum();
        if st.heap.len() > 2 * live + 64 {
            let procs = &mut st.procs;
            st.heap.retain(|Reverse((at, tgid, slot))| {
                procs
                    .get_mut(tgid)
                    .and_then(|p| p.slot(*slot))
                    .is_some_and(|t| t.expires == Some(*at))
            });
        }
        let mut wait = MAX_SLEEP;
        if let Some(Reverse((at, _, _))) = st.heap.peek() {
            let d = (*at - inner.mono_now()).clamp(0, MAX_SLEEP.as_nanos() as Ns);
            wait = wait.min(Duration::from_nanos(d as u64));
        }
        if cpu_armed {
            wait = wait.min(CPU_POLL);
        }
        drop(kernel);
        let wait = wait.max(MIN_SLEEP);
        guard = inner
            .wake
            .wait_timeout(guard, wait)
            .map(|(g, _)| g)
            .unwrap_or_else(|p| p.into_inner().0);
    }
}

/// Fire due CPU-time timers; returns whether any CPU timer is still armed.
fn poll_cpu(k: &Kernel, st: &mut State, mono: Ns) -> bool {
    let mut armed = false;
    for (&tgid, p) in st.procs.iter_mut() {
        let mut slots: Vec<Slot> = Vec::new();
        for (i, t) in p.itimers.iter().enumerate() {
            if t.expires.is_some() && !matches!(t.clock, Clock::Mono(_)) {
                slots.push(itimer_slot(i));
            }
        }
        for (&id, t) in p.posix.iter() {
            if t.expires.is_some() && t.notify != Notify::None && !matches!(t.clock, Clock::Mono(_))
            {
                slots.push(Slot::from(id));
            }
        }
        for slot in slots {
            let Some(clock) = p.slot(slot).map(|t| t.clock) else {
                continue;
            };
            let now = clock_now(&mut p.cpu, clock, mono);
            let Some(t) = p.slot(slot) else { continue };
            if t.expires.is_some_and(|e| e <= now) {
                expire(k, tgid, slot, t, now);
            }
            armed |= t.expires.is_some();
        }
    }
    armed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiration_counts() {
        assert_eq!(expirations(100, 0, 500), 1);
        assert_eq!(expirations(100, 10, 100), 1);
        assert_eq!(expirations(100, 10, 109), 1);
        assert_eq!(expirations(100, 10, 110), 2);
        assert_eq!(to_i32_overrun(i64::MAX), i32::MAX);
    }

    #[test]
    fn posix_countdown() {
        let mut t = Timer::new(Clock::Mono(1), Notify::None);
        t.expires = Some(1000);
        t.interval = 300;
        // SIGEV_NONE interval timers are moved past now when read.
        let s = posix_setting(&mut t, 1000);
        assert_eq!(
            s,
            Setting {
                value: 300,
                interval: 300
            }
        );
        assert_eq!(t.expires, Some(1300));
        // An expired one-shot SIGEV_NONE timer reads 0; a signal one 1ns.
        t.interval = 0;
        assert_eq!(posix_setting(&mut t, 2000).value, 0);
        t.notify = Notify::Signal {
            sig: SIGALRM,
            value: 0,
            thread: None,
        };
        assert_eq!(posix_setting(&mut t, 2000).value, 1);
        t.expires = None;
        assert_eq!(posix_setting(&mut t, 2000), Setting::default());
    }

    #[test]
    fn ids_count_up_and_skip_live_ones() {
        let s = TimerService::new();
        assert_eq!(s.reserve_id(7), 0);
        assert_eq!(s.reserve_id(7), 1);
        assert_eq!(s.reserve_id(8), 0);
        assert!(!s.delete(7, 0));
        s.process_exited(7);
        assert_eq!(s.reserve_id(7), 0);
    }
}
