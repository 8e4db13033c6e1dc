//! Memory objects: the page cache of a file, or the pages of a shared
//! anonymous mapping. Pages are memory-file frames shared by every mapping of
//! the object (so `libc.so` is cached once for all processes).

use super::memfile::{Frame, MemoryFile, PAGE};
use std::collections::HashMap;
use std::os::fd::{AsFd, OwnedFd};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use syscalls::Errno;

/// Where an object's pages come from when first touched.
pub enum Source {
    /// Zero-filled (shared anonymous memory, /dev/zero MAP_SHARED).
    Zero,
    /// Read from a host fd (a donated gofer file).
    HostFd(Arc<OwnedFd>),
}

pub struct MemObject {
    mf: Arc<MemoryFile>,
    source: Source,
    pages: Mutex<HashMap<u64, Arc<Frame>>>,
    /// Pages held, added to a file system's usage (tmpfs size limit).
    usage: Option<Arc<AtomicU64>>,
    /// The current size in bytes of a file whose size changes (tmpfs):
    /// faults on pages past it raise SIGBUS whatever the size was at mmap.
    eof: Option<AtomicU64>,
    /// The writable host fd shared writable mappings write back through.
    writeback: Mutex<Option<Arc<OwnedFd>>>,
}

impl Drop for MemObject {
    fn drop(&mut self) {
        if let Err(e) = self.sync() {
            tracing::warn!(errno = %e, "writing back a shared file mapping failed");
        }
        if let Some(u) = &self.usage {
            let n = self.lock().len() as u64;
            u.fetch_sub(n, Ordering::Relaxed);
        }
    }
}

/// Pages filled per miss, so sequential faults on a file cost one pread per chunk.
const FILL_PAGES: u64 = 64;

impl MemObject {
    pub fn new(mf: Arc<MemoryFile>, source: Source) -> Arc<MemObject> {
        Arc::new(MemObject {
            mf,
            source,
            pages: Mutex::new(HashMap::new()),
            usage: None,
            eof: None,
            writeback: Mutex::new(None),
        })
    }

    /// A zero-filled object whose page count is added to `usage` and whose
    /// size is kept with [`MemObject::set_eof`] (the pages of a tmpfs file).
    pub fn new_accounted(mf: Arc<MemoryFile>, usage: Arc<AtomicU64>) -> Arc<MemObject> {
        Arc::new(MemObject {
            mf,
            source: Source::Zero,
            pages: Mutex::new(HashMap::new()),
            usage: Some(usage),
            eof: Some(AtomicU64::new(0)),
            writeback: Mutex::new(None),
        })
    }

    /// Record the size of a resizable file (see [`MemObject::past_eof`]).
    pub fn set_eof(&self, bytes: u64) {
        if let Some(e) = &self.eof {
            e.store(bytes, Ordering::Relaxed);
        }
    }

    /// Whether this is a sparse file's object (holes are not filled by
    /// fault-around).
    pub fn sparse(&self) -> bool {
        self.eof.is_some()
    }

