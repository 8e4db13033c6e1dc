//! mqueue: POSIX message queues (mq_overview(7)), Linux's ipc/mqueue.c.
//!
//! The sandbox has one IPC namespace, so one instance ([`instance`]): a
//! directory (mode 01777, owned by root) of queue inodes. The mq_* syscalls
//! work on its internal root; `mount -t mqueue` (and the OCI mount at
//! /dev/mqueue) shows the same directory, where `ls` lists the queues,
//! reading a queue gives Linux's `QSIZE:... NOTIFY:...` line, `rm` and
//! `open(O_CREAT)` unlink and create queues, chmod/chown work.
//!
//! A queue keeps its messages by priority (highest first, FIFO within a
//! priority). As in Linux, a sender that finds a receiver waiting hands
//! the message over directly (no notification then), and a receiver that
//! frees a slot moves the first waiting sender's message into the queue.
//! Limits are the `fs.mqueue` sysctls (read at each creation) and
//! RLIMIT_MSGQUEUE, charged per real uid with Linux's per-queue cost and
//! refunded when the queue is gone (unlinked and closed).

use crate::kernel::task::Creds;
use crate::kernel::wait::{block_on, WaitQueue};
use crate::vfs::file::pollev::{POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM};
use crate::vfs::{check_access, Dentry, DirEntry, File, FileOps, Ids, Inode, SetAttr, Time};
use crate::vfs::{MAY_EXEC, MAY_READ, MAY_WRITE};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::time::Instant;
use syscalls::abi::{Siginfo, Stat, Statfs};
use syscalls::consts::{DT_REG, O_ACCMODE, SIGEV_NONE, SI_MESGQ, S_IFDIR, S_IFMT, S_IFREG};
use syscalls::{Errno, Pod};

/// MQUEUE_MAGIC.
pub const MQUEUE_MAGIC: i64 = 0x1980_0202;
/// The limits a CAP_SYS_RESOURCE creator may go up to.
pub const HARD_MSGMAX: i64 = 65536;
pub const HARD_MSGSIZEMAX: i64 = 16 << 20;
/// Priorities are below this.
pub const MQ_PRIO_MAX: u32 = 32768;
/// Size of a directory entry and of a queue file, as Linux reports them.
const DIRENT_SIZE: i64 = 20;
const FILENT_SIZE: i64 = 80;
/// sizeof(struct msg_msg) and sizeof(struct posix_msg_tree_node).
const MSG_COST: u64 = 48;
const NODE_COST: u64 = 48;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Attributes of a new queue (`struct mq_attr`'s mq_maxmsg, mq_msgsize).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attr {
    pub maxmsg: i64,
    pub msgsize: i64,
}

/// Who creates a queue: the uid charged, its RLIMIT_MSGQUEUE and whether
/// it has CAP_SYS_RESOURCE.
#[derive(Clone, Copy, Debug)]
pub struct Creator {
    pub ruid: u32,
    pub limit: u64,
    pub privileged: bool,
}

impl Creator {
    /// The task of the calling sentry thread (root without limits outside
    /// a task).
    pub fn current() -> Creator {
        match crate::kernel::wait::current() {
            Some(t) => {
                let v = crate::fs::proc::view(&t);
                Creator {
                    ruid: v.creds.ruid,
                    limit: v.rlimits[libc::RLIMIT_MSGQUEUE as usize].rlim_cur,
                    privileged: t.caps().effective & (1 << CAP_SYS_RESOURCE) != 0,
                }
            }
            None => Creator {
                ruid: 0,
                limit: u64::MAX,
                privileged: true,
            },
        }
    }
}

pub const CAP_SYS_RESOURCE: u32 = 24;

/// The sysctl `fs.mqueue.<key>`.
fn sysctl(key: &'static str, default: i128) -> i64 {
    crate::fs::proc::sys::int(key, default) as i64
}

/// What the instance shares with its inodes.
struct Super {
    dev: u64,
    next_ino: AtomicU64,
    /// Queues alive (mq_queues_count).
    queues: AtomicU64,
    /// RLIMIT_MSGQUEUE bytes charged, by real uid.
    charged: Mutex<HashMap<u32, u64>>,
}

