//! The memory manager (DESIGN §5): per-process VMAs, the pages behind them
//! (memory-file frames), and the translation mapped into the platform's stub.
//!
//! - `vmas` is what the app mapped.
//! - `pages` holds, per touched page, the frame backing it and whether that
//!   page is currently mapped into the stub (and with which protection).
//!   Private pages whose frame is shared (page cache, or after fork) are
//!   copy-on-write: they are mapped without PROT_WRITE and copied on the
//!   first write, by the fault handler or by a sentry copy-out.
//! - Changes the stub must see (unmaps) are queued and applied by [`MemoryManager::sync`]
//!   right before app code runs, so several are batched.

pub mod fault;
pub mod io;
pub mod memfile;
pub mod object;
pub mod trim;

use crate::platform::{MAX_APP_ADDR, STUB_ADDR, TASK_SIZE};
use memfile::{Frame, MemoryFile, PAGE};
use object::MemObject;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use syscalls::Errno;

pub const PROT_READ: i32 = libc::PROT_READ;
pub const PROT_WRITE: i32 = libc::PROT_WRITE;
pub const PROT_EXEC: i32 = libc::PROT_EXEC;
const PROT_ALL: i32 = PROT_READ | PROT_WRITE | PROT_EXEC;

/// Linux's default vm.mmap_min_addr.
pub const MMAP_MIN_ADDR: u64 = 0x10000;

pub fn page_down(a: u64) -> u64 {
    a & !(PAGE - 1)
}

pub fn page_up(a: u64) -> Option<u64> {
    a.checked_add(PAGE - 1).map(page_down)
}

/// What backs a VMA.
#[derive(Clone)]
pub enum Backing {
    /// Private anonymous memory: zero pages allocated on first touch.
    Anon,
    /// A memory object (file page cache or shared anonymous memory);
    /// `off` is the object offset of `vma.start`.
    Object { obj: Arc<MemObject>, off: u64 },
}

#[derive(Clone)]
pub struct Vma {
    pub start: u64,
    pub end: u64,
    pub prot: i32,
    /// Protections mprotect may grant (no PROT_WRITE for shared mappings of
    /// files opened read-only).
    pub max_prot: i32,
    pub shared: bool,
    pub growsdown: bool,
    pub backing: Backing,
    /// For /proc/pid/maps: the file path or a tag like "[stack]".
    pub name: Option<String>,
    /// For /proc/pid/maps: the mapped file's (st_dev, st_ino).
    pub file_id: Option<(u64, u64)>,
    /// Object size in pages from `off` (file mappings; beyond is SIGBUS).
    pub obj_pages: u64,
    /// MADV_DONTFORK: not inherited by fork.
    pub dontfork: bool,
    /// MADV_WIPEONFORK: the child sees zero pages.
    pub wipeonfork: bool,
}

impl Vma {
    fn obj_index(&self, page: u64) -> Option<(Arc<MemObject>, u64)> {
        match &self.backing {
            Backing::Anon => None,
            Backing::Object { obj, off } => Some((obj.clone(), (off + (page - self.start)) / PAGE)),
        }
    }

    fn slice(&self, start: u64, end: u64) -> Vma {
        let mut v = self.clone();
        if let Backing::Object { obj, off } = &self.backing {
            v.backing = Backing::Object {
                obj: obj.clone(),
                off: off + (start - self.start),
            };
            v.obj_pages = self.obj_pages.saturating_sub((start - self.start) / PAGE);
        }
        v.start = start;
        v.end = end;
        v
    }
}

/// A touched page.
#[derive(Clone)]
pub struct Pte {
    pub frame: Arc<Frame>,
    /// The frame belongs to this mapping's private copy (anonymous or copied);
    /// writable without copying when no one else holds it.
    pub private: bool,
    /// Protection the stub currently maps this page with; -1 when unmapped.
    pub mapped: i32,
}

