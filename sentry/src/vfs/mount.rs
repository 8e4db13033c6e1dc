//! Mounts and the mount namespace (Linux's `fs/namespace.c`, simplified).
//!
//! A [`Mount`] is one file system (or a part of one, for bind mounts)
//! attached on a dentry of its parent mount. Every mount has its own root
//! [`Dentry`] (the dentry tree below it belongs to that mount), so a dentry
//! finds its mount by walking up to its tree's root. The namespace keeps the
//! mounts in mount order (the order of `/proc/self/mountinfo`).
//!
//! Bind mounts give a second dentry tree over the same inodes. Both trees
//! are then marked "aliased": their lookups revalidate cached entries
//! against the file system (see [`Dentry::lookup`]), so a change made
//! through one tree is seen through the other.

use super::{Dentry, Inode};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use syscalls::Errno;

/// Per-mount flags, with the values of mount(2)'s `MS_*` bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MountFlags(pub u64);

impl MountFlags {
    pub const RDONLY: MountFlags = MountFlags(1);
    pub const NOSUID: MountFlags = MountFlags(2);
    pub const NODEV: MountFlags = MountFlags(4);
    pub const NOEXEC: MountFlags = MountFlags(8);
    pub const NOATIME: MountFlags = MountFlags(1 << 10);
    pub const NODIRATIME: MountFlags = MountFlags(1 << 11);
    pub const RELATIME: MountFlags = MountFlags(1 << 21);
    pub const STRICTATIME: MountFlags = MountFlags(1 << 24);
    /// Every per-mount flag.
    pub const ALL: MountFlags = MountFlags(1 | 2 | 4 | 8 | 1 << 10 | 1 << 11 | 1 << 21 | 1 << 24);
    /// The flags of a new mount without atime flags: Linux's default
    /// `relatime`.
    pub const NONE: MountFlags = MountFlags(0);

    pub const fn has(self, f: MountFlags) -> bool {
        self.0 & f.0 == f.0
    }

    /// The flags mount(2) asked for (`MS_*` bits), with Linux's atime
    /// default: relatime unless noatime or strictatime.
    pub fn from_ms(ms: u64) -> MountFlags {
        let mut f = MountFlags(ms & Self::ALL.0 & !Self::STRICTATIME.0);
        if ms & (Self::NOATIME.0 | Self::STRICTATIME.0) == 0 {
            f = f | Self::RELATIME;
        }
        f
    }

    /// The per-mount options as `/proc/self/mounts` shows them
    /// (`rw,nosuid,nodev,noexec,relatime`).
    pub fn options(self) -> String {
        let mut s = String::from(if self.has(Self::RDONLY) { "ro" } else { "rw" });
        for (f, name) in [
            (Self::NOSUID, "nosuid"),
            (Self::NODEV, "nodev"),
            (Self::NOEXEC, "noexec"),
            (Self::NOATIME, "noatime"),
            (Self::NODIRATIME, "nodiratime"),
            (Self::RELATIME, "relatime"),
        ] {
            if self.has(f) {
                s.push(',');
                s.push_str(name);
            }
        }
        s
    }

    /// statfs(2)'s `f_flags` bits for these flags (ST_*, without ST_VALID).
    pub fn statfs_flags(self) -> i64 {
        let mut st = 0;
        for (f, bit) in [
            (Self::RDONLY, 1),
            (Self::NOSUID, 2),
            (Self::NODEV, 4),
            (Self::NOEXEC, 8),
            (Self::NOATIME, 1024),
            (Self::NODIRATIME, 2048),
            (Self::RELATIME, 4096),
        ] {
            if self.has(f) {
                st |= bit;
            }
        }
        st
    }
}

impl std::ops::BitOr for MountFlags {
    type Output = MountFlags;
    fn bitor(self, o: MountFlags) -> MountFlags {
        MountFlags(self.0 | o.0)
    }
}

