//! overlay: the sandbox's default root, an in-memory upper layer (a
//! [`TmpFs`] instance whose data lives in the memory file) over the
//! gofer-served read-only rootfs, with Linux overlayfs semantics:
//!
//! - Lookups merge the layers: an upper entry hides the lower one (for two
//!   directories, both are merged unless the upper one is opaque); a
//!   whiteout (a 0:0 character device in the upper layer) hides a lower
//!   entry. Listings merge the same way, upper entries first.
//! - The lower layer is never written. A file is copied up (data, mode,
//!   owner, atime/mtime; parent directories first, with their attributes)
//!   before anything changes it: open for writing or with O_TRUNC (no data
//!   copied then), truncate, chmod/chown/utimes, fallocate, link, rename.
//!   The copy is built unnamed and linked in when complete, so a copy-up
//!   that runs out of space (ENOSPC at the tmpfs limit) leaves no trace.
//!   Read-only opens never copy up: they read the lower file directly and
//!   mmap its shared page cache (exec of lower binaries costs what it did
//!   without the overlay). A description opened read-only before a copy-up
//!   switches to the upper file for later reads (as Linux >= 4.19 does);
//!   pages it already mapped stay those of the lower file.
//! - unlink/rmdir of a name with a lower entry leave a whiteout; rmdir
//!   needs the directory empty in the merged view; a directory created
//!   over a whiteout is opaque (opaque flags are kept by the overlay, the
//!   upper tmpfs has no xattrs).
//! - rename copies up the source; renaming a directory that has a lower
//!   part gives EXDEV, like Linux without `redirect_dir` (the host's
//!   default: `/sys/module/overlay/parameters/redirect_dir` is N), so `mv`
//!   falls back to copying. A directory moved over a lower directory
//!   becomes opaque.
//! - Hard links: linking a lower file copies it up once; all names then
//!   share the upper inode (and one overlay inode).
//! - Inode numbers (xino style): everything is on the overlay's own device
//!   number; a file keeps its lower inode number for life, also after
//!   copy-up (if the lower file had a single link); files created in the
//!   upper layer get their upper inode number tagged with a layer id in
//!   bits 48 and up. Merged directories report one link, like Linux.
//!   statfs reports the upper layer's space with the overlayfs magic.
//! - Extended attributes: read from the upper file if there is one, else
//!   the lower; setting or removing one copies the file up; a copy-up
//!   copies them (except overlayfs's own `trusted.overlay.*`).

mod copyup;
mod file;
mod ns;
#[cfg(test)]
mod tests;

use super::synth::anon_dev;
use super::tmpfs::{TmpFs, TmpInode};
use crate::mm::memfile::MemoryFile;
use crate::vfs::{Btime, Dentry, DirEntry, FileOps, Inode, SetAttr};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{
    Arc, Mutex, MutexGuard, OnceLock, RwLock, RwLockReadGuard, RwLockWriteGuard, Weak,
};
use syscalls::abi::{Stat, Statfs};
use syscalls::consts::{dt_from_mode, O_ACCMODE, O_TRUNC, S_IFCHR, S_IFDIR, S_IFMT, S_IFREG};
use syscalls::Errno;

/// statfs f_type of an overlay (Linux's OVERLAYFS_SUPER_MAGIC).
pub const OVERLAYFS_SUPER_MAGIC: i64 = 0x794c_7630;
/// Inode numbers below this keep their value; the layer id goes above.
const XINO_SHIFT: u32 = 48;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The concrete upper inode behind a tmpfs lookup result.
fn as_tmp(i: Arc<dyn Inode>) -> Result<Arc<TmpInode>, Errno> {
    i.as_any()
        .and_then(|a| a.downcast::<TmpInode>().ok())
        .ok_or(Errno::EIO)
}

/// An upper entry that hides the lower one: a 0:0 character device.
fn is_whiteout(i: &dyn Inode) -> bool {
    i.mode() & S_IFMT == S_IFCHR && i.stat().map(|s| s.st_rdev == 0).unwrap_or(false)
}

fn upper_ino(u: &TmpInode) -> u64 {
    u.stat().map(|s| s.st_ino).unwrap_or(0)
}

/// Proof that the overlay's namespace lock is held.
/// Every change made under it makes cached merged listings stale: the
/// generation is bumped when it is taken and again when it is dropped (a
/// listing made while it is held, e.g. rmdir's emptiness check, is made
/// before the change).
struct Locked<'a>(#[allow(dead_code)] RwLockWriteGuard<'a, ()>, &'a AtomicU64);