impl Super {
    fn ino(&self) -> u64 {
        self.next_ino.fetch_add(1, Ordering::Relaxed)
    }
    fn statfs(&self) -> Statfs {
        let mut s = Statfs::zeroed();
        s.f_type = MQUEUE_MAGIC;
        s.f_bsize = 4096;
        s.f_frsize = 4096;
        s.f_namelen = 255;
        s.f_flags = crate::fs::synth::ST_VALID;
        s
    }
}

/// Attributes every inode keeps.
#[derive(Clone, Copy)]
struct Meta {
    mode: u32,
    uid: u32,
    gid: u32,
    nlink: u64,
    size: i64,
    atime: Time,
    mtime: Time,
    ctime: Time,
}

impl Meta {
    fn new(mode: u32, (uid, gid): (u32, u32), nlink: u64, size: i64) -> Meta {
        let now = Time::now();
        Meta {
            mode,
            uid,
            gid,
            nlink,
            size,
            atime: now,
            mtime: now,
            ctime: now,
        }
    }

    fn stat(&self, sb: &Super, ino: u64) -> Stat {
        let mut st = Stat::zeroed();
        st.st_dev = sb.dev;
        st.st_ino = ino;
        st.st_nlink = self.nlink;
        st.st_mode = self.mode;
        st.st_uid = self.uid;
        st.st_gid = self.gid;
        st.st_size = self.size;
        st.st_blksize = 4096;
        st.st_atime = self.atime.sec;
        st.st_atime_nsec = self.atime.nsec;
        st.st_mtime = self.mtime.sec;
        st.st_mtime_nsec = self.mtime.nsec;
        st.st_ctime = self.ctime.sec;
        st.st_ctime_nsec = self.ctime.nsec;
        st
    }

    /// simple_setattr.
    fn apply(&mut self, a: &SetAttr) {
        if let Some(m) = a.mode {
            self.mode = (self.mode & S_IFMT) | (m & 0o7777);
        }
        if let Some(u) = a.uid {
            self.uid = u;
        }
        if let Some(g) = a.gid {
            self.gid = g;
        }
        if let Some(s) = a.size {
            self.size = s.min(i64::MAX as u64) as i64;
            self.mtime = Time::now();
        }
        if let Some(t) = a.atime {
            self.atime = t;
        }
        if let Some(t) = a.mtime {
            self.mtime = t;
        }
        self.ctime = Time::now();
    }
}

/// The instance of the sandbox's IPC namespace.
pub struct MqueueFs {
    pub dir: Arc<MqDir>,
    /// The internal mount's root: what the mq_* syscalls resolve names in.
    pub root: Arc<Dentry>,
}

static INSTANCE: LazyLock<MqueueFs> = LazyLock::new(|| {
    let sb = Arc::new(Super {
        dev: crate::fs::synth::anon_dev(),
        next_ino: AtomicU64::new(1),
        queues: AtomicU64::new(0),
        charged: Mutex::new(HashMap::new()),
    });
    let dir = Arc::new(MqDir {
        ino: sb.ino(),
        meta: Mutex::new(Meta::new(S_IFDIR | 0o1777, (0, 0), 2, 2 * DIRENT_SIZE)),
        sb,
        entries: Mutex::new(BTreeMap::new()),
    });
    let root = Dentry::new_root(dir.clone());
    MqueueFs { dir, root }
});

/// The sandbox's message queue file system (one per sentry: one sandbox,
/// one IPC namespace).
pub fn instance() -> &'static MqueueFs {
    &INSTANCE
}

/// A name as mq_open/mq_unlink take it (`lookup_one_len`): one component,
/// not `.` or `..` (EACCES), at most NAME_MAX bytes.
pub fn check_name(name: &[u8]) -> Result<(), Errno> {
    if name.is_empty() || name == b"." || name == b".." || name.contains(&b'/') {
        return Err(Errno::EACCES);
    }
    if name.len() > crate::vfs::NAME_MAX {
        return Err(Errno::ENAMETOOLONG);
    }
    Ok(())
}

/// The directory of queues.
pub struct MqDir {
    sb: Arc<Super>,
    ino: u64,
    meta: Mutex<Meta>,
    entries: Mutex<BTreeMap<Vec<u8>, Arc<Queue>>>,
}

