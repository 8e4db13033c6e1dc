//! System V shared memory (shmget(2), shmat(2), shmctl(2)).
//!
//! A segment is a zero-filled memory object in the memory file, like a
//! `MAP_SHARED` anonymous mapping; shmat maps it with a shared VMA named
//! `/SYSV<key> (deleted)`. Attachments are the VMAs holding the object:
//! `shm_nattch` is the object's reference count beyond the registry's,
//! so fork (which copies VMAs), munmap, exec and exit keep it right
//! without hooks. A segment marked with IPC_RMID lives until its last
//! attachment goes; the registry lets go of such segments on its next use.

use super::{limit, now, Caller, Ids, Lookup, Perm, IPC_INFO, IPC_RMID, IPC_SET, IPC_STAT};
use crate::kernel::task::Task;
use crate::mm::memfile::PAGE;
use crate::mm::object::MemObject;
use crate::mm::{Backing, MapRequest};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use syscalls::abi::{IpcPerm, ShmInfo, ShmInfo64, ShmidDs};
use syscalls::Errno;

pub const SHM_RDONLY: i32 = 0o10000;
pub const SHM_RND: i32 = 0o20000;
pub const SHM_REMAP: i32 = 0o40000;
pub const SHM_EXEC: i32 = 0o100000;
pub const SHM_LOCK: i32 = 11;
pub const SHM_UNLOCK: i32 = 12;
pub const SHM_STAT: i32 = 13;
pub const SHM_INFO: i32 = 14;
pub const SHM_STAT_ANY: i32 = 15;
pub const SHM_NORESERVE: i32 = 0o10000;
/// Mode bits: marked for destruction, locked.
const SHM_DEST: u32 = 0o1000;
const SHM_LOCKED: u32 = 0o2000;
/// SHMLBA on x86_64.
const SHMLBA: u64 = PAGE;

pub struct Segment {
    pub obj: Arc<MemObject>,
    pub size: u64,
    pub atime: i64,
    pub dtime: i64,
    pub ctime: i64,
    pub cpid: i32,
    pub lpid: i32,
}

impl Segment {
    /// Attachments: mappings holding the object (the registry holds one).
    pub fn nattch(&self) -> u64 {
        Arc::strong_count(&self.obj).saturating_sub(1) as u64
    }
}

static SHM: LazyLock<Mutex<Ids<Segment>>> = LazyLock::new(|| Mutex::new(Ids::default()));

/// The registry, after letting go of removed segments nobody maps.
fn ids() -> MutexGuard<'static, Ids<Segment>> {
    let mut ids = SHM.lock().unwrap_or_else(|p| p.into_inner());
    ids.objs
        .retain(|_, (p, s)| p.mode & SHM_DEST == 0 || s.nattch() > 0);
    ids
}

fn shmmax() -> u64 {
    limit("kernel.shmmax", 18446744073692774399, u64::MAX as i128)
}

fn shmall() -> u64 {
    limit("kernel.shmall", 18446744073692774399, u64::MAX as i128)
}

fn shmmni() -> usize {
    limit("kernel.shmmni", 4096, super::IPCMNI as i128) as usize
}

/// RAM + swap of the host (the sandbox's memory view for overcommit).
fn commit_limit() -> u64 {
    static LIMIT: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *LIMIT.get_or_init(|| match nix::sys::sysinfo::sysinfo() {
        Ok(i) => i.ram_total() + i.swap_total(),
        Err(_) => u64::MAX,
    })
}

/// shmget(2).
pub fn shmget(t: &Task, key: i32, size: u64, flag: i32) -> Result<i32, Errno> {
    let c = Caller::of(t);
    let mut ids = ids();
    match ids.lookup(key, flag)? {
        Lookup::Existing(i) => {
            let (p, s) = ids.objs.get(&i).ok_or(Errno::EINVAL)?;
            if s.size < size {
                return Err(Errno::EINVAL);
            }
            p.check(&c, flag)?;
            Ok(p.id)
        }
        Lookup::Create => {
            if size < 1 || size > shmmax() {
                return Err(Errno::EINVAL);
            }
            let pages = size.div_ceil(PAGE);
            // Without SHM_NORESERVE the segment is charged to the commit
            // limit (overcommit's heuristic: no single allocation larger
            // than RAM + swap).
            if flag & SHM_NORESERVE == 0 && pages.saturating_mul(PAGE) > commit_limit() {
                return Err(Errno::ENOMEM);
            }
            let total: u64 = ids.objs.values().map(|(_, s)| s.size.div_ceil(PAGE)).sum();
            if total.checked_add(pages).is_none_or(|n| n > shmall()) {
                return Err(Errno::ENOSPC);
            }
            // Accounted and sized like a tmpfs file: pages are allocated
            // one at a time as touched (no fault-around), so the rss in
            // SHM_INFO and /proc/sysvipc/shm is Linux's.
            let obj = MemObject::new_accounted(
                t.mm.memfile().clone(),
                Arc::new(std::sync::atomic::AtomicU64::new(0)),
            );
            obj.set_eof(size);
            let seg = Segment {
                obj,
                size,
                atime: 0,
                dtime: 0,
                ctime: now(),
                cpid: t.tgid,
                lpid: 0,
            };
            ids.add(Perm::new(key, flag as u32, &c), seg, shmmni())
        }
    }
}

