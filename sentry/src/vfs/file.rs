//! Open file descriptions and fd tables.

use crate::kernel::task::Task;
use crate::kernel::wait::WaitQueue;
use crate::mm::object::MemObject;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use syscalls::abi::Stat;
use syscalls::Errno;

/// What a file offers to mmap(2).
pub enum MmapSource {
    /// Pages of a memory object (file page cache, shared memory); `size` is
    /// the object's size in bytes (pages past it raise SIGBUS).
    Object {
        obj: Arc<MemObject>,
        size: u64,
        name: String,
    },
    /// Behaves like anonymous memory (/dev/zero).
    Zero,
}

/// poll(2) event bits (x86_64 values, as `u32` like the kernel's `__poll_t`).
pub mod pollev {
    pub const POLLIN: u32 = 0x001;
    pub const POLLPRI: u32 = 0x002;
    pub const POLLOUT: u32 = 0x004;
    pub const POLLERR: u32 = 0x008;
    pub const POLLHUP: u32 = 0x010;
    pub const POLLNVAL: u32 = 0x020;
    pub const POLLRDNORM: u32 = 0x040;
    pub const POLLRDBAND: u32 = 0x080;
    pub const POLLWRNORM: u32 = 0x100;
    pub const POLLWRBAND: u32 = 0x200;
    /// What a file without a poll method reports (Linux's DEFAULT_POLLMASK).
    pub const DEFAULT_POLLMASK: u32 = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

/// One directory entry: (ino, next cookie, d_type, name).
pub type DirEnt = (u64, u64, u8, Vec<u8>);

/// The callback of [`FileOps::readdir_with`]: `(ino, next cookie, d_type,
/// name)`, returns whether to go on.
pub type DirEmit<'a> = dyn FnMut(u64, u64, u8, &[u8]) -> bool + 'a;

/// The operations of one kind of open file. Offsets are managed by [`File`]:
/// `read`/`write` get the position to use (ignored by stream files).
pub trait FileOps: Send + Sync {
    fn read(&self, _file: &File, _buf: &mut [u8], _off: u64) -> Result<usize, Errno> {
        Err(Errno::EINVAL)
    }
    fn write(&self, _file: &File, _buf: &[u8], _off: u64) -> Result<usize, Errno> {
        Err(Errno::EINVAL)
    }
    /// Whether the file has a position (regular files, directories, block
    /// devices); stream files (pipes, ttys, char devices) return false and
    /// lseek gives ESPIPE unless `seek_ok` says otherwise.
    fn seekable(&self) -> bool {
        false
    }
    /// Char devices like /dev/null accept lseek and always report 0.
    fn seek_ok(&self) -> bool {
        self.seekable()
    }
    fn stat(&self) -> Result<Stat, Errno>;
    fn ioctl(&self, _file: &File, _t: &mut Task, _cmd: u64, _arg: u64) -> Result<u64, Errno> {
        Err(Errno::ENOTTY)
    }
    /// Directory entries starting at `pos` (an opaque cookie, 0 = start);
    /// returns (ino, next cookie, d_type, name) tuples.
    fn readdir(&self, _file: &File, _pos: u64, _max: usize) -> Result<Vec<DirEnt>, Errno> {
        Err(Errno::ENOTDIR)
    }
    /// [`FileOps::readdir`] without copying the entries: `emit(ino, next
    /// cookie, d_type, name)` for each entry from `pos` on, at most `max`,
    /// until it returns false.
    fn readdir_with(
        &self,
        file: &File,
        pos: u64,
        max: usize,
        emit: &mut DirEmit,
    ) -> Result<(), Errno> {
        for (ino, off, d_type, name) in self.readdir(file, pos, max)? {
            if !emit(ino, off, d_type, &name) {
                break;
            }
        }
        Ok(())
    }
    fn mmap(&self, _file: &File) -> Result<MmapSource, Errno> {
        Err(Errno::ENODEV)
    }
    /// fsync(2)/fdatasync(2): flush what this file caches to storage. By
    /// default a no-op for regular files and directories of the sentry's
    /// file systems, EINVAL for the rest (pipes, sockets, devices) like
    /// Linux's files without an fsync operation.
    fn fsync(&self, file: &File, _datasync: bool) -> Result<(), Errno> {
        match &file.dentry {
            Some(d) if d.is_dir() || d.inode_ref().is_regular() => Ok(()),
            _ => Err(Errno::EINVAL),
        }
    }
    /// Size for SEEK_END.
    fn size(&self) -> Result<u64, Errno> {
        Ok(self.stat()?.st_size as u64)
    }
    /// read(2) on a file without a sentry-kept position (`seekable()` is
    /// false): pipes, ttys, devices, host stdio (which uses the host offset).
    fn read_cur(&self, file: &File, buf: &mut [u8]) -> Result<usize, Errno> {
        self.read(file, buf, 0)
    }
    /// write(2) on a file without a sentry-kept position.
    fn write_cur(&self, file: &File, buf: &[u8]) -> Result<usize, Errno> {
        self.write(file, buf, 0)
    }
    /// lseek(2). The default implements Linux's generic semantics on the
    /// sentry-kept position for seekable files, always 0 for `seek_ok`
    /// devices, and ESPIPE for streams.
    fn llseek(&self, file: &File, off: i64, whence: u32) -> Result<u64, Errno> {
        if self.seekable() {
            generic_llseek(file, off, whence, || self.size())
        } else if self.seek_ok() {
            Ok(0)
        } else {
            Err(Errno::ESPIPE)
        }
    }
    /// Whether pread/pwrite (and preadv/pwritev) are allowed (else ESPIPE).
    fn pread_ok(&self) -> bool {
        self.seek_ok()
    }
    /// Writes succeed without reading the data (/dev/null, /dev/zero): the
    /// app buffer is never touched.
    fn write_ignores_data(&self) -> bool {
        false
    }
    /// Called by F_SETFL / FIONBIO with the new status flags before they are
    /// stored (host files mirror O_NONBLOCK/O_APPEND onto the host fd).
    fn set_status_flags(&self, _file: &File, _flags: u32) -> Result<(), Errno> {
        Ok(())
    }
    /// statfs of a file that has no dentry (host stdio, pipes).
    fn statfs(&self, _file: &File) -> Result<syscalls::abi::Statfs, Errno> {
        Err(Errno::ENOSYS)
    }
    /// Readiness for poll/select: the [`pollev`] bits true now (the caller
    /// keeps those in `events | POLLERR | POLLHUP`; `events` only lets a
    /// file skip work), and the queue notified whenever they may change.
    /// `None` means nothing notifies: pollers re-check the file
    /// periodically (host fds). The default is Linux's for files without a
    /// poll method: always readable and writable (regular files, devices).
    /// F_GETPIPE_SZ: the capacity of a pipe (EBADF for anything else).
    fn pipe_size(&self) -> Result<usize, Errno> {
        Err(Errno::EBADF)
    }
    /// F_SETPIPE_SZ: resize a pipe to at least `size`; returns the new size.
    fn set_pipe_size(&self, _size: u64, _privileged: bool) -> Result<usize, Errno> {
        Err(Errno::EBADF)
    }
    fn poll(&self, _file: &File, _events: u32) -> (u32, Option<&WaitQueue>) {
        (pollev::DEFAULT_POLLMASK, None)
    }
    /// What `/proc/[pid]/fd/N` shows for a file without a dentry
    /// (`anon_inode:[eventfd]`); pipes and sockets are named from fstat.
    fn proc_name(&self) -> Option<String> {
        None
    }
    /// For a pidfd: the pid it refers to and whether it is a thread pidfd.
    fn pidfd(&self) -> Option<(i32, bool)> {
        None
    }
    /// An fd of this description was closed by the calling task (Linux's
    /// `flush`: every close, dup2 over it, close-on-exec).
    fn flush(&self, _file: &File) {}
    /// The concrete type, for syscalls that act on one kind of file only
    /// (epoll_ctl on an epoll fd, signalfd4 updating a signalfd).
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        None
    }
}

