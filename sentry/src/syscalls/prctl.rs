//! Syscall handlers: prctl(2) and the robust futex list, with the
//! per-task process attributes they set ([`ProcExtras`]).

use super::identity::capable;
use super::{Support, SysResult, Table};
use crate::kernel::task::Task;
use syscalls::{consts, nr, Errno};

/// Per-task process attributes that have no home in [`Task`] yet, set
/// through prctl, set_robust_list and the signal calls.
#[derive(Clone, Debug)]
pub struct ProcExtras {
    /// PR_SET_PDEATHSIG (recorded; delivered once parents can die first).
    pub pdeathsig: i32,
    /// PR_SET_DUMPABLE (cleared when the effective or fs ids change).
    pub dumpable: bool,
    /// PR_SET_NO_NEW_PRIVS (sticky; execve does not honour set-id bits anyway).
    pub no_new_privs: bool,
    /// PR_SET_CHILD_SUBREAPER (recorded for the process issue).
    pub subreaper: bool,
    /// The length given to set_robust_list (always 24 once set).
    pub robust_len: u64,
    /// Signals sent to this task that could not take effect yet: blocked
    /// ones, and unblocked ones with a handler (handlers run with the signals
    /// issue). Bit `n-1` is signal `n`.
    pub sig_pending: u64,
    /// The capability bounding set (PR_CAPBSET_READ/DROP); bit n = capability n.
    pub capbset: u64,
    /// PR_SET_KEEPCAPS.
    pub keepcaps: bool,
    /// PR_SET_TIMERSLACK in nanoseconds (recorded).
    pub timer_slack_ns: u64,
    /// PR_SET_THP_DISABLE (recorded).
    pub thp_disable: bool,
    /// Effective, permitted and inheritable capabilities (capget/capset).
    pub caps: super::caps::CapSets,
}

/// The highest capability number Linux knows (CAP_CHECKPOINT_RESTORE).
pub const CAP_LAST_CAP: u64 = consts::CAP_LAST_CAP as u64;
/// Every capability up to [`CAP_LAST_CAP`].
pub const CAP_FULL_SET: u64 = (1 << (CAP_LAST_CAP + 1)) - 1;
/// Linux's default timer slack for a task (50 µs).
pub const DEFAULT_TIMER_SLACK_NS: u64 = 50_000;

impl Default for ProcExtras {
    fn default() -> Self {
        ProcExtras {
            pdeathsig: 0,
            dumpable: true,
            no_new_privs: false,
            subreaper: false,
            robust_len: 0,
            sig_pending: 0,
            capbset: CAP_FULL_SET,
            keepcaps: false,
            timer_slack_ns: DEFAULT_TIMER_SLACK_NS,
            thp_disable: false,
            caps: super::caps::CapSets::ROOT,
        }
    }
}

pub fn register(t: &mut Table) {
    t.set(
        nr::SET_ROBUST_LIST,
        sys_set_robust_list,
        Support::Partial("recorded; the list is walked at exit once futexes exist"),
    );
    t.set(
        nr::GET_ROBUST_LIST,
        sys_get_robust_list,
        Support::Partial("only the calling thread can be addressed"),
    );
    t.errno(
        nr::RSEQ,
        Errno::ENOSYS,
        "as gVisor: not implemented; glibc falls back",
    );
    t.set(
        nr::PRCTL,
        sys_prctl,
        Support::Partial(
            "names, dumpable, no_new_privs, seccomp, pdeathsig/subreaper (recorded), capability bounding set, \
             securebits, keepcaps, timer slack, THP, tid address, PR_SET_VMA (no effect); others EINVAL",
        ),
    );
}

/// sizeof(struct robust_list_head).
const ROBUST_LIST_HEAD_SIZE: u64 = 24;

fn sys_set_robust_list(t: &mut Task, a: &[u64; 6]) -> SysResult {
    if a[1] != ROBUST_LIST_HEAD_SIZE {
        return Err(Errno::EINVAL);
    }
    t.robust_list = (a[0], a[1]);
    t.extras.robust_len = a[1];
    Ok(0)
}

fn sys_get_robust_list(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let pid = a[0] as i32;
    if pid != 0 && pid != t.tid {
        return Err(Errno::ESRCH);
    }
    t.mm.write_obj(a[2], &ROBUST_LIST_HEAD_SIZE)?;
    t.mm.write_obj(a[1], &t.robust_list.0)?;
    Ok(0)
}

