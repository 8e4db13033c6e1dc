//! System V semaphores (semget(2), semop(2), semctl(2)).
//!
//! A set's operations apply atomically under the registry lock. A semop
//! that cannot proceed sleeps on the set's wait queue (counted in
//! GETNCNT/GETZCNT for the semaphore it waits on) and retries after every
//! change; IPC_RMID wakes it with EIDRM. Like Linux, a signal ends the wait
//! with EINTR, never restarted. SEM_UNDO adjustments are kept per process
//! (thread group) and applied when its last thread exits.

use super::IPC_STAT;
use super::{now, Caller, Ids, Lookup, Perm, IPC_INFO, IPC_NOWAIT, IPC_RMID, IPC_SET};
use crate::kernel::task::Task;
use crate::kernel::wait::{self, WaitError, WaitQueue};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::time::Instant;
use syscalls::abi::{IpcPerm, SemInfo, Sembuf, SemidDs};
use syscalls::Errno;

pub const GETPID: i32 = 11;
pub const GETVAL: i32 = 12;
pub const GETALL: i32 = 13;
pub const GETNCNT: i32 = 14;
pub const GETZCNT: i32 = 15;
pub const SETVAL: i32 = 16;
pub const SETALL: i32 = 17;
pub const SEM_STAT: i32 = 18;
pub const SEM_INFO: i32 = 19;
pub const SEM_STAT_ANY: i32 = 20;
pub const SEM_UNDO: i16 = 0x1000;
/// The largest semaphore value (and undo adjustment).
pub const SEMVMX: i32 = 32767;
const SEMAEM: i32 = SEMVMX;

#[derive(Clone, Copy, Default)]
struct Sem {
    val: i32,
    pid: i32,
    ncnt: u32,
    zcnt: u32,
}

pub struct SemSet {
    sems: Vec<Sem>,
    otime: i64,
    ctime: i64,
    queue: Arc<WaitQueue>,
}

#[derive(Default)]
struct State {
    ids: Ids<SemSet>,
    /// SEM_UNDO adjustments: tgid -> set id -> per-semaphore adjustment.
    undo: HashMap<i32, HashMap<i32, Vec<i32>>>,
}

static SEM: LazyLock<Mutex<State>> = LazyLock::new(|| Mutex::new(State::default()));

fn state() -> MutexGuard<'static, State> {
    SEM.lock().unwrap_or_else(|p| p.into_inner())
}

/// kernel.sem: SEMMSL SEMMNS SEMOPM SEMMNI.
fn limits() -> [u64; 4] {
    let v = crate::fs::proc::sys::ints("kernel.sem", &[32000, 1024000000, 500, 32000]);
    let g = |i: usize| v.get(i).copied().unwrap_or(0).clamp(0, i32::MAX as i128) as u64;
    [g(0), g(1), g(2), g(3).min(super::IPCMNI as u64)]
}

fn used_sems(ids: &Ids<SemSet>) -> u64 {
    ids.objs.values().map(|(_, s)| s.sems.len() as u64).sum()
}

/// semget(2).
pub fn semget(t: &Task, key: i32, nsems: i32, flag: i32) -> Result<i32, Errno> {
    let [semmsl, semmns, _, semmni] = limits();
    if nsems < 0 || nsems as u64 > semmsl {
        return Err(Errno::EINVAL);
    }
    let c = Caller::of(t);
    let mut st = state();
    match st.ids.lookup(key, flag)? {
        Lookup::Existing(i) => {
            let (p, s) = st.ids.objs.get(&i).ok_or(Errno::EINVAL)?;
            if nsems as usize > s.sems.len() {
                return Err(Errno::EINVAL);
            }
            p.check(&c, flag)?;
            Ok(p.id)
        }
        Lookup::Create => {
            if nsems == 0 {
                return Err(Errno::EINVAL);
            }
            if used_sems(&st.ids) + nsems as u64 > semmns {
                return Err(Errno::ENOSPC);
            }
            let mut sems = Vec::new();
            sems.try_reserve_exact(nsems as usize)
                .map_err(|_| Errno::ENOMEM)?;
            sems.resize(nsems as usize, Sem::default());
            let set = SemSet {
                sems,
                otime: 0,
                ctime: now(),
                queue: Arc::new(WaitQueue::default()),
            };
            st.ids
                .add(Perm::new(key, flag as u32, &c), set, semmni as usize)
        }
    }
}

