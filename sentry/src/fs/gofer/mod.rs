//! The gofer file system: files of the container's root and of `--volume`
//! bind mounts, served by gofer processes (DESIGN §9).
//!
//! Inodes hold the gofer handle and the attributes cached at walk time; one
//! inode per host file (keyed by device and inode number), so hard links and
//! repeated lookups share it. Regular files get ONE donated read-only host
//! fd per inode, opened on the first open and shared by every later open
//! (no gofer round trip per open after the first): reads `pread` it
//! directly, and mmap uses a per-inode page cache built on it, so every
//! process shares the same pages. Directories are listed with `getdents`,
//! symlink targets are cached.
//!
//! A writable mount (`GoferFs::new_writable`) creates, links, renames,
//! removes and changes attributes through the gofer protocol. Opens for
//! writing get a second donated fd per inode, `O_RDWR`, shared by every
//! writer; `write` `pwrite`s it directly (`O_APPEND` writes take a
//! per-inode lock, read the host file's size and write there, so writers
//! in the sandbox never interleave), and copies the bytes into cached
//! pages so mappings stay coherent. `fallocate`, `fsync` and `ftruncate`
//! act on the donated fd. Cached attributes of an inode are refreshed on
//! `stat` after a change (a write, or any namespace change on the mount,
//! which may change link counts and times). Shared writable mappings are
//! written back (see [`file`]).

mod file;
mod write;

pub use file::GoferFile;

use super::synth::{ST_RDONLY, ST_VALID};
use crate::mm::memfile::MemoryFile;
use crate::mm::object::{MemObject, Source};
use crate::vfs::{Btime, Dentry, DirEntry, FileOps, Inode};
use gofer::{Attr, Client, Handle};
use std::collections::HashMap;
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};
use syscalls::abi::{Stat, Statfs};
use syscalls::consts::{
    O_ACCMODE, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY, S_IFBLK, S_IFCHR, S_IFIFO, S_IFMT, S_IFREG,
};
use syscalls::{Errno, Pod};

/// Handles of dropped inodes released per round trip.
const RELEASE_BATCH: usize = 64;

/// Entries asked for per getdents round trip (the gofer also stops when
/// its reply message is full, about 2,000 short names).
const GETDENTS_BATCH: usize = 4096;

/// Bumped by every namespace change the sentry makes on any gofer mount:
/// cached directory listings older than this are stale. One counter for
/// all mounts, because two mounts (two volumes of one host directory, or a
/// volume inside the host tree the root is served from) can show the same
/// host directory.
static LISTING_GEN: AtomicU64 = AtomicU64::new(0);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// One gofer mount.
pub struct GoferFs {
    client: Arc<Client>,
    mf: Arc<MemoryFile>,
    readonly: bool,
    /// Bumped by every change of the namespace (link counts and times of
    /// other inodes may have changed): cached attributes older than this
    /// are refreshed on stat.
    gen: AtomicU64,
    /// The host changes the tree meanwhile: directory lookups are never
    /// cached in the dentry tree (every walk asks the gofer) and stat always
    /// asks the gofer.
    shared: AtomicBool,
    /// Handles of dropped inodes not released on the gofer yet.
    pending_release: Mutex<Vec<Handle>>,
    /// Live inodes by (device, inode number).
    inodes: Mutex<HashMap<(u64, u64), Weak<GoferInode>>>,
    /// Live page caches by (device, inode number): a file whose inode was
    /// pruned from the dentry cache while still mapped gets the same pages
    /// back when it is looked up again.
    objects: Mutex<HashMap<(u64, u64), Weak<MemObject>>>,
}

impl GoferFs {
    /// A read-only mount of what `client` serves.
    pub fn new(client: Arc<Client>, mf: Arc<MemoryFile>) -> Arc<GoferFs> {
        Self::with_mode(client, mf, true)
    }

    /// A writable mount (the gofer must serve it writable, else changes
    /// fail with EROFS from the gofer).
    pub fn new_writable(client: Arc<Client>, mf: Arc<MemoryFile>) -> Arc<GoferFs> {
        Self::with_mode(client, mf, false)
    }

