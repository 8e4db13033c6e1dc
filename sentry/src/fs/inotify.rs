//! inotify(7): watches on inodes (keyed by `(st_dev, st_ino)`, so every
//! file system works) and per-instance event queues, fed by hooks at the
//! syscall/VFS boundary (open, read, write, close, attribute changes,
//! create, link, unlink, rename).
//!
//! The hooks first test [`active`] (a global count of watches), so files
//! pay nothing while nobody watches. Events are those of the sentry's own
//! operations only: changes made by host processes to a bind mount are not
//! seen (as in gVisor).
//!
//! As Linux: an event on a file goes to its parent directory's watch (with
//! the name) and then to the file's own watch; a new event identical to the
//! last queued one is dropped (coalescing); at `max_queued_events` one
//! IN_Q_OVERFLOW (wd -1) is queued and further events are lost.

use crate::kernel::wait::{block_on, WaitQueue};
use crate::vfs::file::pollev::{POLLIN, POLLRDNORM};
use crate::vfs::{Dentry, File, FileOps, Inode};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, Weak};
use syscalls::consts::*;
use syscalls::Errno;

/// /proc/sys/fs/inotify/max_queued_events.
pub const MAX_QUEUED_EVENTS: usize = 16384;
/// `sizeof(struct inotify_event)`.
const EVENT_SIZE: usize = 16;

/// `(st_dev, st_ino)` of a watched inode.
pub type Key = (u64, u64);

static WATCHES: AtomicUsize = AtomicUsize::new(0);
static COOKIE: AtomicU32 = AtomicU32::new(0);
/// The watches of each inode: (instance, wd).
type Registry = HashMap<Key, Vec<(Weak<Inotify>, i32)>>;
static REGISTRY: LazyLock<Mutex<Registry>> = LazyLock::new(Mutex::default);

fn registry() -> MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(|p| p.into_inner())
}

/// Whether any watch exists (the hooks' fast path).
pub fn active() -> bool {
    WATCHES.load(Ordering::Relaxed) != 0
}

/// The watch key of an inode.
pub fn key_of(inode: &dyn Inode) -> Option<Key> {
    let st = inode.stat().ok()?;
    Some((st.st_dev, st.st_ino))
}

struct Event {
    wd: i32,
    mask: u32,
    cookie: u32,
    name: Vec<u8>,
}

impl Event {
    /// The name field's length: NUL-terminated, padded to a multiple of
    /// the header size (Linux's round_event_name_len).
    fn name_len(&self) -> usize {
        if self.name.is_empty() {
            0
        } else {
            (self.name.len() + 1).div_ceil(EVENT_SIZE) * EVENT_SIZE
        }
    }

    fn size(&self) -> usize {
        EVENT_SIZE + self.name_len()
    }

    fn same(&self, o: &Event) -> bool {
        self.wd == o.wd && self.mask == o.mask && self.cookie == o.cookie && self.name == o.name
    }
}

struct Watch {
    key: Key,
    mask: u32,
}

#[derive(Default)]
struct Inner {
    events: VecDeque<Event>,
    bytes: usize,
    watches: BTreeMap<i32, Watch>,
    last_wd: i32,
}

/// One inotify instance (the file behind an inotify fd).
pub struct Inotify {
    inner: Mutex<Inner>,
    queue: WaitQueue,
    me: Weak<Inotify>,
}

impl Inotify {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn push(&self, ev: Event) {
        let mut g = self.lock();
        if g.events.back().is_some_and(|l| l.same(&ev)) {
            return;
        }
        let ev = if g.events.len() >= MAX_QUEUED_EVENTS {
            // Queue one overflow event (unless it is already there).
            if g.events.back().is_some_and(|l| l.mask == IN_Q_OVERFLOW) {
                return;
            }
            Event {
                wd: -1,
                mask: IN_Q_OVERFLOW,
                cookie: 0,
                name: Vec::new(),
            }
        } else {
            ev
        };
        g.bytes += ev.size();
        g.events.push_back(ev);
        drop(g);
        self.queue.notify_all();
    }

    /// Forget watch `wd` (queueing IN_IGNORED); false if there is none.
    fn drop_watch(&self, wd: i32) -> bool {
        let Some(w) = self.lock().watches.remove(&wd) else {
            return false;
        };
        WATCHES.fetch_sub(1, Ordering::Relaxed);
        let mut reg = registry();
        if let Some(list) = reg.get_mut(&w.key) {
            list.retain(|(i, d)| !(*d == wd && std::ptr::eq(i.as_ptr(), self)));
            if list.is_empty() {
                reg.remove(&w.key);
            }
        }
        drop(reg);
        self.push(Event {
            wd,
            mask: IN_IGNORED,
            cookie: 0,
            name: Vec::new(),
        });
        true
    }