/// The outcome of one attempt at a semop.
enum Try {
    Done,
    /// Would block on this semaphore; waiting for zero (true) or for a
    /// larger value (false).
    Block(usize, bool),
}

fn try_ops(st: &mut State, id: i32, tgid: i32, ops: &[Sembuf]) -> Result<Try, Errno> {
    let (_, set) = st.ids.get(id).map_err(|_| Errno::EIDRM)?;
    let mut vals: Vec<i32> = set.sems.iter().map(|s| s.val).collect();
    let adj = st.undo.get(&tgid).and_then(|m| m.get(&id));
    let mut new_adj: Vec<i32> = adj.cloned().unwrap_or_else(|| vec![0; vals.len()]);
    for op in ops {
        let n = op.sem_num as usize;
        let cur = vals[n];
        let res = cur + op.sem_op as i32;
        if op.sem_op == 0 && cur != 0 {
            return block(op, n, true);
        }
        if res < 0 {
            return block(op, n, false);
        }
        if res > SEMVMX {
            return Err(Errno::ERANGE);
        }
        if op.sem_flg & SEM_UNDO != 0 {
            let u = new_adj[n] - op.sem_op as i32;
            if !(-SEMAEM - 1..=SEMAEM).contains(&u) {
                return Err(Errno::ERANGE);
            }
            new_adj[n] = u;
        }
        vals[n] = res;
    }
    let changed = vals.iter().zip(&set.sems).any(|(v, s)| *v != s.val);
    for op in ops {
        set.sems[op.sem_num as usize].pid = tgid;
    }
    for (s, v) in set.sems.iter_mut().zip(vals) {
        s.val = v;
    }
    set.otime = now();
    if changed {
        set.queue.notify_all();
    }
    if ops.iter().any(|o| o.sem_flg & SEM_UNDO != 0) {
        st.undo.entry(tgid).or_default().insert(id, new_adj);
    }
    Ok(Try::Done)
}

fn block(op: &Sembuf, n: usize, zero: bool) -> Result<Try, Errno> {
    if op.sem_flg as i32 & IPC_NOWAIT != 0 {
        return Err(Errno::EAGAIN);
    }
    Ok(Try::Block(n, zero))
}

fn count(st: &mut State, id: i32, at: (usize, bool), add: bool) {
    if let Ok((_, set)) = st.ids.get(id) {
        if let Some(s) = set.sems.get_mut(at.0) {
            let c = if at.1 { &mut s.zcnt } else { &mut s.ncnt };
            *c = if add { *c + 1 } else { c.saturating_sub(1) };
        }
    }
}