    /// A mount, read-only or not.
    pub fn with_mode(client: Arc<Client>, mf: Arc<MemoryFile>, readonly: bool) -> Arc<GoferFs> {
        Arc::new(GoferFs {
            client,
            mf,
            readonly,
            gen: AtomicU64::new(0),
            shared: AtomicBool::new(false),
            pending_release: Mutex::new(Vec::new()),
            inodes: Mutex::new(HashMap::new()),
            objects: Mutex::new(HashMap::new()),
        })
    }

    /// Forget `h` on the gofer, batched: handles are released
    /// `RELEASE_BATCH` at a time (one round trip instead of one per
    /// dropped inode; each pending handle keeps an `O_PATH` fd in the gofer).
    fn release_later(&self, h: Handle) {
        let batch = {
            let mut p = lock(&self.pending_release);
            p.push(h);
            if p.len() < RELEASE_BATCH {
                return;
            }
            std::mem::take(&mut *p)
        };
        let _ = self.client.release_all(&batch);
    }

    /// Never cache lookups nor attributes of this mount (see `shared`).
    pub fn set_shared(&self) {
        self.shared.store(true, Ordering::Relaxed);
    }

    /// The root inode (attach).
    pub fn root(self: &Arc<Self>) -> Result<Arc<dyn Inode>, Errno> {
        let (h, a) = self.client.attach()?;
        Ok(self.inode(h, a))
    }

    /// The inode for a freshly walked handle: an existing inode of the same
    /// file is reused (and the new handle released).
    fn inode(self: &Arc<Self>, handle: Handle, attr: Attr) -> Arc<GoferInode> {
        let key = (attr.dev, attr.ino);
        let mut map = lock(&self.inodes);
        if let Some(existing) = map.get(&key).and_then(Weak::upgrade) {
            // Same file type means same file (the host could have reused the
            // inode number for a new file after the old one was deleted).
            if existing.attr().mode & S_IFMT == attr.mode & S_IFMT {
                drop(map);
                self.release_later(handle);
                // The walk's attributes are the freshest.
                existing.set_attr(attr);
                return existing;
            }
        }
        if map.len() > 4096 && map.len().is_power_of_two() {
            map.retain(|_, w| w.strong_count() > 0);
        }
        let inode = Arc::new_cyclic(|me| GoferInode {
            me: me.clone(),
            fs: self.clone(),
            handle,
            attr: Mutex::new(attr),
            attr_gen: AtomicU64::new(self.gen.load(Ordering::Relaxed)),
            stale: AtomicBool::new(false),
            host_fd: Mutex::new(None),
            rw_fd: Mutex::new(None),
            append: Mutex::new(()),
            link: OnceLock::new(),
            obj: Mutex::new(None),
            listing: Mutex::new(None),
        });
        map.insert(key, Arc::downgrade(&inode));
        inode
    }
}

impl Drop for GoferFs {
    fn drop(&mut self) {
        let pending = std::mem::take(&mut *lock(&self.pending_release));
        if !pending.is_empty() {
            let _ = self.client.release_all(&pending);
        }
    }
}

/// A file served by the gofer.
pub struct GoferInode {
    me: Weak<GoferInode>,
    fs: Arc<GoferFs>,
    handle: Handle,
    attr: Mutex<Attr>,
    /// `GoferFs::gen` when `attr` was fetched.
    attr_gen: AtomicU64,
    /// The file changed through this inode (write, truncate...): refresh
    /// `attr` on the next stat.
    stale: AtomicBool,
    /// The shared read-only host fd of a regular file, opened on first use.
    host_fd: Mutex<Option<Arc<OwnedFd>>>,
    /// The shared read-write host fd, opened by the first writer.
    rw_fd: Mutex<Option<Arc<OwnedFd>>>,
    /// Serialises O_APPEND writes (find the end, write there).
    append: Mutex<()>,
    link: OnceLock<Vec<u8>>,
    /// The page cache for mmap.
    obj: Mutex<Option<Arc<MemObject>>>,
    /// The cached listing of a directory, with the `LISTING_GEN` it was
    /// fetched at: valid while the sentry made no namespace change on a
    /// gofer mount since (never used on a `shared` mount).
    listing: Mutex<Option<(u64, Arc<Vec<DirEntry>>)>>,
}

