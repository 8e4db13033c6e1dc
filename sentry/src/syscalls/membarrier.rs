//! Syscall handler: membarrier(2).
//!
//! A barrier must make every running thread of the target processes pass a
//! full memory barrier. Threads not in app code are stopped under ptrace or
//! run sentry code, and a ptrace stop/resume is a full barrier; threads in
//! app code run on host threads of stub processes. x86-TSO still lets a
//! running thread's store sit in its store buffer past its own later loads,
//! so a fence in the sentry alone is not enough: the stub process of a
//! registered address space is registered with the host for
//! MEMBARRIER_CMD_GLOBAL_EXPEDITED, and every expedited barrier is the
//! host's GLOBAL_EXPEDITED (an IPI to each CPU running a registered stub;
//! returning from the interrupt with IRET also serializes the core, which
//! covers SYNC_CORE). MEMBARRIER_CMD_GLOBAL is the host's GLOBAL. The
//! RSEQ commands are EINVAL as on a kernel without rseq (rseq is ENOSYS).

use super::{Support, SysResult, Table};
use crate::kernel::task::Task;
use std::sync::atomic::Ordering;
use syscalls::nr;
use syscalls::Errno;

pub fn register(t: &mut Table) {
    t.set(
        nr::MEMBARRIER,
        sys_membarrier,
        Support::Partial(
            "barriers through the host's membarrier (expedited: GLOBAL_EXPEDITED on the stub \
             processes, registered at the app's registration); RSEQ commands EINVAL",
        ),
    );
}

const QUERY: u64 = 0;
const GLOBAL: u64 = 1;
const GLOBAL_EXPEDITED: u64 = 2;
const REGISTER_GLOBAL_EXPEDITED: u64 = 4;
const PRIVATE_EXPEDITED: u64 = 8;
const REGISTER_PRIVATE_EXPEDITED: u64 = 16;
const PRIVATE_EXPEDITED_SYNC_CORE: u64 = 32;
const REGISTER_PRIVATE_EXPEDITED_SYNC_CORE: u64 = 64;
const PRIVATE_EXPEDITED_RSEQ: u64 = 128;
const REGISTER_PRIVATE_EXPEDITED_RSEQ: u64 = 256;
const GET_REGISTRATIONS: u64 = 512;
const FLAG_CPU: u64 = 1;

/// The commands QUERY reports.
pub const SUPPORTED: u64 = GLOBAL
    | GLOBAL_EXPEDITED
    | REGISTER_GLOBAL_EXPEDITED
    | PRIVATE_EXPEDITED
    | REGISTER_PRIVATE_EXPEDITED
    | PRIVATE_EXPEDITED_SYNC_CORE
    | REGISTER_PRIVATE_EXPEDITED_SYNC_CORE
    | GET_REGISTRATIONS;

/// Registration bits kept in the MemoryManager (the REGISTER_* command
/// values, as GET_REGISTRATIONS reports them), plus the host registration.
const HOST_REGISTERED: u32 = 1 << 31;

fn host_membarrier(cmd: u64) -> bool {
    // SAFETY: membarrier takes no pointers.
    unsafe { libc::syscall(libc::SYS_membarrier, cmd, 0, 0) == 0 }
}

/// An expedited barrier over every running stub thread registered with
/// the host (a superset of the threads the command names).
fn expedited_barrier() {
    std::sync::atomic::fence(Ordering::SeqCst);
    if !host_membarrier(GLOBAL_EXPEDITED) {
        // Not available on this host: the slower global barrier.
        host_membarrier(GLOBAL);
    }
}

/// Register the calling task's stub process with the host once (a fork
/// inherits the app's registrations but has a new stub).
fn ensure_host(t: &mut Task) {
    let state = &t.mm.membarrier;
    if state.load(Ordering::SeqCst) & HOST_REGISTERED == 0 {
        if let Err(e) = t.stub.membarrier_register() {
            tracing::warn!("membarrier: cannot register the stub with the host: {e}");
        }
        state.fetch_or(HOST_REGISTERED, Ordering::SeqCst);
    }
}

fn register_mm(t: &mut Task, bit: u64) -> Result<(), Errno> {
    ensure_host(t);
    t.mm.membarrier.fetch_or(bit as u32, Ordering::SeqCst);
    Ok(())
}

fn registered(t: &Task, bit: u64) -> bool {
    t.mm.membarrier.load(Ordering::SeqCst) & bit as u32 != 0
}

fn sys_membarrier(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (cmd, flags) = (a[0] as u32 as u64, a[1] as u32 as u64);
    let flags_ok = if cmd == PRIVATE_EXPEDITED_RSEQ {
        flags == 0 || flags == FLAG_CPU
    } else {
        flags == 0
    };
    if !flags_ok {
        return Err(Errno::EINVAL);
    }
    match cmd {
        QUERY => Ok(SUPPORTED),
        GLOBAL => {
            std::sync::atomic::fence(Ordering::SeqCst);
            host_membarrier(GLOBAL);
            Ok(0)
        }
        GLOBAL_EXPEDITED => {
            expedited_barrier();
            Ok(0)
        }
        REGISTER_GLOBAL_EXPEDITED
        | REGISTER_PRIVATE_EXPEDITED
        | REGISTER_PRIVATE_EXPEDITED_SYNC_CORE => {
            register_mm(t, cmd)?;
            Ok(0)
        }
        PRIVATE_EXPEDITED => {
            if !registered(t, REGISTER_PRIVATE_EXPEDITED) {
                return Err(Errno::EPERM);
            }
            ensure_host(t);
            expedited_barrier();
            Ok(0)
        }
        PRIVATE_EXPEDITED_SYNC_CORE => {
            if !registered(t, REGISTER_PRIVATE_EXPEDITED_SYNC_CORE) {
                return Err(Errno::EPERM);
            }
            ensure_host(t);
            expedited_barrier();
            Ok(0)
        }
        GET_REGISTRATIONS => {
            let s = t.mm.membarrier.load(Ordering::SeqCst) & !HOST_REGISTERED;
            Ok(u64::from(s))
        }
        PRIVATE_EXPEDITED_RSEQ | REGISTER_PRIVATE_EXPEDITED_RSEQ => Err(Errno::EINVAL),
        _ => Err(Errno::EINVAL),
    }
}
