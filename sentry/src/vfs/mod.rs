//! The virtual file system (DESIGN §8): mounts, dentries, inodes, open file
//! descriptions and fd tables.
//!
//! - An [`Inode`] is a file of some file system (gofer, synthetic, device).
//! - A [`Dentry`] names an inode in the sentry's tree: it has a parent, a
//!   cache of children (including negative entries) and, when something is
//!   mounted on it, the root dentry of that mount. The root dentry of a mount
//!   knows the dentry it covers, so `..` and [`Dentry::path`] cross mounts in
//!   both directions.
//! - [`resolve`] walks paths for the syscalls (dirfd, symlinks, `..` bounded
//!   by the task's root, trailing slashes, permissions), and opens files.
//! - [`File`] is an open file description shared by dup'ed fds.

pub mod dentry;
pub mod dir;
pub mod file;
mod filebind;
pub mod io;
pub mod lock;
pub mod mount;
pub mod resolve;
pub mod splice;

#[cfg(test)]
mod tests;

pub use dentry::Dentry;
pub use file::{FdEntry, FdTable, File, FileOps, MmapSource};
pub use mount::{Mount, MountFlags, MountNamespace};
pub use resolve::{lookup_dir, open_exec, Walker};

use crate::fs;
use crate::kernel::task::Creds;
use crate::mm::memfile::MemoryFile;
use std::sync::Arc;
use syscalls::abi::{Stat, Statfs};
use syscalls::consts::{S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG};
use syscalls::Errno;

/// The longest name of one path component.
pub const NAME_MAX: usize = 255;
/// Symlinks followed during one path walk before ELOOP.
pub const MAX_SYMLINKS: u32 = 40;

/// Access bits as `access(2)` and `inode_permission` use them.
pub const MAY_EXEC: u32 = 1;
pub const MAY_WRITE: u32 = 2;
pub const MAY_READ: u32 = 4;

/// One directory entry as a file system lists it (without `.` and `..`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    pub ino: u64,
    pub d_type: u8,
    pub name: Vec<u8>,
}

/// Birth time, when a file system records it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Btime {
    pub sec: i64,
    pub nsec: u32,
}

/// A timestamp set by utimensat and friends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Time {
    pub sec: i64,
    pub nsec: i64,
}

impl Time {
    /// The current time.
    pub fn now() -> Time {
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Time {
            sec: d.as_secs() as i64,
            nsec: i64::from(d.subsec_nanos()),
        }
    }
}

/// Attribute changes for [`Inode::setattr`] (permission checks were done by
/// the caller; the file system updates ctime).
#[derive(Clone, Copy, Debug, Default)]
pub struct SetAttr {
    /// Permission bits (07777).
    pub mode: Option<u32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub size: Option<u64>,
    pub atime: Option<Time>,
    pub mtime: Option<Time>,
}

