//! epoll(7) instances.
//!
//! An interest is keyed by (file, fd) as in Linux and holds the file weakly:
//! the registration lives while the *file* is open (a closed fd whose file
//! has no other reference drops out of the set; one still open through a dup
//! keeps reporting under the fd it was added with).
//!
//! Every item owns a [`Waker`] with a hook; the waker is registered on the
//! watched file's wait queue at each scan. When the file's queue is notified
//! the hook marks the item (an "edge") and notifies the epoll's own queue,
//! which is what epoll_wait sleeps on (and what poll/select or an enclosing
//! epoll see). Files without a queue (host fds) are re-checked every
//! [`RECHECK`] by epoll_wait, and make the epoll itself queue-less for
//! pollers.
//!
//! Triggering (an emulation of Linux's ready list: every item has a
//! position, taken when its file's queue fires while it is off the list, and
//! renewed when it is reported level-triggered; scans go in that order):
//! - level-triggered items are reported whenever their file is ready, and
//!   move to the back, so a small `maxevents` rotates as in Linux;
//! - EPOLLET items are reported only after an edge (the file's queue was
//!   notified since the last report, or the item was just added or
//!   modified), and only if ready then, as Linux's ready list behaves; for a
//!   file without a queue an edge is a readiness bit that was not set at the
//!   previous check;
//! - EPOLLONESHOT items are disabled after one report until EPOLL_CTL_MOD.

use crate::kernel::wait::{WaitQueue, Waker};
use crate::vfs::file::pollev::{POLLIN, POLLRDNORM};
use crate::vfs::{File, FileOps};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;
use syscalls::consts::O_RDWR;
use syscalls::Errno;

pub const EPOLLIN: u32 = 0x001;
pub const EPOLLOUT: u32 = 0x004;
pub const EPOLLERR: u32 = 0x008;
pub const EPOLLHUP: u32 = 0x010;
pub const EPOLLEXCLUSIVE: u32 = 1 << 28;
pub const EPOLLWAKEUP: u32 = 1 << 29;
pub const EPOLLONESHOT: u32 = 1 << 30;
pub const EPOLLET: u32 = 1 << 31;
/// Linux's EPOLLEXCLUSIVE_OK_BITS.
const EXCLUSIVE_OK: u32 =
    EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE;
/// Flags that are not readiness bits.
const PRIVATE: u32 = EPOLLEXCLUSIVE | EPOLLWAKEUP | EPOLLONESHOT | EPOLLET;
/// Linux's EP_MAX_NESTS.
const MAX_NESTS: usize = 4;

/// How often epoll_wait re-checks files that have no wait queue.
pub const RECHECK: Duration = Duration::from_millis(10);

/// Why epoll_ctl failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CtlError {
    Exists,
    NotFound,
    Invalid,
    Loop,
}

impl From<CtlError> for Errno {
    fn from(e: CtlError) -> Errno {
        match e {
            CtlError::Exists => Errno::EEXIST,
            CtlError::NotFound => Errno::ENOENT,
            CtlError::Invalid => Errno::EINVAL,
            CtlError::Loop => Errno::ELOOP,
        }
    }
}

struct Interest {
    events: u32,
    data: u64,
    /// EPOLLONESHOT fired: nothing is reported until EPOLL_CTL_MOD.
    disabled: bool,
    /// Readiness seen at the last check (edges of queue-less files).
    last: u32,
}

struct Item {
    fd: i32,
    file: Weak<File>,
    interest: Mutex<Interest>,
    /// On the "ready list": an edge happened since the last report (EPOLLET),
    /// or the file was ready at the last check (level-triggered).
    edge: Arc<AtomicBool>,
    /// Position on the ready list (see the module docs).
    seq: Arc<AtomicU64>,
    waker: Arc<Waker>,
}

impl Item {
    fn interest(&self) -> MutexGuard<'_, Interest> {
        self.interest.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn is(&self, file: &Arc<File>, fd: i32) -> bool {
        self.fd == fd && std::ptr::eq(self.file.as_ptr(), Arc::as_ptr(file))
    }

