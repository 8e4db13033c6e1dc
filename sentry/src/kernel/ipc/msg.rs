//! System V message queues (msgget(2), msgsnd(2), msgrcv(2), msgctl(2)).
//!
//! Messages are kept in the sentry's heap (bounded by `msg_qbytes` per
//! queue and `msgmni` queues). Blocked senders and receivers sleep on the
//! queue's wait queue and retry after every change; IPC_RMID wakes them
//! with EIDRM. A signal ends the wait with ERESTARTNOHAND as in Linux:
//! restarted when no handler ran, EINTR otherwise (whatever SA_RESTART).

use super::{now, Caller, Ids, Lookup, Perm, IPC_INFO, IPC_NOWAIT, IPC_RMID, IPC_SET, IPC_STAT};
use crate::kernel::task::Task;
use crate::kernel::wait::{self, WaitError, WaitQueue};
use std::collections::VecDeque;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use syscalls::abi::{MsgInfo, MsqidDs};
use syscalls::Errno;

pub const MSG_STAT: i32 = 11;
pub const MSG_INFO: i32 = 12;
pub const MSG_STAT_ANY: i32 = 13;
pub const MSG_NOERROR: i32 = 0o10000;
pub const MSG_EXCEPT: i32 = 0o20000;
pub const MSG_COPY: i32 = 0o40000;
const CAP_SYS_RESOURCE: u32 = 24;

pub struct Queue {
    msgs: VecDeque<(i64, Vec<u8>)>,
    cbytes: u64,
    qbytes: u64,
    stime: i64,
    rtime: i64,
    ctime: i64,
    lspid: i32,
    lrpid: i32,
    waiters: Arc<WaitQueue>,
}

static MSG: LazyLock<Mutex<Ids<Queue>>> = LazyLock::new(|| Mutex::new(Ids::default()));

fn ids() -> MutexGuard<'static, Ids<Queue>> {
    MSG.lock().unwrap_or_else(|p| p.into_inner())
}

fn msgmax() -> u64 {
    super::limit("kernel.msgmax", 8192, i32::MAX as i128)
}

fn msgmnb() -> u64 {
    super::limit("kernel.msgmnb", 16384, i32::MAX as i128)
}

fn msgmni() -> u64 {
    super::limit("kernel.msgmni", 32000, super::IPCMNI as i128)
}

/// msgget(2).
pub fn msgget(t: &Task, key: i32, flag: i32) -> Result<i32, Errno> {
    let c = Caller::of(t);
    let mut ids = ids();
    match ids.lookup(key, flag)? {
        Lookup::Existing(i) => {
            let (p, _) = ids.objs.get(&i).ok_or(Errno::EINVAL)?;
            p.check(&c, flag)?;
            Ok(p.id)
        }
        Lookup::Create => {
            let q = Queue {
                msgs: VecDeque::new(),
                cbytes: 0,
                qbytes: msgmnb(),
                stime: 0,
                rtime: 0,
                ctime: now(),
                lspid: 0,
                lrpid: 0,
                waiters: Arc::new(WaitQueue::default()),
            };
            ids.add(Perm::new(key, flag as u32, &c), q, msgmni() as usize)
        }
    }
}

fn sleep_result<T>(r: Result<Result<T, Errno>, WaitError>) -> Result<T, Errno> {
    match r {
        Ok(v) => v,
        Err(_) => Err(Errno::ERESTARTNOHAND),
    }
}

/// msgsnd(2), after the syscall layer read the type and text.
pub fn msgsnd(t: &Task, id: i32, mtype: i64, text: Vec<u8>, flag: i32) -> Result<(), Errno> {
    let c = Caller::of(t);
    let tgid = t.tgid;
    let queue = ids().get(id)?.1.waiters.clone();
    let mut text = Some(text);
    let first = std::cell::Cell::new(true);
    let r = wait::block_on(&[&queue], None, || {
        let mut ids = ids();
        let (p, q) = match ids.get(id) {
            Ok(o) => o,
            Err(_) => {
                return Some(Err(if first.get() {
                    Errno::EINVAL
                } else {
                    Errno::EIDRM
                }))
            }
        };
        first.set(false);
        if let Err(e) = p.check(&c, 0o222) {
            return Some(Err(e));
        }
        let len = text.as_ref().map_or(0, |v| v.len() as u64);
        if len + q.cbytes <= q.qbytes && (q.msgs.len() as u64) < q.qbytes {
            q.msgs.push_back((mtype, text.take().unwrap_or_default()));
            q.cbytes += len;
            q.lspid = tgid;
            q.stime = now();
            q.waiters.notify_all();
            return Some(Ok(()));
        }
        if flag & IPC_NOWAIT != 0 {
            return Some(Err(Errno::EAGAIN));
        }
        None
    });
    sleep_result(r)
}