/// Mount propagation (recorded; the sandbox has one namespace, so nothing
/// propagates).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Propagation {
    #[default]
    Private,
    Shared,
    Slave,
    Unbindable,
}

/// The state of a mount that changes.
struct State {
    /// The id of the mount this one is attached to (its own id for the
    /// namespace root).
    parent: u32,
    /// The dentry (of the parent mount) this mount covers.
    mountpoint: Option<Arc<Dentry>>,
    flags: MountFlags,
    propagation: Propagation,
    /// The source argument of mount(2) (`none`, a device, a path).
    source: String,
    /// Super-block options after `rw`/`ro` (mountinfo's last field), e.g.
    /// `size=1024k,mode=755` for tmpfs.
    super_opts: String,
    /// The super block is read-only (mount without MS_BIND remounted ro).
    super_ro: bool,
    /// Marked by a first umount2(MNT_EXPIRE).
    expiry: bool,
}

/// One mount.
pub struct Mount {
    pub id: u32,
    /// The file system type (`tmpfs`, `proc`, ...).
    pub fstype: String,
    /// The path inside the file system of this mount's root: `/`, or the
    /// bound directory for a bind mount.
    pub fs_root: Vec<u8>,
    /// The root dentry of this mount's tree.
    pub root: Arc<Dentry>,
    /// The st_dev of the file system.
    pub dev: u64,
    state: Mutex<State>,
}

impl Mount {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn flags(&self) -> MountFlags {
        self.state().flags
    }

    pub fn set_flags(&self, f: MountFlags) {
        self.state().flags = f;
    }

    /// The source argument of mount(2) (`none`, a device, a path).
    pub fn source(&self) -> String {
        self.state().source.clone()
    }

    pub fn set_source(&self, source: &str) {
        self.state().source = source.to_string();
    }

    /// Writes give EROFS: the mount or its super block is read-only.
    pub fn readonly(&self) -> bool {
        let st = self.state();
        st.flags.has(MountFlags::RDONLY) || st.super_ro
    }

    /// MNT_EXPIRE: set the expiry mark; returns whether it was already set
    /// (then the umount goes ahead).
    pub fn expire_mark(&self) -> bool {
        std::mem::replace(&mut self.state().expiry, true)
    }

    pub fn parent_id(&self) -> u32 {
        self.state().parent
    }

    /// The dentry this mount covers (`None` for the namespace root or a
    /// detached mount).
    pub fn mountpoint(&self) -> Option<Arc<Dentry>> {
        self.state().mountpoint.clone()
    }

    pub fn propagation(&self) -> Propagation {
        self.state().propagation
    }

    pub fn set_propagation(&self, p: Propagation) {
        self.state().propagation = p;
    }

    pub fn super_opts(&self) -> String {
        self.state().super_opts.clone()
    }

    pub fn set_super_opts(&self, s: &str) {
        self.state().super_opts = s.to_string();
    }

    /// Whether the super block is read-only (mountinfo's super options).
    pub fn super_ro(&self) -> bool {
        self.state().super_ro
    }

    pub fn set_super_ro(&self, ro: bool) {
        self.state().super_ro = ro;
    }
}

impl std::fmt::Debug for Mount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mount")
            .field("id", &self.id)
            .field("fstype", &self.fstype)
            .field("flags", &self.flags())
            .finish()
    }
}

/// The mount namespace: the mounts in mount order.
pub struct MountNamespace {
    mounts: Mutex<Vec<Arc<Mount>>>,
    /// Mounts detached lazily (MNT_DETACH) while still in use: kept alive
    /// (their flags still apply to open files and cwds inside) until
    /// nothing uses their tree.
    lazy: Mutex<Vec<Arc<Mount>>>,
    next_id: AtomicU32,
}

impl Default for MountNamespace {
    fn default() -> Self {
        MountNamespace {
            mounts: Mutex::new(Vec::new()),
            lazy: Mutex::new(Vec::new()),
            next_id: AtomicU32::new(1),
        }
    }
}