impl Drop for GoferInode {
    fn drop(&mut self) {
        self.fs.release_later(self.handle);
    }
}

/// stat(2) fields from gofer attributes.
pub fn attr_to_stat(a: &Attr) -> Stat {
    let mut st = Stat::zeroed();
    st.st_dev = a.dev;
    st.st_ino = a.ino;
    st.st_nlink = a.nlink;
    st.st_mode = a.mode;
    st.st_uid = a.uid;
    st.st_gid = a.gid;
    st.st_rdev = a.rdev;
    st.st_size = a.size as i64;
    st.st_blksize = a.blksize as i64;
    st.st_blocks = a.blocks as i64;
    st.st_atime = a.atime.sec;
    st.st_atime_nsec = a.atime.nsec as i64;
    st.st_mtime = a.mtime.sec;
    st.st_mtime_nsec = a.mtime.nsec as i64;
    st.st_ctime = a.ctime.sec;
    st.st_ctime_nsec = a.ctime.nsec as i64;
    st
}

impl GoferInode {
    pub fn attr(&self) -> Attr {
        *lock(&self.attr)
    }

    fn set_attr(&self, a: Attr) {
        *lock(&self.attr) = a;
        self.attr_gen
            .store(self.fs.gen.load(Ordering::Relaxed), Ordering::Relaxed);
        self.stale.store(false, Ordering::Relaxed);
    }

    /// Note that this file changed (its cached attributes are stale).
    fn touch(&self) {
        self.stale.store(true, Ordering::Relaxed);
    }

    /// Attributes, refreshed from the host when they may be stale (always
    /// on a `shared` mount, whose files the host changes meanwhile).
    pub fn fresh_attr(&self) -> Result<Attr, Errno> {
        let old = self.attr_gen.load(Ordering::Relaxed) != self.fs.gen.load(Ordering::Relaxed);
        let shared = self.fs.shared.load(Ordering::Relaxed);
        if !self.stale.load(Ordering::Relaxed) && !old && !shared {
            return Ok(self.attr());
        }
        let a = self.fs.client.stat(self.handle)?;
        self.set_attr(a);
        Ok(a)
    }

    /// The shared read-write host fd (opened through the gofer the first
    /// time).
    pub fn rw_fd(&self) -> Result<Arc<OwnedFd>, Errno> {
        let mut g = lock(&self.rw_fd);
        if let Some(fd) = g.as_ref() {
            return Ok(fd.clone());
        }
        let fd = Arc::new(self.fs.client.open(self.handle, O_RDWR as i32)?);
        *g = Some(fd.clone());
        Ok(fd)
    }

    /// The read-write fd if a writer opened one.
    fn rw_fd_if_open(&self) -> Option<Arc<OwnedFd>> {
        lock(&self.rw_fd).clone()
    }

    /// The shared read-only host fd (opened through the gofer the first time).
    pub fn host_fd(&self) -> Result<Arc<OwnedFd>, Errno> {
        let mut g = lock(&self.host_fd);
        if let Some(fd) = g.as_ref() {
            return Ok(fd.clone());
        }
        let fd = Arc::new(self.fs.client.open(self.handle, O_RDONLY as i32)?);
        *g = Some(fd.clone());
        Ok(fd)
    }

    /// The directory's entries, from the gofer.
    fn fetch_list(&self) -> Result<Vec<DirEntry>, Errno> {
        let mut out = Vec::new();
        let mut cookie = 0;
        loop {
            let batch = self
                .fs
                .client
                .getdents(self.handle, cookie, GETDENTS_BATCH)?;
            let Some(last) = batch.last() else { break };
            cookie = last.next;
            out.extend(batch.into_iter().map(|d| DirEntry {
                ino: d.ino,
                d_type: d.d_type,
                name: d.name,
            }));
            if cookie == 0 {
                break;
            }
        }
        Ok(out)
    }