pub struct Mm {
    pub vmas: BTreeMap<u64, Vma>,
    pub pages: BTreeMap<u64, Pte>,
    /// Ranges to unmap in the stub before the app runs again.
    stale: Vec<(u64, u64)>,
    /// Frames dropped from the page table while still mapped in the stub
    /// process: kept alive (not reusable) until the stale ranges are
    /// unmapped, or another thread of the stub could still write to them.
    stale_frames: Vec<Arc<Frame>>,
    /// Ranges to re-protect in the stub (fork write-protects the parent's
    /// private pages): (start, end, prot).
    reprotect: Vec<(u64, u64, i32)>,
    pub brk_start: u64,
    pub brk: u64,
    pub mmap_base: u64,
    pub stack_top: u64,
    /// Set by the loader: argv/env ranges for /proc later.
    pub arg_start: u64,
    pub arg_end: u64,
    pub env_start: u64,
    pub env_end: u64,
    pub auxv: Vec<(u64, u64)>,
}

/// An address space that goes away (exit, exec) writes back its shared
/// file mappings, as Linux's page cache eventually would.
impl Drop for MemoryManager {
    fn drop(&mut self) {
        let objs = self.lock().shared_objects(0, u64::MAX);
        for o in objs {
            if let Err(e) = o.sync() {
                tracing::warn!(errno = %e, "writing back a shared mapping failed");
            }
        }
    }
}

pub struct MemoryManager {
    mf: Arc<MemoryFile>,
    inner: Mutex<Mm>,
    /// Resident pages high-water mark (getrusage's ru_maxrss), updated
    /// when faults and populates add pages.
    rss_hiwater: std::sync::atomic::AtomicU64,
    /// Page faults the sentry resolved (getrusage's ru_minflt).
    minflt: std::sync::atomic::AtomicU64,
    /// membarrier(2) registrations of this address space (Linux keeps them
    /// per mm: a fork or exec starts without).
    pub membarrier: std::sync::atomic::AtomicU32,
}

/// Parameters of one mapping request, after the syscall layer decoded flags.
pub struct MapRequest {
    pub addr: u64,
    pub len: u64,
    pub prot: i32,
    pub max_prot: i32,
    /// MAP_NORESERVE: exempt from the commit limit.
    pub noreserve: bool,
    /// MAP_32BIT: place in [1 GiB, 2 GiB) as Linux does on x86_64.
    pub low32: bool,
    pub fixed: bool,
    pub noreplace: bool,
    pub shared: bool,
    pub growsdown: bool,
    pub populate: bool,
    pub backing: Backing,
    pub name: Option<String>,
    /// The mapped file's (st_dev, st_ino), for /proc/pid/maps.
    pub file_id: Option<(u64, u64)>,
    pub obj_pages: u64,
}

impl MapRequest {
    pub fn anon(addr: u64, len: u64, prot: i32) -> MapRequest {
        MapRequest {
            addr,
            len,
            prot,
            max_prot: PROT_ALL,
            noreserve: false,
            low32: false,
            fixed: false,
            noreplace: false,
            shared: false,
            growsdown: false,
            populate: false,
            backing: Backing::Anon,
            name: None,
            file_id: None,
            obj_pages: u64::MAX,
        }
    }
}

impl MemoryManager {
    pub fn new(mf: Arc<MemoryFile>) -> Arc<MemoryManager> {
        Arc::new(MemoryManager {
            mf,
            inner: Mutex::new(Mm {
                vmas: BTreeMap::new(),
                pages: BTreeMap::new(),
                stale: Vec::new(),
                stale_frames: Vec::new(),
                reprotect: Vec::new(),
                brk_start: 0,
                brk: 0,
                mmap_base: 0x7fff_f000_0000,
                stack_top: 0x7fff_ff00_0000,
                arg_start: 0,
                arg_end: 0,
                env_start: 0,
                env_end: 0,
                auxv: Vec::new(),
            }),
            rss_hiwater: Default::default(),
            minflt: Default::default(),
            membarrier: Default::default(),
        })
    }

    /// Count a fault that left `pages` resident.
    pub(crate) fn note_fault(&self, pages: u64) {
        use std::sync::atomic::Ordering::Relaxed;
        self.rss_hiwater.fetch_max(pages, Relaxed);
        self.minflt.fetch_add(1, Relaxed);
    }