/// shmat(2): the address the segment is mapped at.
pub fn shmat(t: &Task, id: i32, addr: u64, flag: i32) -> Result<u64, Errno> {
    let mut addr = addr;
    if addr != 0 && !addr.is_multiple_of(SHMLBA) {
        if flag & SHM_RND == 0 {
            return Err(Errno::EINVAL);
        }
        addr &= !(SHMLBA - 1);
        if addr == 0 && flag & SHM_REMAP != 0 {
            return Err(Errno::EINVAL);
        }
    } else if addr == 0 && flag & SHM_REMAP != 0 {
        return Err(Errno::EINVAL);
    }
    let (mut prot, acc) = if flag & SHM_RDONLY != 0 {
        (libc::PROT_READ, 0o444)
    } else {
        (libc::PROT_READ | libc::PROT_WRITE, 0o666)
    };
    if flag & SHM_EXEC != 0 {
        prot |= libc::PROT_EXEC;
    }
    let c = Caller::of(t);
    let (obj, size, key) = {
        let mut ids = ids();
        let (p, s) = ids.get(id)?;
        p.check(&c, acc)?;
        (s.obj.clone(), s.size, p.key)
    };
    let len = crate::mm::page_up(size).ok_or(Errno::ENOMEM)?;
    if addr != 0 && flag & SHM_REMAP == 0 {
        let end = addr.checked_add(len).ok_or(Errno::EINVAL)?;
        let mm = t.mm.lock();
        if mm
            .vmas
            .range(..end)
            .next_back()
            .is_some_and(|(_, v)| v.end > addr)
        {
            return Err(Errno::EINVAL);
        }
    }
    let mut req = MapRequest::anon(addr, len, prot);
    req.fixed = addr != 0;
    req.shared = true;
    if flag & SHM_RDONLY != 0 {
        req.max_prot &= !libc::PROT_WRITE;
    }
    req.backing = Backing::Object { obj, off: 0 };
    req.name = Some(format!("/SYSV{:08x} (deleted)", key as u32));
    req.file_id = Some((1, id as u32 as u64));
    req.obj_pages = size.div_ceil(PAGE);
    let got = t.mm.map(req)?;
    if let Ok((_, s)) = ids().get(id) {
        s.atime = now();
        s.lpid = t.tgid;
    }
    Ok(got)
}

/// shmdt(2): unmap the attachment starting at `addr` (every mapping of
/// that segment within its size from there).
pub fn shmdt(t: &Task, addr: u64) -> Result<(), Errno> {
    if !addr.is_multiple_of(PAGE) {
        return Err(Errno::EINVAL);
    }
    let mut ids = ids();
    let (ranges, detached) = {
        let mm = t.mm.lock();
        let Some(v) = mm.vmas.get(&addr) else {
            return Err(Errno::EINVAL);
        };
        let Backing::Object { obj, off: 0 } = &v.backing else {
            return Err(Errno::EINVAL);
        };
        let Some((_, seg)) = ids
            .objs
            .values_mut()
            .find(|(_, s)| Arc::ptr_eq(&s.obj, obj))
        else {
            return Err(Errno::EINVAL);
        };
        seg.dtime = now();
        seg.lpid = t.tgid;
        let end = addr.saturating_add(crate::mm::page_up(seg.size).unwrap_or(u64::MAX));
        let obj = obj.clone();
        let ranges: Vec<(u64, u64)> = mm
            .vmas
            .range(addr..end)
            .filter(|(_, v)| matches!(&v.backing, Backing::Object { obj: o, .. } if Arc::ptr_eq(o, &obj)))
            .map(|(_, v)| (v.start, v.end.min(end)))
            .collect();
        (ranges, obj)
    };
    drop(ids);
    for (s, e) in ranges {
        t.mm.munmap(s, e - s)?;
    }
    // With kernel.shm_rmid_forced, a segment whose last attachment goes
    // is destroyed (shm_may_destroy).
    if limit("kernel.shm_rmid_forced", 0, 1) == 1 {
        let mut ids = self::ids();
        for (p, s) in ids.objs.values_mut() {
            if Arc::ptr_eq(&s.obj, &detached) && Arc::strong_count(&detached) == 2 {
                p.mode |= SHM_DEST;
                p.key = super::IPC_PRIVATE;
            }
        }
    }
    Ok(())
}

fn stat(p: &Perm, s: &Segment) -> ShmidDs {
    ShmidDs {
        shm_perm: p.to_abi(),
        shm_segsz: s.size,
        shm_atime: s.atime,
        shm_dtime: s.dtime,
        shm_ctime: s.ctime,
        shm_cpid: s.cpid,
        shm_lpid: s.lpid,
        shm_nattch: s.nattch(),
        _unused4: 0,
        _unused5: 0,
    }
}