/// semop(2)/semtimedop(2): `deadline` for semtimedop's timeout.
pub fn semop(t: &Task, id: i32, ops: &[Sembuf], deadline: Option<Instant>) -> Result<(), Errno> {
    let c = Caller::of(t);
    let tgid = t.tgid;
    let (queue, mut waiting) = {
        let mut st = state();
        let queue = {
            let (p, set) = st.ids.get(id)?;
            let max = ops.iter().map(|o| o.sem_num as usize).max().unwrap_or(0);
            if max >= set.sems.len() {
                return Err(Errno::EFBIG);
            }
            let alter = ops.iter().any(|o| o.sem_op != 0);
            p.check(&c, if alter { 0o222 } else { 0o444 })?;
            set.queue.clone()
        };
        match try_ops(&mut st, id, tgid, ops)? {
            Try::Done => return Ok(()),
            Try::Block(n, z) => {
                count(&mut st, id, (n, z), true);
                (queue, Some((n, z)))
            }
        }
    };
    let r = wait::block_on(&[&queue], deadline, || {
        let mut st = state();
        if let Some(w) = waiting.take() {
            count(&mut st, id, w, false);
        }
        match try_ops(&mut st, id, tgid, ops) {
            Ok(Try::Done) => Some(Ok(())),
            Err(e) => Some(Err(e)),
            Ok(Try::Block(n, z)) => {
                count(&mut st, id, (n, z), true);
                waiting = Some((n, z));
                None
            }
        }
    });
    if let Some(w) = waiting {
        count(&mut state(), id, w, false);
    }
    match r {
        Ok(res) => res,
        Err(WaitError::Interrupted) => Err(Errno::EINTR),
        Err(WaitError::TimedOut) => Err(Errno::EAGAIN),
    }
}

/// A process's last thread left: apply its SEM_UNDO adjustments.
pub fn exit_undo(tgid: i32) {
    let mut st = state();
    let Some(undo) = st.undo.remove(&tgid) else {
        return;
    };
    for (id, adj) in undo {
        let Ok((_, set)) = st.ids.get(id) else {
            continue;
        };
        for (s, a) in set.sems.iter_mut().zip(adj) {
            if a != 0 {
                s.val = (s.val + a).clamp(0, SEMVMX);
                s.pid = tgid;
            }
        }
        set.queue.notify_all();
    }
}

/// Forget the undo adjustments of semaphore `num` (None: all) of set `id`.
fn clear_undo(st: &mut State, id: i32, num: Option<usize>) {
    for m in st.undo.values_mut() {
        match num {
            None => {
                m.remove(&id);
            }
            Some(n) => {
                if let Some(v) = m.get_mut(&id).and_then(|v| v.get_mut(n)) {
                    *v = 0;
                }
            }
        }
    }
}

fn stat(p: &Perm, s: &SemSet) -> SemidDs {
    SemidDs {
        sem_perm: p.to_abi(),
        sem_otime: s.otime,
        _unused1: 0,
        sem_ctime: s.ctime,
        _unused2: 0,
        sem_nsems: s.sems.len() as u64,
        _unused3: 0,
        _unused4: 0,
    }
}

/// What a semctl command takes from or hands back to user space.
pub enum Arg {
    None,
    Val(i32),
    Perm(IpcPerm),
    Array(Vec<u16>),
}

pub enum Out {
    None,
    Ds(SemidDs),
    Info(SemInfo),
    Array(Vec<u16>),
}

/// The number of semaphores of set `id` (for reading SETALL's array),
/// after the permission check SETALL does first.
pub fn nsems_for_setall(t: &Task, id: i32) -> Result<usize, Errno> {
    let c = Caller::of(t);
    let mut st = state();
    let (p, s) = st.ids.get(id)?;
    p.check(&c, 0o222)?;
    Ok(s.sems.len())
}

