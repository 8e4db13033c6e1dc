//! Page population, fault handling and stub synchronisation.

use super::memfile::{Frame, PAGE};
use super::{page_down, Backing, MemoryManager, Mm, Pte, PROT_READ, PROT_WRITE};
use crate::platform::ptrace::Stub;
use crate::platform::PlatformError;
use std::sync::Arc;
use syscalls::Errno;

/// Pages mapped into the stub per fault: map generously, faults are costly.
const CHUNK: u64 = 256 * PAGE;

/// Largest growth of a MAP_GROWSDOWN region per fault (Linux's stack rlimit default).
const STACK_LIMIT: u64 = 8 << 20;

/// How an access to an address is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultError {
    /// No mapping (SEGV_MAPERR).
    MapErr,
    /// Mapping without the needed permission (SEGV_ACCERR).
    AccErr,
    /// Beyond the end of the mapped object (SIGBUS/BUS_ADRERR).
    Bus,
    /// Out of memory.
    NoMem,
    /// The page is already mapped with every permission its mapping has:
    /// either another thread resolved the same fault first (retry), or
    /// the access is not allowed (it faults again: SEGV_ACCERR).
    AlreadyMapped,
}

impl From<FaultError> for Errno {
    fn from(e: FaultError) -> Errno {
        match e {
            FaultError::NoMem => Errno::ENOMEM,
            _ => Errno::EFAULT,
        }
    }
}

impl Mm {
    /// The VMA for `page`, growing a MAP_GROWSDOWN region down to it if needed.
    fn vma_for(&mut self, page: u64) -> Result<u64, FaultError> {
        if let Some(v) = self.find(page) {
            return Ok(v.start);
        }
        // Stack growth: the next VMA above is growsdown and close enough.
        let above = self
            .vmas
            .range(page..)
            .next()
            .map(|(k, v)| (*k, v.growsdown, v.end));
        if let Some((start, true, end)) = above {
            if end - page <= STACK_LIMIT && !self.overlaps(page, start) {
                if let Some(mut v) = self.vmas.remove(&start) {
                    v.start = page;
                    self.vmas.insert(page, v);
                    return Ok(page);
                }
            }
        }
        Err(FaultError::MapErr)
    }

    /// The protection a page may be mapped with right now.
    fn effective_prot(&self, vma_prot: i32, shared: bool, pte: &Pte) -> i32 {
        if vma_prot & PROT_WRITE != 0
            && !shared
            && !(pte.private && Arc::strong_count(&pte.frame) == 1)
        {
            vma_prot & !PROT_WRITE
        } else {
            vma_prot
        }
    }

    /// Make sure pages [start, end) of the VMA at `vstart` have frames.
    fn populate(
        &mut self,
        mm: &MemoryManager,
        vstart: u64,
        start: u64,
        end: u64,
    ) -> Result<(), FaultError> {
        let Some(v) = self.vmas.get(&vstart).cloned() else {
            return Err(FaultError::MapErr);
        };
        match &v.backing {
            Backing::Anon => {
                let missing: Vec<u64> = (0..(end - start) / PAGE)
                    .map(|i| start + i * PAGE)
                    .filter(|p| !self.pages.contains_key(p))
                    .collect();
                if missing.is_empty() {
                    return Ok(());
                }
                let frames = mm
                    .mf
                    .alloc_frames(missing.len() as u64)
                    .map_err(|_| FaultError::NoMem)?;
                for (p, f) in missing.into_iter().zip(frames) {
                    self.pages.insert(
                        p,
                        Pte {
                            frame: f,
                            private: true,
                            mapped: -1,
                        },
                    );
                }
            }
            Backing::Object { .. } => {
                let mut p = start;
                while p < end {
                    if let std::collections::btree_map::Entry::Vacant(slot) = self.pages.entry(p) {
                        let Some((obj, idx)) = v.obj_index(p) else {
                            return Err(FaultError::MapErr);
                        };
                        let rel = (p - v.start) / PAGE;
                        if rel >= v.obj_pages || obj.past_eof(idx) {
                            // Past the end of the file: stop (SIGBUS if touched).
                            if p == start {
                                return Err(FaultError::Bus);
                            }
                            break;
                        }
                        let limit = ((end - p) / PAGE).min(v.obj_pages - rel);
                        // Fault-around maps what a sparse file (tmpfs) has;
                        // only the faulting page (a range of one) fills a hole.
                        if end - start > PAGE && obj.sparse() && !obj.cached(idx) {
                            p += PAGE;
                            continue;
                        }
                        let f = obj.page(idx, limit).map_err(|_| FaultError::NoMem)?;
                        slot.insert(Pte {
                            frame: f,
                            private: false,
                            mapped: -1,
                        });
                    }
                    p += PAGE;
                }
            }
        }
        Ok(())
    }