impl Drop for Locked<'_> {
    fn drop(&mut self) {
        self.1.fetch_add(1, Ordering::Release);
    }
}

/// One overlay mount.
pub struct OverlayFs {
    /// The root of the upper layer (statfs).
    upper_root: Arc<TmpInode>,
    dev: u64,
    /// Namespace changes and copy-ups hold it for writing, lookups and
    /// listings for reading (so they never see a change half done, e.g. a
    /// renamed lower file before its whiteout is in place).
    ns_lock: RwLock<()>,
    /// Bumped whenever `ns_lock` is taken for writing: merged listings
    /// made before are stale.
    gen: AtomicU64,
    /// Opaque upper directories, by upper inode number (never reused).
    opaque: Mutex<HashSet<u64>>,
    /// Copy-up origins: upper inode number -> lower (dev, ino).
    origins: Mutex<HashMap<u64, (u64, u64)>>,
    /// Layer ids of lower devices (xino): index + 2 (0 for the root's
    /// lower device, 1 for the upper layer).
    lower_devs: Mutex<Vec<u64>>,
    /// Live inodes with an upper file, by upper inode number.
    by_upper: Mutex<HashMap<u64, Weak<OvlInode>>>,
    /// Live lower-only inodes (directories and single-link files) by lower
    /// (dev, ino), so every name of one file shares its copy-up.
    by_lower: Mutex<HashMap<(u64, u64), Weak<OvlInode>>>,
}

impl OverlayFs {
    /// An overlay of a fresh tmpfs (at most `limit` bytes of data) over
    /// `lower`; returns the root.
    pub fn mount(
        mf: Arc<MemoryFile>,
        lower: Arc<dyn Inode>,
        limit: u64,
    ) -> Result<Arc<dyn Inode>, Errno> {
        let upper = TmpFs::with_limit(mf, limit);
        let st = lower.stat()?;
        let uroot = upper.make_root(st.st_mode & 0o7777);
        uroot.setattr(&copyup::attrs_of(&st))?;
        let fs = Arc::new(OverlayFs {
            upper_root: uroot.clone(),
            dev: anon_dev(),
            ns_lock: RwLock::new(()),
            gen: AtomicU64::new(0),
            opaque: Mutex::new(HashSet::new()),
            origins: Mutex::new(HashMap::new()),
            lower_devs: Mutex::new(vec![st.st_dev]),
            by_upper: Mutex::new(HashMap::new()),
            by_lower: Mutex::new(HashMap::new()),
        });
        let root = fs.new_inode(Some(lower), Some(uroot), None);
        Ok(root)
    }