    /// The resident-set high-water mark in KiB and the number of faults
    /// the sentry resolved (getrusage).
    pub fn rss_stats(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        let now = self.lock().pages.len() as u64;
        let hi = self.rss_hiwater.fetch_max(now, Relaxed).max(now);
        (hi * (PAGE / 1024), self.minflt.load(Relaxed))
    }

    pub fn memfile(&self) -> &Arc<MemoryFile> {
        &self.mf
    }

    pub fn lock(&self) -> MutexGuard<'_, Mm> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Create a mapping; returns its address.
    pub fn map(&self, req: MapRequest) -> Result<u64, Errno> {
        let mut mm = self.lock();
        let addr = mm.map(req)?;
        Ok(addr)
    }

    pub fn munmap(&self, addr: u64, len: u64) -> Result<(), Errno> {
        if !addr.is_multiple_of(PAGE) || len == 0 {
            return Err(Errno::EINVAL);
        }
        let end = page_up(len)
            .and_then(|l| addr.checked_add(l))
            .ok_or(Errno::EINVAL)?;
        if end > MAX_APP_ADDR {
            return Err(Errno::EINVAL);
        }
        let mut mm = self.lock();
        let objs = mm.shared_objects(addr, end);
        mm.remove_range(addr, end);
        drop(mm);
        // Shared file mappings write back what they changed.
        for o in objs {
            if let Err(e) = o.sync() {
                tracing::warn!(errno = %e, "munmap: writing back a shared mapping failed");
            }
        }
        self.mf.flush_frees();
        Ok(())
    }

    pub fn mprotect(&self, addr: u64, len: u64, prot: i32) -> Result<(), Errno> {
        let growsdown = prot & libc::PROT_GROWSDOWN != 0;
        let prot = prot & !(libc::PROT_GROWSDOWN | libc::PROT_GROWSUP);
        if !addr.is_multiple_of(PAGE) || prot & !PROT_ALL != 0 {
            return Err(Errno::EINVAL);
        }
        if len == 0 {
            return Ok(());
        }
        let end = page_up(len)
            .and_then(|l| addr.checked_add(l))
            .ok_or(Errno::ENOMEM)?;
        let mut mm = self.lock();
        let mut start = addr;
        if growsdown {
            match mm.find(addr) {
                Some(v) if v.growsdown => start = v.start,
                _ => return Err(Errno::EINVAL),
            }
        }
        if !mm.fully_mapped(start, end) {
            return Err(Errno::ENOMEM);
        }
        if mm
            .vmas
            .range(..end)
            .rev()
            .take_while(|(_, v)| v.end > start)
            .any(|(_, v)| prot & !v.max_prot != 0)
        {
            return Err(Errno::EACCES);
        }
        mm.split_at(start);
        mm.split_at(end);
        let keys: Vec<u64> = mm.vmas.range(start..end).map(|(k, _)| *k).collect();
        for k in keys {
            if let Some(v) = mm.vmas.get_mut(&k) {
                v.prot = prot;
            }
        }
        mm.invalidate(start, end);
        mm.merge_around(start, end);
        Ok(())
    }

    /// brk(2): returns the new (or unchanged) break.
    pub fn brk(&self, want: u64) -> u64 {
        let mut mm = self.lock();
        let cur = mm.brk;
        if want < mm.brk_start || want > MAX_APP_ADDR {
            return cur;
        }
        let (Some(old_end), Some(new_end)) = (page_up(cur), page_up(want)) else {
            return cur;
        };
        if new_end > old_end {
            if mm.overlaps(old_end, new_end) {
                return cur;
            }
            let mut req = MapRequest::anon(old_end, new_end - old_end, PROT_READ | PROT_WRITE);
            req.fixed = true;
            req.name = Some("[heap]".into());
            if mm.map(req).is_err() {
                return cur;
            }
        } else if new_end < old_end {
            mm.remove_range(new_end, old_end);
        }
        mm.brk = want;
        want
    }

