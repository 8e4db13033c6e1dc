//! The sandbox memory file (DESIGN §5).
//!
//! One memfd holds every byte of app memory. It is sized once to a large
//! sparse length and mapped whole into the sentry (memmap2), so the sentry
//! reads and writes app memory through its own mapping. Pages are handed out as
//! reference-counted [`Frame`]s; when the last reference goes, the page is
//! queued, and [`MemoryFile::flush_frees`] punches queued pages out of the file
//! in coalesced ranges and returns them to the allocator.
//!
//! This module holds the unsafe pointer copies into the mapping.

use std::collections::BTreeMap;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::sync::{mpsc, Arc, Mutex, OnceLock, Weak};

pub const PAGE: u64 = 4096;

/// Virtual size of the memory file. Only touched pages use memory.
const FILE_SIZE: u64 = 64 << 30;

#[derive(Debug, thiserror::Error)]
pub enum MemFileError {
    #[error("memory file setup failed: {0}")]
    Setup(String),
    #[error("memory file exhausted")]
    Exhausted,
}

struct Alloc {
    /// Free runs: start -> length, coalesced.
    free: BTreeMap<u64, u64>,
    /// Pages whose last reference was dropped, not yet punched.
    pending: Vec<u64>,
    used: u64,
}

/// Pages queued for punching before a batch goes to the reclaimer.
const FREE_BATCH: usize = 1024;

/// The memory file.
pub struct MemoryFile {
    fd: OwnedFd,
    map: memmap2::MmapRaw,
    alloc: Mutex<Alloc>,
    /// The reclaimer thread's queue (started on the first full batch;
    /// None if no thread could be made: batches are punched inline).
    reclaim: OnceLock<Option<mpsc::Sender<Vec<u64>>>>,
}