/// msgrcv(2): the message's type and text (cut to `size` with
/// MSG_NOERROR).
pub fn msgrcv(t: &Task, id: i32, size: u64, typ: i64, flag: i32) -> Result<(i64, Vec<u8>), Errno> {
    if flag & MSG_COPY != 0 && (flag & MSG_EXCEPT != 0 || flag & IPC_NOWAIT == 0) {
        return Err(Errno::EINVAL);
    }
    let c = Caller::of(t);
    let tgid = t.tgid;
    let queue = ids().get(id)?.1.waiters.clone();
    let first = std::cell::Cell::new(true);
    let r = wait::block_on(&[&queue], None, || {
        let mut ids = ids();
        let (p, q) = match ids.get(id) {
            Ok(o) => o,
            Err(_) => {
                return Some(Err(if first.get() {
                    Errno::EINVAL
                } else {
                    Errno::EIDRM
                }))
            }
        };
        first.set(false);
        if let Err(e) = p.check(&c, 0o444) {
            return Some(Err(e));
        }
        match find(&q.msgs, typ, flag) {
            Some(i) => {
                let len = q.msgs[i].1.len() as u64;
                if size < len && flag & MSG_NOERROR == 0 {
                    return Some(Err(Errno::E2BIG));
                }
                if flag & MSG_COPY != 0 {
                    let (ty, text) = &q.msgs[i];
                    return Some(Ok((*ty, text[..len.min(size) as usize].to_vec())));
                }
                let (ty, mut text) = q.msgs.remove(i).unwrap_or_default();
                q.cbytes -= len;
                q.lrpid = tgid;
                q.rtime = now();
                q.waiters.notify_all();
                text.truncate(size as usize);
                Some(Ok((ty, text)))
            }
            None if flag & IPC_NOWAIT != 0 => Some(Err(Errno::ENOMSG)),
            None => None,
        }
    });
    sleep_result(r)
}

/// find_msg: the index of the message `typ` and `flag` select.
fn find(msgs: &VecDeque<(i64, Vec<u8>)>, typ: i64, flag: i32) -> Option<usize> {
    if flag & MSG_COPY != 0 {
        return usize::try_from(typ).ok().filter(|i| *i < msgs.len());
    }
    if typ == 0 {
        return (!msgs.is_empty()).then_some(0);
    }
    if typ < 0 {
        let max = typ.checked_neg().unwrap_or(i64::MAX);
        let mut best: Option<usize> = None;
        for (i, (ty, _)) in msgs.iter().enumerate() {
            if *ty <= max && best.is_none_or(|b| *ty < msgs[b].0) {
                best = Some(i);
            }
        }
        return best;
    }
    if flag & MSG_EXCEPT != 0 {
        return msgs.iter().position(|(ty, _)| *ty != typ);
    }
    msgs.iter().position(|(ty, _)| *ty == typ)
}

fn stat(p: &Perm, q: &Queue) -> MsqidDs {
    MsqidDs {
        msg_perm: p.to_abi(),
        msg_stime: q.stime,
        msg_rtime: q.rtime,
        msg_ctime: q.ctime,
        msg_cbytes: q.cbytes,
        msg_qnum: q.msgs.len() as u64,
        msg_qbytes: q.qbytes,
        msg_lspid: q.lspid,
        msg_lrpid: q.lrpid,
        _unused4: 0,
        _unused5: 0,
    }
}

pub enum Out {
    None,
    Ds(MsqidDs),
    Info(MsgInfo),
}

/// msgctl(2). `set` is the user's `msqid_ds` for IPC_SET.
pub fn msgctl(t: &Task, id: i32, cmd: i32, set: Option<MsqidDs>) -> Result<(u64, Out), Errno> {
    let c = Caller::of(t);
    let mut ids = ids();
    match cmd {
        IPC_INFO | MSG_INFO => {
            let mut info = MsgInfo {
                msgpool: 512000,
                msgmap: 16384,
                msgmax: msgmax() as i32,
                msgmnb: msgmnb() as i32,
                msgmni: msgmni() as i32,
                msgssz: 16,
                msgtql: 16384,
                msgseg: 0xffff,
                _pad: 0,
            };
            if cmd == MSG_INFO {
                info.msgpool = ids.in_use() as i32;
                info.msgmap = ids.objs.values().map(|(_, q)| q.msgs.len() as i32).sum();
                info.msgtql = ids.objs.values().map(|(_, q)| q.cbytes as i32).sum();
            }
            Ok((ids.max_idx(), Out::Info(info)))
        }
        MSG_STAT | MSG_STAT_ANY => {
            let (p, q) = ids.at(id)?;
            if cmd == MSG_STAT {
                p.check(&c, 0o444)?;
            }
            Ok((p.id as u64, Out::Ds(stat(p, q))))
        }
        IPC_STAT => {
            let (p, q) = ids.get(id)?;
            p.check(&c, 0o444)?;
            Ok((0, Out::Ds(stat(p, q))))
        }
        IPC_SET => {
            let (p, q) = ids.get(id)?;
            p.check_owner(&c)?;
            let Some(new) = set else {
                return Err(Errno::EFAULT);
            };
            if new.msg_qbytes > msgmnb() && !crate::syscalls::caps::has_cap(t, CAP_SYS_RESOURCE) {
                return Err(Errno::EPERM);
            }
            q.qbytes = new.msg_qbytes;
            p.set(&new.msg_perm);
            q.ctime = now();
            q.waiters.notify_all();
            Ok((0, Out::None))
        }
        IPC_RMID => {
            let (p, q) = ids.get(id)?;
            p.check_owner(&c)?;
            q.waiters.notify_all();
            ids.objs.remove(&Ids::<Queue>::index(id));
            Ok((0, Out::None))
        }
        _ => Err(Errno::EINVAL),
    }
}

/// The most bytes one message may hold (msgmax).
pub fn max_size() -> u64 {
    msgmax()
}

/// `/proc/sysvipc/msg`.
pub fn proc_listing() -> Vec<u8> {
    let mut out = String::from(
        "       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid      stime      rtime      ctime\n",
    );
    for (p, q) in ids().objs.values() {
        out.push_str(&format!(
            "{:>10} {:>10}  {:>4o}  {:>10} {:>10} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5} {:>10} {:>10} {:>10}\n",
            p.key,
            p.id,
            p.mode,
            q.cbytes,
            q.msgs.len(),
            q.lspid,
            q.lrpid,
            p.uid,
            p.gid,
            p.cuid,
            p.cgid,
            q.stime,
            q.rtime,
            q.ctime
        ));
    }
    out.into_bytes()
}