    /// Register the waker on the file's queue; false if it has none.
    fn arm(&self, file: &Arc<File>) -> bool {
        match file.ops.poll(file, 0).1 {
            Some(q) => {
                q.register(&self.waker);
                true
            }
            None => false,
        }
    }

    fn disarm(&self) {
        if let Some(f) = self.file.upgrade() {
            if let Some(q) = f.ops.poll(&f, 0).1 {
                q.unregister(&self.waker);
            }
        }
    }
}

pub struct Epoll {
    /// Notified when a watched file's queue fires or the set changes.
    queue: Arc<WaitQueue>,
    items: Mutex<Vec<Arc<Item>>>,
    /// Hands out ready-list positions.
    clock: Arc<AtomicU64>,
}

/// A new epoll file (EPOLL_CLOEXEC is the caller's business).
pub fn new_epoll() -> Arc<File> {
    File::new(
        Box::new(Epoll {
            queue: Arc::new(WaitQueue::default()),
            items: Mutex::new(Vec::new()),
            clock: Arc::new(AtomicU64::new(0)),
        }),
        O_RDWR,
        None,
    )
}

/// The epoll instance behind a file, if it is one.
pub fn as_epoll(file: &File) -> Option<&Epoll> {
    file.ops.as_any().and_then(|a| a.downcast_ref::<Epoll>())
}

/// One reported event: (events, data).
pub type Event = (u32, u64);

/// What one scan found: the events and whether a watched file has no queue.
pub struct Scan {
    pub events: Vec<Event>,
    pub recheck: bool,
}

impl Epoll {
    fn items(&self) -> MutexGuard<'_, Vec<Arc<Item>>> {
        self.items.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The queue epoll_wait sleeps on.
    pub fn queue(&self) -> &WaitQueue {
        &self.queue
    }

    /// A copy of the live items; items whose file is gone are dropped.
    fn live(&self) -> Vec<(Arc<Item>, Arc<File>)> {
        let mut items = self.items();
        let mut out = Vec::with_capacity(items.len());
        items.retain(|it| match it.file.upgrade() {
            Some(f) => {
                out.push((it.clone(), f));
                true
            }
            None => false,
        });
        out
    }

    /// How deep epolls nest below this one (1 = watches no epoll), and
    /// whether `target` is reachable (a loop).
    fn nesting(&self, target: *const Epoll, level: usize) -> Result<usize, CtlError> {
        if std::ptr::eq(self, target) {
            return Err(CtlError::Loop);
        }
        if level > MAX_NESTS {
            return Err(CtlError::Loop);
        }
        let mut depth = 1;
        for (_, f) in self.live() {
            if let Some(ep) = as_epoll(&f) {
                depth = depth.max(1 + ep.nesting(target, level + 1)?);
            }
        }
        Ok(depth)
    }

    /// EPOLL_CTL_ADD. `events` is the app's mask (EPOLLERR/EPOLLHUP are
    /// added here).
    pub fn add(&self, file: &Arc<File>, fd: i32, events: u32, data: u64) -> Result<(), CtlError> {
        if let Some(inner) = as_epoll(file) {
            let depth = inner.nesting(self, 1)?;
            if depth > MAX_NESTS {
                return Err(CtlError::Loop);
            }
        }
        let _ = self.live();
        let mut items = self.items();
        if items.iter().any(|it| it.is(file, fd)) {
            return Err(CtlError::Exists);
        }
        let edge = Arc::new(AtomicBool::new(true));
        let seq = Arc::new(AtomicU64::new(self.clock.fetch_add(1, Ordering::SeqCst)));
        let (e2, s2, c2) = (edge.clone(), seq.clone(), self.clock.clone());
        let q2 = Arc::downgrade(&self.queue);
        let waker = Arc::new(Waker::with_hook(move || {
            if !e2.swap(true, Ordering::SeqCst) {
                s2.store(c2.fetch_add(1, Ordering::SeqCst), Ordering::SeqCst);
            }
            if let Some(q) = q2.upgrade() {
                q.notify_all();
            }
        }));
        items.push(Arc::new(Item {
            fd,
            file: Arc::downgrade(file),
            interest: Mutex::new(Interest {
                events: events | EPOLLERR | EPOLLHUP,
                data,
                disabled: false,
                last: 0,
            }),
            edge,
            seq,
            waker,
        }));
        drop(items);
        self.queue.notify_all();
        Ok(())
    }

