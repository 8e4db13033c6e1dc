//! tmpfs: an in-memory file system (`/tmp`, `/dev/shm`, memfd_create).
//!
//! Directories are sorted maps of names to inodes; regular files keep their
//! data in a [`MemObject`] whose pages are frames of the sandbox memory
//! file, so `read`/`write` and every mapping of the file (MAP_SHARED and
//! the not yet copied pages of MAP_PRIVATE) see the same bytes. Holes are
//! pages the object does not hold (sparse files; SEEK_DATA/SEEK_HOLE work
//! on pages). The pages held by all files of one instance are counted
//! against its size limit (ENOSPC for writes past it; pages allocated by
//! faults on shared mappings are counted but never refused). Mappings
//! follow the file's size: a page past the current end raises SIGBUS, one
//! that the file grew to after the mmap works. Truncation drops the pages
//! from the file but not from address spaces that already mapped them
//! (Linux would unmap them).
//!
//! Namespace changes of one instance are serialized by one lock
//! (`ns_lock`); lookups only take the directory's own lock. Lock order:
//! `ns_lock`, then directory entries, then inode metadata.

use super::synth::{anon_dev, ST_VALID, TMPFS_MAGIC};
use crate::mm::memfile::{MemoryFile, PAGE};
use crate::mm::object::MemObject;
use crate::vfs::{Dentry, DirEntry, FileOps, Inode, SetAttr, Time};
use std::any::Any;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use syscalls::abi::{Stat, Statfs};
use syscalls::consts::{
    dt_from_mode, F_SEAL_EXEC, F_SEAL_FUTURE_WRITE, F_SEAL_GROW, F_SEAL_SEAL, F_SEAL_SHRINK,
    F_SEAL_WRITE, O_TRUNC, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG,
};
use syscalls::{Errno, Pod};

/// The default size limit of one instance. The sandbox has no memory limit
/// of its own, so this is fixed (Linux defaults to half of RAM).
pub const DEFAULT_LIMIT: u64 = 1 << 30;
/// Linux's MAX_LFS_FILESIZE.
const MAX_FILE_SIZE: u64 = i64::MAX as u64;
/// Directory size per entry as Linux's tmpfs reports it (BOGO_DIRENT_SIZE).
const BOGO_DIRENT_SIZE: i64 = 20;

const ALL_SEALS: u32 =
    F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | F_SEAL_EXEC;

/// Why a data operation failed (mapped to an errno at the VFS boundary).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TmpfsError {
    #[error("file system full")]
    NoSpace,
    #[error("out of memory-file pages")]
    NoMemory,
    #[error("file too large")]
    TooBig,
    #[error("operation forbidden by a seal")]
    Sealed,
    #[error("not a regular file")]
    NotRegular,
}

