//! Open file descriptions and fd tables.

use crate::kernel::task::Task;
use crate::mm::object::MemObject;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use syscalls::abi::Stat;
use syscalls::Errno;

/// What a file offers to mmap(2).
pub enum MmapSource {
    /// Pages of a memory object (file page cache, shared memory); `size` is
    /// the object's size in bytes (pages past it raise SIGBUS).
    Object { obj: Arc<MemObject>, size: u64, name: String },
    /// Behaves like anonymous memory (/dev/zero).
    Zero,
}

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
    fn readdir(&self, _file: &File, _pos: u64, _max: usize) -> Result<Vec<(u64, u64, u8, Vec<u8>)>, Errno> {
        Err(Errno::ENOTDIR)
    }
    fn mmap(&self, _file: &File) -> Result<MmapSource, Errno> {
        Err(Errno::ENODEV)
    }
    /// Size for SEEK_END.
    fn size(&self) -> Result<u64, Errno> {
        Ok(self.stat()?.st_size as u64)
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
}

impl File {
    pub fn new(ops: Box<dyn FileOps>, flags: u32, dentry: Option<Arc<super::Dentry>>) -> Arc<File> {
        Arc::new(File { ops, flags: AtomicU32::new(flags), pos: Mutex::new(0), dentry })
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
#[derive(Clone)]
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

    pub fn get(&self, fd: i32) -> Result<Arc<File>, Errno> {
        self.entry(fd).map(|e| e.file)
    }

    pub fn entry(&self, fd: i32) -> Result<FdEntry, Errno> {
        let t = self.lock();
        usize::try_from(fd).ok().and_then(|i| t.get(i).cloned().flatten()).ok_or(Errno::EBADF)
    }

    /// Install at the lowest free fd >= `min`, below `limit` (RLIMIT_NOFILE).
    pub fn install(&self, file: Arc<File>, cloexec: bool, min: i32, limit: u64) -> Result<i32, Errno> {
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

    /// Install at exactly `fd`, returning what was there.
    pub fn install_at(&self, fd: i32, file: Arc<File>, cloexec: bool) -> Result<Option<FdEntry>, Errno> {
        let i = usize::try_from(fd).map_err(|_| Errno::EBADF)?;
        let mut t = self.lock();
        if i >= t.len() {
            t.resize(i + 1, None);
        }
        Ok(t[i].replace(FdEntry { file, cloexec }))
    }

    pub fn remove(&self, fd: i32) -> Result<FdEntry, Errno> {
        let i = usize::try_from(fd).map_err(|_| Errno::EBADF)?;
        let mut t = self.lock();
        t.get_mut(i).and_then(|e| e.take()).ok_or(Errno::EBADF)
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

    /// Close every close-on-exec fd (execve).
    pub fn close_on_exec(&self) {
        let mut t = self.lock();
        for e in t.iter_mut() {
            if e.as_ref().is_some_and(|e| e.cloexec) {
                *e = None;
            }
        }
    }

    /// Highest fd in use + 1.
    pub fn len(&self) -> usize {
        let t = self.lock();
        t.iter().rposition(|e| e.is_some()).map(|i| i + 1).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