    pub fn mremap(
        &self,
        old: u64,
        old_len: u64,
        new_len: u64,
        flags: i32,
        new_addr: u64,
    ) -> Result<u64, Errno> {
        let mut mm = self.lock();
        let r = mm.mremap(old, old_len, new_len, flags, new_addr);
        drop(mm);
        self.mf.flush_frees();
        r
    }

    pub fn madvise(&self, addr: u64, len: u64, advice: i32) -> Result<(), Errno> {
        if !addr.is_multiple_of(PAGE) {
            return Err(Errno::EINVAL);
        }
        let end = page_up(len)
            .and_then(|l| addr.checked_add(l))
            .ok_or(Errno::EINVAL)?;
        let known = [
            libc::MADV_NORMAL,
            libc::MADV_RANDOM,
            libc::MADV_SEQUENTIAL,
            libc::MADV_WILLNEED,
            libc::MADV_DONTNEED,
            libc::MADV_FREE,
            libc::MADV_REMOVE,
            libc::MADV_DONTFORK,
            libc::MADV_DOFORK,
            libc::MADV_MERGEABLE,
            libc::MADV_UNMERGEABLE,
            libc::MADV_HUGEPAGE,
            libc::MADV_NOHUGEPAGE,
            libc::MADV_DONTDUMP,
            libc::MADV_DODUMP,
            libc::MADV_WIPEONFORK,
            libc::MADV_KEEPONFORK,
            libc::MADV_COLD,
            libc::MADV_PAGEOUT,
            22, // MADV_POPULATE_READ
            23, // MADV_POPULATE_WRITE
        ];
        if !known.contains(&advice) {
            return Err(Errno::EINVAL);
        }
        if len == 0 {
            return Ok(());
        }
        let mut mm = self.lock();
        // A range running into holes still applies to the mapped part,
        // then fails with ENOMEM (as Linux).
        let hole = !mm.fully_mapped(addr, end);
        if hole && !mm.overlaps(addr, end) {
            return Err(Errno::ENOMEM);
        }
        if matches!(
            advice,
            libc::MADV_DONTFORK | libc::MADV_DOFORK | libc::MADV_WIPEONFORK | libc::MADV_KEEPONFORK
        ) {
            // MADV_WIPEONFORK is for private anonymous memory only.
            if advice == libc::MADV_WIPEONFORK
                && mm
                    .vmas
                    .range(..end)
                    .filter(|(_, v)| v.end > addr)
                    .any(|(_, v)| v.shared || !matches!(v.backing, Backing::Anon))
            {
                return Err(Errno::EINVAL);
            }
            mm.split_at(addr);
            mm.split_at(end);
            let keys: Vec<u64> = mm.vmas.range(addr..end).map(|(k, _)| *k).collect();
            for k in keys {
                if let Some(v) = mm.vmas.get_mut(&k) {
                    match advice {
                        libc::MADV_DONTFORK => v.dontfork = true,
                        libc::MADV_DOFORK => v.dontfork = false,
                        libc::MADV_WIPEONFORK => v.wipeonfork = true,
                        _ => v.wipeonfork = false,
                    }
                }
            }
        }
        if matches!(
            advice,
            libc::MADV_DONTNEED | libc::MADV_FREE | libc::MADV_REMOVE
        ) {
            // Private pages go back to zero (anon) or the file contents.
            let keys: Vec<u64> = mm.pages.range(addr..end).map(|(k, _)| *k).collect();
            for k in keys {
                let shared = mm.find(k).is_some_and(|v| v.shared);
                if !shared || advice == libc::MADV_REMOVE {
                    if let Some(p) = mm.pages.remove(&k) {
                        if p.mapped >= 0 {
                            mm.stale_frames.push(p.frame);
                        }
                    }
                } else if let Some(p) = mm.pages.get_mut(&k) {
                    p.mapped = -1;
                }
            }
            mm.stale.push((addr, end));
        }
        drop(mm);
        self.mf.flush_frees();
        if hole {
            return Err(Errno::ENOMEM);
        }
        Ok(())
    }