    fn lock_ns(&self) -> Locked<'_> {
        let g = self.ns_lock.write().unwrap_or_else(|p| p.into_inner());
        self.gen.fetch_add(1, Ordering::Release);
        Locked(g, &self.gen)
    }

    fn read_ns(&self) -> RwLockReadGuard<'_, ()> {
        self.ns_lock.read().unwrap_or_else(|p| p.into_inner())
    }

    fn is_opaque(&self, u: &TmpInode) -> bool {
        lock(&self.opaque).contains(&upper_ino(u))
    }

    fn set_opaque(&self, u: &TmpInode) {
        lock(&self.opaque).insert(upper_ino(u));
    }

    /// The xino-style inode number of `ino` on lower device `dev`.
    fn lower_xino(&self, dev: u64, ino: u64) -> u64 {
        let mut devs = lock(&self.lower_devs);
        let id = match devs.iter().position(|&d| d == dev) {
            Some(i) => i as u64,
            None => {
                devs.push(dev);
                devs.len() as u64 - 1
            }
        };
        let layer = if id == 0 { 0 } else { id + 1 };
        xino(layer, ino)
    }

    fn new_inode(
        self: &Arc<Self>,
        lower: Option<Arc<dyn Inode>>,
        upper: Option<Arc<TmpInode>>,
        parent: Option<(Arc<OvlInode>, Vec<u8>)>,
    ) -> Arc<OvlInode> {
        let cell = OnceLock::new();
        if let Some(u) = &upper {
            let _ = cell.set(u.clone());
        }
        let i = Arc::new_cyclic(|me| OvlInode {
            me: me.clone(),
            fs: self.clone(),
            lower,
            upper: cell,
            parent,
            listing: Mutex::new(None),
        });
        if let Some(u) = &upper {
            self.register_upper(u, &i);
        }
        i
    }

    fn register_upper(&self, u: &TmpInode, i: &Arc<OvlInode>) {
        let mut m = lock(&self.by_upper);
        if m.len() > 4096 && m.len().is_power_of_two() {
            m.retain(|_, w| w.strong_count() > 0);
        }
        m.insert(upper_ino(u), Arc::downgrade(i));
    }

    /// The inode for an upper entry (shared by all its names).
    fn inode_for_upper(
        self: &Arc<Self>,
        u: Arc<TmpInode>,
        lower: Option<Arc<dyn Inode>>,
        parent: Option<(Arc<OvlInode>, Vec<u8>)>,
    ) -> Arc<OvlInode> {
        let ino = upper_ino(&u);
        if let Some(i) = lock(&self.by_upper).get(&ino).and_then(Weak::upgrade) {
            return i;
        }
        self.new_inode(lower, Some(u), parent)
    }

    /// The inode for a lower-only entry.
    fn inode_for_lower(
        self: &Arc<Self>,
        l: Arc<dyn Inode>,
        parent: (Arc<OvlInode>, Vec<u8>),
    ) -> Arc<OvlInode> {
        let key = match l.stat() {
            Ok(st) if st.st_mode & S_IFMT == S_IFDIR || st.st_nlink == 1 => {
                Some((st.st_dev, st.st_ino))
            }
            _ => None,
        };
        let Some(key) = key else {
            return self.new_inode(Some(l), None, Some(parent));
        };
        let mut m = lock(&self.by_lower);
        if let Some(i) = m.get(&key).and_then(Weak::upgrade) {
            // Copied up and moved away since: this name is another file.
            if i.upper.get().is_none() {
                return i;
            }
        }
        if m.len() > 4096 && m.len().is_power_of_two() {
            m.retain(|_, w| w.strong_count() > 0);
        }
        let i = self.new_inode(Some(l), None, Some(parent));
        m.insert(key, Arc::downgrade(&i));
        i
    }
}

fn xino(layer: u64, ino: u64) -> u64 {
    if ino >> XINO_SHIFT != 0 {
        return ino;
    }
    (layer << XINO_SHIFT) | ino
}

/// The layers of one name in a directory.
struct Entry {
    /// The upper file (never a whiteout).
    upper: Option<Arc<TmpInode>>,
    /// The visible lower file (None when hidden or absent).
    lower: Option<Arc<dyn Inode>>,
    /// A whiteout hides the name.
    whiteout: bool,
    /// The lower directory has the name (visible or not); only known when
    /// asked for or when the lower entry is visible.
    lower_any: bool,
}

impl Entry {
    fn exists(&self) -> bool {
        self.upper.is_some() || self.lower.is_some()
    }
}

/// A file of the overlay.
pub struct OvlInode {
    me: Weak<OvlInode>,
    fs: Arc<OverlayFs>,
    /// The lower file: for a directory, the lower directory merged into it
    /// (None when opaque or upper only); for others, the copy-up source.
    lower: Option<Arc<dyn Inode>>,
    /// The upper file, once there is one (set once: copy-up).
    upper: OnceLock<Arc<TmpInode>>,
    /// Where a lower-only file is copied up to (its directory and name).
    parent: Option<(Arc<OvlInode>, Vec<u8>)>,
    /// A directory's last merged listing.
    listing: Mutex<Option<ListCache>>,
}

/// A merged listing and what it was made from.
struct ListCache {
    /// `OverlayFs::gen` when it was made.
    gen: u64,
    /// The lower listing it merged (kept alive so `Arc::ptr_eq` with a
    /// newer one means "unchanged").
    lower: Option<Arc<Vec<DirEntry>>>,
    merged: Arc<Vec<DirEntry>>,
}

impl OvlInode {
    fn arc(&self) -> Result<Arc<OvlInode>, Errno> {
        self.me.upgrade().ok_or(Errno::EIO)
    }

    /// The layer whose attributes count: upper if any.
    fn top(&self) -> Result<Arc<dyn Inode>, Errno> {
        if let Some(u) = self.upper.get() {
            return Ok(u.clone());
        }
        self.lower.clone().ok_or(Errno::EIO)
    }

    fn top_ref(&self) -> Option<&dyn Inode> {
        match self.upper.get() {
            Some(u) => Some(&**u),
            None => self.lower.as_deref(),
        }
    }

    fn is_dir_inode(&self) -> bool {
        self.top_ref().is_some_and(|i| i.mode() & S_IFMT == S_IFDIR)
    }