/// A file of some file system.
///
/// The namespace-changing methods (`mknod`, `symlink`, `link`, `unlink`,
/// `rename`, `setattr`) are called by the syscall layer after its checks
/// (permissions, sticky bit, read-only); file systems that cannot change
/// refuse with EPERM. The caller updates the dentry cache.
pub trait Inode: Send + Sync {
    /// Attributes as stat(2) reports them.
    fn stat(&self) -> Result<Stat, Errno>;
    /// File type and permission bits (`S_IFMT | 07777`).
    fn mode(&self) -> u32;
    /// Owner uid and gid.
    fn owner(&self) -> (u32, u32);
    /// Birth time for statx, if known.
    fn btime(&self) -> Option<Btime> {
        None
    }
    /// The child `name` of this directory (a single component, never `.`
    /// or `..`); ENOENT when it does not exist.
    fn lookup(&self, _name: &[u8]) -> Result<Arc<dyn Inode>, Errno> {
        Err(Errno::ENOTDIR)
    }
    /// The inodes along `names` (single components, at least one) below
    /// this directory, as far as they exist: stops after a symlink or
    /// before a component that cannot be walked. ENOENT (or another error)
    /// when the first one cannot. File systems with remote lookups answer
    /// several components in one round trip.
    fn lookup_many(&self, names: &[&[u8]]) -> Result<Vec<Arc<dyn Inode>>, Errno> {
        let first = names.first().ok_or(Errno::EINVAL)?;
        Ok(vec![self.lookup(first)?])
    }
    /// Every entry of this directory, without `.` and `..`.
    fn list(&self) -> Result<Vec<DirEntry>, Errno> {
        Err(Errno::ENOTDIR)
    }
    /// [`Inode::list`], shared: file systems that cache listings hand out
    /// the same `Arc` while the directory is unchanged (no copy per open).
    fn list_shared(&self) -> Result<Arc<Vec<DirEntry>>, Errno> {
        Ok(Arc::new(self.list()?))
    }
    /// The target of this symlink.
    fn readlink(&self) -> Result<Vec<u8>, Errno> {
        Err(Errno::EINVAL)
    }
    /// File operations for an open of this inode. Type, permission and
    /// read-only checks were done by the caller; directories are opened by
    /// the VFS itself ([`dir::DirFile`]) unless this returns something else.
    fn open(&self, dentry: &Arc<Dentry>, flags: u32) -> Result<Box<dyn FileOps>, Errno>;
    /// statfs(2) of the file system holding this inode.
    fn statfs(&self) -> Result<Statfs, Errno>;
    /// Whether the file system is read-only (writes give EROFS).
    fn readonly(&self) -> bool;
    /// Create `name` in this directory: a regular file, directory, FIFO,
    /// socket or device node (`mode` has the type and the permission bits
    /// after the umask), owned by `owner`. EEXIST if it exists.
    fn mknod(
        &self,
        _name: &[u8],
        _mode: u32,
        _rdev: u64,
        _owner: (u32, u32),
    ) -> Result<Arc<dyn Inode>, Errno> {
        Err(Errno::EPERM)
    }
    /// O_TMPFILE: a regular file of this directory's file system that is
    /// in no directory (link count 0); `linkable` lets `linkat` give it a
    /// name later.
    fn tmpfile(
        &self,
        _mode: u32,
        _owner: (u32, u32),
        _linkable: bool,
    ) -> Result<Arc<dyn Inode>, Errno> {
        Err(Errno::EOPNOTSUPP)
    }
    /// Create the symlink `name` -> `target` in this directory.
    fn symlink(
        &self,
        _name: &[u8],
        _target: &[u8],
        _owner: (u32, u32),
    ) -> Result<Arc<dyn Inode>, Errno> {
        Err(Errno::EPERM)
    }
    /// Add `name` in this directory for the (non-directory) `target`;
    /// EXDEV if it belongs to another file system.
    fn link(&self, _name: &[u8], _target: &Arc<dyn Inode>) -> Result<(), Errno> {
        Err(Errno::EPERM)
    }
    /// Remove `name` from this directory: a directory (empty, else
    /// ENOTEMPTY) when `dir`, else a non-directory.
    fn unlink(&self, _name: &[u8], _dir: bool) -> Result<(), Errno> {
        Err(Errno::EPERM)
    }
    /// Move `old` of this directory to `new` of `newdir` (same file
    /// system, else EXDEV), with RENAME_NOREPLACE/RENAME_EXCHANGE `flags`.
    fn rename(
        &self,
        _old: &[u8],
        _newdir: &Arc<dyn Inode>,
        _new: &[u8],
        _flags: u32,
    ) -> Result<(), Errno> {
        Err(Errno::EPERM)
    }
    /// Change attributes.
    fn setattr(&self, _attr: &SetAttr) -> Result<(), Errno> {
        Err(Errno::EPERM)
    }
    /// fallocate(2) on this regular file (`mode`: FALLOC_FL_KEEP_SIZE,
    /// FALLOC_FL_PUNCH_HOLE; the caller checked the arguments).
    fn fallocate(&self, _mode: u32, _off: u64, _len: u64) -> Result<(), Errno> {
        Err(Errno::EOPNOTSUPP)
    }
    /// The value of the extended attribute `name` (ENODATA if unset). The
    /// syscall layer checked the namespace and permissions.
    fn getxattr(&self, _name: &[u8]) -> Result<Vec<u8>, Errno> {
        Err(Errno::EOPNOTSUPP)
    }
    /// Set an extended attribute (`flags`: XATTR_CREATE, XATTR_REPLACE).
    fn setxattr(&self, _name: &[u8], _value: &[u8], _flags: i32) -> Result<(), Errno> {
        Err(Errno::EOPNOTSUPP)
    }
    /// The extended attribute names, each NUL-terminated.
    fn listxattr(&self) -> Result<Vec<u8>, Errno> {
        Ok(Vec::new())
    }
    /// Remove an extended attribute (ENODATA if unset).
    fn removexattr(&self, _name: &[u8]) -> Result<(), Errno> {
        Err(Errno::EOPNOTSUPP)
    }
    /// F_GET_SEALS (EINVAL for files that cannot be sealed).
    fn seals(&self) -> Result<u32, Errno> {
        Err(Errno::EINVAL)
    }
    /// F_ADD_SEALS.
    fn add_seals(&self, _seals: u32) -> Result<(), Errno> {
        Err(Errno::EINVAL)
    }
    /// The concrete inode, for file systems that operate on two of theirs
    /// (link, rename).
    fn as_any(self: Arc<Self>) -> Option<Arc<dyn std::any::Any + Send + Sync>> {
        None
    }
    /// For procfs's "magic" symlinks (`/proc/[pid]/{fd/N,cwd,root,exe}`):
    /// the dentry the link stands for, jumped to instead of resolving the
    /// target text (so deleted files and pipes stay reachable).
    fn magic_link(&self) -> Option<Result<Arc<Dentry>, Errno>> {
        None
    }
    /// The children of this directory come and go with sentry state
    /// (procfs): lookups are never cached in the dentry tree.
    fn dynamic(&self) -> bool {
        false
    }
    /// A named FIFO: an open finds the sentry pipe of this inode
    /// ([`crate::fs::pipe::open_fifo`]). An inode standing for an open
    /// pipe (`/proc/[pid]/fd/N`) says no: its own open shares that pipe.
    fn named_fifo(&self) -> bool {
        self.mode() & S_IFMT == S_IFIFO
    }
}

