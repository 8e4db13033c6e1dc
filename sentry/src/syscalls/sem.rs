//! Syscall handlers: System V semaphores (semget, semop, semtimedop,
//! semctl); the sets live in [`crate::kernel::ipc::sem`].

use super::{Support, SysResult, Table};
use crate::kernel::ipc::sem::{self, Arg, Out, SETALL, SETVAL};
use crate::kernel::ipc::IPC_SET;
use crate::kernel::task::Task;
use syscalls::abi::{Sembuf, SemidDs, Timespec};
use syscalls::nr;
use syscalls::Errno;

pub fn register(t: &mut Table) {
    t.set(nr::SEMGET, sys_semget, Support::Full);
    const UNDO: &str =
        "SEM_UNDO adjustments are per process (threads share them, as with CLONE_SYSVSEM)";
    t.set(nr::SEMOP, sys_semop, Support::Partial(UNDO));
    t.set(nr::SEMTIMEDOP, sys_semtimedop, Support::Partial(UNDO));
    t.set(nr::SEMCTL, sys_semctl, Support::Full);
}

/// A zeroed buffer of `n` bytes for user data whose size the app and the
/// IPC sysctls choose: ENOMEM rather than a failed allocation.
pub(super) fn zeroed(n: usize) -> Result<Vec<u8>, Errno> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| Errno::ENOMEM)?;
    v.resize(n, 0);
    Ok(v)
}

fn sys_semget(t: &mut Task, a: &[u64; 6]) -> SysResult {
    sem::semget(t, a[0] as i32, a[1] as i32, a[2] as i32).map(|id| id as u64)
}

fn read_ops(t: &Task, addr: u64, n: u64) -> Result<Vec<Sembuf>, Errno> {
    if n < 1 || n > i32::MAX as u64 {
        return Err(Errno::EINVAL);
    }
    if n > sem::semopm() {
        return Err(Errno::E2BIG);
    }
    let mut buf = zeroed(n as usize * std::mem::size_of::<Sembuf>())?;
    t.mm.copy_in(addr, &mut buf)?;
    Ok(buf
        .chunks_exact(std::mem::size_of::<Sembuf>())
        .filter_map(<Sembuf as syscalls::Pod>::from_bytes)
        .collect())
}

fn sys_semop(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let ops = read_ops(t, a[1], a[2])?;
    sem::semop(t, a[0] as i32, &ops, None).map(|_| 0)
}

fn sys_semtimedop(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let ops = read_ops(t, a[1], a[2])?;
    let deadline = if a[3] == 0 {
        None
    } else {
        let ts: Timespec = t.mm.read_obj(a[3])?;
        if !super::time::timespec_valid(&ts) {
            return Err(Errno::EINVAL);
        }
        let d = std::time::Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32);
        Some(super::time::deadline_after(d))
    };
    sem::semop(t, a[0] as i32, &ops, deadline).map(|_| 0)
}

fn sys_semctl(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (id, num, cmd, ptr) = (a[0] as i32, a[1] as i32, a[2] as i32, a[3]);
    let arg = match cmd {
        SETVAL => Arg::Val(ptr as i32),
        IPC_SET => Arg::Perm(t.mm.read_obj::<SemidDs>(ptr)?.sem_perm),
        SETALL => {
            let n = sem::nsems_for_setall(t, id)?;
            let mut buf = zeroed(n * 2)?;
            t.mm.copy_in(ptr, &mut buf)?;
            Arg::Array(
                buf.chunks_exact(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]]))
                    .collect(),
            )
        }
        _ => Arg::None,
    };
    let (ret, out) = sem::semctl(t, id, num, cmd, arg)?;
    match out {
        Out::None => {}
        Out::Ds(ds) => t.mm.write_obj(ptr, &ds)?,
        Out::Info(i) => t.mm.write_obj(ptr, &i)?,
        Out::Array(v) => {
            let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
            t.mm.copy_out(ptr, &bytes)?;
        }
    }
    Ok(ret)
}
