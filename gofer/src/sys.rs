//! Thin wrappers over the few host calls that need `unsafe`: opens that return a new fd, `statx`,
//! `getdents64`, `fchmodat2` and `utimensat` on an fd. Together with [`crate::transport`] this is
//! the only code in the crate allowed to use `unsafe`; everything here takes borrowed fds and
//! `CStr`s and returns owned results, so callers stay safe.

use std::ffi::CStr;
use std::mem::MaybeUninit;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicU8, Ordering};

use nix::fcntl::{OFlag, OpenHow, ResolveFlag};
use nix::sys::stat::Mode;
use syscalls::Errno;

use crate::protocol::{Attr, TimeSet, Timestamp};

pub(crate) type SysResult<T> = Result<T, Errno>;

/// Converts a nix error (an errno) into ours.
pub(crate) fn nix_errno(e: nix::Error) -> Errno {
    Errno::from_i32(e as i32).unwrap_or(Errno::EIO)
}

fn retry<T>(mut f: impl FnMut() -> nix::Result<T>) -> SysResult<T> {
    loop {
        match f() {
            Err(nix::Error::EINTR) => continue,
            r => return r.map_err(nix_errno),
        }
    }
}

fn owned(fd: RawFd) -> OwnedFd {
    // SAFETY: `fd` was just returned by a successful open call on this thread and nothing else
    // owns it; wrapping it transfers that ownership exactly once.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

const OPENAT2_UNKNOWN: u8 = 0;
const OPENAT2_YES: u8 = 1;
const OPENAT2_NO: u8 = 2;
static OPENAT2: AtomicU8 = AtomicU8::new(OPENAT2_UNKNOWN);

/// Opens the single component `name` relative to `dir`, never following a symlink: with
/// `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)` where the kernel has
/// it, else `openat` with `O_NOFOLLOW`. `O_NOFOLLOW | O_CLOEXEC` are always added. A symlink
/// opened with `O_PATH` yields an fd of the link itself; any other open of a symlink fails with
/// `ELOOP`.
pub(crate) fn open_beneath(
    dir: BorrowedFd<'_>,
    name: &CStr,
    flags: i32,
    mode: u32,
) -> SysResult<OwnedFd> {
    let oflag = OFlag::from_bits_retain(flags) | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let creating = oflag.contains(OFlag::O_CREAT);
    let mode = Mode::from_bits_truncate(if creating { mode & 0o7777 } else { 0 });
    if OPENAT2.load(Ordering::Relaxed) != OPENAT2_NO {
        let how = OpenHow::new().flags(oflag).mode(mode).resolve(
            ResolveFlag::RESOLVE_BENEATH
                | ResolveFlag::RESOLVE_NO_SYMLINKS
                | ResolveFlag::RESOLVE_NO_MAGICLINKS,
        );
        match retry(|| nix::fcntl::openat2(dir.as_raw_fd(), name, how)) {
            Err(Errno::ENOSYS) => OPENAT2.store(OPENAT2_NO, Ordering::Relaxed),
            r => {
                OPENAT2.store(OPENAT2_YES, Ordering::Relaxed);
                return r.map(owned);
            }
        }
    }
    retry(|| nix::fcntl::openat(Some(dir.as_raw_fd()), name, oflag, mode)).map(owned)
}

fn makedev(major: u32, minor: u32) -> u64 {
    let (major, minor) = (major as u64, minor as u64);
    ((major & 0xffff_f000) << 32)
        | ((major & 0x0000_0fff) << 8)
        | ((minor & 0xffff_ff00) << 12)
        | (minor & 0x0000_00ff)
}

fn timestamp(t: &libc::statx_timestamp) -> Timestamp {
    Timestamp {
        sec: t.tv_sec,
        nsec: t.tv_nsec.min(999_999_999),
    }
}

/// `statx` of `name` relative to `dir` (or of `dir` itself when `name` is empty), never
/// following a symlink.
pub(crate) fn statx(dir: BorrowedFd<'_>, name: &CStr) -> SysResult<Attr> {
    let mut flags = libc::AT_SYMLINK_NOFOLLOW | libc::AT_STATX_SYNC_AS_STAT;
    if name.is_empty() {
        flags |= libc::AT_EMPTY_PATH;
    }
    let mask = libc::STATX_BASIC_STATS | libc::STATX_BTIME;
    let mut buf = MaybeUninit::<libc::statx>::zeroed();
    loop {
        // SAFETY: `name` is NUL-terminated, `buf` is a writable statx buffer that outlives the
        // call, and `dir` is a live fd for the duration of the borrow.
        let r = unsafe {
            libc::statx(
                dir.as_raw_fd(),
                name.as_ptr(),
                flags,
                mask,
                buf.as_mut_ptr(),
            )
        };
        if r == 0 {
            break;
        }
        match Errno::last() {
            Errno::EINTR => continue,
            e => return Err(e),
        }
    }
    // SAFETY: the buffer was zero-initialised (a valid statx) and then filled by the kernel.
    let s = unsafe { buf.assume_init() };
    Ok(Attr {
        dev: makedev(s.stx_dev_major, s.stx_dev_minor),
        ino: s.stx_ino,
        mode: s.stx_mode as u32,
        nlink: s.stx_nlink as u64,
        uid: s.stx_uid,
        gid: s.stx_gid,
        rdev: makedev(s.stx_rdev_major, s.stx_rdev_minor),
        size: s.stx_size,
        blksize: s.stx_blksize,
        blocks: s.stx_blocks,
        atime: timestamp(&s.stx_atime),
        mtime: timestamp(&s.stx_mtime),
        ctime: timestamp(&s.stx_ctime),
        btime: (s.stx_mask & libc::STATX_BTIME != 0).then(|| timestamp(&s.stx_btime)),
    })
}

/// One `getdents64` call into `buf`; returns the number of bytes filled (0 at the end).
pub(crate) fn getdents64(dir: BorrowedFd<'_>, buf: &mut [u8]) -> SysResult<usize> {
    loop {
        // SAFETY: `buf` is writable for `buf.len()` bytes for the duration of the call and `dir`
        // is a live fd.
        let r = unsafe {
            libc::syscall(
                libc::SYS_getdents64,
                dir.as_raw_fd(),
                buf.as_mut_ptr(),
                buf.len(),
            )
        };
        if r >= 0 {
            return Ok(r as usize);
        }
        match Errno::last() {
            Errno::EINTR => continue,
            e => return Err(e),
        }
    }
}

/// `fchmodat2(fd, "", mode, AT_EMPTY_PATH)`: chmod through an `O_PATH` fd, never following a
/// link. `ENOSYS` on kernels before 6.6.
pub(crate) fn fchmod_path_fd(fd: BorrowedFd<'_>, mode: u32) -> SysResult<()> {
    // SAFETY: the path is a static NUL-terminated string and `fd` is live; no memory is written.
    let r = unsafe {
        libc::syscall(
            libc::SYS_fchmodat2,
            fd.as_raw_fd(),
            c"".as_ptr(),
            mode,
            libc::AT_EMPTY_PATH,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(Errno::last())
    }
}

fn timespec(t: TimeSet) -> libc::timespec {
    let (sec, nsec) = match t {
        TimeSet::Omit => (0, libc::UTIME_OMIT),
        TimeSet::Now => (0, libc::UTIME_NOW),
        TimeSet::At(ts) => (ts.sec, ts.nsec as i64),
    };
    libc::timespec {
        tv_sec: sec,
        tv_nsec: nsec,
    }
}

/// `utimensat(fd, "", times, AT_EMPTY_PATH)`: sets times through an `O_PATH` fd (of any file type,
/// symlinks included), never following a link.
pub(crate) fn utimens_path_fd(fd: BorrowedFd<'_>, atime: TimeSet, mtime: TimeSet) -> SysResult<()> {
    let times = [timespec(atime), timespec(mtime)];
    // SAFETY: `times` is a valid two-element array and the path a static NUL-terminated string,
    // both outliving the call; `fd` is live.
    let r = unsafe {
        libc::utimensat(
            fd.as_raw_fd(),
            c"".as_ptr(),
            times.as_ptr(),
            libc::AT_EMPTY_PATH,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(Errno::last())
    }
}

/// `futimens(fd, times)` on an fd opened for I/O.
pub(crate) fn futimens(fd: BorrowedFd<'_>, atime: TimeSet, mtime: TimeSet) -> SysResult<()> {
    let times = [timespec(atime), timespec(mtime)];
    // SAFETY: `times` is a valid two-element array outliving the call; `fd` is live.
    let r = unsafe { libc::futimens(fd.as_raw_fd(), times.as_ptr()) };
    if r == 0 {
        Ok(())
    } else {
        Err(Errno::last())
    }
}

fn xattr_result(r: isize) -> SysResult<usize> {
    if r < 0 {
        Err(Errno::last())
    } else {
        Ok(r as usize)
    }
}

/// `fgetxattr`: the whole value (asks for the size first; retries if it grew meanwhile).
pub(crate) fn fgetxattr(fd: BorrowedFd<'_>, name: &CStr) -> SysResult<Vec<u8>> {
    loop {
        // SAFETY: a NULL buffer of size 0 asks for the size only.
        let n = xattr_result(unsafe {
            libc::fgetxattr(fd.as_raw_fd(), name.as_ptr(), std::ptr::null_mut(), 0)
        })?;
        let mut buf = vec![0u8; n];
        // SAFETY: `buf` is writable for `buf.len()` bytes during the call.
        match xattr_result(unsafe {
            libc::fgetxattr(
                fd.as_raw_fd(),
                name.as_ptr(),
                buf.as_mut_ptr().cast(),
                buf.len(),
            )
        }) {
            Ok(got) => {
                buf.truncate(got);
                return Ok(buf);
            }
            Err(Errno::ERANGE) => continue,
            Err(e) => return Err(e),
        }
    }
}

/// `flistxattr`: every name, NUL-terminated.
pub(crate) fn flistxattr(fd: BorrowedFd<'_>) -> SysResult<Vec<u8>> {
    loop {
        // SAFETY: a NULL buffer of size 0 asks for the size only.
        let n = xattr_result(unsafe { libc::flistxattr(fd.as_raw_fd(), std::ptr::null_mut(), 0) })?;
        let mut buf = vec![0u8; n];
        // SAFETY: `buf` is writable for `buf.len()` bytes during the call.
        match xattr_result(unsafe {
            libc::flistxattr(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len())
        }) {
            Ok(got) => {
                buf.truncate(got);
                return Ok(buf);
            }
            Err(Errno::ERANGE) => continue,
            Err(e) => return Err(e),
        }
    }
}

/// `fsetxattr`.
pub(crate) fn fsetxattr(
    fd: BorrowedFd<'_>,
    name: &CStr,
    value: &[u8],
    flags: i32,
) -> SysResult<()> {
    // SAFETY: `value` is readable for its length during the call; `name` is NUL-terminated.
    let r = unsafe {
        libc::fsetxattr(
            fd.as_raw_fd(),
            name.as_ptr(),
            value.as_ptr().cast(),
            value.len(),
            flags,
        )
    };
    if r != 0 {
        return Err(Errno::last());
    }
    Ok(())
}

/// `fremovexattr`.
pub(crate) fn fremovexattr(fd: BorrowedFd<'_>, name: &CStr) -> SysResult<()> {
    // SAFETY: `name` is NUL-terminated and lives for the call.
    let r = unsafe { libc::fremovexattr(fd.as_raw_fd(), name.as_ptr()) };
    if r != 0 {
        return Err(Errno::last());
    }
    Ok(())
}

/// Keeps only the capabilities in `keep` (a mask of `CAP_*` bit numbers) in the permitted,
/// effective and inheritable sets, drops every other one from the bounding set, and clears the
/// ambient set.
pub(crate) fn restrict_caps(keep: u64) -> SysResult<()> {
    #[repr(C)]
    struct Header {
        version: u32,
        pid: i32,
    }
    #[repr(C)]
    #[derive(Clone, Copy)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    const LINUX_CAPABILITY_VERSION_3: u32 = 0x2008_0522;
    for cap in 0..64u64 {
        if keep & (1 << cap) != 0 {
            continue;
        }
        // SAFETY: prctl with integer arguments only.
        let r = unsafe { libc::prctl(libc::PR_CAPBSET_DROP, cap as libc::c_ulong, 0, 0, 0) };
        if r != 0 && Errno::last() != Errno::EINVAL {
            // EINVAL: a capability number this kernel does not know.
            return Err(Errno::last());
        }
    }
    // SAFETY: prctl with integer arguments only.
    let r = unsafe {
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL as libc::c_ulong,
            0,
            0,
            0,
        )
    };
    if r != 0 && Errno::last() != Errno::EINVAL {
        return Err(Errno::last());
    }
    let mut hdr = Header {
        version: LINUX_CAPABILITY_VERSION_3,
        pid: 0,
    };
    let low = keep as u32;
    let high = (keep >> 32) as u32;
    let data = [
        Data {
            effective: low,
            permitted: low,
            inheritable: 0,
        },
        Data {
            effective: high,
            permitted: high,
            inheritable: 0,
        },
    ];
    // SAFETY: `hdr` and `data` are valid, properly laid out capset arguments that live for the
    // duration of the call; capset only reads them (and may write hdr.version).
    let r = unsafe { libc::syscall(libc::SYS_capset, &mut hdr as *mut Header, data.as_ptr()) };
    if r != 0 {
        return Err(Errno::last());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsFd;

    fn check(dir: BorrowedFd<'_>) {
        let f = open_beneath(dir, c"f", libc::O_RDONLY, 0).unwrap();
        assert!(statx(f.as_fd(), c"").unwrap().is_file());
        let fdflags = nix::fcntl::fcntl(f.as_raw_fd(), nix::fcntl::FcntlArg::F_GETFD).unwrap();
        assert!(fdflags & libc::FD_CLOEXEC != 0);
        assert_eq!(
            open_beneath(dir, c"l", libc::O_RDONLY, 0).unwrap_err(),
            Errno::ELOOP
        );
        let l = open_beneath(dir, c"l", libc::O_PATH, 0).unwrap();
        assert!(statx(l.as_fd(), c"").unwrap().is_symlink());
        let d = open_beneath(dir, c"d", libc::O_PATH | libc::O_DIRECTORY, 0).unwrap();
        assert!(statx(d.as_fd(), c"").unwrap().is_dir());
        assert_eq!(statx(dir, c"l").unwrap().file_type(), libc::S_IFLNK);
    }

    /// Both the openat2 path and the openat fallback refuse to follow symlinks.
    #[test]
    fn open_beneath_with_and_without_openat2() {
        let base = std::env::temp_dir().join(format!("gofer-sys-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(base.join("d")).unwrap();
        std::fs::write(base.join("f"), "x").unwrap();
        std::os::unix::fs::symlink("f", base.join("l")).unwrap();
        let dir = std::fs::File::open(&base).unwrap();
        check(dir.as_fd());
        assert_eq!(OPENAT2.load(Ordering::Relaxed), OPENAT2_YES);
        OPENAT2.store(OPENAT2_NO, Ordering::Relaxed);
        check(dir.as_fd());
        OPENAT2.store(OPENAT2_UNKNOWN, Ordering::Relaxed);
        std::fs::remove_dir_all(&base).unwrap();
    }
}
