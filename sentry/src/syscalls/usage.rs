//! Syscall handlers: getrusage (and the usage wait4/waitid/times report).

use super::{Support, SysResult, Table};
use crate::kernel::task::Task;
use crate::kernel::usage::{group_usage, thread_usage, with_mm, Usage};
use crate::kernel::Kernel;
use syscalls::nr;
use syscalls::Errno;

pub const USAGE_NOTE: &str =
    "user time = the stub thread's host CPU time, system time = the stub's \
     host system time + the sentry thread serving it; ru_maxrss = the sentry's page-table \
     high-water mark; ru_minflt counts faults the sentry resolved; other fields 0";

pub fn register(t: &mut Table) {
    t.set(nr::GETRUSAGE, sys_getrusage, Support::Partial(USAGE_NOTE));
}

const RUSAGE_SELF: i32 = 0;
const RUSAGE_CHILDREN: i32 = -1;
const RUSAGE_THREAD: i32 = 1;

/// The calling process's own usage.
pub fn self_usage(t: &Task) -> Usage {
    with_mm(group_usage(&t.shared.group), &t.mm)
}

/// The usage of reaped children of the calling process.
pub fn children_usage(t: &Task) -> Usage {
    t.k.procs.children_usage(t.tgid)
}

/// A live process's usage plus its children's (wait4 of a stopped or
/// continued child).
pub fn live_usage(k: &Kernel, pid: i32) -> Usage {
    let own = k
        .tasks
        .group(pid)
        .map(|g| group_usage(&g))
        .unwrap_or_default();
    own.plus(&k.procs.children_usage(pid))
}

fn sys_getrusage(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let u = match a[0] as i32 {
        RUSAGE_SELF => self_usage(t),
        RUSAGE_CHILDREN => children_usage(t),
        RUSAGE_THREAD => {
            let (rss, flt) = t.mm.rss_stats();
            let mut u = thread_usage(&t.shared);
            u.maxrss_kb = rss;
            u.minflt = flt;
            u
        }
        _ => return Err(Errno::EINVAL),
    };
    t.mm.write_obj(a[1], &u.to_rusage())?;
    Ok(0)
}
