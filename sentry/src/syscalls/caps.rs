//! Syscall handlers: capget, capset; the capability sets and their
//! transitions at uid changes (cap_task_fix_setuid) and execve.
//!
//! The sets are kept per task in [`ProcExtras`]; root starts with every
//! capability effective and permitted. What is not modelled: ambient
//! capabilities, file capabilities, SECBIT_NOROOT/NO_SETUID_FIXUP, and most
//! privileged operations still ask [`super::identity::capable`] (euid 0)
//! rather than the effective set; scheduling (CAP_SYS_NICE) uses the set.

use super::prctl::{ProcExtras, CAP_FULL_SET};
use super::{Support, SysResult, Table};
use crate::kernel::task::{Creds, Task};
use syscalls::nr;
use syscalls::Errno;

pub fn register(t: &mut Table) {
    let note = "effective/permitted/inheritable sets per task with Linux's capset rules and \
                setuid/execve transitions; no ambient or file capabilities; other tasks' sets \
                are read from a mirror updated after each of their syscalls";
    t.set(nr::CAPGET, sys_capget, Support::Partial(note));
    t.set(nr::CAPSET, sys_capset, Support::Partial(note));
}

/// A task's capability sets (bit n = capability n).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapSets {
    pub effective: u64,
    pub permitted: u64,
    pub inheritable: u64,
}

impl CapSets {
    pub const ROOT: CapSets = CapSets {
        effective: CAP_FULL_SET,
        permitted: CAP_FULL_SET,
        inheritable: 0,
    };
}

pub const CAP_SETPCAP: u32 = 8;
pub const CAP_SYS_NICE: u32 = 23;
/// Capabilities an fsuid change adds or drops (CAP_FS_MASK).
const CAP_FS_MASK: u64 = 1 | 1 << 1 | 1 << 2 | 1 << 3 | 1 << 4 | 1 << 9 | 1 << 32;

const V1: u32 = 0x1998_0330;
const V2: u32 = 0x2007_1026;
const V3: u32 = 0x2008_0522;

/// Whether the task has capability `cap` in its effective set.
pub fn has_cap(t: &Task, cap: u32) -> bool {
    t.extras.caps.effective & (1u64 << cap) != 0
}

/// Linux's cap_task_fix_setuid: adjust the sets for a change of uids.
pub fn fix_setuid(old: &Creds, new: &Creds, x: &mut ProcExtras) {
    let c = &mut x.caps;
    let ids_changed = old.ruid != new.ruid || old.euid != new.euid || old.suid != new.suid;
    if ids_changed {
        let was_root = old.ruid == 0 || old.euid == 0 || old.suid == 0;
        let none_root = new.ruid != 0 && new.euid != 0 && new.suid != 0;
        if was_root && none_root && !x.keepcaps {
            c.permitted = 0;
            c.effective = 0;
        }
        if old.euid == 0 && new.euid != 0 {
            c.effective = 0;
        }
        if old.euid != 0 && new.euid == 0 {
            c.effective = c.permitted;
        }
    } else if old.fsuid != new.fsuid {
        if old.fsuid == 0 && new.fsuid != 0 {
            c.effective &= !CAP_FS_MASK;
        }
        if old.fsuid != 0 && new.fsuid == 0 {
            c.effective |= c.permitted & CAP_FS_MASK;
        }
    }
}

/// The sets after execve (no file capabilities): root (real or effective
/// uid 0) gets the bounding set permitted, effective if euid is 0; others
/// lose every permitted and effective capability. keepcaps is cleared.
pub fn on_exec(t: &mut Task) {
    let x = &mut t.extras;
    if t.creds.ruid == 0 || t.creds.euid == 0 {
        x.caps.permitted = (x.caps.inheritable | x.capbset) & CAP_FULL_SET;
        x.caps.effective = if t.creds.euid == 0 {
            x.caps.permitted
        } else {
            0
        };
    } else {
        x.caps.permitted = 0;
        x.caps.effective = 0;
    }
    x.keepcaps = false;
}

/// Validate the header's version: the number of 32-bit words per set, or
/// EINVAL after writing the preferred version back.
fn check_version(t: &Task, hdr: u64) -> Result<usize, Errno> {
    let version: u32 = t.mm.read_obj(hdr)?;
    match version {
        V1 => Ok(1),
        V2 | V3 => Ok(2),
        _ => {
            t.mm.write_obj(hdr, &V3)?;
            Err(Errno::EINVAL)
        }
    }
}

fn sys_capget(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (hdr, data) = (a[0], a[1]);
    let words = match check_version(t, hdr) {
        Ok(w) => w,
        Err(Errno::EINVAL) if data == 0 => return Ok(0),
        Err(e) => return Err(e),
    };
    if data == 0 {
        return Ok(0);
    }
    let pid: i32 = t.mm.read_obj(hdr + 4)?;
    if pid < 0 {
        return Err(Errno::EINVAL);
    }
    let c = if pid == 0 || pid == t.tid {
        t.extras.caps
    } else {
        t.k.tasks.get(pid).ok_or(Errno::ESRCH)?.caps()
    };
    let mut out = Vec::with_capacity(words * 12);
    for w in 0..words {
        for set in [c.effective, c.permitted, c.inheritable] {
            out.extend_from_slice(&((set >> (32 * w)) as u32).to_le_bytes());
        }
    }
    t.mm.copy_out(data, &out)?;
    Ok(0)
}

fn sys_capset(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (hdr, data) = (a[0], a[1]);
    let words = check_version(t, hdr)?;
    let pid: i32 = t.mm.read_obj(hdr + 4)?;
    if pid != 0 && pid != t.tid {
        return Err(Errno::EPERM);
    }
    let mut raw = vec![0u8; words * 12];
    t.mm.copy_in(data, &mut raw)?;
    let word = |i: usize| -> u64 {
        raw.get(i * 4..i * 4 + 4)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_le_bytes)
            .map_or(0, u64::from)
    };
    let mut new = CapSets {
        effective: 0,
        permitted: 0,
        inheritable: 0,
    };
    for w in 0..words {
        new.effective |= word(w * 3) << (32 * w);
        new.permitted |= word(w * 3 + 1) << (32 * w);
        new.inheritable |= word(w * 3 + 2) << (32 * w);
    }
    new.effective &= CAP_FULL_SET;
    new.permitted &= CAP_FULL_SET;
    new.inheritable &= CAP_FULL_SET;
    let old = t.extras.caps;
    let subset = |a: u64, b: u64| a & !b == 0;
    if !has_cap(t, CAP_SETPCAP) && !subset(new.inheritable, old.inheritable | old.permitted) {
        return Err(Errno::EPERM);
    }
    if !subset(new.inheritable, old.inheritable | t.extras.capbset) {
        return Err(Errno::EPERM);
    }
    if !subset(new.permitted, old.permitted) || !subset(new.effective, new.permitted) {
        return Err(Errno::EPERM);
    }
    t.extras.caps = new;
    Ok(0)
}
