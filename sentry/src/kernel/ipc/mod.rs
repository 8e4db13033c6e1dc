//! System V IPC (svipc(7)): shared memory segments, semaphore sets and
//! message queues. The sandbox is one IPC namespace (the sentry's); each
//! family keeps its objects in an [`Ids`] registry that hands out ids as
//! Linux does (`seq * 32768 + index`), finds objects by key, and checks
//! `ipc_perm` modes against the caller's credentials (ipcperms).
//!
//! Limits come from the sandbox's `/proc/sys/kernel` values, so writes to
//! them (and OCI `linux.sysctl`) take effect.

pub mod msg;
pub mod sem;
pub mod shm;

use crate::kernel::task::Task;
use std::collections::BTreeMap;
use syscalls::abi::IpcPerm;
use syscalls::Errno;

pub const IPC_PRIVATE: i32 = 0;
pub const IPC_CREAT: i32 = 0o1000;
pub const IPC_EXCL: i32 = 0o2000;
pub const IPC_NOWAIT: i32 = 0o4000;
pub const IPC_RMID: i32 = 0;
pub const IPC_SET: i32 = 1;
pub const IPC_STAT: i32 = 2;
pub const IPC_INFO: i32 = 3;

/// IPCMNI: the most objects of one kind (ids' index part).
pub const IPCMNI: usize = 32768;
const SEQ_SHIFT: u32 = 15;
/// Sequence numbers wrap below INT_MAX >> 15.
const SEQ_MAX: u32 = (i32::MAX as u32) >> SEQ_SHIFT;
/// ipc_min_cycle: indices cycle through at least this many slots.
const MIN_CYCLE: usize = 64;

const CAP_IPC_OWNER: u32 = 15;
const CAP_SYS_ADMIN: u32 = 21;

/// Who is asking: the credentials ipcperms and the owner checks use.
pub struct Caller {
    pub tgid: i32,
    pub euid: u32,
    pub egid: u32,
    pub groups: Vec<u32>,
    pub ipc_owner: bool,
    pub sys_admin: bool,
}

impl Caller {
    pub fn of(t: &Task) -> Caller {
        Caller {
            tgid: t.tgid,
            euid: t.creds.euid,
            egid: t.creds.egid,
            groups: t.creds.groups.clone(),
            ipc_owner: crate::syscalls::caps::has_cap(t, CAP_IPC_OWNER),
            sys_admin: crate::syscalls::caps::has_cap(t, CAP_SYS_ADMIN),
        }
    }

    fn in_group(&self, g: u32) -> bool {
        self.egid == g || self.groups.contains(&g)
    }
}

/// `struct kern_ipc_perm`.
#[derive(Clone, Debug)]
pub struct Perm {
    pub key: i32,
    pub id: i32,
    pub uid: u32,
    pub gid: u32,
    pub cuid: u32,
    pub cgid: u32,
    /// Permission bits plus the family's state bits (SHM_DEST...).
    pub mode: u32,
    pub seq: u32,
}

impl Perm {
    pub fn new(key: i32, mode: u32, c: &Caller) -> Perm {
        Perm {
            key,
            id: -1,
            uid: c.euid,
            gid: c.egid,
            cuid: c.euid,
            cgid: c.egid,
            mode: mode & 0o777,
            seq: 0,
        }
    }

    /// ipcperms: whether `flag`'s requested rwx bits are granted (or the
    /// caller has CAP_IPC_OWNER); EACCES if not.
    pub fn check(&self, c: &Caller, flag: i32) -> Result<(), Errno> {
        let flag = flag as u32;
        let requested = (flag >> 6) | (flag >> 3) | flag;
        let mut granted = self.mode;
        if c.euid == self.cuid || c.euid == self.uid {
            granted >>= 6;
        } else if c.in_group(self.cgid) || c.in_group(self.gid) {
            granted >>= 3;
        }
        if requested & !granted & 0o7 != 0 && !c.ipc_owner {
            return Err(Errno::EACCES);
        }
        Ok(())
    }

