//! Dentries: the sentry's tree of names, with a cache of children
//! (including negative entries) and mount points.

use super::mount::Mount;
use super::Inode;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use syscalls::Errno;

/// Negative entries kept per directory before the oldest are dropped.
const MAX_NEGATIVE: usize = 4096;
/// Live dentries above which unused ones are pruned (each pins a gofer
/// handle, i.e. one or two host fds in the gofer).
const PRUNE_AT: usize = 4096;

/// Dentries alive.
static LIVE: AtomicUsize = AtomicUsize::new(0);
/// The live count that triggers the next prune.
static THRESHOLD: AtomicUsize = AtomicUsize::new(PRUNE_AT);
/// A prune is running.
static PRUNING: AtomicBool = AtomicBool::new(false);

/// Dentries currently alive.
pub fn live_count() -> usize {
    LIVE.load(Ordering::Relaxed)
}

type Children = HashMap<Vec<u8>, Option<Arc<Dentry>>>;

/// A directory entry in the sentry's dentry tree.
pub struct Dentry {
    name: Vec<u8>,
    /// The parent inside the same file system; `None` for a file system root.
    parent: Option<Arc<Dentry>>,
    inode: Arc<dyn Inode>,
    /// Looked-up children: `Some` for existing ones, `None` for names known
    /// not to exist.
    children: Mutex<Children>,
    /// The root of the file system mounted on this dentry.
    mounted: Mutex<Option<Arc<Dentry>>>,
    /// For the root of a mounted file system: the dentry it is mounted on.
    covers: Mutex<Option<Arc<Dentry>>>,
    /// Used since the last prune (second chance).
    recent: AtomicBool,
    /// For a mount's root dentry: its mount.
    mnt: Mutex<Weak<Mount>>,
    /// Another dentry tree names the same inodes (bind mounts): cached
    /// children are revalidated on lookup and misses are not cached.
    alias: AtomicBool,
    /// A mount point or one of its ancestors: kept in the cache even below
    /// dynamic directories.
    pinned: AtomicBool,
}