    /// inotify_add_watch on the inode `key` (`is_dir` for IN_ONLYDIR was
    /// checked by the caller).
    pub fn add_watch(&self, key: Key, mask: u32) -> Result<i32, Errno> {
        let events = mask & (IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK);
        let mut g = self.lock();
        if let Some((&wd, w)) = g.watches.iter_mut().find(|(_, w)| w.key == key) {
            if mask & IN_MASK_CREATE != 0 {
                return Err(Errno::EEXIST);
            }
            if mask & IN_MASK_ADD != 0 {
                w.mask |= events;
            } else {
                w.mask = events;
            }
            return Ok(wd);
        }
        if g.watches.len() >= 8192 {
            return Err(Errno::ENOSPC);
        }
        let mut wd = g.last_wd.checked_add(1).unwrap_or(1);
        while g.watches.contains_key(&wd) {
            wd = wd.checked_add(1).unwrap_or(1);
        }
        g.last_wd = wd;
        g.watches.insert(wd, Watch { key, mask: events });
        drop(g);
        WATCHES.fetch_add(1, Ordering::Relaxed);
        registry()
            .entry(key)
            .or_default()
            .push((self.me.clone(), wd));
        Ok(wd)
    }

    /// inotify_rm_watch.
    pub fn rm_watch(&self, wd: i32) -> Result<(), Errno> {
        if self.drop_watch(wd) {
            Ok(())
        } else {
            Err(Errno::EINVAL)
        }
    }
}

impl Drop for Inotify {
    fn drop(&mut self) {
        let watches = std::mem::take(&mut self.lock().watches);
        let mut reg = registry();
        for (wd, w) in watches {
            WATCHES.fetch_sub(1, Ordering::Relaxed);
            if let Some(list) = reg.get_mut(&w.key) {
                list.retain(|(i, d)| !(*d == wd && std::ptr::eq(i.as_ptr(), self)));
                if list.is_empty() {
                    reg.remove(&w.key);
                }
            }
        }
    }
}

/// A new inotify instance as an open file (`flags`: O_NONBLOCK).
pub fn new_file(flags: u32) -> (Arc<File>, Arc<Inotify>) {
    let ino = Arc::new_cyclic(|me| Inotify {
        inner: Mutex::new(Inner::default()),
        queue: WaitQueue::default(),
        me: me.clone(),
    });
    let file = File::new(
        Box::new(InotifyFile(ino.clone())),
        O_RDONLY | (flags & O_NONBLOCK),
        None,
    );
    (file, ino)
}

/// The instance behind an inotify fd.
pub fn of_file(f: &File) -> Option<Arc<Inotify>> {
    f.ops
        .as_any()?
        .downcast_ref::<InotifyFile>()
        .map(|x| x.0.clone())
}

struct InotifyFile(Arc<Inotify>);