impl MqDir {
    /// mq_open: the queue `name` (checked by [`check_name`]), created
    /// when missing and `create` says how (permission bits after the
    /// umask, owner, attributes). Linux's order of checks.
    pub fn open(
        &self,
        name: &[u8],
        oflag: u32,
        create: Option<(u32, (u32, u32), Option<Attr>)>,
        creds: &Creds,
        who: &Creator,
    ) -> Result<Arc<Queue>, Errno> {
        use syscalls::consts::{O_CREAT, O_EXCL};
        let mut e = lock(&self.entries);
        if let Some(q) = e.get(name) {
            if oflag & (O_CREAT | O_EXCL) == O_CREAT | O_EXCL {
                return Err(Errno::EEXIST);
            }
            let mask = match oflag & O_ACCMODE {
                0 => MAY_READ,
                1 => MAY_WRITE,
                2 => MAY_READ | MAY_WRITE,
                _ => return Err(Errno::EINVAL),
            };
            check_access(&**q, creds, mask, Ids::Fs)?;
            return Ok(q.clone());
        }
        let Some((perm, owner, attr)) = create.filter(|_| oflag & O_CREAT != 0) else {
            return Err(Errno::ENOENT);
        };
        check_access(self, creds, MAY_WRITE | MAY_EXEC, Ids::Fs)?;
        let q = self.create_locked(&mut e, name, perm, owner, attr, who)?;
        Ok(q)
    }

    fn create_locked(
        &self,
        e: &mut BTreeMap<Vec<u8>, Arc<Queue>>,
        name: &[u8],
        perm: u32,
        owner: (u32, u32),
        attr: Option<Attr>,
        who: &Creator,
    ) -> Result<Arc<Queue>, Errno> {
        if e.contains_key(name) {
            return Err(Errno::EEXIST);
        }
        let queues_max = sysctl("fs.mqueue.queues_max", 256).max(0) as u64;
        if self.sb.queues.load(Ordering::Relaxed) >= queues_max && !who.privileged {
            return Err(Errno::ENOSPC);
        }
        let (msg_max, msgsize_max) = (
            sysctl("fs.mqueue.msg_max", 10),
            sysctl("fs.mqueue.msgsize_max", 8192),
        );
        let a = attr.unwrap_or(Attr {
            maxmsg: msg_max.min(sysctl("fs.mqueue.msg_default", 10)),
            msgsize: msgsize_max.min(sysctl("fs.mqueue.msgsize_default", 8192)),
        });
        if a.maxmsg <= 0 || a.msgsize <= 0 {
            return Err(Errno::EINVAL);
        }
        let (mm, ms) = if who.privileged {
            (HARD_MSGMAX, HARD_MSGSIZEMAX)
        } else {
            (msg_max, msgsize_max)
        };
        if a.maxmsg > mm || a.msgsize > ms {
            return Err(Errno::EINVAL);
        }
        // Both are bounded above, so the cost cannot overflow.
        let n = a.maxmsg as u64;
        let bytes = n * a.msgsize as u64 + n * MSG_COST + n.min(MQ_PRIO_MAX as u64) * NODE_COST;
        {
            let mut c = lock(&self.sb.charged);
            let cur = c.get(&who.ruid).copied().unwrap_or(0);
            let new = cur.saturating_add(bytes);
            if new == u64::MAX || new > who.limit {
                return Err(Errno::EMFILE);
            }
            c.insert(who.ruid, new);
        }
        self.sb.queues.fetch_add(1, Ordering::Relaxed);
        let q = Arc::new(Queue {
            ino: self.sb.ino(),
            meta: Mutex::new(Meta::new(S_IFREG | (perm & 0o7777), owner, 1, FILENT_SIZE)),
            charge: (who.ruid, bytes),
            sb: self.sb.clone(),
            st: Mutex::new(State {
                maxmsg: a.maxmsg,
                msgsize: a.msgsize,
                ..State::default()
            }),
            wq: WaitQueue::default(),
        });
        e.insert(name.to_vec(), q.clone());
        let mut m = lock(&self.meta);
        m.size += DIRENT_SIZE;
        let now = Time::now();
        (m.mtime, m.ctime, m.atime) = (now, now, now);
        Ok(q)
    }

