//! Syscall handlers: System V shared memory (shmget, shmat, shmdt,
//! shmctl); the segments live in [`crate::kernel::ipc::shm`].

use super::{Support, SysResult, Table};
use crate::kernel::ipc::shm::{self, Out};
use crate::kernel::ipc::IPC_SET;
use crate::kernel::task::Task;
use syscalls::abi::ShmidDs;
use syscalls::nr;

pub fn register(t: &mut Table) {
    t.set(nr::SHMGET, sys_shmget, Support::Full);
    t.set(
        nr::SHMAT,
        sys_shmat,
        Support::Partial("one IPC namespace per sandbox (CLONE_NEWIPC is EINVAL)"),
    );
    t.set(nr::SHMDT, sys_shmdt, Support::Full);
    t.set(
        nr::SHMCTL,
        sys_shmctl,
        Support::Partial(
            "SHM_LOCK/SHM_UNLOCK only set the mode bit; shm_dtime is not set by exit/exec",
        ),
    );
}

fn sys_shmget(t: &mut Task, a: &[u64; 6]) -> SysResult {
    shm::shmget(t, a[0] as i32, a[1], a[2] as i32).map(|id| id as u64)
}

fn sys_shmat(t: &mut Task, a: &[u64; 6]) -> SysResult {
    shm::shmat(t, a[0] as i32, a[1], a[2] as i32)
}

fn sys_shmdt(t: &mut Task, a: &[u64; 6]) -> SysResult {
    shm::shmdt(t, a[0]).map(|_| 0)
}

fn sys_shmctl(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (id, cmd, buf) = (a[0] as i32, a[1] as i32, a[2]);
    let set = if cmd == IPC_SET {
        Some(t.mm.read_obj::<ShmidDs>(buf)?.shm_perm)
    } else {
        None
    };
    let (ret, out) = shm::shmctl(t, id, cmd, set)?;
    match out {
        Out::None => {}
        Out::Ds(ds) => t.mm.write_obj(buf, &ds)?,
        Out::Info64(i) => t.mm.write_obj(buf, &i)?,
        Out::Info(i) => t.mm.write_obj(buf, &i)?,
    }
    Ok(ret)
}