    /// Replace a copy-on-write page with a private copy. The stub's mapping
    /// of the old frame is queued for removal, unless `remap_follows`: then
    /// the caller maps the new frame over it right away (MAP_FIXED replaces
    /// it in one step) and must hold the returned old frame until it has.
    fn break_cow(
        &mut self,
        mm: &MemoryManager,
        page: u64,
        remap_follows: bool,
    ) -> Result<Option<Arc<Frame>>, FaultError> {
        let Some(pte) = self.pages.get(&page) else {
            return Ok(None);
        };
        if pte.private && Arc::strong_count(&pte.frame) == 1 {
            return Ok(None);
        }
        let old_off = pte.frame.off();
        let was_mapped = pte.mapped >= 0;
        let f = mm
            .mf
            .alloc_frames(1)
            .map_err(|_| FaultError::NoMem)?
            .remove(0);
        mm.mf.copy_page(old_off, f.off());
        let old = self.pages.insert(
            page,
            Pte {
                frame: f,
                private: true,
                mapped: -1,
            },
        );
        if was_mapped {
            if remap_follows {
                return Ok(old.map(|o| o.frame));
            }
            self.stale.push((page, page + PAGE));
            if let Some(o) = old {
                self.stale_frames.push(o.frame);
            }
        }
        Ok(None)
    }

    /// Sentry-side access: the memory-file offset of `page`, populating it
    /// and breaking copy-on-write for writes. Permissions as copy_{to,from}_user.
    pub(super) fn translate(
        &mut self,
        mm: &MemoryManager,
        page: u64,
        write: bool,
    ) -> Result<u64, FaultError> {
        let vstart = self.vma_for(page)?;
        let Some(v) = self.vmas.get(&vstart) else {
            return Err(FaultError::MapErr);
        };
        let ok = if write {
            v.prot & PROT_WRITE != 0
        } else {
            v.prot != 0
        };
        if !ok {
            return Err(FaultError::AccErr);
        }
        let shared = v.shared;
        if !self.pages.contains_key(&page) {
            self.populate(mm, vstart, page, page + PAGE)?;
        }
        if write && !shared {
            self.break_cow(mm, page, false)?;
        }
        self.pages
            .get(&page)
            .map(|p| p.frame.off())
            .ok_or(FaultError::MapErr)
    }

    /// Handle an app fault at `addr` reported by the stub.
    fn fault(&mut self, mm: &MemoryManager, addr: u64, stub: &mut Stub) -> Result<(), FaultError> {
        let page = page_down(addr);
        let vstart = self.vma_for(page)?;
        let Some(v) = self.vmas.get(&vstart).cloned() else {
            return Err(FaultError::MapErr);
        };
        if v.prot == 0 {
            return Err(FaultError::AccErr);
        }
        if let Some(pte) = self.pages.get(&page) {
            if pte.mapped >= 0 {
                let eff = self.effective_prot(v.prot, v.shared, pte);
                if pte.mapped == v.prot {
                    return Err(FaultError::AlreadyMapped);
                }
                // Mapped read-only for copy-on-write: this was a write.
                let old = if eff == pte.mapped {
                    self.break_cow(mm, page, true)?
                } else {
                    None
                };
                self.flush(stub).map_err(|_| FaultError::NoMem)?;
                let r = self.map_pages(stub, page, page + PAGE, v.prot, v.shared);
                drop(old);
                return r;
            }
        }
        let cstart = page_down(addr / CHUNK * CHUNK).max(v.start);
        let cend = (cstart + CHUNK).min(v.end);
        self.populate(mm, vstart, cstart, cend).or_else(|e| {
            // A chunk crossing the object's end: populate just the page.
            if e == FaultError::Bus {
                Err(e)
            } else {
                self.populate(mm, vstart, page, page + PAGE)
            }
        })?;
        if !self.pages.contains_key(&page) {
            // A hole of a sparse file skipped by the fault-around.
            self.populate(mm, vstart, page, page + PAGE)?;
        }
        if !self.pages.contains_key(&page) {
            return Err(FaultError::Bus);
        }
        self.flush(stub).map_err(|_| FaultError::NoMem)?;
        self.map_pages(stub, cstart, cend, v.prot, v.shared)
    }