/// What a new mount is.
pub struct NewMount<'a> {
    pub fstype: &'a str,
    pub source: &'a str,
    pub fs_root: Vec<u8>,
    pub flags: MountFlags,
}

impl<'a> NewMount<'a> {
    /// A mount of a whole file system (its root is `/`).
    pub fn new(fstype: &'a str, source: &'a str, flags: MountFlags) -> NewMount<'a> {
        NewMount {
            fstype,
            source,
            fs_root: b"/".to_vec(),
            flags,
        }
    }
}

impl MountNamespace {
    fn list(&self) -> MutexGuard<'_, Vec<Arc<Mount>>> {
        self.mounts.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every mount, in mount order.
    pub fn all(&self) -> Vec<Arc<Mount>> {
        self.list().clone()
    }

    pub fn by_id(&self, id: u32) -> Option<Arc<Mount>> {
        self.list().iter().find(|m| m.id == id).cloned()
    }

    /// The mounts attached directly to `m`.
    pub fn children(&self, m: &Mount) -> Vec<Arc<Mount>> {
        self.list()
            .iter()
            .filter(|c| c.id != m.id && c.parent_id() == m.id)
            .cloned()
            .collect()
    }

    /// Make `root` (a dentry tree not attached anywhere) the namespace's
    /// root mount.
    pub fn add_root(&self, root: Arc<Dentry>, new: NewMount<'_>) -> Arc<Mount> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let m = Self::make(id, id, None, root, new);
        self.list().push(m.clone());
        m
    }

    fn make(
        id: u32,
        parent: u32,
        mountpoint: Option<Arc<Dentry>>,
        root: Arc<Dentry>,
        new: NewMount<'_>,
    ) -> Arc<Mount> {
        let dev = root.inode_ref().stat().map(|s| s.st_dev).unwrap_or(0);
        let m = Arc::new(Mount {
            id,
            fstype: new.fstype.to_string(),
            fs_root: new.fs_root,
            root,
            dev,
            state: Mutex::new(State {
                parent,
                mountpoint,
                flags: new.flags,
                propagation: Propagation::Private,
                source: new.source.to_string(),
                super_opts: String::new(),
                super_ro: false,
                expiry: false,
            }),
        });
        m.root.set_mount(&m);
        m
    }

    /// Attach `fs` (the root inode of a file system, or the inode of a
    /// bound directory) on `at`, which must be the topmost dentry there
    /// (what a path walk returns). Directories go on directories and
    /// files on files (ENOTDIR otherwise, as Linux's `graft_tree`).
    pub fn attach(
        &self,
        at: &Arc<Dentry>,
        fs: Arc<dyn Inode>,
        new: NewMount<'_>,
    ) -> Result<Arc<Mount>, Errno> {
        if at.is_dir() != fs.is_dir() {
            return Err(Errno::ENOTDIR);
        }
        let parent = at.mnt().ok_or(Errno::EINVAL)?;
        if !self.contains(&parent) {
            return Err(Errno::EINVAL);
        }
        let root = Dentry::mount(at, fs);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let m = Self::make(id, parent.id, Some(at.clone()), root, new);
        self.list().push(m.clone());
        Ok(m)
    }

    /// Whether `m` is attached in this namespace.
    pub fn contains(&self, m: &Arc<Mount>) -> bool {
        self.list().iter().any(|x| Arc::ptr_eq(x, m))
    }

    /// The namespace's root mount (the first one).
    pub fn root(&self) -> Option<Arc<Mount>> {
        self.list().first().cloned()
    }

    /// `m` and every mount below it, parents before children.
    pub fn subtree(&self, m: &Arc<Mount>) -> Vec<Arc<Mount>> {
        let mut out = vec![m.clone()];
        let mut i = 0;
        while i < out.len() {
            let kids = self.children(&out[i]);
            out.extend(kids);
            i += 1;
        }
        out
    }