    /// Take `name` out of the directory (its queue lives on while open).
    pub fn remove(&self, name: &[u8]) -> Result<Arc<Queue>, Errno> {
        let q = lock(&self.entries).remove(name).ok_or(Errno::ENOENT)?;
        lock(&q.meta).nlink = 0;
        let mut m = lock(&self.meta);
        m.size -= DIRENT_SIZE;
        let now = Time::now();
        (m.mtime, m.ctime, m.atime) = (now, now, now);
        Ok(q)
    }

    /// The queue `name`.
    pub fn get(&self, name: &[u8]) -> Result<Arc<Queue>, Errno> {
        lock(&self.entries).get(name).cloned().ok_or(Errno::ENOENT)
    }
}

impl Inode for MqDir {
    fn stat(&self) -> Result<Stat, Errno> {
        Ok(lock(&self.meta).stat(&self.sb, self.ino))
    }
    fn mode(&self) -> u32 {
        lock(&self.meta).mode
    }
    fn owner(&self) -> (u32, u32) {
        let m = lock(&self.meta);
        (m.uid, m.gid)
    }
    fn lookup(&self, name: &[u8]) -> Result<Arc<dyn Inode>, Errno> {
        Ok(self.get(name)?)
    }
    fn list(&self) -> Result<Vec<DirEntry>, Errno> {
        Ok(lock(&self.entries)
            .iter()
            .map(|(name, q)| DirEntry {
                ino: q.ino,
                d_type: DT_REG,
                name: name.clone(),
            })
            .collect())
    }
    fn open(&self, _dentry: &Arc<Dentry>, _flags: u32) -> Result<Box<dyn FileOps>, Errno> {
        Err(Errno::EISDIR)
    }
    fn statfs(&self) -> Result<Statfs, Errno> {
        Ok(self.sb.statfs())
    }
    fn readonly(&self) -> bool {
        false
    }
    /// open(O_CREAT) and mknod of a regular file make a queue with the
    /// default attributes; nothing else can be made here (EPERM).
    fn mknod(
        &self,
        name: &[u8],
        mode: u32,
        _rdev: u64,
        owner: (u32, u32),
    ) -> Result<Arc<dyn Inode>, Errno> {
        if mode & S_IFMT != S_IFREG {
            return Err(Errno::EPERM);
        }
        let mut e = lock(&self.entries);
        let q = self.create_locked(&mut e, name, mode, owner, None, &Creator::current())?;
        Ok(q)
    }
    fn unlink(&self, name: &[u8], _dir: bool) -> Result<(), Errno> {
        self.remove(name).map(drop)
    }
    fn setattr(&self, attr: &SetAttr) -> Result<(), Errno> {
        let mut a = *attr;
        a.size = None;
        lock(&self.meta).apply(&a);
        Ok(())
    }
    /// Queues come and go through the mq_* syscalls, which do not see the
    /// dentry trees of the mounts: never cache lookups.
    fn dynamic(&self) -> bool {
        true
    }
}

/// A registered notification (mq_notify).
#[derive(Clone, Copy, Debug)]
pub struct Notify {
    /// The registering process.
    pub tgid: i32,
    /// SIGEV_SIGNAL or SIGEV_NONE.
    pub how: i32,
    pub signo: i32,
    pub value: u64,
}

/// Who sends (for the notification's si_pid and si_uid).
#[derive(Clone, Copy, Debug)]
pub struct Sender {
    pub tgid: i32,
    pub ruid: u32,
}

type Msg = (u32, Vec<u8>);

#[derive(Default)]
struct State {
    maxmsg: i64,
    msgsize: i64,
    curmsgs: i64,
    /// By priority, each FIFO.
    msgs: BTreeMap<u32, VecDeque<Vec<u8>>>,
    /// Bytes of message text held (QSIZE).
    qsize: u64,
    next_waiter: u64,
    /// Blocked receivers in arrival order, and messages handed to them.
    receivers: VecDeque<u64>,
    handed: HashMap<u64, Msg>,
    /// Blocked senders with their messages, and those whose message went in.
    senders: VecDeque<(u64, Msg)>,
    taken: HashSet<u64>,
    notify: Option<Notify>,
}