    /// EPOLL_CTL_MOD (EINVAL for an item added with EPOLLEXCLUSIVE).
    pub fn modify(
        &self,
        file: &Arc<File>,
        fd: i32,
        events: u32,
        data: u64,
    ) -> Result<(), CtlError> {
        let it = self.find(file, fd)?;
        {
            let mut i = it.interest();
            if i.events & EPOLLEXCLUSIVE != 0 {
                return Err(CtlError::Invalid);
            }
            i.events = events | EPOLLERR | EPOLLHUP;
            i.data = data;
            i.disabled = false;
            i.last = 0;
        }
        if !it.edge.swap(true, Ordering::SeqCst) {
            it.seq.store(self.tick(), Ordering::SeqCst);
        }
        self.queue.notify_all();
        Ok(())
    }

    /// EPOLL_CTL_DEL.
    pub fn delete(&self, file: &Arc<File>, fd: i32) -> Result<(), CtlError> {
        let it = {
            let mut items = self.items();
            let pos = items
                .iter()
                .position(|it| it.is(file, fd))
                .ok_or(CtlError::NotFound)?;
            items.remove(pos)
        };
        it.disarm();
        Ok(())
    }

    fn tick(&self) -> u64 {
        self.clock.fetch_add(1, Ordering::SeqCst)
    }

    fn find(&self, file: &Arc<File>, fd: i32) -> Result<Arc<Item>, CtlError> {
        self.items()
            .iter()
            .find(|it| it.is(file, fd))
            .cloned()
            .ok_or(CtlError::NotFound)
    }

    /// Check every item in ready-list order, arming its waker first. With
    /// `max` (epoll_wait) up to `max` events are taken: edges consumed,
    /// one-shot items disabled, reported level-triggered items moved to the
    /// back. Without (poll of the epoll file) nothing changes state and the
    /// scan stops at the first event.
    pub fn scan(&self, max: Option<usize>) -> Scan {
        let mut events = Vec::new();
        let mut recheck = false;
        let take = max.is_some();
        let limit = max.unwrap_or(1);
        let mut items = self.live();
        items.sort_by_key(|(it, _)| it.seq.load(Ordering::SeqCst));
        for (it, file) in items {
            if events.len() >= limit {
                break;
            }
            let queued = it.arm(&file);
            recheck |= !queued;
            let mut i = it.interest();
            if i.disabled {
                continue;
            }
            let et = i.events & EPOLLET != 0;
            if et && queued {
                let had = if take {
                    it.edge.swap(false, Ordering::SeqCst)
                } else {
                    it.edge.load(Ordering::SeqCst)
                };
                if !had {
                    continue;
                }
            }
            let want = i.events & !PRIVATE;
            let mask = file.ops.poll(&file, want).0 & want;
            if et && !queued {
                let fresh = mask & !i.last;
                if take {
                    i.last = mask;
                }
                if fresh == 0 {
                    continue;
                }
            }
            if mask == 0 {
                if take && !et {
                    it.edge.store(false, Ordering::SeqCst);
                }
                continue;
            }
            events.push((mask, i.data));
            if take {
                if i.events & EPOLLONESHOT != 0 {
                    i.disabled = true;
                    it.edge.store(false, Ordering::SeqCst);
                } else if !et {
                    it.edge.store(true, Ordering::SeqCst);
                    it.seq.store(self.tick(), Ordering::SeqCst);
                }
            }
        }
        Scan { events, recheck }
    }
}

