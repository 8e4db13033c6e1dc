//! Synthetic file systems kept entirely in the sentry: static directories
//! and symlinks (the `/dev` directory,
//! mount points missing from the rootfs).

use crate::vfs::{makedev, Dentry, DirEntry, FileOps, Inode};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use syscalls::abi::{Stat, Statfs};
use syscalls::consts::{dt_from_mode, S_IFDIR, S_IFLNK};
use syscalls::{Errno, Pod};

pub const TMPFS_MAGIC: i64 = 0x0102_1994;
pub const PROC_SUPER_MAGIC: i64 = 0x9fa0;
pub const SYSFS_MAGIC: i64 = 0x6265_6572;
/// statfs f_flags: the flags are valid / the mount is read-only.
pub const ST_VALID: i64 = 0x20;
pub const ST_RDONLY: i64 = 0x1;

/// Minor numbers of anonymous devices (major 0), like Linux's
/// `get_anon_bdev`, one per synthetic file system instance.
static NEXT_ANON_MINOR: AtomicU32 = AtomicU32::new(16);

/// A synthetic file system instance: device number, magic, inode numbers.
pub struct SynthFs {
    pub dev: u64,
    pub magic: i64,
    pub readonly: bool,
    next_ino: AtomicU64,
    /// Creation time: every timestamp of the fs.
    pub time: (i64, i64),
}

/// A new anonymous device number (major 0), as Linux gives each tmpfs,
/// procfs, ... instance.
pub fn anon_dev() -> u64 {
    makedev(0, NEXT_ANON_MINOR.fetch_add(1, Ordering::Relaxed))
}

impl SynthFs {
    pub fn new(magic: i64, readonly: bool) -> Arc<SynthFs> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Arc::new(SynthFs {
            dev: anon_dev(),
            magic,
            readonly,
            next_ino: AtomicU64::new(1),
            time: (now.as_secs() as i64, now.subsec_nanos() as i64),
        })
    }

    pub fn ino(&self) -> u64 {
        self.next_ino.fetch_add(1, Ordering::Relaxed)
    }

    /// A stat with this fs's device and times.
    pub fn stat(&self, ino: u64, mode: u32, nlink: u64, size: i64, rdev: u64) -> Stat {
        let mut st = Stat::zeroed();
        st.st_dev = self.dev;
        st.st_ino = ino;
        st.st_nlink = nlink;
        st.st_mode = mode;
        st.st_rdev = rdev;
        st.st_size = size;
        st.st_blksize = 4096;
        st.st_atime = self.time.0;
        st.st_atime_nsec = self.time.1;
        st.st_mtime = self.time.0;
        st.st_mtime_nsec = self.time.1;
        st.st_ctime = self.time.0;
        st.st_ctime_nsec = self.time.1;
        st
    }

    pub fn statfs(&self) -> Statfs {
        let mut s = Statfs::zeroed();
        s.f_type = self.magic;
        s.f_bsize = 4096;
        s.f_namelen = 255;
        s.f_frsize = 4096;
        s.f_flags = ST_VALID | if self.readonly { ST_RDONLY } else { 0 };
        s
    }
}

/// A directory with a fixed set of entries.
pub struct SynthDir {
    pub fs: Arc<SynthFs>,
    ino: u64,
    mode: u32,
    entries: Mutex<BTreeMap<Vec<u8>, Arc<dyn Inode>>>,
}

impl SynthDir {
    pub fn new(fs: Arc<SynthFs>, perm: u32) -> Arc<SynthDir> {
        let ino = fs.ino();
        Arc::new(SynthDir {
            fs,
            ino,
            mode: S_IFDIR | (perm & 0o7777),
            entries: Mutex::new(BTreeMap::new()),
        })
    }

    pub fn add(&self, name: &[u8], inode: Arc<dyn Inode>) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(name.to_vec(), inode);
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, BTreeMap<Vec<u8>, Arc<dyn Inode>>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Inode for SynthDir {
    fn stat(&self) -> Result<Stat, Errno> {
        let e = self.entries();
        let subdirs = e.values().filter(|i| i.is_dir()).count() as u64;
        Ok(self.fs.stat(self.ino, self.mode, 2 + subdirs, 0, 0))
    }
    fn mode(&self) -> u32 {
        self.mode
    }
    fn owner(&self) -> (u32, u32) {
        (0, 0)
    }
    fn lookup(&self, name: &[u8]) -> Result<Arc<dyn Inode>, Errno> {
        self.entries().get(name).cloned().ok_or(Errno::ENOENT)
    }
    fn list(&self) -> Result<Vec<DirEntry>, Errno> {
        let e = self.entries();
        let mut v = Vec::with_capacity(e.len());
        for (name, i) in e.iter() {
            let ino = i.stat().map(|s| s.st_ino).unwrap_or(0);
            v.push(DirEntry {
                ino,
                d_type: dt_from_mode(i.mode()),
                name: name.clone(),
            });
        }
        Ok(v)
    }
    fn open(&self, _dentry: &Arc<Dentry>, _flags: u32) -> Result<Box<dyn FileOps>, Errno> {
        // Directories are opened by the VFS.
        Err(Errno::EISDIR)
    }
    fn statfs(&self) -> Result<Statfs, Errno> {
        Ok(self.fs.statfs())
    }
    fn readonly(&self) -> bool {
        self.fs.readonly
    }
}

/// A symlink with a fixed target.
pub struct SynthSymlink {
    fs: Arc<SynthFs>,
    ino: u64,
    target: Vec<u8>,
}

impl SynthSymlink {
    pub fn new(fs: Arc<SynthFs>, target: &[u8]) -> Arc<SynthSymlink> {
        let ino = fs.ino();
        Arc::new(SynthSymlink {
            fs,
            ino,
            target: target.to_vec(),
        })
    }
}

impl Inode for SynthSymlink {
    fn stat(&self) -> Result<Stat, Errno> {
        Ok(self
            .fs
            .stat(self.ino, S_IFLNK | 0o777, 1, self.target.len() as i64, 0))
    }
    fn mode(&self) -> u32 {
        S_IFLNK | 0o777
    }
    fn owner(&self) -> (u32, u32) {
        (0, 0)
    }
    fn readlink(&self) -> Result<Vec<u8>, Errno> {
        Ok(self.target.clone())
    }
    fn open(&self, _dentry: &Arc<Dentry>, _flags: u32) -> Result<Box<dyn FileOps>, Errno> {
        Err(Errno::ELOOP)
    }
    fn statfs(&self) -> Result<Statfs, Errno> {
        Ok(self.fs.statfs())
    }
    fn readonly(&self) -> bool {
        self.fs.readonly
    }
}

/// An empty directory standing in for a mount point the rootfs lacks.
pub fn mountpoint_dir(parent: &dyn Inode) -> Arc<dyn Inode> {
    let fs = SynthFs::new(TMPFS_MAGIC, parent.readonly());
    SynthDir::new(fs, 0o755)
}