impl<'a> dyn Inode + 'a {
    pub fn file_type(&self) -> u32 {
        self.mode() & S_IFMT
    }
    pub fn is_dir(&self) -> bool {
        self.file_type() == S_IFDIR
    }
    pub fn is_symlink(&self) -> bool {
        self.file_type() == S_IFLNK
    }
    pub fn is_regular(&self) -> bool {
        self.file_type() == S_IFREG
    }
}

/// Linux's `makedev` encoding of a device number.
pub const fn makedev(major: u32, minor: u32) -> u64 {
    let (ma, mi) = (major as u64, minor as u64);
    ((ma & 0xffff_f000) << 32) | ((ma & 0xfff) << 8) | ((mi & 0xffff_ff00) << 12) | (mi & 0xff)
}

/// The major number of a device number.
pub const fn major(dev: u64) -> u32 {
    (((dev >> 32) & 0xffff_f000) | ((dev >> 8) & 0xfff)) as u32
}

/// The minor number of a device number.
pub const fn minor(dev: u64) -> u32 {
    (((dev >> 12) & 0xffff_ff00) | (dev & 0xff)) as u32
}

/// Which ids an access check uses: the fs ids (every syscall) or the real
/// ids (`access(2)` without `AT_EACCESS`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Ids {
    Fs,
    Real,
}

/// `inode_permission`: may `creds` access `inode` with `mask` (MAY_*)?
/// Writes to regular files, directories and symlinks of a read-only file
/// system give EROFS; root has DAC override except that executing a
/// non-directory needs at least one x bit.
pub fn check_access(inode: &dyn Inode, creds: &Creds, mask: u32, ids: Ids) -> Result<(), Errno> {
    check_perm(
        inode.mode(),
        inode.owner(),
        inode.readonly(),
        creds,
        mask,
        ids,
    )
}