impl State {
    fn insert(&mut self, (prio, data): Msg) {
        self.qsize += data.len() as u64;
        self.curmsgs += 1;
        self.msgs.entry(prio).or_default().push_back(data);
    }

    fn take(&mut self) -> Option<Msg> {
        let mut e = self.msgs.last_entry()?;
        let prio = *e.key();
        let data = e.get_mut().pop_front()?;
        if e.get().is_empty() {
            e.remove();
        }
        self.qsize -= data.len() as u64;
        self.curmsgs -= 1;
        Some((prio, data))
    }

    fn waiter(&mut self) -> u64 {
        self.next_waiter += 1;
        self.next_waiter
    }

    /// The registration, unless its process is gone (Linux removes it
    /// when the owner closes the queue, which its exit does).
    fn live_notify(&mut self) -> Option<Notify> {
        let n = self.notify?;
        let alive =
            crate::kernel::wait::current_kernel().is_none_or(|k| k.tasks.group(n.tgid).is_some());
        if !alive {
            self.notify = None;
        }
        self.notify
    }
}

/// One message queue.
pub struct Queue {
    sb: Arc<Super>,
    ino: u64,
    meta: Mutex<Meta>,
    /// (real uid, bytes) charged to RLIMIT_MSGQUEUE.
    charge: (u32, u64),
    st: Mutex<State>,
    /// Pollers and blocked senders and receivers.
    wq: WaitQueue,
}

impl Drop for Queue {
    fn drop(&mut self) {
        self.sb.queues.fetch_sub(1, Ordering::Relaxed);
        let mut c = lock(&self.sb.charged);
        if let Some(v) = c.get_mut(&self.charge.0) {
            *v = v.saturating_sub(self.charge.1);
            if *v == 0 {
                c.remove(&self.charge.0);
            }
        }
    }
}

impl Queue {
    fn touch(&self) {
        let now = Time::now();
        let mut m = lock(&self.meta);
        (m.atime, m.mtime, m.ctime) = (now, now, now);
    }

    fn touch_ac(&self) {
        let now = Time::now();
        let mut m = lock(&self.meta);
        (m.atime, m.ctime) = (now, now);
    }

    /// mq_maxmsg, mq_msgsize, mq_curmsgs.
    pub fn attr(&self) -> (i64, i64, i64) {
        let s = lock(&self.st);
        (s.maxmsg, s.msgsize, s.curmsgs)
    }

    /// mq_getsetattr changed the description's flags.
    pub fn attr_changed(&self) {
        self.touch_ac();
    }

    /// mq_timedsend of a message already checked against mq_msgsize.
    pub fn send(
        &self,
        msg: Msg,
        nonblock: bool,
        deadline: Option<Instant>,
        from: Sender,
    ) -> Result<(), Errno> {
        let mut s = lock(&self.st);
        if s.curmsgs >= s.maxmsg {
            if nonblock {
                return Err(Errno::EAGAIN);
            }
            let id = s.waiter();
            s.senders.push_back((id, msg));
            drop(s);
            let r = block_on(&[&self.wq], deadline, || {
                lock(&self.st).taken.remove(&id).then_some(())
            });
            if let Err(e) = r {
                let mut s = lock(&self.st);
                if !s.taken.remove(&id) {
                    s.senders.retain(|(w, _)| *w != id);
                    return Err(e.restartsys());
                }
            }
            return Ok(());
        }
        let mut signal = None;
        if let Some(r) = s.receivers.pop_front() {
            s.handed.insert(r, msg);
        } else {
            s.insert(msg);
            if s.curmsgs == 1 {
                if let Some(n) = s.live_notify() {
                    s.notify = None;
                    if n.how != SIGEV_NONE && n.signo != 0 {
                        signal = Some(n);
                    }
                }
            }
        }
        drop(s);
        self.touch();
        self.wq.notify_all();
        if let Some(n) = signal {
            if let Some(k) = crate::kernel::wait::current_kernel() {
                let info = Siginfo::rt(n.signo, SI_MESGQ, from.tgid, from.ruid, n.value);
                crate::kernel::signal::send_to_process(&k, n.tgid, n.signo, info);
            }
        }
        Ok(())
    }

