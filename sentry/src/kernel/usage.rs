//! Resource usage accounting (getrusage, wait4's rusage, times).
//!
//! An app thread's user time is its stub thread's host user time; its
//! system time is the stub thread's host system time plus the CPU time of
//! the sentry thread serving it. A process sums its threads: the stub
//! *process* clock covers every stub thread (live and exited), the sentry
//! threads of live tasks are read through their thread clocks (they are
//! threads of this process, so the host allows it), and exited tasks leave
//! their sentry time in the group's [`GroupAccount`]. The final usage of a
//! process is recorded in the process table when its last thread leaves;
//! wait adds it (and the child's own children's) to the reaper's totals.
//!
//! An execve's fresh stub starts its clocks at zero: the old stub's times
//! become a base the new readings add to. ru_minflt only counts faults the
//! sentry resolved.

use super::signal::{TaskShared, ThreadGroup};
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;
use syscalls::abi::{Rusage, Timeval};

/// Resource usage of a thread, a process, or reaped children.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub utime: Duration,
    pub stime: Duration,
    pub maxrss_kb: u64,
    pub minflt: u64,
}

impl Usage {
    /// Accumulate `o` (times and faults add up, maxrss is the maximum).
    pub fn add(&mut self, o: &Usage) {
        self.utime += o.utime;
        self.stime += o.stime;
        self.maxrss_kb = self.maxrss_kb.max(o.maxrss_kb);
        self.minflt += o.minflt;
    }

    pub fn plus(mut self, o: &Usage) -> Usage {
        self.add(o);
        self
    }

    pub fn to_rusage(self) -> Rusage {
        let tv = |d: Duration| Timeval {
            tv_sec: d.as_secs() as i64,
            tv_usec: i64::from(d.subsec_micros()),
        };
        Rusage {
            ru_utime: tv(self.utime),
            ru_stime: tv(self.stime),
            ru_maxrss: self.maxrss_kb as i64,
            ru_minflt: self.minflt as i64,
            ..Default::default()
        }
    }
}

/// Host ids of a task, for reading its CPU clocks.
#[derive(Debug, Default)]
pub struct HostIds {
    sentry_tid: AtomicI32,
    stub_tid: AtomicI32,
    stub_pid: AtomicI32,
}

impl HostIds {
    /// Record the ids; call on the task's own sentry thread whenever its
    /// stub changes (start, exec).
    pub fn set(&self, stub_tid: i32, stub_pid: i32) {
        self.sentry_tid
            .store(nix::unistd::gettid().as_raw(), Ordering::Relaxed);
        self.stub_tid.store(stub_tid, Ordering::Relaxed);
        self.stub_pid.store(stub_pid, Ordering::Relaxed);
    }

    /// Host pid of the stub process (0 before the task first runs).
    pub fn stub_pid(&self) -> i32 {
        self.stub_pid.load(Ordering::Relaxed)
    }
}

/// Per-process accounting kept in the thread group's state.
#[derive(Debug, Default, Clone, Copy)]
pub struct GroupAccount {
    /// Sentry CPU time of the threads that exited.
    pub dead_sentry: Duration,
    /// The last readings of the stub process's (user, user+system) clocks:
    /// still valid after the stub is gone.
    pub stub_user: Duration,
    pub stub_total: Duration,
    /// Stub times of the stubs execve replaced.
    pub base_user: Duration,
    pub base_total: Duration,
    /// Faults and rss of threads whose memory is gone.
    pub maxrss_kb: u64,
    pub minflt: u64,
}

const CPUCLOCK_PROF: i32 = 0;
const CPUCLOCK_VIRT: i32 = 1;

fn host_cpu(id: libc::clockid_t) -> Option<Duration> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid pointer to a timespec.
    if unsafe { libc::clock_gettime(id, &mut ts) } != 0 {
        return None;
    }
    Some(Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
}

fn sentry_thread_cpu(tid: i32) -> Duration {
    if tid <= 0 {
        return Duration::ZERO;
    }
    host_cpu((!tid << 3) | 4 | CPUCLOCK_PROF).unwrap_or_default()
}

/// A host thread's (user, system) time from /proc (clock ticks): the host
/// does not let the sentry read another process's thread clocks.
fn proc_thread_times(pid: i32, tid: i32) -> Option<(Duration, Duration)> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/stat")).ok()?;
    let rest = &s[s.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 and 15 (utime, stime); `rest` starts at field 3.
    let tick = |i: usize| -> Option<Duration> {
        let v: u64 = f.get(i)?.parse().ok()?;
        Some(Duration::from_millis(v * 1000 / syscalls::consts::CLK_TCK))
    };
    Some((tick(11)?, tick(12)?))
}