    /// The owner check of IPC_SET and IPC_RMID (ipcctl_obtain_check):
    /// creator, owner or CAP_SYS_ADMIN, else EPERM.
    pub fn check_owner(&self, c: &Caller) -> Result<(), Errno> {
        if c.euid == self.cuid || c.euid == self.uid || c.sys_admin {
            Ok(())
        } else {
            Err(Errno::EPERM)
        }
    }

    /// IPC_SET: new owner and permission bits.
    pub fn set(&mut self, from: &IpcPerm) {
        self.uid = from.uid;
        self.gid = from.gid;
        self.mode = (self.mode & !0o777) | (from.mode & 0o777);
    }

    /// The `struct ipc64_perm` user space sees.
    pub fn to_abi(&self) -> IpcPerm {
        IpcPerm {
            key: self.key,
            uid: self.uid,
            gid: self.gid,
            cuid: self.cuid,
            cgid: self.cgid,
            mode: self.mode,
            seq: self.seq as u16,
            _pad2: 0,
            _pad3: 0,
            _unused1: 0,
            _unused2: 0,
        }
    }
}

/// One family's objects (`struct ipc_ids`).
pub struct Ids<T> {
    pub objs: BTreeMap<usize, (Perm, T)>,
    seq: u32,
    last_idx: Option<usize>,
}

impl<T> Default for Ids<T> {
    fn default() -> Self {
        Ids {
            objs: BTreeMap::new(),
            seq: 0,
            last_idx: None,
        }
    }
}

/// What [`Ids::get_or_create`] found.
pub enum Lookup {
    /// A new object is needed for this key (IPC_CREAT given).
    Create,
    /// An existing object at this index.
    Existing(usize),
}

impl<T> Ids<T> {
    pub fn in_use(&self) -> usize {
        self.objs.len()
    }

    /// The index part of an id.
    pub fn index(id: i32) -> usize {
        (id as u32 as usize) % IPCMNI
    }

    /// The object with this id (EINVAL if none or a stale sequence).
    pub fn get(&mut self, id: i32) -> Result<&mut (Perm, T), Errno> {
        if id < 0 {
            return Err(Errno::EINVAL);
        }
        match self.objs.get_mut(&Self::index(id)) {
            Some(o) if o.0.id == id => Ok(o),
            _ => Err(Errno::EINVAL),
        }
    }

    /// The object at index `idx` (the *_STAT commands), EINVAL if none.
    pub fn at(&mut self, idx: i32) -> Result<&mut (Perm, T), Errno> {
        if idx < 0 {
            return Err(Errno::EINVAL);
        }
        self.objs.get_mut(&(idx as usize)).ok_or(Errno::EINVAL)
    }

    /// The get-side of shmget/semget/msgget (ipcget): ENOENT, EEXIST, or
    /// what to do next. The family then checks its sizes and
    /// [`Perm::check`]s `flag` against an existing object.
    pub fn lookup(&self, key: i32, flag: i32) -> Result<Lookup, Errno> {
        if key == IPC_PRIVATE {
            return Ok(Lookup::Create);
        }
        let found = self
            .objs
            .iter()
            .find(|(_, (p, _))| p.key == key)
            .map(|(i, _)| *i);
        match found {
            None if flag & IPC_CREAT == 0 => Err(Errno::ENOENT),
            None => Ok(Lookup::Create),
            Some(_) if flag & IPC_CREAT != 0 && flag & IPC_EXCL != 0 => Err(Errno::EEXIST),
            Some(i) => Ok(Lookup::Existing(i)),
        }
    }

    /// Insert a new object (ipc_addid): ENOSPC past `mni` objects.
    pub fn add(&mut self, mut perm: Perm, obj: T, mni: usize) -> Result<i32, Errno> {
        let mni = mni.min(IPCMNI);
        if self.objs.len() >= mni {
            return Err(Errno::ENOSPC);
        }
        let max_idx = (self.objs.len() * 3 / 2).max(MIN_CYCLE).min(mni);
        // idr_alloc_cyclic: the first free index after the last one
        // handed out, wrapping to 0.
        let start = self.last_idx.map_or(0, |l| l + 1);
        let free = |i: &usize| !self.objs.contains_key(i);
        let idx = (start..max_idx)
            .find(free)
            .or_else(|| (0..max_idx.min(start)).find(free))
            .or_else(|| (max_idx..mni).find(free))
            .ok_or(Errno::ENOSPC)?;
        if self.last_idx.is_some_and(|l| idx <= l) {
            self.seq += 1;
            if self.seq >= SEQ_MAX {
                self.seq = 0;
            }
        }
        self.last_idx = Some(idx);
        perm.seq = self.seq;
        perm.id = ((self.seq << SEQ_SHIFT) as usize + idx) as i32;
        let id = perm.id;
        self.objs.insert(idx, (perm, obj));
        Ok(id)
    }