    /// mq_timedreceive: the oldest message of the highest priority.
    pub fn receive(&self, nonblock: bool, deadline: Option<Instant>) -> Result<Msg, Errno> {
        let mut s = lock(&self.st);
        let msg = match s.take() {
            Some(m) => {
                if let Some((id, m)) = s.senders.pop_front() {
                    s.insert(m);
                    s.taken.insert(id);
                }
                m
            }
            None if nonblock => return Err(Errno::EAGAIN),
            None => {
                let id = s.waiter();
                s.receivers.push_back(id);
                drop(s);
                let r = block_on(&[&self.wq], deadline, || lock(&self.st).handed.remove(&id));
                match r {
                    Ok(m) => m,
                    Err(e) => {
                        let mut s = lock(&self.st);
                        match s.handed.remove(&id) {
                            Some(m) => m,
                            None => {
                                s.receivers.retain(|w| *w != id);
                                return Err(e.restartsys());
                            }
                        }
                    }
                }
            }
        };
        self.touch();
        self.wq.notify_all();
        Ok(msg)
    }

    /// mq_notify: register `n` (EBUSY if another process is registered) or,
    /// with None, drop the caller's registration.
    pub fn set_notify(&self, tgid: i32, n: Option<Notify>) -> Result<(), Errno> {
        let mut s = lock(&self.st);
        let cur = s.live_notify();
        match n {
            None => {
                if cur.is_some_and(|c| c.tgid == tgid) {
                    s.notify = None;
                    drop(s);
                    self.touch_ac();
                }
                Ok(())
            }
            Some(_) if cur.is_some() => Err(Errno::EBUSY),
            Some(n) => {
                s.notify = Some(n);
                drop(s);
                self.touch_ac();
                Ok(())
            }
        }
    }

    /// The line a read of the queue file gives.
    fn status_line(&self) -> String {
        let mut s = lock(&self.st);
        let n = s.live_notify();
        format!(
            "QSIZE:{:<10} NOTIFY:{:<5} SIGNO:{:<5} NOTIFY_PID:{:<6}\n",
            s.qsize,
            n.map_or(0, |n| n.how),
            n.filter(|n| n.how == syscalls::consts::SIGEV_SIGNAL)
                .map_or(0, |n| n.signo),
            n.map_or(0, |n| n.tgid),
        )
    }
}

impl Inode for Queue {
    fn stat(&self) -> Result<Stat, Errno> {
        Ok(lock(&self.meta).stat(&self.sb, self.ino))
    }
    fn mode(&self) -> u32 {
        lock(&self.meta).mode
    }
    fn owner(&self) -> (u32, u32) {
        let m = lock(&self.meta);
        (m.uid, m.gid)
    }
    fn open(&self, dentry: &Arc<Dentry>, _flags: u32) -> Result<Box<dyn FileOps>, Errno> {
        let queue = queue_of(dentry.inode()).ok_or(Errno::ENXIO)?;
        Ok(Box::new(MqFile { queue }))
    }
    fn statfs(&self) -> Result<Statfs, Errno> {
        Ok(self.sb.statfs())
    }
    fn readonly(&self) -> bool {
        false
    }
    fn setattr(&self, attr: &SetAttr) -> Result<(), Errno> {
        lock(&self.meta).apply(attr);
        Ok(())
    }
    fn as_any(self: Arc<Self>) -> Option<Arc<dyn std::any::Any + Send + Sync>> {
        Some(self)
    }
}

/// The queue behind an inode of this file system.
fn queue_of(inode: Arc<dyn Inode>) -> Option<Arc<Queue>> {
    inode.as_any()?.downcast::<Queue>().ok()
}

/// An open queue (mq_open, or open(2) of a file of a mounted instance).
pub struct MqFile {
    pub queue: Arc<Queue>,
}

impl MqFile {
    /// The open description of the queue at `dentry` (`flags`: the open's
    /// access mode and status flags).
    pub fn open(dentry: Arc<Dentry>, flags: u32) -> Result<Arc<File>, Errno> {
        let queue = queue_of(dentry.inode()).ok_or(Errno::EINVAL)?;
        Ok(File::new(Box::new(MqFile { queue }), flags, Some(dentry)))
    }