/// Linux's generic lseek on a file's sentry-kept position.
pub fn generic_llseek(
    file: &File,
    off: i64,
    whence: u32,
    size: impl FnOnce() -> Result<u64, Errno>,
) -> Result<u64, Errno> {
    use syscalls::consts::{SEEK_CUR, SEEK_DATA, SEEK_END, SEEK_HOLE, SEEK_SET};
    let mut pos = file.pos.lock().unwrap_or_else(|p| p.into_inner());
    let new = match whence {
        SEEK_SET => Some(off),
        SEEK_CUR => (*pos as i64).checked_add(off),
        SEEK_END => (size()? as i64).checked_add(off),
        SEEK_DATA | SEEK_HOLE => {
            let size = size()? as i64;
            if off < 0 || off >= size {
                return Err(Errno::ENXIO);
            }
            Some(if whence == SEEK_DATA { off } else { size })
        }
        _ => return Err(Errno::EINVAL),
    };
    match new {
        Some(n) if n >= 0 => {
            *pos = n as u64;
            Ok(n as u64)
        }
        _ => Err(Errno::EINVAL),
    }
}

/// An open file description (shared by dup'ed fds).
pub struct File {
    pub ops: Box<dyn FileOps>,
    /// O_ACCMODE bits plus status flags (O_APPEND, O_NONBLOCK, O_DIRECT, ...).
    flags: AtomicU32,
    pub pos: Mutex<u64>,
    /// The dentry it was opened from, if any (for fchdir, /proc/self/fd, getdents).
    pub dentry: Option<Arc<super::Dentry>>,
    /// Set once it took a flock or OFD lock (released when it goes away).
    locked: AtomicBool,
}