/// [`check_access`] through a path: the mount's flags count too
/// (read-only mounts give EROFS for writes, executing a regular file of a
/// noexec mount gives EACCES, as Linux's `do_faccessat` and `may_open`).
pub fn check_dentry_access(
    d: &Arc<Dentry>,
    creds: &Creds,
    mask: u32,
    ids: Ids,
) -> Result<(), Errno> {
    let inode = d.inode_ref();
    if mask & MAY_EXEC != 0 && inode.is_regular() && d.mount_flags().has(MountFlags::NOEXEC) {
        return Err(Errno::EACCES);
    }
    check_perm(inode.mode(), inode.owner(), d.readonly(), creds, mask, ids)
}

/// [`check_access`] on explicit attributes.
pub fn check_perm(
    mode: u32,
    owner: (u32, u32),
    readonly: bool,
    creds: &Creds,
    mask: u32,
    ids: Ids,
) -> Result<(), Errno> {
    let ty = mode & S_IFMT;
    if mask & MAY_WRITE != 0 && readonly && matches!(ty, S_IFREG | S_IFDIR | S_IFLNK) {
        return Err(Errno::EROFS);
    }
    let (uid, gid) = match ids {
        Ids::Fs => (creds.fsuid, creds.fsgid),
        Ids::Real => (creds.ruid, creds.rgid),
    };
    if uid == 0 {
        if mask & MAY_EXEC != 0 && ty != S_IFDIR && mode & 0o111 == 0 {
            return Err(Errno::EACCES);
        }
        return Ok(());
    }
    let (ouid, ogid) = owner;
    let bits = if uid == ouid {
        (mode >> 6) & 7
    } else if gid == ogid || creds.groups.contains(&ogid) {
        (mode >> 3) & 7
    } else {
        mode & 7
    };
    if bits & mask == mask {
        Ok(())
    } else {
        Err(Errno::EACCES)
    }
}

/// Owner and mode of a file created in `dir` by `creds`
/// (`inode_init_owner`): the fs uid, and the fs gid unless the directory is
/// set-group-ID (then its group, and new directories inherit the bit).
pub fn new_owner(dir: &dyn Inode, creds: &Creds, mode: u32) -> ((u32, u32), u32) {
    use syscalls::consts::S_ISGID;
    let mut mode = mode;
    let gid = if dir.mode() & S_ISGID != 0 {
        let g = dir.owner().1;
        if mode & S_IFMT == S_IFDIR {
            mode |= S_ISGID;
        } else if mode & S_ISGID != 0
            && mode & 0o010 != 0
            && creds.fsuid != 0
            && creds.fsgid != g
            && !creds.groups.contains(&g)
        {
            mode &= !S_ISGID;
        }
        g
    } else {
        creds.fsgid
    };
    ((creds.fsuid, gid), mode)
}

/// What the root file system is (`runsc do --overlay`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RootOverlay {
    /// The gofer-served rootfs itself, writable: writes go to the host
    /// (`--overlay=none`; its gofer serves it writable).
    None,
    /// The gofer-served rootfs itself, read-only (EROFS).
    ReadOnly,
    /// An overlay of an in-memory tmpfs over the rootfs (the default):
    /// nothing the workload writes reaches the host.
    #[default]
    Memory,
}

/// The sandbox's file-system state: the root and mounts.
pub struct Vfs {
    /// The root dentry of the namespace (changed by pivot_root).
    root: std::sync::Mutex<Arc<Dentry>>,
    /// The mount table.
    pub mounts: MountNamespace,
    pub mf: Arc<MemoryFile>,
    pub gofer: Arc<gofer::Client>,
    /// The internal tmpfs memfds are created on (Linux's `shm_mnt`).
    pub memfd: Arc<fs::tmpfs::TmpFs>,
    /// The root dentry of `memfd` (never reachable by paths): memfd
    /// dentries hang below it.
    pub memfd_root: Arc<Dentry>,
}