    /// ipc_get_maxidx: the highest index in use, as IPC_INFO and the
    /// *_INFO commands return it (0 when none).
    pub fn max_idx(&self) -> u64 {
        self.objs.keys().next_back().map_or(0, |i| *i as u64)
    }
}

/// Seconds since the epoch (the *_time fields).
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// An integer sysctl, clamped to `0..=max`.
pub fn limit(key: &'static str, default: i128, max: i128) -> u64 {
    crate::fs::proc::sys::int(key, default).clamp(0, max) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(euid: u32, egid: u32, owner_cap: bool) -> Caller {
        Caller {
            tgid: 1,
            euid,
            egid,
            groups: vec![],
            ipc_owner: owner_cap,
            sys_admin: false,
        }
    }

    #[test]
    fn ids_like_linux() {
        let root = caller(0, 0, true);
        let mut ids: Ids<()> = Ids::default();
        let a = ids.add(Perm::new(7, 0o600, &root), (), 10).unwrap();
        let b = ids.add(Perm::new(0, 0o600, &root), (), 10).unwrap();
        assert_eq!((a, b), (0, 1));
        ids.objs.remove(&0);
        // Indices cycle on; reusing a lower one bumps the sequence.
        let c = ids.add(Perm::new(0, 0o600, &root), (), 10).unwrap();
        assert_eq!(c, 2);
        assert!(matches!(ids.lookup(7, 0), Err(Errno::ENOENT)));
        assert!(matches!(ids.lookup(7, IPC_CREAT), Ok(Lookup::Create)));
        ids.add(Perm::new(7, 0o600, &root), (), 10).unwrap();
        assert!(matches!(
            ids.lookup(7, IPC_CREAT | IPC_EXCL),
            Err(Errno::EEXIST)
        ));
        assert!(matches!(ids.lookup(7, 0), Ok(Lookup::Existing(3))));
        for _ in 0..60 {
            ids.add(Perm::new(0, 0, &root), (), 100).unwrap();
        }
        ids.objs.remove(&0);
        let d = ids.add(Perm::new(0, 0, &root), (), 100).unwrap();
        assert_eq!(d, 64);
        // Stale sequence numbers do not find the new object.
        ids.objs.remove(&1);
        ids.objs.remove(&2);
        let mut e = 0;
        for _ in 0..64 {
            e = ids.add(Perm::new(0, 0, &root), (), 100).unwrap();
            if Ids::<()>::index(e) == 1 {
                break;
            }
        }
        assert_eq!(e, 32768 + 1);
        assert!(ids.get(1).is_err());
        assert!(ids.get(e).is_ok());
        assert!(matches!(
            ids.add(Perm::new(0, 0, &root), (), 3),
            Err(Errno::ENOSPC)
        ));
    }

    #[test]
    fn ipcperms() {
        let owner = caller(0, 0, false);
        let mut p = Perm::new(1, 0o640, &owner);
        p.uid = 1000;
        p.gid = 100;
        p.cuid = 1000;
        p.cgid = 100;
        assert!(p.check(&caller(1000, 5, false), 0o600).is_ok());
        assert!(p.check(&caller(1000, 5, false), 0o700).is_err());
        assert!(p.check(&caller(2000, 100, false), 0o400).is_ok());
        assert!(p.check(&caller(2000, 100, false), 0o200).is_err());
        assert!(p.check(&caller(2000, 5, false), 0o004).is_err());
        assert!(p.check(&caller(2000, 5, true), 0o666).is_ok());
        assert!(p.check(&caller(2000, 5, false), IPC_CREAT).is_ok());
        assert!(p.check_owner(&caller(1000, 5, false)).is_ok());
        assert!(p.check_owner(&caller(2000, 5, false)).is_err());
    }
}