impl Drop for File {
    fn drop(&mut self) {
        crate::fs::inotify::on_close(self);
        if self.locked.load(Ordering::Relaxed) {
            super::lock::release_file(self as *const File as usize);
        }
    }
}

impl File {
    pub fn new(ops: Box<dyn FileOps>, flags: u32, dentry: Option<Arc<super::Dentry>>) -> Arc<File> {
        Arc::new(File {
            ops,
            flags: AtomicU32::new(flags),
            pos: Mutex::new(0),
            dentry,
            locked: AtomicBool::new(false),
        })
    }

    /// Remember that this description holds (or waits for) a flock or OFD
    /// lock, so its end releases them.
    pub fn mark_locked(&self) {
        self.locked.store(true, Ordering::Relaxed);
    }

    pub fn flags(&self) -> u32 {
        self.flags.load(Ordering::Relaxed)
    }

    pub fn set_flags(&self, f: u32) {
        self.flags.store(f, Ordering::Relaxed)
    }

    pub fn readable(&self) -> bool {
        let acc = self.flags() & libc::O_ACCMODE as u32;
        acc == libc::O_RDONLY as u32 || acc == libc::O_RDWR as u32
    }

    pub fn writable(&self) -> bool {
        let acc = self.flags() & libc::O_ACCMODE as u32;
        acc == libc::O_WRONLY as u32 || acc == libc::O_RDWR as u32
    }

    /// Whether this is an O_PATH description (no I/O allowed).
    pub fn is_path(&self) -> bool {
        self.flags() & libc::O_PATH as u32 != 0
    }

    /// pread semantics: read at `off` without moving the position.
    pub fn read_at(&self, buf: &mut [u8], off: u64) -> Result<usize, Errno> {
        self.ops.read(self, buf, off)
    }

    pub fn stat(&self) -> Result<Stat, Errno> {
        self.ops.stat()
    }

    pub fn mmap(&self) -> Result<MmapSource, Errno> {
        self.ops.mmap(self)
    }
}

/// One fd slot.
#[derive(Clone, Debug)]
pub struct FdEntry {
    pub file: Arc<File>,
    pub cloexec: bool,
}

/// A task's file descriptor table (shared with CLONE_FILES).
#[derive(Default)]
pub struct FdTable {
    fds: Mutex<Vec<Option<FdEntry>>>,
}