    /// The layers of `name` in this directory. With `want_lower`, the lower
    /// entry is looked up even when an upper non-directory hides it.
    fn entry(&self, name: &[u8], want_lower: bool) -> Result<Entry, Errno> {
        let mut e = Entry {
            upper: None,
            lower: None,
            whiteout: false,
            lower_any: false,
        };
        if let Some(pu) = self.upper.get() {
            match pu.lookup(name) {
                Ok(u) => {
                    if is_whiteout(&*u) {
                        e.whiteout = true;
                    } else {
                        e.upper = Some(as_tmp(u)?);
                    }
                }
                Err(Errno::ENOENT) => {}
                Err(err) => return Err(err),
            }
        }
        let Some(pl) = &self.lower else {
            return Ok(e);
        };
        let merge = match &e.upper {
            Some(u) => u.mode() & S_IFMT == S_IFDIR && !self.fs.is_opaque(u),
            None => !e.whiteout,
        };
        if !merge && !want_lower {
            return Ok(e);
        }
        match pl.lookup(name) {
            Ok(l) => {
                e.lower_any = true;
                let visible = match &e.upper {
                    Some(_) => merge && l.mode() & S_IFMT == S_IFDIR,
                    None => merge,
                };
                if visible {
                    e.lower = Some(l);
                }
            }
            Err(Errno::ENOENT) => {}
            Err(err) => return Err(err),
        }
        Ok(e)
    }

    /// The inode of the existing child `name` (ENOENT otherwise).
    fn child(&self, name: &[u8]) -> Result<Arc<OvlInode>, Errno> {
        if !self.is_dir_inode() {
            return Err(Errno::ENOTDIR);
        }
        let e = self.entry(name, false)?;
        let me = self.arc()?;
        match (e.upper, e.lower) {
            (Some(u), lower) => {
                let lower = lower.filter(|_| u.mode() & S_IFMT == S_IFDIR);
                Ok(self.fs.inode_for_upper(u, lower, Some((me, name.to_vec()))))
            }
            (None, Some(l)) => Ok(self.fs.inode_for_lower(l, (me, name.to_vec()))),
            (None, None) => Err(Errno::ENOENT),
        }
    }

    /// The merged listing of this directory (upper first), cached until
    /// the next namespace change on the overlay or a new lower listing
    /// (a lower file system that caches its listings hands out the same
    /// `Arc` while unchanged). The caller holds the namespace lock.
    fn merged_list(&self) -> Result<Arc<Vec<DirEntry>>, Errno> {
        let lower = match &self.lower {
            Some(l) => Some(l.list_shared()?),
            None => None,
        };
        let gen = self.fs.gen.load(Ordering::Acquire);
        let mut cache = lock(&self.listing);
        if let Some(c) = cache.as_ref() {
            let same_lower = match (&c.lower, &lower) {
                (None, None) => true,
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                _ => false,
            };
            if c.gen == gen && same_lower {
                return Ok(c.merged.clone());
            }
        }
        let merged = Arc::new(self.merge(lower.as_deref().map_or(&[][..], |v| &v[..]))?);
        *cache = Some(ListCache {
            gen,
            lower,
            merged: merged.clone(),
        });
        Ok(merged)
    }

    /// Merge `lower`'s entries with the upper directory's.
    fn merge(&self, lower: &[DirEntry]) -> Result<Vec<DirEntry>, Errno> {
        let ldev = match &self.lower {
            Some(l) if !lower.is_empty() => l.stat()?.st_dev,
            _ => 0,
        };
        let lower_ino = |e: &DirEntry| self.fs.lower_xino(ldev, e.ino);
        let Some(pu) = self.upper.get() else {
            return Ok(lower
                .iter()
                .map(|e| DirEntry {
                    ino: lower_ino(e),
                    d_type: e.d_type,
                    name: e.name.clone(),
                })
                .collect());
        };
        // In name order (tmpfs keeps its entries sorted).
        let upper = pu.entries_with_inodes()?;
        let mut out = Vec::with_capacity(upper.len() + lower.len());
        let lower_dirs: HashMap<&[u8], &DirEntry> = lower
            .iter()
            .filter(|l| l.d_type == syscalls::consts::DT_DIR)
            .map(|l| (&l.name[..], l))
            .collect();
        {
            let origins = lock(&self.fs.origins);
            for (name, u) in &upper {
                let mode = u.mode() & S_IFMT;
                if mode == S_IFCHR && is_whiteout(&**u) {
                    continue;
                }
                let mut ino = xino(1, u.ino());
                if mode == S_IFDIR {
                    if !lower_dirs.is_empty() && !self.fs.is_opaque(u) {
                        if let Some(l) = lower_dirs.get(&name[..]) {
                            ino = lower_ino(l);
                        }
                    }
                } else if let Some(&(d, i)) = origins.get(&u.ino()) {
                    ino = self.fs.lower_xino(d, i);
                }
                out.push(DirEntry {
                    ino,
                    d_type: dt_from_mode(mode),
                    name: name.clone(),
                });
            }
        }
        for e in lower {
            let shadowed = upper
                .binary_search_by(|(n, _)| n[..].cmp(&e.name[..]))
                .is_ok();
            if !shadowed {
                out.push(DirEntry {
                    ino: lower_ino(e),
                    d_type: e.d_type,
                    name: e.name.clone(),
                });
            }
        }
        Ok(out)
    }