impl MemoryFile {
    pub fn new() -> Result<Arc<MemoryFile>, MemFileError> {
        let fd = nix::sys::memfd::memfd_create(
            c"runsc-memfile",
            nix::sys::memfd::MemFdCreateFlag::MFD_CLOEXEC,
        )
        .map_err(|e| MemFileError::Setup(format!("memfd_create: {e}")))?;
        nix::unistd::ftruncate(&fd, FILE_SIZE as i64)
            .map_err(|e| MemFileError::Setup(format!("ftruncate: {e}")))?;
        let map = memmap2::MmapOptions::new()
            .len(FILE_SIZE as usize)
            .map_raw(fd.as_raw_fd())
            .map_err(|e| MemFileError::Setup(format!("mmap: {e}")))?;
        // Stub processes are cloned from sentry threads: don't copy this.
        let _ = map.advise(memmap2::Advice::DontFork);
        let mut free = BTreeMap::new();
        // Offset 0 is never handed out, so 0 can mean "none" in debug output.
        free.insert(PAGE, FILE_SIZE - PAGE);
        Ok(Arc::new(MemoryFile {
            fd,
            map,
            alloc: Mutex::new(Alloc {
                free,
                pending: Vec::new(),
                used: 0,
            }),
            reclaim: OnceLock::new(),
        }))
    }

    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Alloc> {
        self.alloc.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Allocate `n` contiguous zeroed pages, returned as individual frames.
    pub fn alloc_frames(self: &Arc<Self>, n: u64) -> Result<Vec<Arc<Frame>>, MemFileError> {
        let off = self.alloc_run(n)?;
        Ok((0..n)
            .map(|i| {
                Arc::new(Frame {
                    off: off + i * PAGE,
                    mf: self.clone(),
                })
            })
            .collect())
    }

    fn alloc_run(&self, n: u64) -> Result<u64, MemFileError> {
        let len = n * PAGE;
        let mut a = self.lock();
        let found = a
            .free
            .iter()
            .find(|(_, l)| **l >= len)
            .map(|(s, l)| (*s, *l));
        if found.is_none() && !a.pending.is_empty() {
            drop(a);
            self.flush_frees();
            a = self.lock();
        }
        let (start, flen) = match found.or_else(|| {
            a.free
                .iter()
                .find(|(_, l)| **l >= len)
                .map(|(s, l)| (*s, *l))
        }) {
            Some(x) => x,
            None => return Err(MemFileError::Exhausted),
        };
        a.free.remove(&start);
        if flen > len {
            a.free.insert(start + len, flen - len);
        }
        a.used += len;
        Ok(start)
    }

    /// A page's last reference went: queue it; every `FREE_BATCH` pages the
    /// batch is punched out by the reclaimer thread, off the path of the
    /// task that freed them (a truncation of a large tmpfs file, an
    /// exiting process), as gVisor's allocator reclaims in the background.
    /// Queued and in-flight pages are not reused before they are punched
    /// (reuse hands out zeroed pages).
    fn queue_free(self: &Arc<Self>, off: u64) {
        let mut a = self.lock();
        a.pending.push(off);
        if a.pending.len() < FREE_BATCH {
            return;
        }
        let batch = std::mem::take(&mut a.pending);
        drop(a);
        let tx = self
            .reclaim
            .get_or_init(|| Self::start_reclaimer(Arc::downgrade(self)));
        let batch = match tx {
            Some(tx) => match tx.send(batch) {
                Ok(()) => return,
                Err(mpsc::SendError(b)) => b,
            },
            None => batch,
        };
        self.punch(batch);
    }

    /// The reclaimer thread: punches the batches it is sent until the
    /// memory file goes away.
    fn start_reclaimer(mf: Weak<MemoryFile>) -> Option<mpsc::Sender<Vec<u64>>> {
        let (tx, rx) = mpsc::channel::<Vec<u64>>();
        std::thread::Builder::new()
            .name("memfile-reclaim".into())
            .stack_size(64 << 10)
            .spawn(move || {
                for batch in rx {
                    match mf.upgrade() {
                        Some(mf) => mf.punch(batch),
                        None => break,
                    }
                }
            })
            .ok()?;
        Some(tx)
    }

    /// Punch queued pages out of the file and make them allocatable again
    /// (now, on this thread).
    pub fn flush_frees(&self) {
        let pages = std::mem::take(&mut self.lock().pending);
        self.punch(pages);
    }

    /// Punch `pages` out of the file, in coalesced runs, and return them
    /// to the allocator.
    fn punch(&self, mut pages: Vec<u64>) {
        if pages.is_empty() {
            return;
        }
        pages.sort_unstable();
        let mut runs: Vec<(u64, u64)> = Vec::new();
        for p in pages {
            match runs.last_mut() {
                Some((s, l)) if *s + *l == p => *l += PAGE,
                _ => runs.push((p, PAGE)),
            }
        }
        for (s, l) in &runs {
            let _ = nix::fcntl::fallocate(
                self.fd.as_raw_fd(),
                nix::fcntl::FallocateFlags::FALLOC_FL_PUNCH_HOLE
                    | nix::fcntl::FallocateFlags::FALLOC_FL_KEEP_SIZE,
                *s as i64,
                *l as i64,
            );
        }
        let mut a = self.lock();
        for (s, l) in runs {
            a.used -= l;
            insert_free(&mut a.free, s, l);
        }
    }

    /// Bytes currently allocated.
    pub fn used(&self) -> u64 {
        self.lock().used
    }

    fn check(&self, off: u64, len: usize) -> bool {
        off.checked_add(len as u64).is_some_and(|e| e <= FILE_SIZE)
    }

    /// Copy bytes out of the file at `off`.
    pub fn read(&self, off: u64, buf: &mut [u8]) {
        if !self.check(off, buf.len()) {
            buf.fill(0);
            return;
        }
        // SAFETY: [off, off+len) is inside the live mapping (checked above);
        // the mapping is shared with app processes that may write concurrently,
        // which can only produce torn bytes, never invalid memory access.
        unsafe {
            std::ptr::copy_nonoverlapping(
                self.map.as_ptr().add(off as usize),
                buf.as_mut_ptr(),
                buf.len(),
            );
        }
    }

    /// Copy bytes into the file at `off`.
    pub fn write(&self, off: u64, buf: &[u8]) {
        if !self.check(off, buf.len()) {
            return;
        }
        // SAFETY: as in `read`; the destination is inside the mapping.
        unsafe {
            std::ptr::copy_nonoverlapping(
                buf.as_ptr(),
                self.map.as_mut_ptr().add(off as usize),
                buf.len(),
            );
        }
    }

    /// Copy bytes into the file at `off` with pwrite(2) on the memfd: for
    /// pages the sentry has not touched this skips the fault in its mapping
    /// (the kernel allocates the page and copies in one go), which for
    /// large writes is much cheaper than a memcpy through the mapping; and
    /// the page never enters the sentry's page tables, so freeing it later
    /// needs no TLB shootdown. Falls back to [`MemoryFile::write`] if the
    /// host refuses.
    pub fn pwrite(&self, off: u64, buf: &[u8]) {
        if !self.check(off, buf.len()) {
            return;
        }
        let mut done = 0usize;
        while done < buf.len() {
            match nix::sys::uio::pwrite(&self.fd, &buf[done..], (off + done as u64) as i64) {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(nix::errno::Errno::EINTR) => continue,
                Err(_) => break,
            }
        }
        if done < buf.len() {
            self.write(off + done as u64, &buf[done..]);
        }
    }

    /// The 32-bit word at `off` as an atomic (futexes). None when unaligned
    /// or outside the file.
    pub fn atomic_u32(&self, off: u64) -> Option<&std::sync::atomic::AtomicU32> {
        if !off.is_multiple_of(4) || !self.check(off, 4) {
            return None;
        }
        // SAFETY: the word is inside the live mapping (checked above), 4-byte
        // aligned (the mapping is page aligned), AtomicU32 has u32's layout,
        // and the reference cannot outlive `self`, which owns the mapping.
        // Other processes touch the word only through atomic instructions
        // or plain accesses, which is exactly what futex words are for.
        Some(unsafe {
            &*(self.map.as_ptr().add(off as usize) as *const std::sync::atomic::AtomicU32)
        })
    }

    /// Zero `len` bytes at `off`.
    pub fn zero(&self, off: u64, len: usize) {
        if !self.check(off, len) {
            return;
        }
        // SAFETY: as in `write`.
        unsafe {
            std::ptr::write_bytes(self.map.as_mut_ptr().add(off as usize), 0, len);
        }
    }

    /// Copy one page to another inside the file.
    pub fn copy_page(&self, from: u64, to: u64) {
        if !self.check(from, PAGE as usize) || !self.check(to, PAGE as usize) {
            return;
        }
        // SAFETY: both pages are inside the mapping and distinct frames.
        unsafe {
            std::ptr::copy_nonoverlapping(
                self.map.as_ptr().add(from as usize),
                self.map.as_mut_ptr().add(to as usize),
                PAGE as usize,
            );
        }
    }

    /// Fill a page with data read from a host fd at `file_off` (zero beyond EOF).
    pub fn fill_from_fd(
        &self,
        off: u64,
        len: usize,
        fd: BorrowedFd<'_>,
        file_off: u64,
    ) -> std::io::Result<()> {
        if !self.check(off, len) {
            return Err(std::io::Error::from_raw_os_error(libc::EFAULT));
        }
        // SAFETY: the destination slice is inside the mapping; no other Rust
        // reference to these bytes exists (frames are only reached through
        // this type's copy functions).
        let dst =
            unsafe { std::slice::from_raw_parts_mut(self.map.as_mut_ptr().add(off as usize), len) };
        let mut done = 0usize;
        while done < len {
            match nix::sys::uio::pread(fd, &mut dst[done..], (file_off + done as u64) as i64) {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        dst[done..].fill(0);
        Ok(())
    }

    /// Drop the sentry's page-table entries for the memory file (they come
    /// back on the next access; the data stays in the file): the pages the
    /// sentry wrote while loading init are the app's, mapped by its stub, and
    /// need not also count in the sentry's resident set.
    pub fn release_mapping(&self) {
        // SAFETY: a shared mapping of a memfd: MADV_DONTNEED only unmaps,
        // the contents stay in the file and later accesses fault them back.
        let _ = unsafe {
            self.map
                .unchecked_advise(memmap2::UncheckedAdvice::DontNeed)
        };
    }

    /// Whether the page at `off` is resident (host mincore on our mapping).
    pub fn resident(&self, off: u64) -> bool {
        if !self.check(off, PAGE as usize) {
            return false;
        }
        let mut v = 0u8;
        // SAFETY: the address is page aligned inside our mapping; mincore writes one byte.
        let r = unsafe {
            libc::mincore(
                self.map.as_ptr().add(off as usize) as *mut libc::c_void,
                PAGE as usize,
                &mut v,
            )
        };
        r == 0 && v & 1 == 1
    }
}

fn insert_free(free: &mut BTreeMap<u64, u64>, mut s: u64, mut l: u64) {
    if let Some((&ps, &pl)) = free.range(..s).next_back() {
        if ps + pl == s {
            free.remove(&ps);
            s = ps;
            l += pl;
        }
    }
    if let Some(&nl) = free.get(&(s + l)) {
        free.remove(&(s + l));
        l += nl;
    }
    free.insert(s, l);
}

/// One page of the memory file, freed when the last reference drops.
pub struct Frame {
    off: u64,
    mf: Arc<MemoryFile>,
}

impl Frame {
    pub fn off(&self) -> u64 {
        self.off
    }
}

impl std::fmt::Debug for Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Frame({:#x})", self.off)
    }
}

impl Drop for Frame {
    fn drop(&mut self) {
        MemoryFile::queue_free(&self.mf, self.off);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alloc_free_reuse() {
        let mf = MemoryFile::new().unwrap();
        let a = mf.alloc_frames(4).unwrap();
        assert_eq!(a[1].off(), a[0].off() + PAGE);
        mf.write(a[0].off(), b"hello");
        let mut b = [0u8; 5];
        mf.read(a[0].off(), &mut b);
        assert_eq!(&b, b"hello");
        let first = a[0].off();
        drop(a);
        mf.flush_frees();
        assert_eq!(mf.used(), 0);
        let c = mf.alloc_frames(1).unwrap();
        assert_eq!(c[0].off(), first);
        // Punched pages read back as zero.
        mf.read(c[0].off(), &mut b);
        assert_eq!(b, [0; 5]);
    }
}