/// semctl(2).
pub fn semctl(t: &Task, id: i32, num: i32, cmd: i32, arg: Arg) -> Result<(u64, Out), Errno> {
    let c = Caller::of(t);
    if cmd == SETVAL {
        if let Arg::Val(v) = arg {
            if !(0..=SEMVMX).contains(&v) {
                return Err(Errno::ERANGE);
            }
        }
    }
    let mut st = state();
    match cmd {
        IPC_INFO | SEM_INFO => {
            let [semmsl, semmns, semopm, semmni] = limits();
            let mut info = SemInfo {
                semmap: 1024000000,
                semmni: semmni as i32,
                semmns: semmns as i32,
                semmnu: 1024000000,
                semmsl: semmsl as i32,
                semopm: semopm as i32,
                semume: 500,
                semusz: 20,
                semvmx: SEMVMX,
                semaem: SEMAEM,
            };
            if cmd == SEM_INFO {
                info.semusz = st.ids.in_use() as i32;
                info.semaem = used_sems(&st.ids) as i32;
            }
            Ok((st.ids.max_idx(), Out::Info(info)))
        }
        SEM_STAT | SEM_STAT_ANY => {
            let (p, s) = st.ids.at(id)?;
            if cmd == SEM_STAT {
                p.check(&c, 0o444)?;
            }
            Ok((p.id as u64, Out::Ds(stat(p, s))))
        }
        IPC_STAT => {
            let (p, s) = st.ids.get(id)?;
            p.check(&c, 0o444)?;
            Ok((0, Out::Ds(stat(p, s))))
        }
        IPC_SET => {
            let (p, s) = st.ids.get(id)?;
            p.check_owner(&c)?;
            let Arg::Perm(new) = arg else {
                return Err(Errno::EFAULT);
            };
            p.set(&new);
            s.ctime = now();
            Ok((0, Out::None))
        }
        IPC_RMID => {
            let (p, s) = st.ids.get(id)?;
            p.check_owner(&c)?;
            s.queue.notify_all();
            st.ids.objs.remove(&Ids::<SemSet>::index(id));
            clear_undo(&mut st, id, None);
            Ok((0, Out::None))
        }
        GETVAL | GETPID | GETNCNT | GETZCNT | GETALL => {
            let (p, s) = st.ids.get(id)?;
            p.check(&c, 0o444)?;
            if cmd == GETALL {
                return Ok((0, Out::Array(s.sems.iter().map(|x| x.val as u16).collect())));
            }
            let sem = usize::try_from(num)
                .ok()
                .and_then(|n| s.sems.get(n))
                .ok_or(Errno::EINVAL)?;
            let v = match cmd {
                GETVAL => sem.val as u64,
                GETPID => sem.pid as u64,
                GETNCNT => sem.ncnt as u64,
                _ => sem.zcnt as u64,
            };
            Ok((v, Out::None))
        }
        SETVAL => {
            let (p, s) = st.ids.get(id)?;
            let n = usize::try_from(num)
                .ok()
                .filter(|n| *n < s.sems.len())
                .ok_or(Errno::EINVAL)?;
            p.check(&c, 0o222)?;
            let Arg::Val(v) = arg else {
                return Err(Errno::EINVAL);
            };
            s.sems[n].val = v;
            s.sems[n].pid = t.tgid;
            s.ctime = now();
            s.queue.notify_all();
            clear_undo(&mut st, id, Some(n));
            Ok((0, Out::None))
        }
        SETALL => {
            let (p, s) = st.ids.get(id)?;
            p.check(&c, 0o222)?;
            let Arg::Array(vals) = arg else {
                return Err(Errno::EFAULT);
            };
            if vals.len() != s.sems.len() {
                return Err(Errno::EIDRM);
            }
            if vals.iter().any(|v| *v as i32 > SEMVMX) {
                return Err(Errno::ERANGE);
            }
            for (x, v) in s.sems.iter_mut().zip(vals) {
                x.val = v as i32;
                x.pid = t.tgid;
            }
            s.ctime = now();
            s.queue.notify_all();
            clear_undo(&mut st, id, None);
            Ok((0, Out::None))
        }
        _ => Err(Errno::EINVAL),
    }
}

/// The operation count limit (SEMOPM) semop checks first.
pub fn semopm() -> u64 {
    limits()[2]
}

/// `/proc/sysvipc/sem`.
pub fn proc_listing() -> Vec<u8> {
    let mut out = String::from(
        "       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n",
    );
    for (p, s) in state().ids.objs.values() {
        out.push_str(&format!(
            "{:>10} {:>10}  {:>4o} {:>10} {:>5} {:>5} {:>5} {:>5} {:>10} {:>10}\n",
            p.key,
            p.id,
            p.mode,
            s.sems.len(),
            p.uid,
            p.gid,
            p.cuid,
            p.cgid,
            s.otime,
            s.ctime
        ));
    }
    out.into_bytes()
}