/// What a shmctl command hands back to user space besides its value.
pub enum Out {
    None,
    Ds(ShmidDs),
    Info64(ShmInfo64),
    Info(ShmInfo),
}

/// shmctl(2). `set` is the user's `shmid_ds` perm for IPC_SET.
pub fn shmctl(t: &Task, id: i32, cmd: i32, set: Option<IpcPerm>) -> Result<(u64, Out), Errno> {
    let c = Caller::of(t);
    let mut ids = ids();
    match cmd {
        IPC_INFO => {
            let info = ShmInfo64 {
                shmmax: shmmax(),
                shmmin: 1,
                shmmni: shmmni() as u64,
                shmseg: shmmni() as u64,
                shmall: shmall(),
                _unused: [0; 4],
            };
            Ok((ids.max_idx(), Out::Info64(info)))
        }
        SHM_INFO => {
            let mut info = ShmInfo {
                used_ids: ids.in_use() as i32,
                _pad: 0,
                shm_tot: 0,
                shm_rss: 0,
                shm_swp: 0,
                swap_attempts: 0,
                swap_successes: 0,
            };
            for (_, s) in ids.objs.values() {
                info.shm_tot += s.size.div_ceil(PAGE);
                info.shm_rss += s.obj.len();
            }
            Ok((ids.max_idx(), Out::Info(info)))
        }
        SHM_STAT | SHM_STAT_ANY => {
            let (p, s) = ids.at(id)?;
            if cmd == SHM_STAT {
                p.check(&c, 0o444)?;
            }
            Ok((p.id as u64, Out::Ds(stat(p, s))))
        }
        IPC_STAT => {
            let (p, s) = ids.get(id)?;
            p.check(&c, 0o444)?;
            Ok((0, Out::Ds(stat(p, s))))
        }
        IPC_SET => {
            let (p, s) = ids.get(id)?;
            p.check_owner(&c)?;
            let Some(new) = set else {
                return Err(Errno::EFAULT);
            };
            p.set(&new);
            s.ctime = now();
            Ok((0, Out::None))
        }
        IPC_RMID => {
            let (p, s) = ids.get(id)?;
            p.check_owner(&c)?;
            if s.nattch() == 0 {
                let idx = Ids::<Segment>::index(id);
                ids.objs.remove(&idx);
            } else {
                p.mode |= SHM_DEST;
                p.key = super::IPC_PRIVATE;
            }
            Ok((0, Out::None))
        }
        SHM_LOCK | SHM_UNLOCK => {
            let (p, _) = ids.get(id)?;
            // Locking needs CAP_IPC_LOCK or ownership; memory is never
            // swapped by the sentry, so only the mode bit changes.
            if c.euid != p.uid && c.euid != p.cuid && !c.ipc_owner && c.euid != 0 {
                return Err(Errno::EPERM);
            }
            if cmd == SHM_LOCK {
                p.mode |= SHM_LOCKED;
            } else {
                p.mode &= !SHM_LOCKED;
            }
            Ok((0, Out::None))
        }
        _ => Err(Errno::EINVAL),
    }
}

/// `/proc/sysvipc/shm`.
pub fn proc_listing() -> Vec<u8> {
    let mut out = String::from(
        "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap\n",
    );
    for (p, s) in ids().objs.values() {
        out.push_str(&format!(
            "{:>10} {:>10}  {:>4o} {:>21} {:>5} {:>5}  {:>5} {:>5} {:>5} {:>5} {:>5} {:>10} {:>10} {:>10} {:>21} {:>21}\n",
            p.key,
            p.id,
            p.mode,
            s.size,
            s.cpid,
            s.lpid,
            s.nattch(),
            p.uid,
            p.gid,
            p.cuid,
            p.cgid,
            s.atime,
            s.dtime,
            s.ctime,
            s.obj.len() * PAGE,
            0
        ));
    }
    out.into_bytes()
}

/// A process exits: with `kernel.shm_rmid_forced` set, the segments it
/// created are removed (at once if nobody else maps them, else when the
/// last attachment goes), as Linux's exit_shm does.
pub fn exit_forced(tgid: i32) {
    if limit("kernel.shm_rmid_forced", 0, 1) == 0 {
        return;
    }
    let mut ids = ids();
    for (p, s) in ids.objs.values_mut() {
        if s.cpid == tgid {
            p.mode |= SHM_DEST;
            p.key = super::IPC_PRIVATE;
        }
    }
}

/// A process's address space goes away (its last user exited): detach
/// its segments now, so `shm_nattch` is right as soon as a parent's
/// wait returns (the address space itself is torn down later).
pub fn exit_mm(mm: &crate::mm::MemoryManager) {
    let ranges: Vec<(u64, u64)> = {
        let ids = ids();
        let m = mm.lock();
        m.vmas
            .values()
            .filter(|v| match &v.backing {
                Backing::Object { obj, .. } => {
                    ids.objs.values().any(|(_, s)| Arc::ptr_eq(&s.obj, obj))
                }
                Backing::Anon => false,
            })
            .map(|v| (v.start, v.end))
            .collect()
    };
    for (s, e) in ranges {
        let _ = mm.munmap(s, e - s);
    }
}