    /// Whether this directory is empty in the merged view.
    fn merged_empty(&self) -> Result<bool, Errno> {
        Ok(self.merged_list()?.is_empty())
    }
}

impl Inode for OvlInode {
    fn stat(&self) -> Result<Stat, Errno> {
        let mut st = self.top()?.stat()?;
        st.st_dev = self.fs.dev;
        let upper = self.upper.get();
        if st.st_mode & S_IFMT == S_IFDIR {
            match (&self.lower, upper) {
                (Some(l), u) => {
                    let ls = l.stat()?;
                    st.st_ino = self.fs.lower_xino(ls.st_dev, ls.st_ino);
                    if u.is_some() {
                        st.st_nlink = 1;
                    }
                }
                (None, Some(u)) => st.st_ino = xino(1, upper_ino(u)),
                (None, None) => return Err(Errno::EIO),
            }
            return Ok(st);
        }
        match (upper, &self.lower) {
            (Some(u), _) => {
                let ino = upper_ino(u);
                st.st_ino = match lock(&self.fs.origins).get(&ino) {
                    Some(&(d, i)) => self.fs.lower_xino(d, i),
                    None => xino(1, ino),
                };
            }
            (None, Some(l)) => {
                let ls = l.stat()?;
                st.st_ino = self.fs.lower_xino(ls.st_dev, ls.st_ino);
            }
            (None, None) => return Err(Errno::EIO),
        }
        Ok(st)
    }
    fn mode(&self) -> u32 {
        self.top_ref().map(|i| i.mode()).unwrap_or(0)
    }
    fn owner(&self) -> (u32, u32) {
        self.top_ref().map(|i| i.owner()).unwrap_or((0, 0))
    }
    fn btime(&self) -> Option<Btime> {
        self.top_ref().and_then(|i| i.btime())
    }
    fn lookup(&self, name: &[u8]) -> Result<Arc<dyn Inode>, Errno> {
        let _r = self.fs.read_ns();
        Ok(self.child(name)?)
    }
    fn lookup_many(&self, names: &[&[u8]]) -> Result<Vec<Arc<dyn Inode>>, Errno> {
        let first = names.first().ok_or(Errno::EINVAL)?;
        let _r = self.fs.read_ns();
        // Below a lower-only directory everything is lower-only: one
        // remote walk for the rest of the chain.
        let mut out: Vec<Arc<dyn Inode>> = Vec::new();
        let (start, rest) = if self.upper.get().is_some() {
            let c = self.child(first)?;
            if names.len() < 2 || c.upper.get().is_some() || !c.is_dir_inode() {
                return Ok(vec![c]);
            }
            out.push(c.clone());
            (c, &names[1..])
        } else {
            (self.arc()?, names)
        };
        let Some(l) = &start.lower else {
            return Err(Errno::EIO);
        };
        let got = match l.lookup_many(rest) {
            Ok(g) => g,
            // The first component exists: report it, the walk finds the rest.
            Err(_) if !out.is_empty() => return Ok(out),
            Err(e) => return Err(e),
        };
        let mut parent = start;
        for (name, li) in rest.iter().zip(got) {
            let i = self.fs.inode_for_lower(li, (parent, name.to_vec()));
            out.push(i.clone());
            // Copied up meanwhile: stop at the fresh state.
            if i.upper.get().is_some() {
                break;
            }
            parent = i;
        }
        Ok(out)
    }
    fn list(&self) -> Result<Vec<DirEntry>, Errno> {
        if !self.is_dir_inode() {
            return Err(Errno::ENOTDIR);
        }
        let _r = self.fs.read_ns();
        Ok(self.merged_list()?.as_ref().clone())
    }
    fn list_shared(&self) -> Result<Arc<Vec<DirEntry>>, Errno> {
        if !self.is_dir_inode() {
            return Err(Errno::ENOTDIR);
        }
        let _r = self.fs.read_ns();
        self.merged_list()
    }
    fn readlink(&self) -> Result<Vec<u8>, Errno> {
        self.top()?.readlink()
    }
    fn open(&self, dentry: &Arc<Dentry>, flags: u32) -> Result<Box<dyn FileOps>, Errno> {
        let me = self.arc()?;
        let top = self.top()?;
        if top.mode() & S_IFMT != S_IFREG {
            return top.open(dentry, flags);
        }
        let write = flags & O_ACCMODE != 0 || flags & O_TRUNC != 0;
        if write {
            let u = self.copy_up(flags & O_TRUNC == 0)?;
            let ops = u.open(dentry, flags)?;
            return Ok(Box::new(file::OvlFile::new(me, ops, false)));
        }
        let lower_only = self.upper.get().is_none();
        let ops = top.open(dentry, flags)?;
        Ok(Box::new(file::OvlFile::new(me, ops, lower_only)))
    }
    fn statfs(&self) -> Result<Statfs, Errno> {
        let mut s = self.fs.upper_root.statfs()?;
        s.f_type = OVERLAYFS_SUPER_MAGIC;
        Ok(s)
    }
    fn readonly(&self) -> bool {
        false
    }
    fn mknod(
        &self,
        name: &[u8],
        mode: u32,
        rdev: u64,
        owner: (u32, u32),
    ) -> Result<Arc<dyn Inode>, Errno> {
        self.create(name, owner, ns::Make::Node(mode, rdev))
    }
    fn tmpfile(
        &self,
        mode: u32,
        owner: (u32, u32),
        linkable: bool,
    ) -> Result<Arc<dyn Inode>, Errno> {
        if !self.is_dir_inode() {
            return Err(Errno::ENOTDIR);
        }
        let pu = self.copy_up(true)?;
        let t = as_tmp(pu.tmpfile(mode, owner, linkable)?)?;
        Ok(self.fs.new_inode(None, Some(t), None))
    }
    fn symlink(
        &self,
        name: &[u8],
        target: &[u8],
        owner: (u32, u32),
    ) -> Result<Arc<dyn Inode>, Errno> {
        self.create(name, owner, ns::Make::Symlink(target))
    }
    fn link(&self, name: &[u8], target: &Arc<dyn Inode>) -> Result<(), Errno> {
        self.link_to(name, target)
    }
    fn unlink(&self, name: &[u8], dir: bool) -> Result<(), Errno> {
        self.remove(name, dir)
    }
    fn rename(
        &self,
        old: &[u8],
        newdir: &Arc<dyn Inode>,
        new: &[u8],
        flags: u32,
    ) -> Result<(), Errno> {
        self.rename_to(old, newdir, new, flags)
    }
    fn setattr(&self, attr: &SetAttr) -> Result<(), Errno> {
        // Truncating to zero needs no data.
        let data = attr.size != Some(0);
        self.copy_up(data)?.setattr(attr)
    }
    fn fallocate(&self, mode: u32, off: u64, len: u64) -> Result<(), Errno> {
        self.copy_up(true)?.fallocate(mode, off, len)
    }
    fn getxattr(&self, name: &[u8]) -> Result<Vec<u8>, Errno> {
        self.top()?.getxattr(name)
    }
    fn listxattr(&self) -> Result<Vec<u8>, Errno> {
        self.top()?.listxattr()
    }
    /// Changing an attribute copies the file up first (data too, as Linux
    /// without metacopy).
    fn setxattr(&self, name: &[u8], value: &[u8], flags: i32) -> Result<(), Errno> {
        self.copy_up(true)?.setxattr(name, value, flags)
    }
    fn removexattr(&self, name: &[u8]) -> Result<(), Errno> {
        // Removing an attribute a lower-only file lacks copies nothing up.
        if self.upper.get().is_none() {
            self.top()?.getxattr(name)?;
        }
        self.copy_up(true)?.removexattr(name)
    }
    fn as_any(self: Arc<Self>) -> Option<Arc<dyn std::any::Any + Send + Sync>> {
        Some(self)
    }
}