impl Vfs {
    /// [`Vfs::with_root`] with the default in-memory overlay root.
    pub fn new(mf: Arc<MemoryFile>, gofer: Arc<gofer::Client>) -> Result<Arc<Vfs>, Errno> {
        Vfs::with_root(mf, gofer, RootOverlay::Memory)
    }

    /// Attach the gofer's root (under an in-memory overlay unless
    /// `overlay` is `None`) and mount the synthetic `/dev`, `/proc` and
    /// `/sys` over it (so the host's are never served, even when the rootfs
    /// is the host's `/`), a fresh tmpfs on `/tmp` and `/dev/shm`, and devpts
    /// on `/dev/pts`.
    pub fn with_root(
        mf: Arc<MemoryFile>,
        gofer: Arc<gofer::Client>,
        overlay: RootOverlay,
    ) -> Result<Arc<Vfs>, Errno> {
        // Without the overlay the gofer's root itself is written (its gofer
        // serves it writable in that mode).
        let readonly = overlay != RootOverlay::None;
        let rootfs = fs::gofer::GoferFs::with_mode(gofer.clone(), mf.clone(), readonly).root()?;
        let (rootfs, root_type) = match overlay {
            RootOverlay::None | RootOverlay::ReadOnly => (rootfs, "9p"),
            RootOverlay::Memory => (
                fs::overlay::OverlayFs::mount(mf.clone(), rootfs, fs::tmpfs::DEFAULT_LIMIT)?,
                "overlay",
            ),
        };
        let root = Dentry::new_root(rootfs);
        let devpts = fs::devpts::DevptsFs::new(fs::devpts::Options::default());
        let memfd = fs::tmpfs::TmpFs::with_limit(mf.clone(), fs::tmpfs::DEFAULT_LIMIT);
        let memfd_root = Dentry::new_root(memfd.make_root(0o1777));
        let vfs = Arc::new(Vfs {
            root: std::sync::Mutex::new(root.clone()),
            mounts: MountNamespace::default(),
            mf: mf.clone(),
            gofer,
            memfd,
            memfd_root,
        });
        let rel = MountFlags::RELATIME;
        let (nosuid, nodev, noexec) = (MountFlags::NOSUID, MountFlags::NODEV, MountFlags::NOEXEC);
        vfs.mounts
            .add_root(root, mount::NewMount::new(root_type, "none", rel));
        let tmpfs = |perm| fs::tmpfs::TmpFs::mount(mf.clone(), perm);
        let dev = vfs.mount_at(b"/dev", fs::dev::new_devfs(&devpts), "tmpfs", nosuid | rel)?;
        dev.set_super_opts("mode=755");
        // /dev/pts: the devpts instance /dev/ptmx opens ptys on.
        let pts = vfs.mount_at(b"/dev/pts", devpts.root(), "devpts", nosuid | noexec | rel)?;
        pts.set_super_opts("gid=5,mode=620,ptmxmode=666");
        vfs.mount_at(b"/dev/shm", tmpfs(0o1777), "tmpfs", nosuid | nodev | rel)?;
        vfs.mount_at(
            b"/proc",
            fs::proc::new_procfs(),
            "proc",
            nosuid | nodev | noexec | rel,
        )?;
        let sys = fs::sys::new_sysfs();
        let ro = MountFlags::RDONLY;
        vfs.mount_at(b"/sys", sys, "sysfs", ro | nosuid | nodev | noexec | rel)?;
        vfs.mount_at(b"/tmp", tmpfs(0o1777), "tmpfs", rel)?;
        Ok(vfs)
    }

