//! Memory objects: the page cache of a file, or the pages of a shared
//! anonymous mapping. Pages are memory-file frames shared by every mapping of
//! the object (so `libc.so` is cached once for all processes).

use super::memfile::{Frame, MemoryFile, PAGE};
use std::collections::HashMap;
use std::os::fd::{AsFd, OwnedFd};
use std::sync::{Arc, Mutex};
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
}

/// Pages filled per miss, so sequential faults on a file cost one pread per chunk.
const FILL_PAGES: u64 = 64;

impl MemObject {
    pub fn new(mf: Arc<MemoryFile>, source: Source) -> Arc<MemObject> {
        Arc::new(MemObject {
            mf,
            source,
            pages: Mutex::new(HashMap::new()),
        })
    }

    /// The frame for page index `idx`, filling it (and up to `FILL_PAGES`
    /// following missing pages, capped at `limit` pages) from the source.
    pub fn page(&self, idx: u64, limit: u64) -> Result<Arc<Frame>, Errno> {
        let mut pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(f) = pages.get(&idx) {
            return Ok(f.clone());
        }
        let mut n = 1;
        while n < FILL_PAGES.min(limit.max(1)) && !pages.contains_key(&(idx + n)) {
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
        Ok(frames[0].clone())
    }

    /// Whether page `idx` is cached (for mincore).
    pub fn cached(&self, idx: u64) -> bool {
        self.pages
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains_key(&idx)
    }
}
