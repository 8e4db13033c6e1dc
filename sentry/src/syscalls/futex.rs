//! Syscall handlers: futex, for single-threaded processes.
//!
//! Until threads exist (processes issue) no other task can wake a waiter, so
//! WAKE wakes nobody and WAIT blocks until its timeout, exactly what Linux does
//! for a single-threaded process. Argument validation and the value checks
//! (EAGAIN, EFAULT, EINVAL) are Linux's.

use super::{Support, SysResult, Table};
use crate::kernel::task::Task;
use syscalls::abi::Timespec;
use syscalls::nr;
use syscalls::Errno;

pub fn register(t: &mut Table) {
    t.set(
        nr::FUTEX,
        sys_futex,
        Support::Partial("single-threaded semantics until threads exist; no PI futexes"),
    );
}

const FUTEX_WAIT: u64 = 0;
const FUTEX_WAKE: u64 = 1;
const FUTEX_REQUEUE: u64 = 3;
const FUTEX_CMP_REQUEUE: u64 = 4;
const FUTEX_WAKE_OP: u64 = 5;
const FUTEX_WAIT_BITSET: u64 = 9;
const FUTEX_WAKE_BITSET: u64 = 10;
const FUTEX_PRIVATE_FLAG: u64 = 128;
const FUTEX_CLOCK_REALTIME: u64 = 256;

fn read_u32(t: &Task, addr: u64) -> Result<u32, Errno> {
    if !addr.is_multiple_of(4) {
        return Err(Errno::EINVAL);
    }
    t.mm.read_obj::<u32>(addr)
}

fn sys_futex(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (uaddr, op, val, timeout, uaddr2, val3) =
        (a[0], a[1], a[2] as u32, a[3], a[4], a[5] as u32);
    let cmd = op & !(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
    if op & FUTEX_CLOCK_REALTIME != 0 && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT {
        return Err(Errno::ENOSYS);
    }
    match cmd {
        FUTEX_WAIT | FUTEX_WAIT_BITSET => {
            if cmd == FUTEX_WAIT_BITSET && val3 == 0 {
                return Err(Errno::EINVAL);
            }
            let deadline = if timeout != 0 {
                let ts: Timespec = t.mm.read_obj(timeout)?;
                if ts.tv_sec < 0 || !(0..1_000_000_000).contains(&ts.tv_nsec) {
                    return Err(Errno::EINVAL);
                }
                let d = std::time::Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32);
                if cmd == FUTEX_WAIT {
                    Some(d) // relative
                } else {
                    // Absolute on CLOCK_MONOTONIC (or REALTIME with the flag).
                    let clock = if op & FUTEX_CLOCK_REALTIME != 0 {
                        nix::time::ClockId::CLOCK_REALTIME
                    } else {
                        nix::time::ClockId::CLOCK_MONOTONIC
                    };
                    let now = nix::time::clock_gettime(clock).map_err(|_| Errno::EINVAL)?;
                    let now = std::time::Duration::new(now.tv_sec() as u64, now.tv_nsec() as u32);
                    Some(d.saturating_sub(now))
                }
            } else {
                None
            };
            if read_u32(t, uaddr)? != val {
                return Err(Errno::EAGAIN);
            }
            match deadline {
                Some(d) => {
                    std::thread::sleep(d);
                    Err(Errno::ETIMEDOUT)
                }
                // Nobody can wake us: Linux would block forever too.
                None => loop {
                    std::thread::park();
                },
            }
        }
        FUTEX_WAKE | FUTEX_WAKE_BITSET => {
            if cmd == FUTEX_WAKE_BITSET && val3 == 0 {
                return Err(Errno::EINVAL);
            }
            read_u32(t, uaddr).map(|_| 0)
        }
        FUTEX_REQUEUE | FUTEX_CMP_REQUEUE => {
            if (timeout as i64) < 0 {
                return Err(Errno::EINVAL);
            }
            let v = read_u32(t, uaddr)?;
            read_u32(t, uaddr2)?;
            if cmd == FUTEX_CMP_REQUEUE && v != val3 {
                return Err(Errno::EAGAIN);
            }
            Ok(0)
        }
        FUTEX_WAKE_OP => {
            read_u32(t, uaddr)?;
            let old = read_u32(t, uaddr2)?;
            let oparg_shift = (val3 >> 31) & 1 == 1;
            let op_kind = (val3 >> 28) & 7;
            let mut oparg = (val3 >> 12) & 0xfff;
            if oparg_shift {
                oparg = 1u32.checked_shl(oparg).unwrap_or(0);
            }
            let new = match op_kind {
                0 => oparg,
                1 => old.wrapping_add(oparg),
                2 => old | oparg,
                3 => old & !oparg,
                4 => old ^ oparg,
                _ => return Err(Errno::ENOSYS),
            };
            t.mm.write_obj(uaddr2, &new)?;
            Ok(0)
        }
        _ => Err(Errno::ENOSYS),
    }
}
