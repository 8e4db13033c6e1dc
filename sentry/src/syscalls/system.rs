//! Syscall handlers: what the sandbox says about its system — uname and
//! the host/domain names, sysinfo, getrandom.

use super::identity::capable;
use super::{Support, SysResult, Table};
use crate::kernel::task::Task;
use syscalls::abi::{Sysinfo, Utsname};
use syscalls::{consts, nr, Errno};

pub fn register(t: &mut Table) {
    let caps = Support::Partial(super::identity::CAPS_NOTE);
    t.set(
        nr::UNAME,
        sys_uname,
        Support::Partial("release 6.18.0, version names the sandbox"),
    );
    t.set(nr::SETHOSTNAME, sys_sethostname, caps);
    t.set(nr::SETDOMAINNAME, sys_setdomainname, caps);
    t.set(
        nr::SYSINFO,
        sys_sysinfo,
        Support::Partial(
            "uptime of the sandbox; RAM figures of the host; no swap; loads 0; procs 1",
        ),
    );
    t.set(
        nr::GETRANDOM,
        sys_getrandom,
        Support::Partial("bytes from the host's getrandom; never blocks"),
    );
}

/// `uname -r` inside the sandbox: the Linux release whose syscall ABI the
/// table follows (the `syscalls` crate is the 6.18 uapi). Programs that
/// compare versions see a current kernel and probe features by calling them.
pub const UTS_RELEASE: &[u8] = b"6.18.0";
/// `uname -v`: says where the program runs.
pub const UTS_VERSION: &[u8] = b"#1 SMP PREEMPT_DYNAMIC runsc sandbox";
/// Linux's __NEW_UTS_LEN.
const UTS_LEN: usize = 64;

fn put_uts(dst: &mut [u8; 65], s: &[u8]) {
    let n = s.len().min(UTS_LEN);
    dst[..n].copy_from_slice(&s[..n]);
    dst[n..].fill(0);
}

fn lock_name(m: &std::sync::Mutex<Vec<u8>>) -> std::sync::MutexGuard<'_, Vec<u8>> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The `struct utsname` the sandbox reports.
pub fn utsname(t: &Task) -> Utsname {
    let mut u = Utsname::default();
    put_uts(&mut u.sysname, b"Linux");
    put_uts(&mut u.nodename, &lock_name(&t.k.hostname));
    put_uts(&mut u.release, UTS_RELEASE);
    put_uts(&mut u.version, UTS_VERSION);
    put_uts(&mut u.machine, b"x86_64");
    put_uts(&mut u.domainname, &lock_name(&t.k.domainname));
    u
}

fn sys_uname(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let u = utsname(t);
    t.mm.write_obj(a[0], &u)?;
    Ok(0)
}

/// sethostname/setdomainname: CAP_SYS_ADMIN, 0 <= len <= 64, EFAULT.
fn read_uts_name(t: &Task, a: &[u64; 6]) -> Result<Vec<u8>, Errno> {
    if !capable(t) {
        return Err(Errno::EPERM);
    }
    let len = a[1] as i32;
    if !(0..=UTS_LEN as i32).contains(&len) {
        return Err(Errno::EINVAL);
    }
    t.mm.read_bytes(a[0], len as usize)
}

fn sys_sethostname(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let name = read_uts_name(t, a)?;
    *lock_name(&t.k.hostname) = name;
    Ok(0)
}

fn sys_setdomainname(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let name = read_uts_name(t, a)?;
    *lock_name(&t.k.domainname) = name;
    Ok(0)
}

/// Host memory figures in bytes: (total, free, shared, buffers).
pub fn host_memory() -> (u64, u64, u64, u64) {
    // SAFETY: sysinfo only writes the struct it is given.
    let mut si: libc::sysinfo = unsafe { std::mem::zeroed() };
    // SAFETY: a valid pointer to a writable struct sysinfo.
    if unsafe { libc::sysinfo(&mut si) } != 0 {
        return (1 << 30, 1 << 29, 0, 0);
    }
    let unit = u64::from(si.mem_unit.max(1));
    let b = |v: u64| v.saturating_mul(unit);
    (
        b(si.totalram),
        b(si.freeram),
        b(si.sharedram),
        b(si.bufferram),
    )
}

fn sys_sysinfo(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let up = t.k.boot.elapsed();
    let (total, free, shared, buffers) = host_memory();
    let si = Sysinfo {
        // Linux rounds a started second up.
        uptime: (up.as_secs() + u64::from(up.subsec_nanos() > 0)) as i64,
        totalram: total,
        freeram: free.min(total),
        sharedram: shared,
        bufferram: buffers,
        procs: 1,
        mem_unit: 1,
        ..Default::default()
    };
    t.mm.write_obj(a[0], &si)?;
    Ok(0)
}

/// Linux's MAX_RW_COUNT: the most one read-like call transfers.
pub const MAX_RW_COUNT: u64 = 0x7fff_f000;
/// The end of the x86_64 user address range (TASK_SIZE_MAX).
pub const TASK_SIZE_MAX: u64 = 0x7fff_ffff_f000;

/// Validate getrandom's flags as Linux does.
pub fn check_getrandom_flags(flags: u32) -> Result<(), Errno> {
    let (nb, rnd, insecure) = (
        consts::GRND_NONBLOCK,
        consts::GRND_RANDOM,
        consts::GRND_INSECURE,
    );
    if flags & !(nb | rnd | insecure) != 0 || flags & (insecure | rnd) == (insecure | rnd) {
        return Err(Errno::EINVAL);
    }
    Ok(())
}

/// Fill `buf` from the host's random pool.
fn host_random(buf: &mut [u8]) -> Result<(), Errno> {
    let mut done = 0;
    while done < buf.len() {
        let rest = &mut buf[done..];
        // SAFETY: the pointer and length describe the writable slice `rest`.
        let n = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
        if n < 0 {
            let e = Errno::last();
            if e == Errno::EINTR {
                continue;
            }
            return Err(Errno::EIO);
        }
        done += n as usize;
    }
    Ok(())
}

fn sys_getrandom(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (addr, flags) = (a[0], a[2] as u32);
    check_getrandom_flags(flags)?;
    let len = a[1].min(MAX_RW_COUNT);
    if addr.checked_add(len).is_none_or(|end| end > TASK_SIZE_MAX) {
        return Err(Errno::EFAULT);
    }
    if len == 0 {
        return Ok(0);
    }
    const CHUNK: u64 = 256 << 10;
    let mut buf = vec![0u8; len.min(CHUNK) as usize];
    let mut done = 0u64;
    while done < len {
        let n = (len - done).min(CHUNK) as usize;
        host_random(&mut buf[..n])?;
        let copied = t.mm.copy_out_partial(addr + done, &buf[..n]);
        done += copied as u64;
        if copied < n {
            break;
        }
    }
    if done == 0 {
        return Err(Errno::EFAULT);
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn getrandom_flags() {
        assert!(check_getrandom_flags(0).is_ok());
        assert!(check_getrandom_flags(consts::GRND_RANDOM | consts::GRND_NONBLOCK).is_ok());
        assert!(check_getrandom_flags(consts::GRND_INSECURE).is_ok());
        assert_eq!(
            check_getrandom_flags(consts::GRND_INSECURE | consts::GRND_RANDOM),
            Err(Errno::EINVAL)
        );
        assert_eq!(check_getrandom_flags(8), Err(Errno::EINVAL));
        assert_eq!(check_getrandom_flags(u32::MAX), Err(Errno::EINVAL));
    }
}