    pub fn mincore(&self, addr: u64, len: u64) -> Result<Vec<u8>, Errno> {
        if !addr.is_multiple_of(PAGE) {
            return Err(Errno::EINVAL);
        }
        let end = page_up(len)
            .and_then(|l| addr.checked_add(l))
            .ok_or(Errno::ENOMEM)?;
        if end > MAX_APP_ADDR {
            return Err(Errno::ENOMEM);
        }
        let mm = self.lock();
        if !mm.fully_mapped(addr, end) {
            return Err(Errno::ENOMEM);
        }
        let mut out = Vec::with_capacity(((end - addr) / PAGE) as usize);
        let mut p = addr;
        while p < end {
            let r = match mm.pages.get(&p) {
                Some(pte) => self.mf.resident(pte.frame.off()),
                None => mm
                    .find(p)
                    .and_then(|v| v.obj_index(p))
                    .is_some_and(|(o, i)| o.cached(i)),
            };
            out.push(r as u8);
            p += PAGE;
        }
        Ok(out)
    }

    pub fn msync(&self, addr: u64, len: u64, flags: i32) -> Result<(), Errno> {
        if !addr.is_multiple_of(PAGE)
            || flags & !(libc::MS_ASYNC | libc::MS_SYNC | libc::MS_INVALIDATE) != 0
            || (flags & libc::MS_ASYNC != 0 && flags & libc::MS_SYNC != 0)
        {
            return Err(Errno::EINVAL);
        }
        let end = page_up(len)
            .and_then(|l| addr.checked_add(l))
            .ok_or(Errno::ENOMEM)?;
        let mm = self.lock();
        if !mm.fully_mapped(addr, end) {
            return Err(Errno::ENOMEM);
        }
        let objs = mm.shared_objects(addr, end);
        drop(mm);
        for o in objs {
            o.sync()?;
        }
        Ok(())
    }

    /// The address space of a child created by fork: the same VMAs; private
    /// pages become copy-on-write in both (they now share frames, so the
    /// writability rule maps them read-only until copied), shared pages stay
    /// shared. The parent's writable private mappings in its stub are queued
    /// to be write-protected (one mprotect per run) so its next write faults
    /// and copies, while reads keep their mappings.
    pub fn fork(&self) -> Arc<MemoryManager> {
        let mut guard = self.lock();
        let mm = &mut *guard;
        let mut vmas = BTreeMap::new();
        // Built sorted, then bulk-loaded: much faster than one insert per page.
        let mut child_pages: Vec<(u64, Pte)> = Vec::with_capacity(mm.pages.len());
        let mut protect: Vec<(u64, u64, i32)> = Vec::new();
        for (k, v) in &mm.vmas {
            if v.dontfork {
                continue;
            }
            vmas.insert(*k, v.clone());
            if v.wipeonfork && !v.shared {
                continue;
            }
            for (pk, p) in mm.pages.range_mut(v.start..v.end) {
                child_pages.push((
                    *pk,
                    Pte {
                        frame: p.frame.clone(),
                        private: p.private,
                        mapped: -1,
                    },
                ));
                if !v.shared && p.mapped >= 0 && p.mapped & PROT_WRITE != 0 {
                    p.mapped &= !PROT_WRITE;
                    match protect.last_mut() {
                        Some((_, e, pr)) if *e == *pk && *pr == p.mapped => *e = pk + PAGE,
                        _ => protect.push((*pk, pk + PAGE, p.mapped)),
                    }
                }
            }
        }
        mm.reprotect.extend(protect);
        let pages: BTreeMap<u64, Pte> = child_pages.into_iter().collect();
        let child = Mm {
            vmas,
            pages,
            stale: Vec::new(),
            stale_frames: Vec::new(),
            reprotect: Vec::new(),
            brk_start: mm.brk_start,
            brk: mm.brk,
            mmap_base: mm.mmap_base,
            stack_top: mm.stack_top,
            arg_start: mm.arg_start,
            arg_end: mm.arg_end,
            env_start: mm.env_start,
            env_end: mm.env_end,
            auxv: mm.auxv.clone(),
        };
        let rss = child.pages.len() as u64;
        Arc::new(MemoryManager {
            mf: self.mf.clone(),
            inner: Mutex::new(child),
            rss_hiwater: std::sync::atomic::AtomicU64::new(rss),
            minflt: Default::default(),
            // The app's registrations survive fork; the new stub is not
            // registered with the host yet.
            membarrier: std::sync::atomic::AtomicU32::new(
                self.membarrier.load(std::sync::atomic::Ordering::SeqCst) & !(1 << 31),
            ),
        })
    }