impl FileOps for InotifyFile {
    crate::fs::anon::anon_inode_ops!();
    fn read_cur(&self, file: &File, buf: &mut [u8]) -> Result<usize, Errno> {
        let nonblock = file.flags() & O_NONBLOCK != 0;
        let ino = &self.0;
        block_on(&[&ino.queue], None, || {
            let mut g = ino.lock();
            let first = match g.events.front() {
                Some(e) => e.size(),
                None => return nonblock.then_some(Err(Errno::EAGAIN)),
            };
            if first > buf.len() {
                return Some(Err(Errno::EINVAL));
            }
            let mut n = 0;
            while let Some(e) = g.events.front() {
                let size = e.size();
                if n + size > buf.len() {
                    break;
                }
                let out = &mut buf[n..n + size];
                out[0..4].copy_from_slice(&e.wd.to_le_bytes());
                out[4..8].copy_from_slice(&e.mask.to_le_bytes());
                out[8..12].copy_from_slice(&e.cookie.to_le_bytes());
                out[12..16].copy_from_slice(&(e.name_len() as u32).to_le_bytes());
                out[16..].fill(0);
                out[16..16 + e.name.len()].copy_from_slice(&e.name);
                n += size;
                g.bytes -= size;
                g.events.pop_front();
            }
            Some(Ok(n))
        })
        .unwrap_or_else(|e| Err(e.restartsys()))
    }
    fn read(&self, file: &File, buf: &mut [u8], _off: u64) -> Result<usize, Errno> {
        self.read_cur(file, buf)
    }
    fn ioctl(
        &self,
        _file: &File,
        t: &mut crate::kernel::task::Task,
        cmd: u64,
        arg: u64,
    ) -> Result<u64, Errno> {
        if cmd as u32 != FIONREAD {
            return Err(Errno::EINVAL);
        }
        let n = self.0.lock().bytes as i32;
        t.mm.write_obj(arg, &n)?;
        Ok(0)
    }
    fn poll(&self, _file: &File, _events: u32) -> (u32, Option<&WaitQueue>) {
        let ready = if self.0.lock().events.is_empty() {
            0
        } else {
            POLLIN | POLLRDNORM
        };
        (ready, Some(&self.0.queue))
    }
    fn proc_name(&self) -> Option<String> {
        Some("anon_inode:inotify".into())
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

/// Queue `mask` for the watches of `key` that want it (`name`: the child's
/// name for a directory watch). Self events (IN_IGNORED...) are always
/// delivered.
fn deliver(key: Key, mask: u32, cookie: u32, name: &[u8]) {
    let targets: Vec<(Arc<Inotify>, i32)> = match registry().get(&key) {
        Some(list) => list
            .iter()
            .filter_map(|(i, wd)| i.upgrade().map(|i| (i, *wd)))
            .collect(),
        None => return,
    };
    for (ino, wd) in targets {
        let wmask = match ino.lock().watches.get(&wd) {
            Some(w) => w.mask,
            None => continue,
        };
        if wmask & mask & IN_ALL_EVENTS == 0 {
            continue;
        }
        ino.push(Event {
            wd,
            mask,
            cookie,
            name: name.to_vec(),
        });
        if wmask & IN_ONESHOT != 0 {
            ino.drop_watch(wd);
        }
    }
}

/// The inode `key` is gone: IN_DELETE_SELF, then every watch on it ends
/// (IN_IGNORED).
fn gone(key: Key) {
    deliver(key, IN_DELETE_SELF, 0, b"");
    let list = registry().get(&key).cloned().unwrap_or_default();
    for (i, wd) in list {
        if let Some(i) = i.upgrade() {
            i.drop_watch(wd);
        }
    }
}

fn isdir(d: &Dentry) -> u32 {
    if d.is_dir() {
        IN_ISDIR
    } else {
        0
    }
}

/// An event on the file `d`: its parent's watch (with the name), then its
/// own.
pub fn on_dentry(d: &Dentry, mask: u32) {
    if !active() {
        return;
    }
    let mask = mask | isdir(d);
    if let Some(p) = d.parent() {
        if let Some(k) = key_of(p.inode_ref()) {
            deliver(k, mask, 0, d.name());
        }
    }
    if let Some(k) = key_of(d.inode_ref()) {
        deliver(k, mask, 0, b"");
    }
}

/// An event on the file's inode only (link count changes).
pub fn on_inode(inode: &dyn Inode, mask: u32) {
    if !active() {
        return;
    }
    if let Some(k) = key_of(inode) {
        deliver(k, mask, 0, b"");
    }
}

/// A directory event about its entry `name` (IN_CREATE, IN_DELETE).
pub fn on_child(parent: &Dentry, name: &[u8], mask: u32) {
    if !active() {
        return;
    }
    if let Some(k) = key_of(parent.inode_ref()) {
        deliver(k, mask, 0, name);
    }
}

/// I/O on an open file: IN_ACCESS / IN_MODIFY (not for O_PATH files or
/// files without a name).
pub fn on_file(f: &File, mask: u32) {
    if !active() {
        return;
    }
    if let Some(d) = &f.dentry {
        on_dentry(d, mask);
    }
}

/// Inodes unlinked while still open: their IN_DELETE_SELF waits for the
/// last close (as Linux's, which comes with the final dput).
static DOOMED: LazyLock<Mutex<Vec<Key>>> = LazyLock::new(Mutex::default);

fn doomed() -> MutexGuard<'static, Vec<Key>> {
    DOOMED.lock().unwrap_or_else(|p| p.into_inner())
}

/// The last reference to an open file went away.
pub fn on_close(f: &File) {
    if !active() {
        return;
    }
    if !f.is_path() {
        on_file(
            f,
            if f.writable() {
                IN_CLOSE_WRITE
            } else {
                IN_CLOSE_NOWRITE
            },
        );
    }
    // The last open file of an unlinked inode.
    let Some(d) = &f.dentry else { return };
    if Arc::strong_count(d) != 1 || doomed().is_empty() {
        return;
    }
    let Some(k) = key_of(d.inode_ref()) else {
        return;
    };
    let was = {
        let mut g = doomed();
        let before = g.len();
        g.retain(|x| *x != k);
        before != g.len()
    };
    if was {
        gone(k);
    }
}

/// What unlink/rmdir (and rename over an entry) need to know before the
/// entry goes: the victim's key, whether it is a directory and whether this
/// is its last link.
pub struct Victim {
    key: Option<Key>,
    dir: bool,
    last: bool,
}

pub fn victim(d: &Dentry) -> Option<Victim> {
    if !active() {
        return None;
    }
    let st = d.inode_ref().stat().ok()?;
    let dir = d.is_dir();
    Some(Victim {
        key: Some((st.st_dev, st.st_ino)),
        dir,
        last: dir || st.st_nlink <= 1,
    })
}

/// After a successful unlink/rmdir of `name` in `parent`; `still_open`
/// when open files still reach the removed entry (IN_DELETE_SELF then
/// comes at their last close).
pub fn on_remove(parent: &Dentry, name: &[u8], v: Option<Victim>, still_open: bool) {
    let Some(v) = v else { return };
    if let Some(k) = v.key {
        if !v.dir {
            deliver(k, IN_ATTRIB, 0, b"");
        }
        if v.last && still_open && !v.dir {
            let mut g = doomed();
            if !g.contains(&k) && g.len() < 4096 {
                g.push(k);
            }
        } else if v.last {
            gone(k);
        }
    }
    on_child(parent, name, IN_DELETE | if v.dir { IN_ISDIR } else { 0 });
}

/// One side of a rename: MOVED_FROM and MOVED_TO with a fresh cookie,
/// then (after `between`) MOVE_SELF of the moved inode.
fn move_pair(
    from: &Dentry,
    old: &[u8],
    to: &Dentry,
    new: &[u8],
    m: &Victim,
    between: impl FnOnce(),
) {
    let cookie = COOKIE.fetch_add(1, Ordering::Relaxed).wrapping_add(1);
    let dirflag = if m.dir { IN_ISDIR } else { 0 };
    if let Some(k) = key_of(from.inode_ref()) {
        deliver(k, IN_MOVED_FROM | dirflag, cookie, old);
    }
    if let Some(k) = key_of(to.inode_ref()) {
        deliver(k, IN_MOVED_TO | dirflag, cookie, new);
    }
    between();
    if let Some(k) = m.key {
        deliver(k, IN_MOVE_SELF, 0, b"");
    }
}

/// After a successful rename of `old` in `op` to `new` in `np`; `moved` is
/// the renamed file, `target` what was at the new name (replaced, or moved
/// the other way with RENAME_EXCHANGE).
pub fn on_rename(
    op: &Dentry,
    old: &[u8],
    np: &Dentry,
    new: &[u8],
    moved: Option<Victim>,
    target: Option<Victim>,
    exchange: bool,
) {
    let Some(m) = moved else { return };
    // Renaming a file onto another link of itself does nothing.
    if target.as_ref().is_some_and(|t| t.key == m.key) {
        return;
    }
    match target {
        Some(t) if exchange => {
            move_pair(op, old, np, new, &m, || {});
            move_pair(np, new, op, old, &t, || {});
        }
        Some(t) => {
            let key = t.key;
            move_pair(op, old, np, new, &m, || {
                if let (Some(k), false) = (key, t.dir) {
                    deliver(k, IN_ATTRIB, 0, b"");
                }
            });
            if let (Some(k), true) = (key, t.last) {
                gone(k);
            }
        }
        None => move_pair(op, old, np, new, &m, || {}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_padded_to_the_header_size() {
        let e = |n: &[u8]| Event {
            wd: 1,
            mask: 0,
            cookie: 0,
            name: n.to_vec(),
        };
        assert_eq!(e(b"").size(), 16);
        assert_eq!(e(b"a").size(), 32);
        assert_eq!(e(&[b'x'; 15]).size(), 32);
        assert_eq!(e(&[b'x'; 16]).size(), 48);
    }

    #[test]
    fn identical_consecutive_events_coalesce() {
        let (_f, i) = new_file(0);
        let ev = || Event {
            wd: 1,
            mask: IN_MODIFY,
            cookie: 0,
            name: Vec::new(),
        };
        i.push(ev());
        i.push(ev());
        assert_eq!(i.lock().events.len(), 1);
    }
}
