//! Syscall handlers: memory (mmap, munmap, mprotect, mremap, brk, madvise,
//! mincore, msync, mlock family).

use super::{Support, SysResult, Table};
use crate::kernel::task::Task;
use crate::mm::memfile::PAGE;
use crate::mm::object::{MemObject, Source};
use crate::mm::{page_up, Backing, MapRequest};
use crate::vfs::MmapSource;
use syscalls::consts::{F_SEAL_FUTURE_WRITE, F_SEAL_WRITE};
use syscalls::nr;
use syscalls::Errno;

pub fn register(t: &mut Table) {
    t.set(
        nr::MMAP,
        sys_mmap,
        Support::Partial("MAP_SHARED writable file mappings are not written back (read-only root)"),
    );
    t.set(nr::MUNMAP, sys_munmap, Support::Full);
    t.set(nr::MPROTECT, sys_mprotect, Support::Full);
    t.set(nr::MREMAP, sys_mremap, Support::Full);
    t.set(nr::BRK, sys_brk, Support::Full);
    t.set(
        nr::MADVISE,
        sys_madvise,
        Support::Partial("advice other than DONTNEED/FREE/REMOVE is accepted and ignored"),
    );
    t.set(nr::MINCORE, sys_mincore, Support::Full);
    t.set(
        nr::MSYNC,
        sys_msync,
        Support::Partial("nothing to write back (tmpfs pages are the file; the root is read-only)"),
    );
    t.set(
        nr::MLOCK,
        sys_mlock,
        Support::Partial("accepted; memory is never swapped by the sentry"),
    );
    t.set(
        nr::MUNLOCK,
        sys_mlock,
        Support::Partial("accepted; memory is never swapped by the sentry"),
    );
    t.set(
        nr::MLOCK2,
        sys_mlock,
        Support::Partial("accepted; memory is never swapped by the sentry"),
    );
    t.set(nr::MLOCKALL, sys_mlockall, Support::Partial("accepted"));
    t.set(nr::MUNLOCKALL, sys_munlockall, Support::Partial("accepted"));
}

const KNOWN_FLAGS: i32 = libc::MAP_SHARED
    | libc::MAP_PRIVATE
    | libc::MAP_SHARED_VALIDATE
    | libc::MAP_FIXED
    | libc::MAP_ANONYMOUS
    | libc::MAP_32BIT
    | libc::MAP_GROWSDOWN
    | libc::MAP_DENYWRITE
    | libc::MAP_EXECUTABLE
    | libc::MAP_LOCKED
    | libc::MAP_NORESERVE
    | libc::MAP_POPULATE
    | libc::MAP_NONBLOCK
    | libc::MAP_STACK
    | libc::MAP_HUGETLB
    | libc::MAP_SYNC
    | libc::MAP_FIXED_NOREPLACE
    | 0x3f << 26; // MAP_HUGE_SHIFT bits

