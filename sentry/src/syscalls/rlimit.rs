//! Syscall handlers: resource limits (getrlimit, setrlimit, prlimit64).

use super::identity::{capable, is_self_pid};
use super::{Support, SysResult, Table};
use crate::kernel::task::Task;
use syscalls::abi::Rlimit;
use syscalls::{consts, nr, Errno};

pub fn register(t: &mut Table) {
    let rl = Support::Partial(
        "recorded; only the calling process can be addressed; enforced where each subsystem checks",
    );
    t.set(nr::GETRLIMIT, sys_getrlimit, rl);
    t.set(nr::SETRLIMIT, sys_setrlimit, rl);
    t.set(nr::PRLIMIT64, sys_prlimit64, rl);
}

/// Validate a new limit for `resource` given the current one; as Linux's
/// do_prlimit.
pub fn check_rlimit(resource: u32, cur: Rlimit, new: Rlimit, cap: bool) -> Result<(), Errno> {
    if resource >= consts::RLIM_NLIMITS {
        return Err(Errno::EINVAL);
    }
    if new.rlim_cur > new.rlim_max {
        return Err(Errno::EINVAL);
    }
    if resource == consts::RLIMIT_NOFILE && new.rlim_max > NR_OPEN {
        return Err(Errno::EPERM);
    }
    if new.rlim_max > cur.rlim_max && !cap {
        return Err(Errno::EPERM);
    }
    Ok(())
}

/// Linux's default fs.nr_open: the highest RLIMIT_NOFILE hard limit.
pub const NR_OPEN: u64 = 1 << 20;

/// Shared body of getrlimit/setrlimit/prlimit64 for the calling process.
fn do_prlimit(t: &mut Task, resource: u32, new: Option<Rlimit>) -> Result<Rlimit, Errno> {
    if resource >= consts::RLIM_NLIMITS {
        return Err(Errno::EINVAL);
    }
    let slot = t
        .rlimits
        .get(resource as usize)
        .copied()
        .ok_or(Errno::EINVAL)?;
    if let Some(new) = new {
        check_rlimit(resource, slot, new, capable(t))?;
        if let Some(s) = t.rlimits.get_mut(resource as usize) {
            *s = new;
        }
    }
    Ok(slot)
}

fn sys_getrlimit(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let old = do_prlimit(t, a[0] as u32, None)?;
    t.mm.write_obj(a[1], &old)?;
    Ok(0)
}

fn sys_setrlimit(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let new: Rlimit = t.mm.read_obj(a[1])?;
    do_prlimit(t, a[0] as u32, Some(new))?;
    Ok(0)
}

fn sys_prlimit64(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (pid, resource, new_ptr, old_ptr) = (a[0] as i32, a[1] as u32, a[2], a[3]);
    let new = if new_ptr != 0 {
        Some(t.mm.read_obj::<Rlimit>(new_ptr)?)
    } else {
        None
    };
    if !is_self_pid(t, pid) {
        return Err(Errno::ESRCH);
    }
    let old = do_prlimit(t, resource, new)?;
    if old_ptr != 0 {
        t.mm.write_obj(old_ptr, &old)?;
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rlimit_rules() {
        let inf = Rlimit {
            rlim_cur: u64::MAX,
            rlim_max: u64::MAX,
        };
        let small = Rlimit {
            rlim_cur: 10,
            rlim_max: 20,
        };
        let bad = Rlimit {
            rlim_cur: 30,
            rlim_max: 20,
        };
        assert!(check_rlimit(consts::RLIMIT_CORE, inf, small, false).is_ok());
        assert_eq!(
            check_rlimit(consts::RLIMIT_CORE, inf, bad, true),
            Err(Errno::EINVAL)
        );
        assert_eq!(
            check_rlimit(consts::RLIM_NLIMITS, inf, small, true),
            Err(Errno::EINVAL)
        );
        assert_eq!(
            check_rlimit(consts::RLIMIT_CORE, small, inf, false),
            Err(Errno::EPERM)
        );
        assert!(check_rlimit(consts::RLIMIT_CORE, small, inf, true).is_ok());
        let big = Rlimit {
            rlim_cur: 1,
            rlim_max: NR_OPEN + 1,
        };
        assert_eq!(
            check_rlimit(consts::RLIMIT_NOFILE, inf, big, true),
            Err(Errno::EPERM)
        );
    }
}