impl Drop for Dentry {
    fn drop(&mut self) {
        LIVE.fetch_sub(1, Ordering::Relaxed);
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Dentry {
    /// The root dentry of a file system.
    pub fn new_root(inode: Arc<dyn Inode>) -> Arc<Dentry> {
        LIVE.fetch_add(1, Ordering::Relaxed);
        Arc::new(Dentry {
            name: b"/".to_vec(),
            parent: None,
            inode,
            children: Mutex::new(HashMap::new()),
            mounted: Mutex::new(None),
            covers: Mutex::new(None),
            recent: AtomicBool::new(true),
            mnt: Mutex::new(Weak::new()),
            alias: AtomicBool::new(false),
            pinned: AtomicBool::new(false),
        })
    }

    fn new_child(parent: &Arc<Dentry>, name: &[u8], inode: Arc<dyn Inode>) -> Arc<Dentry> {
        LIVE.fetch_add(1, Ordering::Relaxed);
        Arc::new(Dentry {
            name: name.to_vec(),
            parent: Some(parent.clone()),
            inode,
            children: Mutex::new(HashMap::new()),
            mounted: Mutex::new(None),
            covers: Mutex::new(None),
            recent: AtomicBool::new(true),
            mnt: Mutex::new(Weak::new()),
            alias: AtomicBool::new(parent.alias.load(Ordering::Relaxed)),
            pinned: AtomicBool::new(false),
        })
    }

    pub fn name(&self) -> &[u8] {
        &self.name
    }

    /// The parent in the same file system (`None` at a file system root).
    pub fn parent(&self) -> Option<&Arc<Dentry>> {
        self.parent.as_ref()
    }

    pub fn inode(&self) -> Arc<dyn Inode> {
        self.inode.clone()
    }

    pub fn inode_ref(&self) -> &dyn Inode {
        &*self.inode
    }

    pub fn is_dir(&self) -> bool {
        self.inode.is_dir()
    }

    pub fn is_symlink(&self) -> bool {
        self.inode.is_symlink()
    }

    /// The root of what is mounted here, if anything.
    pub fn mounted(&self) -> Option<Arc<Dentry>> {
        lock(&self.mounted).clone()
    }

    /// For a mount root: the dentry it is mounted on.
    pub fn covers(&self) -> Option<Arc<Dentry>> {
        lock(&self.covers).clone()
    }

    /// Link the file system whose root inode is `root` on `at` (the
    /// dentry-level part of a mount). Mounts are made with
    /// [`super::Vfs::mount`], which also records them in the mount table.
    pub fn mount(at: &Arc<Dentry>, root: Arc<dyn Inode>) -> Arc<Dentry> {
        let r = Dentry::new_root(root);
        *lock(&r.covers) = Some(at.clone());
        at.mount_root(&r);
        r
    }

    /// Record the mount whose root this dentry is.
    pub(super) fn set_mount(&self, m: &Arc<Mount>) {
        *lock(&self.mnt) = Arc::downgrade(m);
    }

    /// For a mount's root dentry: its mount.
    pub(super) fn mount_of_root(&self) -> Option<Arc<Mount>> {
        lock(&self.mnt).upgrade()
    }

    /// Attach the mount root `root` on this dentry.
    pub(super) fn mount_root(self: &Arc<Dentry>, root: &Arc<Dentry>) {
        *lock(&self.mounted) = Some(root.clone());
        self.keep_in_parent();
    }

    /// Make sure the parents' caches hold this dentry and its ancestors (a
    /// mount point below a dynamic directory, whose lookups are otherwise
    /// never cached).
    fn keep_in_parent(self: &Arc<Dentry>) {
        let mut d = self.clone();
        while let Some(p) = d.parent.clone() {
            d.pinned.store(true, Ordering::Relaxed);
            let mut ch = lock(&p.children);
            let cached = ch.get(&d.name).cloned().flatten();
            if !cached.is_some_and(|c| Arc::ptr_eq(&c, &d)) {
                ch.insert(d.name.clone(), Some(d.clone()));
            }
            drop(ch);
            d = p;
        }
    }

    /// Detach the mount root `root` from this dentry (if it is the one
    /// mounted here).
    pub(super) fn unmount_root(&self, root: &Arc<Dentry>) {
        let mut m = lock(&self.mounted);
        if m.as_ref().is_some_and(|r| Arc::ptr_eq(r, root)) {
            *m = None;
        }
    }

    pub(super) fn set_covers(&self, at: Option<Arc<Dentry>>) {
        *lock(&self.covers) = at;
    }

    /// Whether any dentry of the tree below this mount root is used by
    /// something other than the tree itself (an open file, a cwd or root, a
    /// mount on it). `root_refs` are the references to this root that do
    /// not count (the mount's, the covered dentry's, the caller's).
    /// Linux's `propagate_mount_busy` on reference counts.
    pub fn tree_in_use(self: &Arc<Dentry>, root_refs: usize) -> bool {
        let mut todo = vec![(self.clone(), root_refs)];
        while let Some((d, base)) = todo.pop() {
            if d.mounted().is_some() {
                return true;
            }
            let kids: Vec<Arc<Dentry>> = lock(&d.children).values().flatten().cloned().collect();
            // `d` itself in `todo` and each child's parent link.
            if Arc::strong_count(&d) > base + 1 + kids.len() {
                return true;
            }
            // A child: its parent's map entry.
            todo.extend(kids.into_iter().map(|k| (k, 1)));
        }
        false
    }

    /// Drop the cached children of this tree (of a mount nobody uses any
    /// more): children point at their parents, so a cached tree would
    /// otherwise keep itself alive.
    pub fn forget_tree(self: &Arc<Dentry>) {
        let mut todo = vec![self.clone()];
        while let Some(d) = todo.pop() {
            let kids: Vec<Arc<Dentry>> = std::mem::take(&mut *lock(&d.children))
                .into_values()
                .flatten()
                .collect();
            todo.extend(kids);
        }
    }

    /// Mark this dentry and its cached descendants (in the same mount) as
    /// aliased by another tree: lookups below revalidate from now on.
    pub fn mark_alias(self: &Arc<Dentry>) {
        let mut todo = vec![self.clone()];
        while let Some(d) = todo.pop() {
            d.alias.store(true, Ordering::Relaxed);
            let mut ch = lock(&d.children);
            ch.retain(|_, c| c.is_some());
            todo.extend(ch.values().flatten().cloned());
        }
    }

    /// Whether `other` names the same file as this dentry's inode.
    fn same_inode(a: &Arc<dyn Inode>, b: &Arc<dyn Inode>) -> bool {
        if std::ptr::addr_eq(Arc::as_ptr(a), Arc::as_ptr(b)) {
            return true;
        }
        match (a.stat(), b.stat()) {
            (Ok(x), Ok(y)) => x.st_dev == y.st_dev && x.st_ino == y.st_ino,
            _ => false,
        }
    }

    /// [`Dentry::lookup`] in an aliased tree: ask the file system every
    /// time, keep the cached dentry while it still names the same inode
    /// (and always when something is mounted on it).
    fn lookup_revalidate(self: &Arc<Dentry>, name: &[u8]) -> Result<Arc<Dentry>, Errno> {
        let res = self.inode.lookup(name);
        let mut ch = lock(&self.children);
        let cached = ch.get(name).cloned().flatten();
        match res {
            Ok(inode) => {
                if let Some(d) = cached {
                    if d.mounted().is_some() || Dentry::same_inode(&d.inode, &inode) {
                        d.recent.store(true, Ordering::Relaxed);
                        return Ok(d);
                    }
                }
                let d = Dentry::new_child(self, name, inode);
                ch.insert(name.to_vec(), Some(d.clone()));
                Ok(d)
            }
            Err(Errno::ENOENT) => match cached {
                Some(d) if d.mounted().is_some() => Ok(d),
                _ => {
                    ch.remove(name);
                    Err(Errno::ENOENT)
                }
            },
            Err(e) => Err(e),
        }
    }

    /// Follow mounts stacked on this dentry down to the topmost root.
    pub fn follow_mounts(self: &Arc<Dentry>) -> Arc<Dentry> {
        let mut d = self.clone();
        while let Some(m) = d.mounted() {
            d = m;
        }
        d
    }

    /// The root dentry of the file system (mount) this dentry is in.
    pub fn fs_root(self: &Arc<Dentry>) -> Arc<Dentry> {
        let mut d = self.clone();
        while let Some(p) = d.parent.clone() {
            d = p;
        }
        d
    }

    /// The cached child `name`: `Some(Some(d))` if it exists, `Some(None)`
    /// if known missing, `None` if not cached.
    pub fn cached_child(&self, name: &[u8]) -> Option<Option<Arc<Dentry>>> {
        let c = lock(&self.children).get(name).cloned();
        if let Some(Some(d)) = &c {
            d.recent.store(true, Ordering::Relaxed);
        }
        c
    }

    /// Prune the cache below the top of the tree containing `d` if it grew
    /// past the threshold.
    pub fn maybe_prune(d: &Arc<Dentry>) {
        if live_count() <= THRESHOLD.load(Ordering::Relaxed)
            || PRUNING.swap(true, Ordering::Acquire)
        {
            return;
        }
        let mut top = d.clone();
        while let Some((_, up)) = top.up() {
            top = up;
        }
        Dentry::prune(&top);
        // At least PRUNE_AT/2 new dentries before the next pass, so its cost
        // stays proportional even when most dentries are in use.
        THRESHOLD.store(PRUNE_AT.max(live_count() + PRUNE_AT / 2), Ordering::Relaxed);
        PRUNING.store(false, Ordering::Release);
    }

    /// Drop cached dentries nobody uses: not open, not a cwd/root, not a
    /// mount point, without cached children, and not used since the last
    /// prune (each gets a second chance). Negative entries are dropped.
    pub fn prune(top: &Arc<Dentry>) {
        // Every cached directory, parents before children (weak, so the
        // list itself does not keep anything alive).
        let mut dirs: Vec<Weak<Dentry>> = vec![Arc::downgrade(top)];
        let mut i = 0;
        while i < dirs.len() {
            if let Some(d) = dirs[i].upgrade() {
                for c in lock(&d.children).values().flatten() {
                    if !lock(&c.children).is_empty() {
                        dirs.push(Arc::downgrade(c));
                    }
                    if let Some(m) = c.mounted() {
                        dirs.push(Arc::downgrade(&m));
                    }
                }
            }
            i += 1;
        }
        // Children before parents, so whole unused subtrees go.
        for w in dirs.iter().rev() {
            let Some(d) = w.upgrade() else { continue };
            let mut evicted = Vec::new();
            lock(&d.children).retain(|_, c| {
                let Some(c) = c else { return false };
                let keep = Arc::strong_count(c) > 1
                    || c.recent.swap(false, Ordering::Relaxed)
                    || c.mounted().is_some()
                    || !lock(&c.children).is_empty();
                if !keep {
                    evicted.push(c.clone());
                }
                keep
            });
            // Dropped outside the lock: releasing gofer handles is a round trip.
            drop(evicted);
        }
    }

    /// The child `name` (a single component other than `.`/`..`), looked up
    /// in the file system when not cached. Does not cross mounts.
    pub fn lookup(self: &Arc<Dentry>, name: &[u8]) -> Result<Arc<Dentry>, Errno> {
        if self.inode.dynamic() {
            let inode = self.inode.lookup(name)?;
            // Only mount points and their ancestors are kept below
            // dynamic directories.
            if let Some(Some(d)) = lock(&self.children).get(name) {
                if d.pinned.load(Ordering::Relaxed) {
                    return Ok(d.clone());
                }
            }
            return Ok(Dentry::new_child(self, name, inode));
        }
        if self.alias.load(Ordering::Relaxed) {
            return self.lookup_revalidate(name);
        }
        if let Some(c) = self.cached_child(name) {
            return c.ok_or(Errno::ENOENT);
        }
        // Do not hold the lock over the (possibly remote) lookup.
        let res = self.inode.lookup(name);
        let mut ch = lock(&self.children);
        if let Some(c) = ch.get(name) {
            // Someone else looked it up meanwhile: use theirs.
            return c.clone().ok_or(Errno::ENOENT);
        }
        match res {
            Ok(inode) => {
                let d = Dentry::new_child(self, name, inode);
                ch.insert(name.to_vec(), Some(d.clone()));
                Ok(d)
            }
            Err(Errno::ENOENT) => {
                if ch.len() >= MAX_NEGATIVE {
                    ch.retain(|_, v| v.is_some());
                }
                ch.insert(name.to_vec(), None);
                Err(Errno::ENOENT)
            }
            Err(e) => Err(e),
        }
    }

    /// Fill the cache along `names` (uncached single components below
    /// this directory) with one file-system lookup. Errors are left for
    /// the walk that follows to report.
    pub fn prefetch(self: &Arc<Dentry>, names: &[&[u8]]) {
        let Some(first) = names.first() else { return };
        if names.len() < 2
            || self.inode.dynamic()
            || self.alias.load(Ordering::Relaxed)
            || self.cached_child(first).is_some()
        {
            return;
        }
        match self.inode.lookup_many(names) {
            Ok(inodes) => {
                let mut d = self.clone();
                for (name, inode) in names.iter().zip(inodes) {
                    d = d.insert_child(name, inode);
                }
            }
            Err(Errno::ENOENT) => {
                let mut ch = lock(&self.children);
                if ch.len() < MAX_NEGATIVE {
                    ch.entry(first.to_vec()).or_insert(None);
                }
            }
            Err(_) => {}
        }
    }

    /// The cached child `name`, or `inode` inserted as it.
    fn insert_child(self: &Arc<Dentry>, name: &[u8], inode: Arc<dyn Inode>) -> Arc<Dentry> {
        let mut ch = lock(&self.children);
        if let Some(Some(d)) = ch.get(name) {
            return d.clone();
        }
        let d = Dentry::new_child(self, name, inode);
        ch.insert(name.to_vec(), Some(d.clone()));
        d
    }

    /// Put `inode` in the tree as the child `name`, replacing any cached
    /// entry (used for synthetic mount points).
    /// Below a dynamic directory nothing is cached (until it becomes a
    /// mount point).
    pub fn set_child(self: &Arc<Dentry>, name: &[u8], inode: Arc<dyn Inode>) -> Arc<Dentry> {
        let d = Dentry::new_child(self, name, inode);
        if !self.inode.dynamic() {
            lock(&self.children).insert(name.to_vec(), Some(d.clone()));
        }
        d
    }

    /// The cached children something is mounted on (mount points made in
    /// memory at boot are in no file system's listing).
    pub fn mount_points(&self) -> Vec<Arc<Dentry>> {
        lock(&self.children)
            .values()
            .flatten()
            .filter(|c| c.mounted().is_some())
            .cloned()
            .collect()
    }

    /// Record that `name` does not exist (after it was removed through this
    /// dentry's file system).
    pub fn set_negative(&self, name: &[u8]) {
        let mut ch = lock(&self.children);
        if ch.len() >= MAX_NEGATIVE {
            ch.retain(|_, v| v.is_some());
        }
        ch.insert(name.to_vec(), None);
    }

    /// Forget the cached child `name` (after a change on the file system).
    pub fn invalidate(&self, name: &[u8]) {
        lock(&self.children).remove(name);
    }

    /// One step up towards the root of the whole tree: crosses from a mount
    /// root to the dentry it covers (no name), or to the parent (this
    /// dentry's name). `None` at the top.
    fn up(&self) -> Option<(bool, Arc<Dentry>)> {
        if let Some(c) = self.covers() {
            return Some((false, c));
        }
        self.parent.clone().map(|p| (true, p))
    }

    /// The `..` of this dentry, never going above `root`.
    pub fn dotdot(self: &Arc<Dentry>, root: &Arc<Dentry>) -> Arc<Dentry> {
        let mut d = self.clone();
        loop {
            if Arc::ptr_eq(&d, root) {
                return d;
            }
            match d.up() {
                Some((true, p)) => return p.follow_mounts(),
                Some((false, c)) => d = c,
                None => return d,
            }
        }
    }

    /// Whether `root` is this dentry or one of its ancestors (across mounts).
    pub fn is_under(self: &Arc<Dentry>, root: &Arc<Dentry>) -> bool {
        let mut d = self.clone();
        loop {
            if Arc::ptr_eq(&d, root) {
                return true;
            }
            match d.up() {
                Some((_, p)) => d = p,
                None => return false,
            }
        }
    }

    /// The absolute path of this dentry as seen from `root`. A dentry that
    /// is not under `root` gets the path from the top of the whole tree.
    pub fn path(&self, root: &Arc<Dentry>) -> Vec<u8> {
        self.path_to(Some(root))
    }

    /// The path of this dentry from the top of the whole tree.
    pub fn abs_path(&self) -> Vec<u8> {
        self.path_to(None)
    }

    fn path_to(&self, root: Option<&Arc<Dentry>>) -> Vec<u8> {
        let is_root = |d: &Arc<Dentry>| root.is_some_and(|r| Arc::ptr_eq(d, r));
        let mut names: Vec<Vec<u8>> = Vec::new();
        if !root.is_some_and(|r| std::ptr::eq(self, &**r)) {
            let mut step = self.up().map(|(named, d)| {
                if named {
                    names.push(self.name.clone());
                }
                d
            });
            while let Some(d) = step {
                if is_root(&d) {
                    break;
                }
                step = d.up().map(|(named, p)| {
                    if named {
                        names.push(d.name.clone());
                    }
                    p
                });
            }
        }
        if names.is_empty() {
            return b"/".to_vec();
        }
        let mut out = Vec::new();
        for n in names.iter().rev() {
            out.push(b'/');
            out.extend_from_slice(n);
        }
        out
    }
}

impl std::fmt::Debug for Dentry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dentry")
            .field("name", &String::from_utf8_lossy(&self.name))
            .field("mode", &format_args!("{:o}", self.inode.mode()))
            .finish()
    }
}