    /// Set up brk after the loader placed the executable.
    pub fn set_brk_start(&self, start: u64) {
        let mut mm = self.lock();
        mm.brk_start = start;
        mm.brk = start;
    }
}

/// RAM + swap of the host (the sandbox's memory view for overcommit).
fn commit_limit() -> u64 {
    static LIMIT: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *LIMIT.get_or_init(|| match nix::sys::sysinfo::sysinfo() {
        Ok(i) => i.ram_total() + i.swap_total(),
        Err(_) => u64::MAX,
    })
}

impl Mm {
    pub fn find(&self, addr: u64) -> Option<&Vma> {
        self.vmas
            .range(..=addr)
            .next_back()
            .map(|(_, v)| v)
            .filter(|v| addr < v.end)
    }

    fn overlaps(&self, start: u64, end: u64) -> bool {
        if let Some(v) = self.vmas.range(..end).next_back().map(|(_, v)| v) {
            return v.end > start;
        }
        false
    }

    /// The memory objects of shared mappings overlapping `start..end` that
    /// write back to a file.
    fn shared_objects(&self, start: u64, end: u64) -> Vec<Arc<MemObject>> {
        let mut out: Vec<Arc<MemObject>> = Vec::new();
        for v in self.vmas.values() {
            if v.end <= start || v.start >= end || !v.shared {
                continue;
            }
            if let Backing::Object { obj, .. } = &v.backing {
                if obj.has_writeback() && !out.iter().any(|o| Arc::ptr_eq(o, obj)) {
                    out.push(obj.clone());
                }
            }
        }
        out
    }

    fn fully_mapped(&self, start: u64, end: u64) -> bool {
        let mut at = start;
        while at < end {
            match self.find(at) {
                Some(v) => at = v.end,
                None => return false,
            }
        }
        true
    }

    /// Split the VMA containing `addr` so that a VMA starts at `addr`.
    fn split_at(&mut self, addr: u64) {
        let Some(v) = self.find(addr).cloned() else {
            return;
        };
        if v.start == addr {
            return;
        }
        self.vmas.insert(v.start, v.slice(v.start, addr));
        self.vmas.insert(addr, v.slice(addr, v.end));
    }

    /// Merge adjacent compatible anonymous VMAs around a changed range.
    fn merge_around(&mut self, start: u64, end: u64) {
        let lo = self
            .vmas
            .range(..start)
            .next_back()
            .map(|(k, _)| *k)
            .unwrap_or(start);
        let keys: Vec<u64> = self.vmas.range(lo..=end).map(|(k, _)| *k).collect();
        for w in keys.windows(2) {
            let (Some(a), Some(b)) = (self.vmas.get(&w[0]), self.vmas.get(&w[1])) else {
                continue;
            };
            let mergeable = a.end == b.start
                && a.prot == b.prot
                && a.shared == b.shared
                && a.growsdown == b.growsdown
                && a.name == b.name
                && a.file_id == b.file_id
                && a.max_prot == b.max_prot
                && a.dontfork == b.dontfork
                && a.wipeonfork == b.wipeonfork
                && matches!((&a.backing, &b.backing), (Backing::Anon, Backing::Anon));
            if mergeable {
                let bend = b.end;
                self.vmas.remove(&w[1]);
                if let Some(a) = self.vmas.get_mut(&w[0]) {
                    a.end = bend;
                }
            }
        }
    }