fn sys_mmap(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (addr, len, prot, flags, fd, off) =
        (a[0], a[1], a[2] as i32, a[3] as i32, a[4] as i32, a[5]);
    if !off.is_multiple_of(PAGE) {
        return Err(Errno::EINVAL);
    }
    // Unknown prot bits are ignored by mmap (mprotect rejects them).
    let prot = prot & (libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC);
    let kind = flags & (libc::MAP_SHARED | libc::MAP_PRIVATE);
    let shared = match kind {
        libc::MAP_SHARED => true,
        libc::MAP_PRIVATE => false,
        libc::MAP_SHARED_VALIDATE => {
            if flags & libc::MAP_ANONYMOUS != 0 {
                return Err(Errno::EINVAL);
            }
            if flags & !KNOWN_FLAGS != 0 || flags & libc::MAP_SYNC != 0 {
                return Err(Errno::EOPNOTSUPP);
            }
            true
        }
        _ => return Err(Errno::EINVAL),
    };
    if len == 0 {
        return Err(Errno::EINVAL);
    }
    let plen = page_up(len).ok_or(Errno::ENOMEM)?;
    if off.checked_add(plen).is_none() {
        return Err(Errno::EOVERFLOW);
    }
    if flags & libc::MAP_HUGETLB != 0 {
        return Err(Errno::EINVAL);
    }
    let mut req = MapRequest::anon(addr, plen, prot);
    req.fixed = flags & libc::MAP_FIXED != 0;
    req.noreplace = flags & libc::MAP_FIXED_NOREPLACE != 0;
    req.growsdown = flags & libc::MAP_GROWSDOWN != 0;
    req.populate = flags & libc::MAP_POPULATE != 0;
    req.noreserve = flags & libc::MAP_NORESERVE != 0;
    req.low32 = flags & libc::MAP_32BIT != 0;
    req.shared = shared;
    if flags & libc::MAP_ANONYMOUS != 0 {
        if shared {
            req.backing = Backing::Object {
                obj: MemObject::new(t.mm.memfile().clone(), Source::Zero),
                off: 0,
            };
            req.name = Some("/dev/zero (deleted)".into());
        }
    } else {
        let file = t.fds.get(fd)?;
        if file.is_path() || !file.readable() {
            return Err(if file.is_path() {
                Errno::EBADF
            } else {
                Errno::EACCES
            });
        }
        if shared {
            // Write-sealed files (memfd) cannot get writable shared mappings.
            let seals = file
                .dentry
                .as_ref()
                .and_then(|d| d.inode_ref().seals().ok())
                .unwrap_or(0);
            if seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE) != 0 {
                if prot & libc::PROT_WRITE != 0 {
                    return Err(Errno::EPERM);
                }
                req.max_prot &= !libc::PROT_WRITE;
            }
        }
        // Files of a noexec mount cannot be mapped executable (do_mmap).
        if file
            .dentry
            .as_ref()
            .is_some_and(|d| d.mount_flags().has(crate::vfs::MountFlags::NOEXEC))
        {
            if prot & libc::PROT_EXEC != 0 {
                return Err(Errno::EPERM);
            }
            req.max_prot &= !libc::PROT_EXEC;
        }
        if shared && !file.writable() {
            if prot & libc::PROT_WRITE != 0 {
                return Err(Errno::EACCES);
            }
            req.max_prot &= !libc::PROT_WRITE;
        }
        match file.mmap()? {
            MmapSource::Object { obj, size, name } => {
                req.backing = Backing::Object { obj, off };
                req.name = Some(name);
                req.file_id = file.stat().ok().map(|st| (st.st_dev, st.st_ino));
                req.obj_pages = size.saturating_sub(off).div_ceil(PAGE);
                if !shared {
                    // Private file pages beyond EOF behave like Linux: SIGBUS.
                }
            }
            MmapSource::Zero => {
                if shared {
                    req.backing = Backing::Object {
                        obj: MemObject::new(t.mm.memfile().clone(), Source::Zero),
                        off: 0,
                    };
                    req.name = Some("/dev/zero (deleted)".into());
                }
            }
        }
    }
    let populate = req.populate;
    let got = t.mm.map(req)?;
    if populate {
        let _ = t.mm.populate_range(got, got + plen);
    }
    Ok(got)
}

fn sys_munmap(t: &mut Task, a: &[u64; 6]) -> SysResult {
    t.mm.munmap(a[0], a[1]).map(|_| 0)
}

fn sys_mprotect(t: &mut Task, a: &[u64; 6]) -> SysResult {
    t.mm.mprotect(a[0], a[1], a[2] as i32).map(|_| 0)
}

fn sys_mremap(t: &mut Task, a: &[u64; 6]) -> SysResult {
    t.mm.mremap(a[0], a[1], a[2], a[3] as i32, a[4])
}

fn sys_brk(t: &mut Task, a: &[u64; 6]) -> SysResult {
    Ok(t.mm.brk(a[0]))
}

fn sys_madvise(t: &mut Task, a: &[u64; 6]) -> SysResult {
    t.mm.madvise(a[0], a[1], a[2] as i32).map(|_| 0)
}

fn sys_mincore(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let v = t.mm.mincore(a[0], a[1])?;
    t.mm.copy_out(a[2], &v)?;
    Ok(0)
}

fn sys_msync(t: &mut Task, a: &[u64; 6]) -> SysResult {
    t.mm.msync(a[0], a[1], a[2] as i32).map(|_| 0)
}

fn sys_mlock(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let start = a[0] & !(PAGE - 1);
    let end = page_up(a[0].checked_add(a[1]).ok_or(Errno::EINVAL)?).ok_or(Errno::ENOMEM)?;
    if a[2] != 0 && t.regs.orig_rax == nr::MLOCK2 as u64 && a[2] & !1 != 0 {
        return Err(Errno::EINVAL);
    }
    if end > start && t.mm.mincore(start, end - start).is_err() {
        return Err(Errno::ENOMEM);
    }
    Ok(0)
}

fn sys_mlockall(_t: &mut Task, a: &[u64; 6]) -> SysResult {
    let known = (libc::MCL_CURRENT | libc::MCL_FUTURE | libc::MCL_ONFAULT) as u64;
    if a[0] == 0 || a[0] & !known != 0 || a[0] == libc::MCL_ONFAULT as u64 {
        return Err(Errno::EINVAL);
    }
    Ok(0)
}

fn sys_munlockall(_t: &mut Task, _a: &[u64; 6]) -> SysResult {
    Ok(0)
}