    /// Map every populated, unmapped page in [start, end) into the stub,
    /// coalescing runs that are contiguous in the memory file.
    fn map_pages(
        &mut self,
        stub: &mut Stub,
        start: u64,
        end: u64,
        prot: i32,
        shared: bool,
    ) -> Result<(), FaultError> {
        let mut runs: Vec<(u64, u64, u64, i32)> = Vec::new(); // addr, len, off, prot
        let keys: Vec<u64> = self.pages.range(start..end).map(|(k, _)| *k).collect();
        for k in keys {
            let Some(pte) = self.pages.get(&k) else {
                continue;
            };
            let eff = self.effective_prot(prot, shared, pte);
            if pte.mapped == eff {
                continue;
            }
            let off = pte.frame.off();
            match runs.last_mut() {
                Some((a, l, o, p)) if *a + *l == k && *o + *l == off && *p == eff => *l += PAGE,
                _ => runs.push((k, PAGE, off, eff)),
            }
            if let Some(pte) = self.pages.get_mut(&k) {
                pte.mapped = eff;
            }
        }
        for (a, l, o, p) in runs {
            stub.map(a, l, p, o).map_err(|_| FaultError::NoMem)?;
        }
        Ok(())
    }

    /// Apply queued unmaps to the stub.
    fn flush(&mut self, stub: &mut Stub) -> Result<(), PlatformError> {
        if self.stale.is_empty() && self.reprotect.is_empty() {
            return Ok(());
        }
        let mut v = std::mem::take(&mut self.stale);
        v.sort_unstable();
        let mut merged: Vec<(u64, u64)> = Vec::new();
        for (s, e) in v {
            match merged.last_mut() {
                Some((_, me)) if s <= *me => *me = (*me).max(e),
                _ => merged.push((s, e)),
            }
        }
        for (s, e) in merged {
            stub.unmap(s, e - s)?;
            for (_, p) in self.pages.range_mut(s..e) {
                p.mapped = -1;
            }
        }
        // No thread of the stub can reach these frames any more.
        self.stale_frames.clear();
        // Re-protect what is still mapped of the queued ranges, with each
        // page's recorded protection (a range may have been unmapped since).
        for (s, e, _) in std::mem::take(&mut self.reprotect) {
            let mut runs: Vec<(u64, u64, i32)> = Vec::new();
            for (k, p) in self.pages.range(s..e) {
                if p.mapped < 0 {
                    continue;
                }
                match runs.last_mut() {
                    Some((_, re, rp)) if *re == *k && *rp == p.mapped => *re = k + PAGE,
                    _ => runs.push((*k, k + PAGE, p.mapped)),
                }
            }
            for (rs, re, prot) in runs {
                stub.protect(rs, re - rs, prot)?;
            }
        }
        Ok(())
    }
}

impl MemoryManager {
    /// Resolve an app fault; on error the app gets SIGSEGV/SIGBUS.
    pub fn handle_fault(&self, addr: u64, stub: &mut Stub) -> Result<(), FaultError> {
        let mut mm = self.lock();
        let r = mm.fault(self, addr, stub);
        self.note_fault(mm.pages.len() as u64);
        r
    }

    /// Apply pending address-space changes before app code runs.
    pub fn sync(&self, stub: &mut Stub) -> Result<(), PlatformError> {
        self.lock().flush(stub)
    }

    /// Populate and map [start, end) (MAP_POPULATE, MADV_WILLNEED).
    pub fn populate_range(&self, start: u64, end: u64) -> Result<(), FaultError> {
        let mut mm = self.lock();
        let mut p = start;
        while p < end {
            let vstart = mm.vma_for(p)?;
            let vend = mm
                .vmas
                .get(&vstart)
                .map(|v| v.end)
                .unwrap_or(p + PAGE)
                .min(end);
            if mm
                .vmas
                .get(&vstart)
                .is_some_and(|v| v.prot & PROT_READ != 0)
            {
                mm.populate(self, vstart, p, vend)?;
            }
            p = vend;
        }
        Ok(())
    }
}
