//! Syscall handlers: System V message queues (msgget, msgsnd, msgrcv,
//! msgctl); the queues live in [`crate::kernel::ipc::msg`].

use super::{Support, SysResult, Table};
use crate::kernel::ipc::msg::{self, Out};
use crate::kernel::ipc::IPC_SET;
use crate::kernel::task::Task;
use syscalls::abi::MsqidDs;
use syscalls::nr;
use syscalls::Errno;

pub fn register(t: &mut Table) {
    t.set(nr::MSGGET, sys_msgget, Support::Full);
    t.set(nr::MSGSND, sys_msgsnd, Support::Full);
    t.set(nr::MSGRCV, sys_msgrcv, Support::Full);
    t.set(nr::MSGCTL, sys_msgctl, Support::Full);
}

fn sys_msgget(t: &mut Task, a: &[u64; 6]) -> SysResult {
    msg::msgget(t, a[0] as i32, a[1] as i32).map(|id| id as u64)
}

fn sys_msgsnd(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (id, ptr, size, flag) = (a[0] as i32, a[1], a[2], a[3] as i32);
    let mtype: i64 = t.mm.read_obj(ptr)?;
    if size > msg::max_size() || (size as i64) < 0 || id < 0 {
        return Err(Errno::EINVAL);
    }
    if mtype < 1 {
        return Err(Errno::EINVAL);
    }
    let mut text = super::sem::zeroed(size as usize)?;
    t.mm.copy_in(ptr.checked_add(8).ok_or(Errno::EFAULT)?, &mut text)?;
    msg::msgsnd(t, id, mtype, text, flag).map(|_| 0)
}

fn sys_msgrcv(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (id, ptr, size, typ, flag) = (a[0] as i32, a[1], a[2], a[3] as i64, a[4] as i32);
    if id < 0 || (size as i64) < 0 {
        return Err(Errno::EINVAL);
    }
    let (mtype, text) = msg::msgrcv(t, id, size, typ, flag)?;
    t.mm.write_obj(ptr, &mtype)?;
    t.mm.copy_out(ptr.checked_add(8).ok_or(Errno::EFAULT)?, &text)?;
    Ok(text.len() as u64)
}

fn sys_msgctl(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (id, cmd, buf) = (a[0] as i32, a[1] as i32, a[2]);
    let set = if cmd == IPC_SET {
        Some(t.mm.read_obj::<MsqidDs>(buf)?)
    } else {
        None
    };
    let (ret, out) = msg::msgctl(t, id, cmd, set)?;
    match out {
        Out::None => {}
        Out::Ds(ds) => t.mm.write_obj(buf, &ds)?,
        Out::Info(i) => t.mm.write_obj(buf, &i)?,
    }
    Ok(ret)
}