    /// Detach `m` (and with `recursive` everything below it) from the tree.
    /// The caller checked busyness.
    pub fn detach(&self, m: &Arc<Mount>, recursive: bool) {
        let victims = if recursive {
            self.subtree(m)
        } else {
            vec![m.clone()]
        };
        // Children first, so each mount point is uncovered in order.
        for v in victims.iter().rev() {
            let mp = {
                let mut st = v.state();
                st.mountpoint.take()
            };
            if let Some(mp) = mp {
                mp.unmount_root(&v.root);
            }
            v.root.set_covers(None);
            self.list().retain(|x| !Arc::ptr_eq(x, v));
        }
        // Trees nobody uses are released now, the others when unused.
        let mut lazy = self.lazy.lock().unwrap_or_else(|p| p.into_inner());
        lazy.extend(victims);
        lazy.retain(|m| {
            // The mount's own reference to its root.
            let used = m.root.tree_in_use(1);
            if !used {
                m.root.forget_tree();
            }
            used
        });
    }

    /// Move the attached mount `m` onto `at` (MS_MOVE).
    pub fn move_to(&self, m: &Arc<Mount>, at: &Arc<Dentry>) -> Result<(), Errno> {
        let parent = at.mnt().ok_or(Errno::EINVAL)?;
        let old = m.mountpoint().ok_or(Errno::EINVAL)?;
        old.unmount_root(&m.root);
        at.mount_root(&m.root);
        m.root.set_covers(Some(at.clone()));
        let mut st = m.state();
        st.mountpoint = Some(at.clone());
        st.parent = parent.id;
        Ok(())
    }

    /// pivot_root: the mount `root` (the task's root) goes onto `put_old`
    /// (a dentry below `new`), and the attached mount `new` takes its
    /// place (the namespace root, or `root`'s old mount point).
    pub fn pivot(&self, root: &Arc<Mount>, new: &Arc<Mount>, put_old: &Arc<Dentry>) {
        let (root_mp, root_parent) = {
            let st = root.state();
            (st.mountpoint.clone(), st.parent)
        };
        if let Some(mp) = new.mountpoint() {
            mp.unmount_root(&new.root);
        }
        if let Some(mp) = &root_mp {
            mp.unmount_root(&root.root);
        }
        // put_old is in `new`'s tree, which is now detached: no cycle.
        let put_parent = put_old.mnt().map(|m| m.id).unwrap_or(new.id);
        put_old.mount_root(&root.root);
        root.root.set_covers(Some(put_old.clone()));
        {
            let mut st = root.state();
            st.mountpoint = Some(put_old.clone());
            st.parent = put_parent;
        }
        match root_mp {
            Some(mp) => {
                mp.mount_root(&new.root);
                new.root.set_covers(Some(mp.clone()));
                let mut st = new.state();
                st.mountpoint = Some(mp);
                st.parent = root_parent;
            }
            None => {
                new.root.set_covers(None);
                {
                    let mut st = new.state();
                    st.mountpoint = None;
                    st.parent = new.id;
                }
                let mut list = self.list();
                list.retain(|x| !Arc::ptr_eq(x, new));
                list.insert(0, new.clone());
            }
        }
    }
}

/// Mount-related views of a dentry.
impl Dentry {
    /// The mount this dentry belongs to.
    pub fn mnt(self: &Arc<Dentry>) -> Option<Arc<Mount>> {
        self.fs_root().mount_of_root()
    }

    /// Whether writes through this dentry give EROFS: the file system or
    /// the mount is read-only.
    pub fn readonly(self: &Arc<Dentry>) -> bool {
        self.inode_ref().readonly() || self.mnt().is_some_and(|m| m.readonly())
    }

    /// The flags of this dentry's mount (none for dentries outside mounts,
    /// e.g. memfds).
    pub fn mount_flags(self: &Arc<Dentry>) -> MountFlags {
        self.mnt().map(|m| m.flags()).unwrap_or_default()
    }
}