    /// Remove all mappings in [start, end).
    fn remove_range(&mut self, start: u64, end: u64) {
        self.split_at(start);
        self.split_at(end);
        let keys: Vec<u64> = self.vmas.range(start..end).map(|(k, _)| *k).collect();
        for k in keys {
            self.vmas.remove(&k);
        }
        self.invalidate_drop(start, end);
    }

    /// Drop pages in [start, end) and queue the stub unmap.
    fn invalidate_drop(&mut self, start: u64, end: u64) {
        let keys: Vec<u64> = self.pages.range(start..end).map(|(k, _)| *k).collect();
        let any_mapped = keys
            .iter()
            .any(|k| self.pages.get(k).is_some_and(|p| p.mapped >= 0));
        for k in keys {
            if let Some(p) = self.pages.remove(&k) {
                if p.mapped >= 0 {
                    self.stale_frames.push(p.frame);
                }
            }
        }
        if any_mapped {
            self.stale.push((start, end));
        }
    }

    /// Queue a stub unmap of [start, end) keeping the pages (protection change).
    fn invalidate(&mut self, start: u64, end: u64) {
        let mut any = false;
        for (_, p) in self.pages.range_mut(start..end) {
            if p.mapped >= 0 {
                p.mapped = -1;
                any = true;
            }
        }
        if any {
            self.stale.push((start, end));
        }
    }

    /// Find a free range of `len` bytes, top-down below `mmap_base`.
    fn find_free(&self, len: u64, below: u64) -> Option<u64> {
        let mut top = below;
        for (_, v) in self.vmas.range(..below).rev() {
            if v.end <= top && top - v.end >= len {
                return Some(top - len);
            }
            top = top.min(v.start);
        }
        (top >= MMAP_MIN_ADDR + len).then(|| top - len)
    }

    fn map(&mut self, req: MapRequest) -> Result<u64, Errno> {
        let len = page_up(req.len).ok_or(Errno::ENOMEM)?;
        if len == 0 {
            return Err(Errno::EINVAL);
        }
        if len > MAX_APP_ADDR {
            return Err(Errno::ENOMEM);
        }
        // Linux's heuristic overcommit refuses a single private writable
        // mapping larger than RAM + swap.
        if !req.shared && !req.noreserve && req.prot & PROT_WRITE != 0 && len > commit_limit() {
            return Err(Errno::ENOMEM);
        }
        let addr = if req.fixed || req.noreplace {
            if !req.addr.is_multiple_of(PAGE) {
                return Err(Errno::EINVAL);
            }
            let end = req.addr.checked_add(len).ok_or(Errno::ENOMEM)?;
            if end > MAX_APP_ADDR {
                return Err(Errno::ENOMEM);
            }
            if req.addr < MMAP_MIN_ADDR {
                return Err(Errno::EPERM);
            }
            if req.noreplace && !req.fixed && self.overlaps(req.addr, end) {
                return Err(Errno::EEXIST);
            }
            self.remove_range(req.addr, end);
            req.addr
        } else {
            let hint = page_down(req.addr);
            let hint_ok = hint >= MMAP_MIN_ADDR
                && hint
                    .checked_add(len)
                    .is_some_and(|e| e <= MAX_APP_ADDR && !self.overlaps(hint, e));
            if hint_ok {
                hint
            } else if req.low32 {
                self.find_free(len, 0x8000_0000)
                    .filter(|a| *a >= 0x4000_0000)
                    .ok_or(Errno::ENOMEM)?
            } else {
                match self.find_free(len, self.mmap_base) {
                    Some(a) => a,
                    // Fall back to the whole space below the stub.
                    None => self.find_free(len, STUB_ADDR).ok_or(Errno::ENOMEM)?,
                }
            }
        };
        let vma = Vma {
            start: addr,
            end: addr + len,
            prot: req.prot,
            max_prot: req.max_prot,
            shared: req.shared,
            growsdown: req.growsdown,
            backing: req.backing,
            name: req.name,
            file_id: req.file_id,
            obj_pages: req.obj_pages,
            dontfork: false,
            wipeonfork: false,
        };
        self.vmas.insert(addr, vma);
        self.merge_around(addr, addr + len);
        Ok(addr)
    }