    /// Mount `fs` on the absolute path `path` at start-up, creating a
    /// synthetic mount point when the directory is missing.
    pub fn mount_at(
        &self,
        path: &[u8],
        fs: Arc<dyn Inode>,
        fstype: &str,
        flags: MountFlags,
    ) -> Result<Arc<Mount>, Errno> {
        let mut d = self.root();
        for name in path.split(|&c| c == b'/').filter(|n| !n.is_empty()) {
            d = match d.lookup(name) {
                Ok(c) if c.is_dir() => c,
                _ => d.set_child(name, fs::synth::mountpoint_dir(d.inode_ref())),
            }
            .follow_mounts();
        }
        self.mount(&d, fs, fstype, fstype, flags)
    }

    /// Mount the file system whose root is `fs` on `at` (the topmost
    /// dentry there, as a path walk returns it). `fstype` and `source` are
    /// what `/proc/self/mountinfo` shows; `flags` are the per-mount flags
    /// (a read-only mount also makes the new super block read-only).
    pub fn mount(
        &self,
        at: &Arc<Dentry>,
        fs: Arc<dyn Inode>,
        fstype: &str,
        source: &str,
        flags: MountFlags,
    ) -> Result<Arc<Mount>, Errno> {
        let m = self
            .mounts
            .attach(at, fs, mount::NewMount::new(fstype, source, flags))?;
        m.set_super_ro(flags.has(MountFlags::RDONLY));
        Ok(m)
    }

    /// Mount the tree `client` serves (a `--volume` bind mount) at the
    /// absolute `path`. Missing directories along the path are made as
    /// synthetic directories (like the mount points of `/tmp` and
    /// `/proc`); a symlink or non-directory in the way is ENOTDIR, a
    /// directory of a `shared` mount (whose lookups are not cached, so it
    /// cannot hold a mount point) EINVAL. With `shared`, lookups in the
    /// new mount are never cached, so host-side changes show at once.
    pub fn mount_volume(
        &self,
        path: &[u8],
        client: Arc<gofer::Client>,
        readonly: bool,
        shared: bool,
    ) -> Result<Arc<Mount>, Errno> {
        if path.first() != Some(&b'/') {
            return Err(Errno::EINVAL);
        }
        let gfs = fs::gofer::GoferFs::with_mode(client, self.mf.clone(), readonly);
        if shared {
            gfs.set_shared();
        }
        let fsroot = gfs.root()?;
        let at = self.mount_point(path)?;
        let flags = if readonly {
            MountFlags::RELATIME | MountFlags::RDONLY
        } else {
            MountFlags::RELATIME
        };
        self.mount(&at, fsroot, "9p", "volume", flags)
    }

    /// The directory a boot-time mount (a volume, an OCI mount) goes on:
    /// the absolute `path` walked from the root with mounts followed, each
    /// missing directory made a mount point in memory (the root file system
    /// is not written, as runc would create them in the rootfs); the root
    /// itself is EBUSY, a non-directory on the way ENOTDIR.
    pub fn mount_point(&self, path: &[u8]) -> Result<Arc<Dentry>, Errno> {
        if path.first() != Some(&b'/') {
            return Err(Errno::EINVAL);
        }
        let mut d = self.root();
        for name in path.split(|b| *b == b'/').filter(|n| !n.is_empty()) {
            if name == b"." || name == b".." || name.len() > NAME_MAX {
                return Err(Errno::EINVAL);
            }
            let dir = d.follow_mounts();
            if dir.inode_ref().dynamic() {
                return Err(Errno::EINVAL);
            }
            d = match dir.lookup(name) {
                Ok(c) if c.is_dir() => c,
                Ok(_) => return Err(Errno::ENOTDIR),
                Err(Errno::ENOENT) => dir.set_child(name, fs::synth::mountpoint_dir(&*dir.inode())),
                Err(e) => return Err(e),
            };
        }
        if Arc::ptr_eq(&d, &self.root()) {
            return Err(Errno::EBUSY);
        }
        Ok(d.follow_mounts())
    }

    /// The root of the mount namespace (the initial task root and cwd).
    pub fn root(&self) -> Arc<Dentry> {
        self.root.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Make `d` the namespace root (pivot_root).
    pub fn set_root(&self, d: Arc<Dentry>) {
        *self.root.lock().unwrap_or_else(|p| p.into_inner()) = d;
    }
}