impl FdTable {
    pub fn new() -> Arc<FdTable> {
        Arc::new(FdTable::default())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Option<FdEntry>>> {
        self.fds.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// An fd of `f` was closed by this table: its POSIX locks on the file
    /// go (called with the table unlocked).
    fn closed(&self, f: &File) {
        f.ops.flush(f);
        super::lock::close_posix(self.owner(), f);
    }

    /// The POSIX lock owner this table stands for.
    pub fn owner(&self) -> usize {
        self as *const FdTable as usize
    }

    pub fn get(&self, fd: i32) -> Result<Arc<File>, Errno> {
        self.entry(fd).map(|e| e.file)
    }

    pub fn entry(&self, fd: i32) -> Result<FdEntry, Errno> {
        let t = self.lock();
        usize::try_from(fd)
            .ok()
            .and_then(|i| t.get(i).cloned().flatten())
            .ok_or(Errno::EBADF)
    }

    /// Install at the lowest free fd >= `min`, below `limit` (RLIMIT_NOFILE).
    pub fn install(
        &self,
        file: Arc<File>,
        cloexec: bool,
        min: i32,
        limit: u64,
    ) -> Result<i32, Errno> {
        let mut t = self.lock();
        let mut i = usize::try_from(min).map_err(|_| Errno::EINVAL)?;
        while i < t.len() && t[i].is_some() {
            i += 1;
        }
        if i as u64 >= limit {
            return Err(Errno::EMFILE);
        }
        if i >= t.len() {
            t.resize(i + 1, None);
        }
        t[i] = Some(FdEntry { file, cloexec });
        Ok(i as i32)
    }

    /// Whether [`FdTable::install`] from 0 would find a free fd below
    /// `limit` (`get_unused_fd_flags` before work that must not happen
    /// on EMFILE).
    pub fn has_free(&self, limit: u64) -> bool {
        let t = self.lock();
        let free = t.iter().position(Option::is_none).unwrap_or(t.len());
        (free as u64) < limit
    }

    /// Install at exactly `fd`, returning what was there.
    pub fn install_at(
        &self,
        fd: i32,
        file: Arc<File>,
        cloexec: bool,
    ) -> Result<Option<FdEntry>, Errno> {
        let i = usize::try_from(fd).map_err(|_| Errno::EBADF)?;
        let mut t = self.lock();
        if i >= t.len() {
            t.resize(i + 1, None);
        }
        let old = t[i].replace(FdEntry { file, cloexec });
        drop(t);
        if let Some(e) = &old {
            self.closed(&e.file);
        }
        Ok(old)
    }

    pub fn remove(&self, fd: i32) -> Result<FdEntry, Errno> {
        let i = usize::try_from(fd).map_err(|_| Errno::EBADF)?;
        let mut t = self.lock();
        let e = t.get_mut(i).and_then(|e| e.take()).ok_or(Errno::EBADF)?;
        drop(t);
        self.closed(&e.file);
        Ok(e)
    }

    pub fn set_cloexec(&self, fd: i32, on: bool) -> Result<(), Errno> {
        let i = usize::try_from(fd).map_err(|_| Errno::EBADF)?;
        let mut t = self.lock();
        match t.get_mut(i).and_then(|e| e.as_mut()) {
            Some(e) => {
                e.cloexec = on;
                Ok(())
            }
            None => Err(Errno::EBADF),
        }
    }

    /// close_range(2): close (or mark close-on-exec) every open fd in
    /// `first..=last`; returns the files closed so the caller drops them
    /// outside the table lock.
    pub fn close_range(&self, first: u32, last: u32, cloexec: bool) -> Vec<Arc<File>> {
        let mut t = self.lock();
        let mut closed = Vec::new();
        let end = (last as usize).saturating_add(1).min(t.len());
        for slot in t.iter_mut().take(end).skip(first as usize) {
            if cloexec {
                if let Some(e) = slot.as_mut() {
                    e.cloexec = true;
                }
            } else if let Some(e) = slot.take() {
                closed.push(e.file);
            }
        }
        drop(t);
        for f in &closed {
            self.closed(f);
        }
        closed
    }

    /// A copy of the table for a new process (fork without CLONE_FILES):
    /// the same open file descriptions, their own slots.
    pub fn fork(&self) -> Arc<FdTable> {
        let t = self.lock();
        Arc::new(FdTable {
            fds: Mutex::new(t.clone()),
        })
    }

    /// Close every close-on-exec fd (execve).
    pub fn close_on_exec(&self) {
        let mut t = self.lock();
        let mut closed = Vec::new();
        for e in t.iter_mut() {
            if e.as_ref().is_some_and(|e| e.cloexec) {
                if let Some(e) = e.take() {
                    closed.push(e.file);
                }
            }
        }
        drop(t);
        for f in &closed {
            self.closed(f);
        }
    }

    /// Highest fd in use + 1.
    pub fn len(&self) -> usize {
        let t = self.lock();
        t.iter()
            .rposition(|e| e.is_some())
            .map(|i| i + 1)
            .unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The size of the table as Linux's `fdt->max_fds` would be (select(2)
    /// ignores fds at or above it): 64 slots, grown to multiples of 128
    /// rounded up to powers of two; like Linux's, the slot vector never
    /// shrinks.
    pub fn max_fds(&self) -> usize {
        let slots = self.lock().len();
        if slots <= 64 {
            return 64;
        }
        ((slots - 1) / 128 + 1)
            .next_power_of_two()
            .saturating_mul(128)
    }
}

impl Drop for FdTable {
    fn drop(&mut self) {
        super::lock::release_table(self.owner());
    }
}

impl std::fmt::Debug for File {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("File")
            .field("flags", &format_args!("{:#o}", self.flags()))
            .field("dentry", &self.dentry)
            .finish()
    }
}