/// The calling thread's usage (RUSAGE_THREAD). A thread alone in its
/// process reads the stub process clocks; otherwise its stub thread's times
/// come from the host's /proc when it shows the stub (not when the sandbox
/// runs in a pid namespace of its own: then only the sentry time counts).
pub fn thread_usage(ts: &TaskShared) -> Usage {
    let h = &ts.host;
    let (pid, tid) = (
        h.stub_pid.load(Ordering::Relaxed),
        h.stub_tid.load(Ordering::Relaxed),
    );
    let alone = ts.group.members().len() <= 1;
    let stub = if alone {
        let mut acc = GroupAccount::default();
        refresh_stub(&mut acc, pid);
        Some((acc.stub_user, acc.stub_total - acc.stub_user))
    } else {
        proc_thread_times(pid, tid)
    };
    let (u, s) = stub.unwrap_or_default();
    Usage {
        utime: u,
        stime: s + sentry_thread_cpu(h.sentry_tid.load(Ordering::Relaxed)),
        ..Default::default()
    }
}

/// Read the stub process clocks into the account (kept monotonic).
fn refresh_stub(acc: &mut GroupAccount, stub_pid: i32) {
    if stub_pid <= 0 {
        return;
    }
    let user = host_cpu((!stub_pid << 3) | CPUCLOCK_VIRT);
    let total = host_cpu((!stub_pid << 3) | CPUCLOCK_PROF);
    if let (Some(u), Some(t)) = (user, total) {
        acc.stub_user = acc.stub_user.max(acc.base_user + u);
        acc.stub_total = acc.stub_total.max(acc.base_total + t).max(acc.stub_user);
    }
}

/// A process's usage (RUSAGE_SELF), without rss (see [`with_mm`]).
pub fn group_usage(g: &ThreadGroup) -> Usage {
    let members: Vec<_> = g.members().clone();
    let stub_pid = members
        .iter()
        .map(|m| m.host.stub_pid.load(Ordering::Relaxed))
        .find(|p| *p > 0)
        .unwrap_or(0);
    let live: Duration = members
        .iter()
        .map(|m| sentry_thread_cpu(m.host.sentry_tid.load(Ordering::Relaxed)))
        .sum();
    let mut st = g.state();
    refresh_stub(&mut st.usage, stub_pid);
    let acc = st.usage;
    Usage {
        utime: acc.stub_user,
        stime: acc.stub_total - acc.stub_user + acc.dead_sentry + live,
        maxrss_kb: acc.maxrss_kb,
        minflt: acc.minflt,
    }
}

/// Add the memory statistics of an address space to a usage.
pub fn with_mm(mut u: Usage, mm: &crate::mm::MemoryManager) -> Usage {
    let (rss, flt) = mm.rss_stats();
    u.maxrss_kb = u.maxrss_kb.max(rss);
    u.minflt = u.minflt.max(flt);
    u
}

/// execve replaced the calling task's stub (call before the old one is
/// dropped): its times become the base of the new stub's, and the old
/// address space's rss high-water mark is kept.
pub fn exec_switch(
    ts: &TaskShared,
    old_mm: &crate::mm::MemoryManager,
    stub_tid: i32,
    stub_pid: i32,
) {
    let (rss, _) = old_mm.rss_stats();
    let mut st = ts.group.state();
    refresh_stub(&mut st.usage, ts.host.stub_pid.load(Ordering::Relaxed));
    st.usage.base_user = st.usage.stub_user;
    st.usage.base_total = st.usage.stub_total;
    st.usage.maxrss_kb = st.usage.maxrss_kb.max(rss);
    ts.host.set(stub_tid, stub_pid);
}

/// A thread is leaving (on its own sentry thread, before its stub goes):
/// fold its sentry time, the stub's clocks and the memory statistics into
/// the group.
pub fn thread_exiting(ts: &TaskShared, mm: &crate::mm::MemoryManager) {
    let own = host_cpu(libc::CLOCK_THREAD_CPUTIME_ID).unwrap_or_default();
    let (rss, flt) = mm.rss_stats();
    let mut st = ts.group.state();
    refresh_stub(&mut st.usage, ts.host.stub_pid.load(Ordering::Relaxed));
    // Cleared under the state lock so group_usage does not count it twice.
    ts.host.sentry_tid.store(0, Ordering::Relaxed);
    st.usage.dead_sentry += own;
    st.usage.maxrss_kb = st.usage.maxrss_kb.max(rss);
    st.usage.minflt = st.usage.minflt.max(flt);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_and_convert() {
        let a = Usage {
            utime: Duration::from_millis(1500),
            stime: Duration::from_micros(7),
            maxrss_kb: 10,
            minflt: 3,
        };
        let b = a.plus(&Usage { maxrss_kb: 4, ..a });
        assert_eq!(b.utime, Duration::from_secs(3));
        assert_eq!(b.maxrss_kb, 10);
        assert_eq!(b.minflt, 6);
        let r = b.to_rusage();
        assert_eq!((r.ru_utime.tv_sec, r.ru_utime.tv_usec), (3, 0));
        assert_eq!(r.ru_stime.tv_usec, 14);
    }

    #[test]
    fn own_thread_times() {
        let me = std::process::id() as i32;
        let tid = nix::unistd::gettid().as_raw();
        assert!(proc_thread_times(me, tid).is_some());
    }
}