impl From<TmpfsError> for Errno {
    fn from(e: TmpfsError) -> Errno {
        match e {
            TmpfsError::NoSpace => Errno::ENOSPC,
            TmpfsError::NoMemory => Errno::ENOMEM,
            TmpfsError::TooBig => Errno::EFBIG,
            TmpfsError::Sealed => Errno::EPERM,
            TmpfsError::NotRegular => Errno::EINVAL,
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// One tmpfs instance.
pub struct TmpFs {
    mf: Arc<MemoryFile>,
    dev: u64,
    next_ino: AtomicU64,
    /// Pages held by the files of this instance.
    used: Arc<AtomicU64>,
    /// The size limit in pages (changed by a remount with `size=`).
    limit: AtomicU64,
    /// Inodes alive (statfs f_files - f_ffree).
    inodes: AtomicU64,
    /// Serializes namespace changes.
    ns_lock: Mutex<()>,
}

impl TmpFs {
    /// A new instance with the default size limit; returns its root
    /// directory (permissions `perm`, owned by root). The instance lives as
    /// long as its inodes.
    pub fn mount(mf: Arc<MemoryFile>, perm: u32) -> Arc<dyn Inode> {
        TmpFs::with_limit(mf, DEFAULT_LIMIT).make_root(perm)
    }

    /// A new instance limited to `limit` bytes of file data, without a root
    /// yet (see [`TmpFs::make_root`]).
    pub fn with_limit(mf: Arc<MemoryFile>, limit: u64) -> Arc<TmpFs> {
        Arc::new(TmpFs {
            mf,
            dev: anon_dev(),
            next_ino: AtomicU64::new(1),
            used: Arc::new(AtomicU64::new(0)),
            limit: AtomicU64::new(limit / PAGE),
            inodes: AtomicU64::new(0),
            ns_lock: Mutex::new(()),
        })
    }

    /// A root directory for this instance (the file system does not keep
    /// it: whoever mounts it does).
    pub fn make_root(self: &Arc<Self>, perm: u32) -> Arc<TmpInode> {
        self.new_inode(S_IFDIR | (perm & 0o7777), 0, (0, 0), Kind::dir())
    }

    /// A new regular file that is in no directory (memfd_create), with
    /// `seals` already applied and a link count of 0, like Linux's memfds.
    pub fn new_unlinked_file(
        self: &Arc<Self>,
        perm: u32,
        owner: (u32, u32),
        seals: u32,
    ) -> Arc<TmpInode> {
        let i = self.new_inode(S_IFREG | (perm & 0o7777), 0, owner, self.reg_kind());
        let mut m = lock(&i.meta);
        m.nlink = 0;
        m.seals = seals;
        drop(m);
        i
    }

    fn reg_kind(&self) -> Kind {
        Kind::Reg(MemObject::new_accounted(self.mf.clone(), self.used.clone()))
    }

    fn new_inode(
        self: &Arc<Self>,
        mode: u32,
        rdev: u64,
        owner: (u32, u32),
        kind: Kind,
    ) -> Arc<TmpInode> {
        let now = Time::now();
        let nlink = if mode & S_IFMT == S_IFDIR { 2 } else { 1 };
        self.inodes.fetch_add(1, Ordering::Relaxed);
        Arc::new_cyclic(|me| TmpInode {
            me: me.clone(),
            fs: self.clone(),
            ino: self.next_ino.fetch_add(1, Ordering::Relaxed),
            meta: Mutex::new(Meta {
                mode,
                uid: owner.0,
                gid: owner.1,
                nlink,
                rdev,
                size: 0,
                atime: now,
                mtime: now,
                ctime: now,
                btime: now,
                // Only memfds created with MFD_ALLOW_SEALING can be sealed.
                seals: F_SEAL_SEAL,
                linkable: false,
                xattrs: BTreeMap::new(),
            }),
            kind,
        })
    }

    fn limit(&self) -> u64 {
        self.limit.load(Ordering::Relaxed)
    }

    /// Change the size limit to `bytes` (a remount with `size=`): EINVAL
    /// when the files already hold more.
    pub fn set_limit(&self, bytes: u64) -> Result<(), Errno> {
        let pages = bytes / PAGE;
        if pages < self.used.load(Ordering::Relaxed) {
            return Err(Errno::EINVAL);
        }
        self.limit.store(pages, Ordering::Relaxed);
        Ok(())
    }

    /// The instance a tmpfs inode belongs to (None for other inodes).
    pub fn of(inode: Arc<dyn Inode>) -> Option<Arc<TmpFs>> {
        let any = inode.as_any()?;
        any.downcast::<TmpInode>().ok().map(|t| t.fs.clone())
    }

    /// Reserve `pages` more pages against the limit.
    fn reserve(&self, pages: u64) -> Result<(), TmpfsError> {
        if pages == 0 {
            return Ok(());
        }
        if self.used.load(Ordering::Relaxed).saturating_add(pages) > self.limit() {
            return Err(TmpfsError::NoSpace);
        }
        Ok(())
    }
}

/// Inode metadata.
struct Meta {
    mode: u32,
    uid: u32,
    gid: u32,
    nlink: u64,
    rdev: u64,
    /// Bytes (regular files, symlinks).
    size: u64,
    atime: Time,
    mtime: Time,
    ctime: Time,
    btime: Time,
    seals: u32,
    /// An O_TMPFILE file that linkat may give a name (Linux's I_LINKABLE).
    linkable: bool,
    /// Extended attributes (user.*, trusted.*), in memory.
    xattrs: BTreeMap<Vec<u8>, Vec<u8>>,
}

type Entries = BTreeMap<Vec<u8>, Arc<TmpInode>>;

/// A directory entry's name and inode.
pub type NamedInode = (Vec<u8>, Arc<TmpInode>);

enum Kind {
    Dir(Mutex<Entries>),
    Reg(Arc<MemObject>),
    Symlink(Vec<u8>),
    /// FIFOs, sockets and device nodes: only their attributes exist.
    Special,
}

impl Kind {
    fn dir() -> Kind {
        Kind::Dir(Mutex::new(BTreeMap::new()))
    }
}

/// A tmpfs file.
pub struct TmpInode {
    me: Weak<TmpInode>,
    fs: Arc<TmpFs>,
    ino: u64,
    meta: Mutex<Meta>,
    kind: Kind,
}

impl Drop for TmpInode {
    fn drop(&mut self) {
        self.fs.inodes.fetch_sub(1, Ordering::Relaxed);
    }
}

impl TmpInode {
    /// The inode number.
    pub fn ino(&self) -> u64 {
        self.ino
    }

    /// A directory's entries with their inodes, in name order (for the
    /// overlay's merged listing: no lookup per name).
    pub fn entries_with_inodes(&self) -> Result<Vec<NamedInode>, Errno> {
        Ok(self
            .entries()?
            .iter()
            .map(|(n, i)| (n.clone(), i.clone()))
            .collect())
    }

    fn meta(&self) -> MutexGuard<'_, Meta> {
        lock(&self.meta)
    }

    fn entries(&self) -> Result<MutexGuard<'_, Entries>, Errno> {
        match &self.kind {
            Kind::Dir(e) => Ok(lock(e)),
            _ => Err(Errno::ENOTDIR),
        }
    }

    fn is_dir_kind(&self) -> bool {
        matches!(self.kind, Kind::Dir(_))
    }

    fn arc(&self) -> Result<Arc<TmpInode>, Errno> {
        self.me.upgrade().ok_or(Errno::EIO)
    }

    /// Directory changed: mtime and ctime now.
    fn touch_dir(&self, nlink_delta: i64) {
        let now = Time::now();
        let mut m = self.meta();
        m.mtime = now;
        m.ctime = now;
        m.nlink = m.nlink.saturating_add_signed(nlink_delta);
    }

    fn obj(&self) -> Result<&Arc<MemObject>, TmpfsError> {
        match &self.kind {
            Kind::Reg(o) => Ok(o),
            _ => Err(TmpfsError::NotRegular),
        }
    }

    fn owner_of(m: &Meta) -> (u32, u32) {
        (m.uid, m.gid)
    }

    /// Insert a new child (namespace lock held by the caller).
    fn add_child(&self, name: &[u8], child: Arc<TmpInode>) -> Result<(), Errno> {
        let mut e = self.entries()?;
        if self.meta().nlink == 0 {
            return Err(Errno::ENOENT);
        }
        if e.contains_key(name) {
            return Err(Errno::EEXIST);
        }
        let is_dir = child.is_dir_kind();
        e.insert(name.to_vec(), child);
        drop(e);
        self.touch_dir(if is_dir { 1 } else { 0 });
        Ok(())
    }
}

fn other(i: &Arc<dyn Inode>) -> Result<Arc<TmpInode>, Errno> {
    i.clone()
        .as_any()
        .and_then(|a| a.downcast::<TmpInode>().ok())
        .ok_or(Errno::EXDEV)
}

/// Bump ctime and drop a link.
fn drop_link(i: &TmpInode) {
    let mut m = i.meta();
    m.ctime = Time::now();
    m.nlink = if i.is_dir_kind() {
        0
    } else {
        m.nlink.saturating_sub(1)
    };
}

impl Inode for TmpInode {
    fn stat(&self) -> Result<Stat, Errno> {
        let m = self.meta();
        let mut st = Stat::zeroed();
        st.st_dev = self.fs.dev;
        st.st_ino = self.ino;
        st.st_nlink = m.nlink;
        st.st_mode = m.mode;
        st.st_uid = m.uid;
        st.st_gid = m.gid;
        st.st_rdev = m.rdev;
        st.st_blksize = PAGE as i64;
        st.st_size = m.size as i64;
        match &self.kind {
            Kind::Reg(o) => st.st_blocks = (o.len() * (PAGE / 512)) as i64,
            Kind::Dir(e) => {
                drop(m);
                let n = lock(e).len() as i64;
                st.st_size = (n + 2) * BOGO_DIRENT_SIZE;
                let m = self.meta();
                return Ok(with_times(st, &m));
            }
            _ => {}
        }
        Ok(with_times(st, &m))
    }
    fn mode(&self) -> u32 {
        self.meta().mode
    }
    fn owner(&self) -> (u32, u32) {
        TmpInode::owner_of(&self.meta())
    }
    fn btime(&self) -> Option<crate::vfs::Btime> {
        let b = self.meta().btime;
        Some(crate::vfs::Btime {
            sec: b.sec,
            nsec: b.nsec as u32,
        })
    }
    fn lookup(&self, name: &[u8]) -> Result<Arc<dyn Inode>, Errno> {
        let e = self.entries()?;
        e.get(name)
            .cloned()
            .map(|i| i as Arc<dyn Inode>)
            .ok_or(Errno::ENOENT)
    }
    fn list(&self) -> Result<Vec<DirEntry>, Errno> {
        let e = self.entries()?;
        Ok(e.iter()
            .map(|(name, i)| DirEntry {
                ino: i.ino,
                d_type: dt_from_mode(i.mode()),
                name: name.clone(),
            })
            .collect())
    }
    fn readlink(&self) -> Result<Vec<u8>, Errno> {
        match &self.kind {
            Kind::Symlink(t) => Ok(t.clone()),
            _ => Err(Errno::EINVAL),
        }
    }
    fn open(&self, _dentry: &Arc<Dentry>, flags: u32) -> Result<Box<dyn FileOps>, Errno> {
        match &self.kind {
            Kind::Reg(_) => {
                let inode = self.arc()?;
                if flags & O_TRUNC != 0 {
                    let mut m = self.meta();
                    self.set_size(&mut m, 0)?;
                    let now = Time::now();
                    m.mtime = now;
                    m.ctime = now;
                }
                Ok(Box::new(TmpFile::new(inode)))
            }
            Kind::Dir(_) => Err(Errno::EISDIR),
            Kind::Symlink(_) => Err(Errno::ELOOP),
            // FIFOs and device nodes cannot be opened yet; sockets never.
            Kind::Special => Err(Errno::ENXIO),
        }
    }
    fn statfs(&self) -> Result<Statfs, Errno> {
        let fs = &self.fs;
        let used = fs.used.load(Ordering::Relaxed);
        let mut s = Statfs::zeroed();
        s.f_type = TMPFS_MAGIC;
        s.f_bsize = PAGE as i64;
        s.f_frsize = PAGE as i64;
        let limit = fs.limit();
        s.f_blocks = limit;
        s.f_bfree = limit.saturating_sub(used);
        s.f_bavail = s.f_bfree;
        // Linux's default nr_inodes: half of the RAM pages; any big number.
        let files = limit.max(1 << 16);
        s.f_files = files;
        s.f_ffree = files.saturating_sub(fs.inodes.load(Ordering::Relaxed));
        s.f_namelen = 255;
        s.f_flags = ST_VALID;
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
        let _ns = lock(&self.fs.ns_lock);
        let kind = match mode & S_IFMT {
            S_IFREG => self.fs.reg_kind(),
            S_IFDIR => Kind::dir(),
            _ => Kind::Special,
        };
        let child = self.fs.new_inode(mode, rdev, owner, kind);
        self.add_child(name, child.clone())?;
        Ok(child)
    }
    fn tmpfile(
        &self,
        mode: u32,
        owner: (u32, u32),
        linkable: bool,
    ) -> Result<Arc<dyn Inode>, Errno> {
        if !self.is_dir_kind() {
            return Err(Errno::ENOTDIR);
        }
        let i = self.fs.new_unlinked_file(mode, owner, F_SEAL_SEAL);
        i.meta().linkable = linkable;
        Ok(i)
    }
    fn symlink(
        &self,
        name: &[u8],
        target: &[u8],
        owner: (u32, u32),
    ) -> Result<Arc<dyn Inode>, Errno> {
        if target.len() >= PAGE as usize {
            return Err(Errno::ENAMETOOLONG);
        }
        let _ns = lock(&self.fs.ns_lock);
        let child = self
            .fs
            .new_inode(S_IFLNK | 0o777, 0, owner, Kind::Symlink(target.to_vec()));
        child.meta().size = target.len() as u64;
        self.add_child(name, child.clone())?;
        Ok(child)
    }
    fn link(&self, name: &[u8], target: &Arc<dyn Inode>) -> Result<(), Errno> {
        let t = other(target)?;
        if !Arc::ptr_eq(&t.fs, &self.fs) {
            return Err(Errno::EXDEV);
        }
        if t.is_dir_kind() {
            return Err(Errno::EPERM);
        }
        let _ns = lock(&self.fs.ns_lock);
        {
            let m = t.meta();
            if m.nlink == 0 && !m.linkable {
                // An unlinked file can only be linked if made by O_TMPFILE.
                return Err(Errno::ENOENT);
            }
        }
        let mut e = self.entries()?;
        if e.contains_key(name) {
            return Err(Errno::EEXIST);
        }
        e.insert(name.to_vec(), t.clone());
        drop(e);
        {
            let mut m = t.meta();
            m.nlink += 1;
            m.linkable = false;
            m.ctime = Time::now();
        }
        self.touch_dir(0);
        Ok(())
    }
    fn unlink(&self, name: &[u8], dir: bool) -> Result<(), Errno> {
        let _ns = lock(&self.fs.ns_lock);
        let mut e = self.entries()?;
        let child = e.get(name).cloned().ok_or(Errno::ENOENT)?;
        match (dir, child.is_dir_kind()) {
            (true, false) => return Err(Errno::ENOTDIR),
            (false, true) => return Err(Errno::EISDIR),
            (true, true) if !child.entries()?.is_empty() => return Err(Errno::ENOTEMPTY),
            _ => {}
        }
        e.remove(name);
        drop(e);
        drop_link(&child);
        self.touch_dir(if dir { -1 } else { 0 });
        Ok(())
    }
    fn rename(
        &self,
        old: &[u8],
        newdir: &Arc<dyn Inode>,
        new: &[u8],
        flags: u32,
    ) -> Result<(), Errno> {
        use syscalls::consts::{RENAME_EXCHANGE, RENAME_NOREPLACE};
        let nd = other(newdir)?;
        if !Arc::ptr_eq(&nd.fs, &self.fs) {
            return Err(Errno::EXDEV);
        }
        let _ns = lock(&self.fs.ns_lock);
        let same = std::ptr::eq(self, &*nd);
        let src = self.entries()?.get(old).cloned().ok_or(Errno::ENOENT)?;
        let dst = nd.entries()?.get(new).cloned();
        if flags & RENAME_EXCHANGE != 0 {
            let dst = dst.ok_or(Errno::ENOENT)?;
            if same && old == new {
                return Ok(());
            }
            self.entries()?.insert(old.to_vec(), dst.clone());
            nd.entries()?.insert(new.to_vec(), src.clone());
            if !same && src.is_dir_kind() != dst.is_dir_kind() {
                let d = if src.is_dir_kind() { 1 } else { -1 };
                nd.touch_dir(d);
                self.touch_dir(-d);
            } else {
                nd.touch_dir(0);
                self.touch_dir(0);
            }
            for i in [&src, &dst] {
                i.meta().ctime = Time::now();
            }
            return Ok(());
        }
        if let Some(dst) = &dst {
            if flags & RENAME_NOREPLACE != 0 {
                return Err(Errno::EEXIST);
            }
            if Arc::ptr_eq(&src, dst) {
                // Two names of one file: nothing happens.
                return Ok(());
            }
            match (src.is_dir_kind(), dst.is_dir_kind()) {
                (true, false) => return Err(Errno::ENOTDIR),
                (false, true) => return Err(Errno::EISDIR),
                (true, true) if !dst.entries()?.is_empty() => return Err(Errno::ENOTEMPTY),
                _ => {}
            }
        }
        if nd.meta().nlink == 0 {
            return Err(Errno::ENOENT);
        }
        self.entries()?.remove(old);
        nd.entries()?.insert(new.to_vec(), src.clone());
        let sd = i64::from(src.is_dir_kind());
        let mut nd_delta = if same { 0 } else { sd };
        if let Some(dst) = &dst {
            drop_link(dst);
            if dst.is_dir_kind() {
                nd_delta -= 1;
            }
        }
        nd.touch_dir(nd_delta);
        if !same {
            self.touch_dir(-sd);
        }
        src.meta().ctime = Time::now();
        Ok(())
    }
    fn setattr(&self, attr: &SetAttr) -> Result<(), Errno> {
        let mut m = self.meta();
        if let Some(size) = attr.size {
            match &self.kind {
                Kind::Reg(_) => self.set_size(&mut m, size)?,
                Kind::Dir(_) => return Err(Errno::EISDIR),
                _ => return Err(Errno::EINVAL),
            }
            let now = Time::now();
            m.mtime = now;
        }
        if let Some(mode) = attr.mode {
            m.mode = (m.mode & S_IFMT) | (mode & 0o7777);
        }
        if let Some(uid) = attr.uid {
            m.uid = uid;
        }
        if let Some(gid) = attr.gid {
            m.gid = gid;
        }
        if let Some(t) = attr.atime {
            m.atime = t;
        }
        if let Some(t) = attr.mtime {
            m.mtime = t;
        }
        m.ctime = Time::now();
        Ok(())
    }
    fn fallocate(&self, mode: u32, off: u64, len: u64) -> Result<(), Errno> {
        self.fallocate_range(mode, off, len)
    }
    fn seals(&self) -> Result<u32, Errno> {
        match self.kind {
            Kind::Reg(_) => Ok(self.meta().seals),
            _ => Err(Errno::EINVAL),
        }
    }
    fn add_seals(&self, seals: u32) -> Result<(), Errno> {
        if !matches!(self.kind, Kind::Reg(_)) {
            return Err(Errno::EINVAL);
        }
        if seals & !ALL_SEALS != 0 {
            return Err(Errno::EINVAL);
        }
        let mut m = self.meta();
        if m.seals & F_SEAL_SEAL != 0 {
            return Err(Errno::EPERM);
        }
        m.seals |= seals;
        Ok(())
    }
    fn as_any(self: Arc<Self>) -> Option<Arc<dyn Any + Send + Sync>> {
        Some(self)
    }
    fn getxattr(&self, name: &[u8]) -> Result<Vec<u8>, Errno> {
        self.meta().xattrs.get(name).cloned().ok_or(Errno::ENODATA)
    }
    fn setxattr(&self, name: &[u8], value: &[u8], flags: i32) -> Result<(), Errno> {
        const XATTR_CREATE: i32 = 1;
        const XATTR_REPLACE: i32 = 2;
        let mut m = self.meta();
        let exists = m.xattrs.contains_key(name);
        if flags & XATTR_CREATE != 0 && exists {
            return Err(Errno::EEXIST);
        }
        if flags & XATTR_REPLACE != 0 && !exists {
            return Err(Errno::ENODATA);
        }
        m.xattrs.insert(name.to_vec(), value.to_vec());
        m.ctime = Time::now();
        Ok(())
    }
    fn listxattr(&self) -> Result<Vec<u8>, Errno> {
        let m = self.meta();
        let mut out = Vec::new();
        for k in m.xattrs.keys() {
            out.extend_from_slice(k);
            out.push(0);
        }
        Ok(out)
    }
    fn removexattr(&self, name: &[u8]) -> Result<(), Errno> {
        let mut m = self.meta();
        m.xattrs.remove(name).ok_or(Errno::ENODATA)?;
        m.ctime = Time::now();
        Ok(())
    }
}

fn with_times(mut st: Stat, m: &Meta) -> Stat {
    st.st_atime = m.atime.sec;
    st.st_atime_nsec = m.atime.nsec;
    st.st_mtime = m.mtime.sec;
    st.st_mtime_nsec = m.mtime.nsec;
    st.st_ctime = m.ctime.sec;
    st.st_ctime_nsec = m.ctime.nsec;
    st
}

#[cfg(test)]
mod tests;

mod data;
pub use data::TmpFile;