    fn mremap(
        &mut self,
        old: u64,
        old_len: u64,
        new_len: u64,
        flags: i32,
        new_addr: u64,
    ) -> Result<u64, Errno> {
        let maymove = flags & libc::MREMAP_MAYMOVE != 0;
        let fixed = flags & libc::MREMAP_FIXED != 0;
        let dontunmap = flags & 4 != 0; // MREMAP_DONTUNMAP
        if flags & !(libc::MREMAP_MAYMOVE | libc::MREMAP_FIXED | 4) != 0
            || !old.is_multiple_of(PAGE)
            || (fixed && !maymove)
            || (dontunmap && !maymove)
        {
            return Err(Errno::EINVAL);
        }
        let old_len = page_up(old_len).ok_or(Errno::EINVAL)?;
        let new_len = page_up(new_len).ok_or(Errno::EINVAL)?;
        if new_len == 0 || new_len > TASK_SIZE || old_len > TASK_SIZE || old > TASK_SIZE - old_len {
            return Err(Errno::EINVAL);
        }
        let v = self.find(old).cloned().ok_or(Errno::EFAULT)?;
        if old_len == 0 {
            // Duplicating a shared mapping is allowed; private is EINVAL.
            if !v.shared || !maymove {
                return Err(Errno::EINVAL);
            }
        }
        let old_end = old.checked_add(old_len).ok_or(Errno::EINVAL)?;
        if old_len > 0 && old_end > v.end {
            return Err(Errno::EFAULT);
        }
        if fixed {
            if !new_addr.is_multiple_of(PAGE) {
                return Err(Errno::EINVAL);
            }
            let ne = new_addr.checked_add(new_len).ok_or(Errno::EINVAL)?;
            if ne > MAX_APP_ADDR {
                return Err(Errno::EINVAL);
            }
            if new_addr < old_end && old < ne {
                return Err(Errno::EINVAL);
            }
            self.remove_range(new_addr, ne);
            return Ok(self.move_range(&v, old, old_len, new_len, new_addr, dontunmap));
        }
        if new_len <= old_len && !dontunmap {
            self.remove_range(old + new_len, old_end);
            return Ok(old);
        }
        // Grow in place when the following range is free.
        let grow_end = old.checked_add(new_len).ok_or(Errno::ENOMEM)?;
        if old_end == v.end
            && grow_end <= MAX_APP_ADDR
            && !self.overlaps(old_end, grow_end)
            && !dontunmap
        {
            self.split_at(old);
            if let Some(vm) = self.vmas.get_mut(&old) {
                vm.end = grow_end;
            }
            return Ok(old);
        }
        if !maymove {
            return Err(Errno::ENOMEM);
        }
        let dst = self
            .find_free(new_len, self.mmap_base)
            .ok_or(Errno::ENOMEM)?;
        Ok(self.move_range(&v, old, old_len, new_len, dst, dontunmap))
    }

    fn move_range(
        &mut self,
        v: &Vma,
        old: u64,
        old_len: u64,
        new_len: u64,
        dst: u64,
        keep_old: bool,
    ) -> u64 {
        let mut nv = v.slice(old, old + old_len.max(PAGE).min(v.end - old));
        nv.start = dst;
        nv.end = dst + new_len;
        if old_len == 0 {
            // Shared duplicate: no pages move.
            self.vmas.insert(dst, nv);
            return dst;
        }
        let moved: Vec<(u64, Pte)> = self
            .pages
            .range(old..old + old_len.min(new_len))
            .map(|(k, p)| {
                (
                    *k,
                    Pte {
                        mapped: -1,
                        ..p.clone()
                    },
                )
            })
            .collect();
        if keep_old {
            // MREMAP_DONTUNMAP: the old range stays mapped but empty.
            self.invalidate_drop(old, old + old_len);
        } else {
            self.remove_range(old, old + old_len);
        }
        for (k, p) in moved {
            self.pages.insert(dst + (k - old), p);
        }
        self.vmas.insert(dst, nv);
        dst
    }
}