    /// The queue of an open file, if it is one (EBADF otherwise, as the
    /// mq_* calls answer).
    pub fn of(f: &File) -> Result<&Arc<Queue>, Errno> {
        f.ops
            .as_any()
            .and_then(|a| a.downcast_ref::<MqFile>())
            .map(|m| &m.queue)
            .ok_or(Errno::EBADF)
    }
}

impl FileOps for MqFile {
    fn read(&self, _file: &File, buf: &mut [u8], off: u64) -> Result<usize, Errno> {
        let line = self.queue.status_line();
        let start = usize::try_from(off).unwrap_or(usize::MAX).min(line.len());
        let n = buf.len().min(line.len() - start);
        buf[..n].copy_from_slice(&line.as_bytes()[start..start + n]);
        if n > 0 {
            self.queue.touch_ac();
        }
        Ok(n)
    }
    fn seekable(&self) -> bool {
        true
    }
    fn stat(&self) -> Result<Stat, Errno> {
        self.queue.stat()
    }
    fn statfs(&self, _file: &File) -> Result<Statfs, Errno> {
        Ok(self.queue.sb.statfs())
    }
    /// No fsync operation in Linux's mqueue files.
    fn fsync(&self, _file: &File, _datasync: bool) -> Result<(), Errno> {
        Err(Errno::EINVAL)
    }
    /// mqueue_poll_file: readable with messages, writable with room.
    fn poll(&self, _file: &File, _events: u32) -> (u32, Option<&WaitQueue>) {
        let (max, _, cur) = self.queue.attr();
        let mut mask = 0;
        if cur > 0 {
            mask |= POLLIN | POLLRDNORM;
        }
        if cur < max {
            mask |= POLLOUT | POLLWRNORM;
        }
        (mask, Some(&self.queue.wq))
    }
    /// mqueue_flush_file: the registering process closing any descriptor
    /// of the queue drops its notification.
    fn flush(&self, _file: &File) {
        if let Some(t) = crate::kernel::wait::current() {
            let _ = self.queue.set_notify(t.tgid, None);
        }
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> Creds {
        Creds::default()
    }

    #[test]
    fn priority_order_and_fifo() {
        let mq = instance();
        let who = Creator::current();
        let q = mq
            .dir
            .open(
                b"unit_prio",
                0o102,
                Some((0o600, (0, 0), None)),
                &root(),
                &who,
            )
            .unwrap();
        let from = Sender { tgid: 1, ruid: 0 };
        for (p, d) in [(1, "a"), (5, "b"), (1, "c"), (5, "d")] {
            q.send((p, d.into()), true, None, from).unwrap();
        }
        let got: Vec<Msg> = (0..4).map(|_| q.receive(true, None).unwrap()).collect();
        let want: Vec<Msg> = vec![
            (5, b"b".to_vec()),
            (5, b"d".to_vec()),
            (1, b"a".to_vec()),
            (1, b"c".to_vec()),
        ];
        assert_eq!(got, want);
        assert_eq!(q.receive(true, None), Err(Errno::EAGAIN));
        assert!(q.status_line().starts_with("QSIZE:0          NOTIFY:0"));
        mq.dir.remove(b"unit_prio").unwrap();
    }

    #[test]
    fn limits_and_charges() {
        let mq = instance();
        let who = Creator {
            ruid: 4242,
            limit: 819_200,
            privileged: false,
        };
        let bad = Attr {
            maxmsg: 0,
            msgsize: 1,
        };
        let c = |name: &[u8], attr| {
            mq.dir
                .open(name, 0o102, Some((0o600, (1, 1), attr)), &root(), &who)
        };
        assert_eq!(c(b"unit_bad", Some(bad)).err(), Some(Errno::EINVAL));
        // Nine default queues fit in 819200 bytes, the tenth does not.
        let names: Vec<Vec<u8>> = (0..10).map(|i| format!("unit_q{i}").into_bytes()).collect();
        for n in &names[..9] {
            c(n, None).unwrap();
        }
        assert_eq!(c(&names[9], None).err(), Some(Errno::EMFILE));
        mq.dir.remove(&names[0]).unwrap();
        c(&names[9], None).unwrap();
        for n in &names[1..] {
            mq.dir.remove(n).unwrap();
        }
        assert!(!lock(&mq.dir.sb.charged).contains_key(&4242));
    }
}