/// The name PR_SET_NAME stores: up to 15 bytes before the first NUL.
/// `read` is what could be read at the address (a prefix of at most 15
/// bytes); EFAULT if it ends before a NUL and before 15 bytes.
pub fn comm_from(read: &[u8], wanted: usize) -> Result<Vec<u8>, Errno> {
    if let Some(z) = read.iter().position(|b| *b == 0) {
        return Ok(read[..z].to_vec());
    }
    if read.len() < wanted {
        return Err(Errno::EFAULT);
    }
    Ok(read.to_vec())
}

/// PR_SET_VMA's name rules (ANON_VMA_NAME_MAX_LEN and the allowed bytes).
fn check_vma_name(name: &[u8]) -> Result<(), Errno> {
    let ok = |c: u8| (0x20..0x7f).contains(&c) && !matches!(c, b'\\' | b'`' | b'$' | b'[' | b']');
    if !name.iter().all(|c| ok(*c)) {
        return Err(Errno::EINVAL);
    }
    Ok(())
}

fn sys_prctl(t: &mut Task, a: &[u64; 6]) -> SysResult {
    use consts::{
        PR_CAPBSET_DROP, PR_CAPBSET_READ, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL,
        PR_CAP_AMBIENT_IS_SET, PR_GET_CHILD_SUBREAPER, PR_GET_DUMPABLE, PR_GET_KEEPCAPS,
        PR_GET_NAME, PR_GET_NO_NEW_PRIVS, PR_GET_PDEATHSIG, PR_GET_SECCOMP, PR_GET_SECUREBITS,
        PR_GET_THP_DISABLE, PR_GET_TID_ADDRESS, PR_GET_TIMERSLACK, PR_SET_CHILD_SUBREAPER,
        PR_SET_DUMPABLE, PR_SET_KEEPCAPS, PR_SET_NAME, PR_SET_NO_NEW_PRIVS, PR_SET_PDEATHSIG,
        PR_SET_THP_DISABLE, PR_SET_TIMERSLACK, PR_SET_VMA, TASK_COMM_LEN,
    };
    let (opt, a2, a3, a4, a5) = (a[0] as i32, a[1], a[2], a[3], a[4]);
    match opt {
        PR_SET_NAME => {
            let wanted = TASK_COMM_LEN - 1;
            let mut buf = vec![0u8; wanted];
            let n = t.mm.copy_in_partial(a2, &mut buf);
            t.comm = comm_from(&buf[..n], wanted)?;
            Ok(0)
        }
        PR_GET_NAME => {
            let mut out = [0u8; TASK_COMM_LEN];
            let n = t.comm.len().min(TASK_COMM_LEN - 1);
            out[..n].copy_from_slice(&t.comm[..n]);
            t.mm.copy_out(a2, &out)?;
            Ok(0)
        }
        PR_SET_PDEATHSIG => {
            if a2 > consts::NSIG as u64 {
                return Err(Errno::EINVAL);
            }
            t.extras.pdeathsig = a2 as i32;
            t.shared
                .pdeathsig
                .store(a2 as i32, std::sync::atomic::Ordering::SeqCst);
            Ok(0)
        }
        PR_GET_PDEATHSIG => {
            t.mm.write_obj(a2, &t.extras.pdeathsig)?;
            Ok(0)
        }
        PR_GET_DUMPABLE => Ok(u64::from(t.extras.dumpable)),
        PR_SET_DUMPABLE => {
            if a2 > 1 {
                return Err(Errno::EINVAL);
            }
            t.extras.dumpable = a2 == 1;
            Ok(0)
        }
        PR_SET_NO_NEW_PRIVS => {
            if a2 != 1 || a3 != 0 || a4 != 0 || a5 != 0 {
                return Err(Errno::EINVAL);
            }
            t.extras.no_new_privs = true;
            Ok(0)
        }
        PR_GET_NO_NEW_PRIVS => {
            if a2 != 0 || a3 != 0 || a4 != 0 || a5 != 0 {
                return Err(Errno::EINVAL);
            }
            Ok(u64::from(t.extras.no_new_privs))
        }
        PR_SET_CHILD_SUBREAPER => {
            t.extras.subreaper = a2 != 0;
            t.k.procs.set_subreaper(t.tgid, a2 != 0);
            Ok(0)
        }
        PR_GET_CHILD_SUBREAPER => {
            let on = t.k.procs.is_subreaper(t.tgid);
            t.mm.write_obj(a2, &i32::from(on))?;
            Ok(0)
        }
        PR_CAPBSET_READ => {
            if a2 > CAP_LAST_CAP {
                return Err(Errno::EINVAL);
            }
            Ok((t.extras.capbset >> a2) & 1)
        }
        PR_CAPBSET_DROP => {
            if !capable(t) {
                return Err(Errno::EPERM);
            }
            if a2 > CAP_LAST_CAP {
                return Err(Errno::EINVAL);
            }
            t.extras.capbset &= !(1u64 << a2);
            Ok(0)
        }
        PR_GET_SECUREBITS => Ok(0),
        PR_GET_KEEPCAPS => Ok(u64::from(t.extras.keepcaps)),
        PR_SET_KEEPCAPS => {
            if a2 > 1 {
                return Err(Errno::EINVAL);
            }
            t.extras.keepcaps = a2 == 1;
            Ok(0)
        }
        PR_GET_SECCOMP => super::seccomp::prctl_get_seccomp(t),
        consts::PR_SET_SECCOMP => super::seccomp::prctl_set_seccomp(t, a2, a3),
        PR_GET_TIMERSLACK => Ok(t.extras.timer_slack_ns),
        PR_SET_TIMERSLACK => {
            t.extras.timer_slack_ns = if a2 == 0 { DEFAULT_TIMER_SLACK_NS } else { a2 };
            Ok(0)
        }
        PR_GET_THP_DISABLE => {
            if a2 != 0 || a3 != 0 || a4 != 0 || a5 != 0 {
                return Err(Errno::EINVAL);
            }
            Ok(u64::from(t.extras.thp_disable))
        }
        PR_SET_THP_DISABLE => {
            if a3 != 0 || a4 != 0 || a5 != 0 {
                return Err(Errno::EINVAL);
            }
            t.extras.thp_disable = a2 != 0;
            Ok(0)
        }
        PR_GET_TID_ADDRESS => {
            t.mm.write_obj(a2, &t.clear_child_tid)?;
            Ok(0)
        }
        PR_CAP_AMBIENT => match a2 {
            PR_CAP_AMBIENT_IS_SET => {
                if a3 > CAP_LAST_CAP || a4 != 0 || a5 != 0 {
                    return Err(Errno::EINVAL);
                }
                Ok(0)
            }
            PR_CAP_AMBIENT_CLEAR_ALL => {
                if a3 != 0 || a4 != 0 || a5 != 0 {
                    return Err(Errno::EINVAL);
                }
                Ok(0)
            }
            _ => Err(Errno::EINVAL),
        },
        PR_SET_VMA => {
            // PR_SET_VMA_ANON_NAME is the only operation.
            if a2 != 0 {
                return Err(Errno::EINVAL);
            }
            let _ = (a3, a4);
            if a5 != 0 {
                const ANON_VMA_NAME_MAX_LEN: usize = 80;
                let name = t.mm.read_cstr(a5, ANON_VMA_NAME_MAX_LEN).map_err(|e| {
                    if e == Errno::ENAMETOOLONG {
                        Errno::EINVAL
                    } else {
                        e
                    }
                })?;
                check_vma_name(&name)?;
            }
            Ok(0)
        }
        _ => Err(Errno::EINVAL),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comm_names() {
        assert_eq!(comm_from(b"abc\0def", 15), Ok(b"abc".to_vec()));
        assert_eq!(
            comm_from(b"0123456789abcde", 15),
            Ok(b"0123456789abcde".to_vec())
        );
        assert_eq!(comm_from(b"abc", 15), Err(Errno::EFAULT));
        assert_eq!(comm_from(b"", 15), Err(Errno::EFAULT));
    }

    #[test]
    fn vma_names() {
        assert!(check_vma_name(b"heap arena 1").is_ok());
        assert_eq!(check_vma_name(b"a[b]"), Err(Errno::EINVAL));
        assert_eq!(check_vma_name(b"tab\t"), Err(Errno::EINVAL));
    }

    #[test]
    fn extras_defaults() {
        let e = ProcExtras::default();
        assert!(e.dumpable);
        assert_eq!(e.capbset.count_ones(), CAP_LAST_CAP as u32 + 1);
        assert_eq!(e.timer_slack_ns, DEFAULT_TIMER_SLACK_NS);
    }
}