impl Drop for Epoll {
    fn drop(&mut self) {
        for it in self.items().drain(..) {
            it.disarm();
        }
    }
}

impl FileOps for Epoll {
    fn proc_name(&self) -> Option<String> {
        Some("anon_inode:[eventpoll]".into())
    }
    super::anon::anon_inode_ops!();
    /// Readable when epoll_wait would report something. Queue-less when a
    /// watched file is (pollers then re-check periodically).
    fn poll(&self, _file: &File, _events: u32) -> (u32, Option<&WaitQueue>) {
        let s = self.scan(None);
        let mask = if s.events.is_empty() {
            0
        } else {
            POLLIN | POLLRDNORM
        };
        (mask, (!s.recheck).then_some(&*self.queue))
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

/// Validate an EPOLL_CTL_ADD/MOD mask as Linux's do_epoll_ctl: EPOLLEXCLUSIVE
/// only with ADD, on a non-epoll file, with the allowed bits. EPOLLWAKEUP is
/// dropped (the sandbox has no CAP_BLOCK_SUSPEND).
pub fn check_events(events: u32, add: bool, target_is_epoll: bool) -> Result<u32, CtlError> {
    let events = events & !EPOLLWAKEUP;
    if events & EPOLLEXCLUSIVE != 0 && (!add || target_is_epoll || events & !EXCLUSIVE_OK != 0) {
        return Err(CtlError::Invalid);
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::eventfd::new_eventfd;
    use syscalls::consts::O_NONBLOCK;

    #[test]
    fn level_edge_oneshot() {
        let ep = new_epoll();
        let e = as_epoll(&ep).map(|e| e as *const Epoll);
        assert!(e.is_some());
        let ev = new_eventfd(0, false, O_NONBLOCK);
        let Some(epi) = as_epoll(&ep) else { return };
        assert_eq!(epi.add(&ev, 3, EPOLLIN, 7), Ok(()));
        assert_eq!(epi.add(&ev, 3, EPOLLIN, 7), Err(CtlError::Exists));
        assert!(epi.scan(Some(8)).events.is_empty());
        assert_eq!(ev.ops.write(&ev, &1u64.to_ne_bytes(), 0), Ok(8));
        assert_eq!(epi.scan(Some(8)).events, vec![(EPOLLIN, 7)]);
        assert_eq!(epi.scan(Some(8)).events, vec![(EPOLLIN, 7)]);
        assert_eq!(epi.modify(&ev, 3, EPOLLIN | EPOLLET, 8), Ok(()));
        assert_eq!(epi.scan(Some(8)).events, vec![(EPOLLIN, 8)]);
        assert!(epi.scan(Some(8)).events.is_empty());
        assert_eq!(ev.ops.write(&ev, &1u64.to_ne_bytes(), 0), Ok(8));
        assert_eq!(epi.scan(Some(8)).events, vec![(EPOLLIN, 8)]);
        assert_eq!(epi.modify(&ev, 3, EPOLLIN | EPOLLONESHOT, 9), Ok(()));
        assert_eq!(epi.scan(Some(8)).events, vec![(EPOLLIN, 9)]);
        assert!(epi.scan(Some(8)).events.is_empty());
        assert_eq!(epi.delete(&ev, 3), Ok(()));
        assert_eq!(epi.delete(&ev, 3), Err(CtlError::NotFound));
        // Nesting: ep2 watches ep; adding ep2 to ep is a loop.
        let ep2 = new_epoll();
        let Some(epi2) = as_epoll(&ep2) else { return };
        assert_eq!(epi2.add(&ep, 4, EPOLLIN, 0), Ok(()));
        assert_eq!(epi.add(&ep2, 5, EPOLLIN, 0), Err(CtlError::Loop));
        // The registration goes with the file.
        assert_eq!(epi.add(&ev, 3, EPOLLIN, 1), Ok(()));
        drop(ev);
        assert!(epi.scan(Some(8)).events.is_empty());
        assert!(epi.items().is_empty());
    }
}