    /// Whether page `idx` lies wholly past the end of a resizable file.
    pub fn past_eof(&self, idx: u64) -> bool {
        self.eof
            .as_ref()
            .is_some_and(|e| idx >= e.load(Ordering::Relaxed).div_ceil(PAGE))
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Arc<Frame>>> {
        self.pages.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn account(&self, added: u64, removed: u64) {
        if let Some(u) = &self.usage {
            u.fetch_add(added, Ordering::Relaxed);
            u.fetch_sub(removed, Ordering::Relaxed);
        }
    }

    /// The frame of page `idx` if it exists (no allocation).
    pub fn get(&self, idx: u64) -> Option<Arc<Frame>> {
        self.lock().get(&idx).cloned()
    }

    /// Pages held.
    pub fn len(&self) -> u64 {
        self.lock().len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drop every page at index `from` or above (truncation); mappings
    /// that already hold a page keep it until they fault again.
    pub fn truncate(&self, from: u64) {
        self.remove_range(from, u64::MAX);
    }

    /// Drop the pages with indices in `from..to` (hole punching).
    pub fn remove_range(&self, from: u64, to: u64) {
        let mut pages = self.lock();
        let before = pages.len();
        let dropped: Vec<Arc<Frame>> = pages
            .extract_if(|k, _| (from..to).contains(k))
            .map(|(_, f)| f)
            .collect();
        let removed = (before - pages.len()) as u64;
        drop(pages);
        drop(dropped);
        self.account(0, removed);
    }

    /// The indices of the pages held, sorted (SEEK_DATA/SEEK_HOLE).
    pub fn indices(&self) -> Vec<u64> {
        let mut v: Vec<u64> = self.lock().keys().copied().collect();
        v.sort_unstable();
        v
    }

    /// The memory file the frames live in.
    pub fn memfile(&self) -> &Arc<MemoryFile> {
        &self.mf
    }

    /// The frame for page index `idx`, filling it (and up to `FILL_PAGES`
    /// following missing pages, capped at `limit` pages) from the source.
    pub fn page(&self, idx: u64, limit: u64) -> Result<Arc<Frame>, Errno> {
        let mut pages = self.lock();
        if let Some(f) = pages.get(&idx) {
            return Ok(f.clone());
        }
        // Zero pages are allocated one at a time (tmpfs holes stay holes).
        let fill = match self.source {
            Source::Zero => 1,
            Source::HostFd(_) => FILL_PAGES,
        };
        let mut n = 1;
        while n < fill.min(limit.max(1)) && !pages.contains_key(&(idx + n)) {
            n += 1;
        }
        let frames = self.mf.alloc_frames(n).map_err(|_| Errno::ENOMEM)?;
        if let Source::HostFd(fd) = &self.source {
            self.mf
                .fill_from_fd(frames[0].off(), (n * PAGE) as usize, fd.as_fd(), idx * PAGE)
                .map_err(|e| Errno::from_io(&e))?;
        }
        for (i, f) in frames.iter().enumerate() {
            pages.insert(idx + i as u64, f.clone());
        }
        drop(pages);
        self.account(n, 0);
        Ok(frames[0].clone())
    }

    /// The frames of pages `first..first + count` of a zero-filled object,
    /// allocating the missing ones in runs (one allocation per run of
    /// missing pages, so a large write gets contiguous frames it can fill
    /// with one host write). On ENOMEM, the frames before the failure (an
    /// error if there are none).
    pub fn frames_for_write(&self, first: u64, count: u64) -> Result<Vec<Arc<Frame>>, Errno> {
        let mut pages = self.lock();
        let mut out = Vec::with_capacity(count as usize);
        let mut added = 0;
        let mut idx = first;
        let end = first.saturating_add(count);
        while idx < end {
            if let Some(f) = pages.get(&idx) {
                out.push(f.clone());
                idx += 1;
                continue;
            }
            let mut n = 1;
            while idx + n < end && !pages.contains_key(&(idx + n)) {
                n += 1;
            }
            let frames = match self.mf.alloc_frames(n) {
                Ok(f) => f,
                Err(_) => break,
            };
            for (i, f) in frames.into_iter().enumerate() {
                pages.insert(idx + i as u64, f.clone());
                out.push(f);
            }
            added += n;
            idx += n;
        }
        drop(pages);
        self.account(added, 0);
        if out.is_empty() && count > 0 {
            return Err(Errno::ENOMEM);
        }
        Ok(out)
    }

    /// Copy `data` (just written to the source file at byte `off`) into the
    /// pages of it that are cached, so mappings and later faults see it.
    pub fn write_cached(&self, off: u64, data: &[u8]) {
        let pages = self.lock();
        if pages.is_empty() {
            return;
        }
        let mut done = 0usize;
        while done < data.len() {
            let pos = off + done as u64;
            let (idx, in_page) = (pos / PAGE, pos % PAGE);
            let n = ((PAGE - in_page) as usize).min(data.len() - done);
            if let Some(f) = pages.get(&idx) {
                self.mf.write(f.off() + in_page, &data[done..done + n]);
            }
            done += n;
        }
    }

    /// The source file was cut to `size` bytes: drop the pages past it and
    /// zero the tail of the last one.
    pub fn truncate_bytes(&self, size: u64) {
        self.truncate(size.div_ceil(PAGE));
        if !size.is_multiple_of(PAGE) {
            if let Some(f) = self.get(size / PAGE) {
                let keep = size % PAGE;
                self.mf.zero(f.off() + keep, (PAGE - keep) as usize);
            }
        }
    }

    /// Write back through `fd` (the file's writable host fd) for shared
    /// writable mappings: [`MemObject::sync`] then writes every cached page
    /// (below the file's size) to the file.
    pub fn set_writeback(&self, fd: Arc<OwnedFd>) {
        *self.writeback.lock().unwrap_or_else(|p| p.into_inner()) = Some(fd);
    }

    /// Whether a shared writable mapping may have changed cached pages.
    pub fn has_writeback(&self) -> bool {
        self.writeback
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }

    /// Write the cached pages back to the file (msync, munmap, fsync, and
    /// before reads through the host fd). Without dirty tracking every
    /// cached page below the file's current size is written; the cache is
    /// kept coherent with write(2) and truncation, so this writes the
    /// file's current contents.
    pub fn sync(&self) -> Result<(), Errno> {
        let Some(fd) = self
            .writeback
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
        else {
            return Ok(());
        };
        let size = nix::sys::stat::fstat(std::os::fd::AsRawFd::as_raw_fd(&*fd))
            .map_err(|e| Errno::from_i32(e as i32).unwrap_or(Errno::EIO))?
            .st_size as u64;
        let mut frames: Vec<(u64, Arc<Frame>)> =
            self.lock().iter().map(|(i, f)| (*i, f.clone())).collect();
        frames.sort_unstable_by_key(|(i, _)| *i);
        let mut buf = vec![0u8; PAGE as usize];
        for (idx, f) in frames {
            let start = idx * PAGE;
            if start >= size {
                break;
            }
            let n = (size - start).min(PAGE) as usize;
            self.mf.read(f.off(), &mut buf[..n]);
            let mut done = 0;
            while done < n {
                match nix::sys::uio::pwrite(fd.as_fd(), &buf[done..n], (start + done as u64) as i64)
                {
                    Ok(0) => return Err(Errno::EIO),
                    Ok(w) => done += w,
                    Err(nix::errno::Errno::EINTR) => continue,
                    Err(e) => return Err(Errno::from_i32(e as i32).unwrap_or(Errno::EIO)),
                }
            }
        }
        Ok(())
    }

    /// Whether page `idx` is cached (for mincore).
    pub fn cached(&self, idx: u64) -> bool {
        self.pages
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains_key(&idx)
    }
}