    /// The per-inode page cache for mmap.
    pub fn mem_object(&self) -> Result<Arc<MemObject>, Errno> {
        let fd = self.host_fd()?;
        let mut g = lock(&self.obj);
        if let Some(o) = g.as_ref() {
            return Ok(o.clone());
        }
        let a = self.attr();
        let key = (a.dev, a.ino);
        let mut objs = lock(&self.fs.objects);
        let o = match objs.get(&key).and_then(Weak::upgrade) {
            Some(o) => o,
            None => {
                if objs.len() > 1024 && objs.len().is_power_of_two() {
                    objs.retain(|_, w| w.strong_count() > 0);
                }
                let o = MemObject::new(self.fs.mf.clone(), Source::HostFd(fd));
                objs.insert(key, Arc::downgrade(&o));
                o
            }
        };
        *g = Some(o.clone());
        Ok(o)
    }
}

impl Inode for GoferInode {
    fn stat(&self) -> Result<Stat, Errno> {
        Ok(attr_to_stat(&self.fresh_attr()?))
    }
    fn mode(&self) -> u32 {
        self.attr().mode
    }
    fn owner(&self) -> (u32, u32) {
        let a = self.attr();
        (a.uid, a.gid)
    }
    fn btime(&self) -> Option<Btime> {
        self.attr().btime.map(|t| Btime {
            sec: t.sec,
            nsec: t.nsec,
        })
    }
    fn lookup(&self, name: &[u8]) -> Result<Arc<dyn Inode>, Errno> {
        let got = self.fs.client.walk(self.handle, &[name])?;
        let mut it = got.into_iter();
        let (h, a) = it.next().ok_or(Errno::ENOENT)?;
        let extra: Vec<Handle> = it.map(|(h, _)| h).collect();
        if !extra.is_empty() {
            let _ = self.fs.client.release_all(&extra);
        }
        Ok(self.fs.inode(h, a))
    }
    fn lookup_many(&self, names: &[&[u8]]) -> Result<Vec<Arc<dyn Inode>>, Errno> {
        let got = self.fs.client.walk(self.handle, names)?;
        if got.is_empty() {
            return Err(Errno::ENOENT);
        }
        Ok(got
            .into_iter()
            .map(|(h, a)| self.fs.inode(h, a) as Arc<dyn Inode>)
            .collect())
    }
    fn list(&self) -> Result<Vec<DirEntry>, Errno> {
        Ok(self.list_shared()?.as_ref().clone())
    }
    fn list_shared(&self) -> Result<Arc<Vec<DirEntry>>, Errno> {
        if self.fs.shared.load(Ordering::Relaxed) {
            return Ok(Arc::new(self.fetch_list()?));
        }
        // Read the generation before asking the gofer: a change made
        // meanwhile bumps it past the one stored, so the next listing asks
        // again (the mutex also keeps concurrent listers to one round trip).
        let mut cached = lock(&self.listing);
        let gen = LISTING_GEN.load(Ordering::Acquire);
        if let Some((g, v)) = cached.as_ref() {
            if *g == gen {
                return Ok(v.clone());
            }
        }
        let v = Arc::new(self.fetch_list()?);
        *cached = Some((gen, v.clone()));
        Ok(v)
    }
    fn readlink(&self) -> Result<Vec<u8>, Errno> {
        if !self.attr().is_symlink() {
            return Err(Errno::EINVAL);
        }
        if let Some(l) = self.link.get() {
            return Ok(l.clone());
        }
        let l = self.fs.client.readlink(self.handle)?;
        let _ = self.link.set(l.clone());
        Ok(l)
    }
    fn open(&self, _dentry: &Arc<Dentry>, flags: u32) -> Result<Box<dyn FileOps>, Errno> {
        let inode = self.me.upgrade().ok_or(Errno::EIO)?;
        let acc = flags & O_ACCMODE;
        match self.attr().mode & S_IFMT {
            S_IFREG => {
                let writes = acc == O_WRONLY || acc == O_RDWR || flags & O_TRUNC != 0;
                if writes && self.fs.readonly {
                    return Err(Errno::EROFS);
                }
                let rw = if writes { Some(self.rw_fd()?) } else { None };
                if flags & O_TRUNC != 0 {
                    if let Some(fd) = &rw {
                        self.truncate_fd(fd, 0)?;
                    }
                }
                // Readers share the read-only fd; a read-write file reads
                // through its own fd.
                let fd = match &rw {
                    Some(fd) => fd.clone(),
                    None => self.host_fd()?,
                };
                Ok(Box::new(GoferFile::new(inode, fd, rw)))
            }
            // Device nodes of the rootfs are never opened (a nodev mount).
            S_IFCHR | S_IFBLK => Err(Errno::EACCES),
            S_IFIFO => {
                let fd = self.fs.client.open(self.handle, (acc & O_ACCMODE) as i32)?;
                Ok(super::host::host_ops(fd))
            }
            _ => Err(Errno::ENXIO),
        }
    }
    fn statfs(&self) -> Result<Statfs, Errno> {
        let g = self.fs.client.statfs(self.handle)?;
        let mut s = Statfs::zeroed();
        s.f_type = g.fs_type as i64;
        s.f_bsize = g.bsize as i64;
        s.f_blocks = g.blocks;
        s.f_bfree = g.bfree;
        s.f_bavail = g.bavail;
        s.f_files = g.files;
        s.f_ffree = g.ffree;
        s.f_fsid = [g.fsid as i32, (g.fsid >> 32) as i32];
        s.f_namelen = g.namelen as i64;
        s.f_frsize = g.frsize as i64;
        s.f_flags = g.flags as i64 | ST_VALID | if self.fs.readonly { ST_RDONLY } else { 0 };
        Ok(s)
    }
    fn readonly(&self) -> bool {
        self.fs.readonly
    }
    fn mknod(
        &self,
        name: &[u8],
        mode: u32,
        rdev: u64,
        owner: (u32, u32),
    ) -> Result<Arc<dyn Inode>, Errno> {
        self.do_mknod(name, mode, rdev, owner)
    }
    fn symlink(
        &self,
        name: &[u8],
        target: &[u8],
        owner: (u32, u32),
    ) -> Result<Arc<dyn Inode>, Errno> {
        self.do_symlink(name, target, owner)
    }
    fn link(&self, name: &[u8], target: &Arc<dyn Inode>) -> Result<(), Errno> {
        self.do_link(name, target)
    }
    fn unlink(&self, name: &[u8], dir: bool) -> Result<(), Errno> {
        self.do_unlink(name, dir)
    }
    fn rename(
        &self,
        old: &[u8],
        newdir: &Arc<dyn Inode>,
        new: &[u8],
        flags: u32,
    ) -> Result<(), Errno> {
        self.do_rename(old, newdir, new, flags)
    }
    fn setattr(&self, attr: &crate::vfs::SetAttr) -> Result<(), Errno> {
        self.do_setattr(attr)
    }
    fn fallocate(&self, mode: u32, off: u64, len: u64) -> Result<(), Errno> {
        self.do_fallocate(mode, off, len)
    }
    fn as_any(self: Arc<Self>) -> Option<Arc<dyn std::any::Any + Send + Sync>> {
        Some(self)
    }
    fn getxattr(&self, name: &[u8]) -> Result<Vec<u8>, Errno> {
        self.fs.client.getxattr(self.handle, name)
    }
    fn setxattr(&self, name: &[u8], value: &[u8], flags: i32) -> Result<(), Errno> {
        if self.fs.readonly {
            return Err(Errno::EROFS);
        }
        self.fs.client.setxattr(self.handle, name, value, flags)?;
        self.touch();
        Ok(())
    }
    fn listxattr(&self) -> Result<Vec<u8>, Errno> {
        self.fs.client.listxattr(self.handle)
    }
    fn removexattr(&self, name: &[u8]) -> Result<(), Errno> {
        if self.fs.readonly {
            return Err(Errno::EROFS);
        }
        self.fs.client.removexattr(self.handle, name)?;
        self.touch();
        Ok(())
    }
    fn dynamic(&self) -> bool {
        self.fs.shared.load(Ordering::Relaxed)
    }
}
