//! The gofer server: serves the tree under a root directory fd on a set of channels.
//!
//! One thread per channel; all threads share one handle table mapping handle ids to nodes. A
//! node holds an `O_PATH | O_NOFOLLOW` fd of the file, its device and inode numbers, and where
//! it was found (parent node and name). Every host call goes through a node fd and a single
//! validated name component; see the crate docs for the resulting guarantees.
//!
//! Reopening a node (for `Open`, truncation, fsync...): a directory is reopened as `.` relative
//! to its own fd, so it works wherever the directory has moved. Any other file is reopened by
//! its name in its parent, non-blocking and without following links, and the result must have
//! the node's device and inode numbers, else `ESTALE`. Renames made through the server update
//! the recorded names.

use std::collections::{HashMap, VecDeque};
use std::ffi::{CStr, CString};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use nix::fcntl::{AtFlags, FcntlArg, OFlag, RenameFlags};
use nix::sys::stat::{Mode, SFlag};
use nix::unistd::{Gid, Uid, UnlinkatFlags, Whence};
use syscalls::Errno;
use tracing::{debug, warn};

use crate::protocol::{
    encode_error, encode_response, Attr, Decoder, Dirent, Handle, Reply, Request, SetAttr, Statfs,
    TimeSet, FLAG_ERROR, HEADER_LEN, MAX_MESSAGE, MAX_SYMLINK_LEN,
};
use crate::sys::{self, nix_errno, SysResult};
use crate::{transport, GoferError};

/// Server settings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ServerOptions {
    /// Refuse every change with `EROFS` (including opens for writing or with `O_TRUNC`).
    pub readonly: bool,
}

const S_IFMT: u32 = libc::S_IFMT;
const S_IFDIR: u32 = libc::S_IFDIR;
const S_IFREG: u32 = libc::S_IFREG;
const S_IFLNK: u32 = libc::S_IFLNK;
const S_IFIFO: u32 = libc::S_IFIFO;
const S_IFSOCK: u32 = libc::S_IFSOCK;
const S_IFCHR: u32 = libc::S_IFCHR;
const S_IFBLK: u32 = libc::S_IFBLK;

/// The kernel's `O_LARGEFILE` (the libc constant is 0 on x86_64).
const O_LARGEFILE_KERNEL: i32 = 0o100000;
/// Open flags a client may pass.
const OPEN_FLAGS: i32 = libc::O_ACCMODE
    | libc::O_APPEND
    | libc::O_NONBLOCK
    | libc::O_DSYNC
    | libc::O_SYNC
    | libc::O_DIRECT
    | libc::O_NOATIME
    | libc::O_TRUNC
    | libc::O_DIRECTORY
    | O_LARGEFILE_KERNEL
    | libc::O_CLOEXEC
    | libc::O_NOFOLLOW
    | libc::O_NOCTTY
    | libc::O_CREAT
    | libc::O_EXCL;
/// Status flags `F_SETFL` can change; the rest must be right at open time.
const SETFL_FLAGS: i32 = libc::O_APPEND | libc::O_NONBLOCK | libc::O_DIRECT | libc::O_NOATIME;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Where a node was found: its parent and its name there.
#[derive(Clone)]
struct Loc {
    parent: Arc<Node>,
    name: CString,
}

/// An open directory listing, kept between `Getdents` calls so that reading on from where the
/// last call stopped needs no seek.
struct DirStream {
    fd: OwnedFd,
    /// Cookie of the position the next entry (in `pending`, or read next) starts at.
    pos: u64,
    /// Entries read from the host but not returned yet.
    pending: VecDeque<Dirent>,
}

struct Node {
    /// `O_PATH | O_NOFOLLOW`.
    fd: OwnedFd,
    dev: u64,
    ino: u64,
    /// `S_IFMT` bits.
    kind: u32,
    /// `None` for the root.
    loc: Mutex<Option<Loc>>,
    dir: Mutex<Option<DirStream>>,
}

impl Node {
    fn new(fd: OwnedFd, loc: Option<Loc>) -> SysResult<(Arc<Node>, Attr)> {
        let attr = sys::statx(fd.as_fd(), c"")?;
        let node = Node {
            fd,
            dev: attr.dev,
            ino: attr.ino,
            kind: attr.file_type(),
            loc: Mutex::new(loc),
            dir: Mutex::new(None),
        };
        Ok((Arc::new(node), attr))
    }

    fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    fn same_file(&self, a: &Attr) -> bool {
        self.dev == a.dev && self.ino == a.ino
    }
}

/// Allows a burst of log lines per second and counts what it drops.
struct LogLimiter {
    state: Mutex<(Instant, u32, u64)>,
}

impl LogLimiter {
    const PER_SECOND: u32 = 10;

    fn new() -> Self {
        LogLimiter {
            state: Mutex::new((Instant::now(), 0, 0)),
        }
    }

    /// `Some(dropped since the last line)` if a line may be logged now.
    fn allow(&self) -> Option<u64> {
        let mut s = lock(&self.state);
        let now = Instant::now();
        if now.duration_since(s.0) >= Duration::from_secs(1) {
            let dropped = s.2;
            *s = (now, 1, 0);
            return Some(dropped);
        }
        if s.1 < Self::PER_SECOND {
            s.1 += 1;
            Some(0)
        } else {
            s.2 += 1;
            None
        }
    }
}

fn check_name(name: &[u8]) -> SysResult<CString> {
    crate::protocol::check_name(name)?;
    CString::new(name).map_err(|_| Errno::EINVAL)
}

fn owner(uid: u32, gid: u32) -> (Option<Uid>, Option<Gid>) {
    (
        (uid != u32::MAX).then(|| Uid::from_raw(uid)),
        (gid != u32::MAX).then(|| Gid::from_raw(gid)),
    )
}

/// Serves `root` (an `O_PATH` or `O_DIRECTORY` fd of a directory) on `channels`, one thread per
/// channel, until every peer has closed its end.
pub fn serve(root: OwnedFd, channels: Vec<OwnedFd>, opts: ServerOptions) -> Result<(), GoferError> {
    let attr = sys::statx(root.as_fd(), c"").map_err(GoferError::sys("stat root"))?;
    if attr.file_type() != S_IFDIR {
        return Err(GoferError::RootNotDirectory);
    }
    let fd = sys::open_beneath(root.as_fd(), c".", libc::O_PATH | libc::O_DIRECTORY, 0)
        .map_err(GoferError::sys("open root"))?;
    drop(root);
    let (root, _) = Node::new(fd, None).map_err(GoferError::sys("stat root"))?;
    let server = Arc::new(Server {
        nodes: Mutex::new(HashMap::new()),
        next_id: AtomicU64::new(1),
        root,
        readonly: opts.readonly,
        limiter: LogLimiter::new(),
    });
    let mut threads = Vec::with_capacity(channels.len());
    for (i, ch) in channels.into_iter().enumerate() {
        let server = Arc::clone(&server);
        let t = std::thread::Builder::new()
            .name(format!("gofer-{i}"))
            .spawn(move || server.serve_channel(ch))
            .map_err(GoferError::Spawn)?;
        threads.push(t);
    }
    let mut result = Ok(());
    for t in threads {
        if t.join().is_err() {
            result = Err(GoferError::ThreadPanicked);
        }
    }
    result
}

struct Server {
    nodes: Mutex<HashMap<u64, Arc<Node>>>,
    next_id: AtomicU64,
    root: Arc<Node>,
    readonly: bool,
    limiter: LogLimiter,
}

/// A reply and the fd that goes with it.
type Answer = (Reply, Option<OwnedFd>);

impl Server {
    fn serve_channel(&self, ch: OwnedFd) {
        let mut buf = vec![0u8; MAX_MESSAGE];
        loop {
            let r = match transport::recv(ch.as_fd(), &mut buf) {
                Ok(r) => r,
                Err(e) => {
                    if e != Errno::ECONNRESET {
                        warn!(errno = %e, "gofer: receive failed; closing channel");
                    }
                    return;
                }
            };
            if r.is_empty() && transport::peer_closed(ch.as_fd()) {
                debug!("gofer: channel closed by peer");
                return;
            }
            let msg = &buf[..r.len];
            let (bytes, fd) = if r.truncated || r.ctrunc || !r.fds.is_empty() {
                self.malformed(&"oversized message or unexpected fds");
                (encode_error(raw_op(msg), Errno::EINVAL), None)
            } else {
                self.dispatch(msg)
            };
            drop(r.fds);
            let fds: Vec<BorrowedFd<'_>> = fd.iter().map(|f| f.as_fd()).collect();
            if let Err(e) = transport::send(ch.as_fd(), &bytes, &fds) {
                if e != Errno::EPIPE && e != Errno::ECONNRESET {
                    warn!(errno = %e, "gofer: send failed; closing channel");
                }
                return;
            }
        }
    }

    fn malformed(&self, what: &dyn std::fmt::Display) {
        if let Some(dropped) = self.limiter.allow() {
            warn!(error = %what, dropped, "gofer: malformed request");
        }
    }

    fn dispatch(&self, msg: &[u8]) -> (Vec<u8>, Option<OwnedFd>) {
        let req = match Request::decode(msg) {
            Ok(req) => req,
            Err(e) => {
                self.malformed(&e);
                return (encode_error(raw_op(msg), Errno::EINVAL), None);
            }
        };
        let op = req.op();
        match self.handle(req) {
            Ok((reply, fd)) if reply.fits(op) && fd.is_some() == (op.reply_fds() == 1) => {
                let bytes = encode_response(op, &Ok(reply));
                // A reply that could not be encoded became an error: its fd must not go along.
                let failed = bytes.get(2..4) == Some(&FLAG_ERROR.to_le_bytes()[..]);
                (bytes, if failed { None } else { fd })
            }
            Ok(_) => (encode_response(op, &Err(Errno::EIO)), None),
            Err(errno) => (encode_response(op, &Err(errno)), None),
        }
    }

    fn handle(&self, req: Request<'_>) -> SysResult<Answer> {
        let plain = |r: SysResult<Reply>| r.map(|reply| (reply, None));
        match req {
            Request::Attach => {
                let root = Arc::clone(&self.root);
                let attr = sys::statx(root.fd(), c"")?;
                plain(Ok(Reply::Node(self.insert(root), attr)))
            }
            Request::Walk { dir, names } => plain(self.walk(dir, &names)),
            Request::Stat { handle } => {
                plain(Ok(Reply::Attr(sys::statx(self.get(handle)?.fd(), c"")?)))
            }
            Request::Open { handle, flags } => self.open(handle, flags),
            Request::Readlink { handle } => plain(self.readlink(handle)),
            Request::Getdents { dir, cookie, max } => plain(self.getdents(dir, cookie, max)),
            Request::Statfs { handle } => plain(self.statfs(handle)),
            Request::Release { handles } => {
                let mut nodes = lock(&self.nodes);
                for h in handles {
                    nodes.remove(&h.0);
                }
                plain(Ok(Reply::Empty))
            }
            Request::Create {
                dir,
                name,
                flags,
                mode,
                uid,
                gid,
            } => self.create(dir, name, flags, mode, (uid, gid)),
            Request::Mkdir {
                dir,
                name,
                mode,
                uid,
                gid,
            } => plain(self.mkdir(dir, name, mode, (uid, gid))),
            Request::Symlink {
                dir,
                name,
                target,
                uid,
                gid,
            } => plain(self.symlink(dir, name, target, (uid, gid))),
            Request::Link { dir, name, target } => plain(self.link(dir, name, target)),
            Request::Mknod {
                dir,
                name,
                mode,
                uid,
                gid,
            } => plain(self.mknod(dir, name, mode, (uid, gid))),
            Request::Unlink { dir, name, flags } => plain(self.unlink(dir, name, flags)),
            Request::Rename {
                old_dir,
                old_name,
                new_dir,
                new_name,
                flags,
            } => plain(self.rename(old_dir, old_name, new_dir, new_name, flags)),
            Request::SetAttr { handle, attr } => plain(self.setattr(handle, attr)),
            Request::Fsync { handle } => plain(self.fsync(handle)),
            Request::GetXattr { handle, name } => plain(self.getxattr(handle, name)),
            Request::SetXattr {
                handle,
                name,
                value,
                flags,
            } => plain(self.setxattr(handle, name, value, flags)),
            Request::ListXattr { handle } => plain(self.listxattr(handle)),
            Request::RemoveXattr { handle, name } => plain(self.removexattr(handle, name)),
        }
    }

    // ---- handle table ----

    fn insert(&self, node: Arc<Node>) -> Handle {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        lock(&self.nodes).insert(id, node);
        Handle(id)
    }

    fn get(&self, h: Handle) -> SysResult<Arc<Node>> {
        lock(&self.nodes).get(&h.0).cloned().ok_or(Errno::EBADF)
    }

    fn get_dir(&self, h: Handle) -> SysResult<Arc<Node>> {
        let node = self.get(h)?;
        if node.kind != S_IFDIR {
            return Err(Errno::ENOTDIR);
        }
        Ok(node)
    }

    fn writable(&self) -> SysResult<()> {
        if self.readonly {
            Err(Errno::EROFS)
        } else {
            Ok(())
        }
    }

    /// Takes a node for `name` in `dir` (not following a symlink).
    fn child(&self, dir: &Arc<Node>, name: CString) -> SysResult<(Arc<Node>, Attr)> {
        let fd = sys::open_beneath(dir.fd(), &name, libc::O_PATH, 0)?;
        Node::new(
            fd,
            Some(Loc {
                parent: Arc::clone(dir),
                name,
            }),
        )
    }

    /// A new fd of `node` opened with `flags` (see the module docs).
    fn reopen(&self, node: &Node, flags: i32) -> SysResult<OwnedFd> {
        if node.kind == S_IFDIR {
            return sys::open_beneath(node.fd(), c".", flags | libc::O_DIRECTORY, 0);
        }
        let loc = lock(&node.loc).clone().ok_or(Errno::ESTALE)?;
        let fd = sys::open_beneath(loc.parent.fd(), &loc.name, flags | libc::O_NONBLOCK, 0)
            .map_err(|e| match e {
                Errno::ENOENT | Errno::ELOOP | Errno::ENOTDIR => Errno::ESTALE,
                e => e,
            })?;
        if !node.same_file(&sys::statx(fd.as_fd(), c"")?) {
            return Err(Errno::ESTALE);
        }
        if flags & libc::O_NONBLOCK == 0 {
            let fl = OFlag::from_bits_retain(flags & SETFL_FLAGS);
            nix::fcntl::fcntl(fd.as_raw_fd(), FcntlArg::F_SETFL(fl)).map_err(nix_errno)?;
        }
        Ok(fd)
    }

    // ---- reads ----

    fn walk(&self, dir: Handle, names: &[&[u8]]) -> SysResult<Reply> {
        let mut cur = self.get(dir)?;
        let names = names
            .iter()
            .map(|n| check_name(n))
            .collect::<SysResult<Vec<_>>>()?;
        let mut out = Vec::with_capacity(names.len());
        for (i, name) in names.into_iter().enumerate() {
            let step = if cur.kind == S_IFDIR {
                self.child(&cur, name)
            } else {
                Err(Errno::ENOTDIR)
            };
            match step {
                Ok((node, attr)) => {
                    out.push((self.insert(Arc::clone(&node)), attr));
                    if attr.is_symlink() {
                        break;
                    }
                    cur = node;
                }
                Err(e) if i == 0 => return Err(e),
                Err(_) => break,
            }
        }
        Ok(Reply::Nodes(out))
    }

    fn open(&self, h: Handle, flags: i32) -> SysResult<Answer> {
        let acc = flags & libc::O_ACCMODE;
        if flags & !OPEN_FLAGS != 0 || acc == libc::O_ACCMODE {
            return Err(Errno::EINVAL);
        }
        let writes = acc != libc::O_RDONLY || flags & (libc::O_TRUNC | libc::O_CREAT) != 0;
        let node = self.get(h)?;
        if flags & (libc::O_CREAT | libc::O_EXCL) == libc::O_CREAT | libc::O_EXCL {
            return Err(Errno::EEXIST);
        }
        if self.readonly && writes {
            return Err(Errno::EROFS);
        }
        let base = flags & !(libc::O_CREAT | libc::O_EXCL | libc::O_TRUNC);
        let fd = match node.kind {
            S_IFLNK => return Err(Errno::ELOOP),
            S_IFDIR if writes => return Err(Errno::EISDIR),
            S_IFDIR => self.reopen(&node, base)?,
            _ if flags & libc::O_DIRECTORY != 0 => return Err(Errno::ENOTDIR),
            S_IFCHR | S_IFBLK => return Err(Errno::EPERM),
            S_IFSOCK => return Err(Errno::ENXIO),
            S_IFIFO => self.reopen(&node, base | libc::O_NONBLOCK)?,
            S_IFREG => {
                let fd = self.reopen(&node, base)?;
                if flags & libc::O_TRUNC != 0 {
                    if acc == libc::O_RDONLY {
                        nix::unistd::ftruncate(self.reopen(&node, libc::O_WRONLY)?, 0)
                    } else {
                        nix::unistd::ftruncate(&fd, 0)
                    }
                    .map_err(nix_errno)?;
                }
                fd
            }
            _ => return Err(Errno::EPERM),
        };
        Ok((Reply::Empty, Some(fd)))
    }

    fn readlink(&self, h: Handle) -> SysResult<Reply> {
        let node = self.get(h)?;
        if node.kind != S_IFLNK {
            return Err(Errno::EINVAL);
        }
        let target = nix::fcntl::readlinkat(Some(node.fd().as_raw_fd()), c"").map_err(nix_errno)?;
        let target = std::os::unix::ffi::OsStringExt::into_vec(target);
        if target.len() > MAX_SYMLINK_LEN {
            return Err(Errno::ENAMETOOLONG);
        }
        Ok(Reply::Bytes(target))
    }

    fn getdents(&self, h: Handle, cookie: u64, max: u32) -> SysResult<Reply> {
        let node = self.get_dir(h)?;
        if max == 0 {
            return Err(Errno::EINVAL);
        }
        let mut guard = lock(&node.dir);
        let ds = match &mut *guard {
            Some(ds) => ds,
            none => {
                let fd = self.reopen(&node, libc::O_RDONLY)?;
                none.insert(DirStream {
                    fd,
                    pos: 0,
                    pending: VecDeque::new(),
                })
            }
        };
        if cookie != ds.pos || cookie == 0 {
            // Resume elsewhere (or restart, which also picks up changes).
            nix::unistd::lseek(ds.fd.as_raw_fd(), cookie as i64, Whence::SeekSet)
                .map_err(nix_errno)?;
            ds.pending.clear();
            ds.pos = cookie;
        }
        let budget = MAX_MESSAGE - HEADER_LEN - 4;
        let mut used = 0;
        let mut out = Vec::new();
        let mut buf = Vec::new();
        while out.len() < max as usize {
            let Some(mut entry) = ds.pending.pop_front() else {
                buf.resize(32 * 1024, 0);
                let n = sys::getdents64(ds.fd.as_fd(), &mut buf)?;
                if n == 0 {
                    break;
                }
                parse_dirents(&buf[..n], &mut ds.pending)?;
                continue;
            };
            if entry.name == b"." || entry.name == b".." {
                ds.pos = entry.next;
                continue;
            }
            if used + entry.wire_len() > budget {
                ds.pending.push_front(entry);
                break;
            }
            used += entry.wire_len();
            ds.pos = entry.next;
            if entry.d_type == libc::DT_UNKNOWN {
                let attr = CString::new(entry.name.clone())
                    .map_err(|_| Errno::EIO)
                    .and_then(|n| sys::statx(ds.fd.as_fd(), &n));
                if let Ok(a) = attr {
                    entry.d_type = (a.file_type() >> 12) as u8;
                }
            }
            out.push(entry);
        }
        Ok(Reply::Dirents(out))
    }

    fn statfs(&self, h: Handle) -> SysResult<Reply> {
        let node = self.get(h)?;
        let s = nix::sys::statfs::fstatfs(node.fd()).map_err(nix_errno)?;
        let v = nix::sys::statvfs::fstatvfs(node.fd()).map_err(nix_errno)?;
        Ok(Reply::Statfs(Statfs {
            fs_type: s.filesystem_type().0 as u64,
            bsize: v.block_size(),
            blocks: v.blocks(),
            bfree: v.blocks_free(),
            bavail: v.blocks_available(),
            files: v.files(),
            ffree: v.files_free(),
            fsid: v.filesystem_id(),
            namelen: v.name_max(),
            frsize: v.fragment_size(),
            flags: v.flags().bits(),
        }))
    }

    // ---- writes ----

    fn chown(&self, node: &Node, uid: u32, gid: u32) -> SysResult<()> {
        let (uid, gid) = owner(uid, gid);
        if uid.is_none() && gid.is_none() {
            return Ok(());
        }
        let flags = AtFlags::AT_EMPTY_PATH | AtFlags::AT_SYMLINK_NOFOLLOW;
        nix::unistd::fchownat(Some(node.fd().as_raw_fd()), c"", uid, gid, flags).map_err(nix_errno)
    }

    fn chmod(&self, node: &Node, mode: u32) -> SysResult<()> {
        if node.kind == S_IFLNK {
            return Err(Errno::EOPNOTSUPP);
        }
        match sys::fchmod_path_fd(node.fd(), mode & 0o7777) {
            Err(Errno::ENOSYS) if matches!(node.kind, S_IFREG | S_IFDIR) => {
                let fd = self.reopen(node, libc::O_RDONLY)?;
                nix::sys::stat::fchmod(fd.as_raw_fd(), Mode::from_bits_truncate(mode & 0o7777))
                    .map_err(nix_errno)
            }
            r => r,
        }
    }

    fn utimens(&self, node: &Node, atime: TimeSet, mtime: TimeSet) -> SysResult<()> {
        match sys::utimens_path_fd(node.fd(), atime, mtime) {
            Err(Errno::EINVAL | Errno::ENOSYS) if matches!(node.kind, S_IFREG | S_IFDIR) => {
                let fd = self.reopen(node, libc::O_RDONLY)?;
                sys::futimens(fd.as_fd(), atime, mtime)
            }
            r => r,
        }
    }

    /// Finishes a creation of `name` in `dir`: takes a node of the new file (which must have
    /// type `kind`, and `expect`'s inode if given), applies ownership and mode, and registers a
    /// handle. If that fails, the new entry is removed again.
    fn adopt(
        &self,
        dir: &Arc<Node>,
        name: CString,
        kind: u32,
        ids: (u32, u32),
        mode: Option<u32>,
        expect: Option<&Attr>,
    ) -> SysResult<(Handle, Attr)> {
        let (node, attr) = self.child(dir, name.clone())?;
        if attr.file_type() != kind || expect.is_some_and(|e| !node.same_file(e)) {
            // Replaced under us: not ours to remove.
            return Err(Errno::ESTALE);
        }
        let fixup = || -> SysResult<Attr> {
            self.chown(&node, ids.0, ids.1)?;
            let mut attr = sys::statx(node.fd(), c"")?;
            if let Some(mode) = mode {
                let inherited = if kind == S_IFDIR {
                    attr.mode & libc::S_ISGID
                } else {
                    0
                };
                let want = (mode & 0o7777) | inherited;
                if attr.mode & 0o7777 != want {
                    self.chmod(&node, want)?;
                    attr = sys::statx(node.fd(), c"")?;
                }
            }
            Ok(attr)
        };
        match fixup() {
            Ok(attr) => Ok((self.insert(node), attr)),
            Err(e) => {
                let flag = if kind == S_IFDIR {
                    UnlinkatFlags::RemoveDir
                } else {
                    UnlinkatFlags::NoRemoveDir
                };
                let _ = nix::unistd::unlinkat(Some(dir.fd().as_raw_fd()), name.as_c_str(), flag);
                Err(e)
            }
        }
    }

    fn create(
        &self,
        dir: Handle,
        name: &[u8],
        flags: i32,
        mode: u32,
        ids: (u32, u32),
    ) -> SysResult<Answer> {
        self.writable()?;
        let dir = self.get_dir(dir)?;
        let name = check_name(name)?;
        let acc = flags & libc::O_ACCMODE;
        if flags & !(OPEN_FLAGS & !libc::O_DIRECTORY) != 0 || acc == libc::O_ACCMODE {
            return Err(Errno::EINVAL);
        }
        let flags = (flags & !libc::O_TRUNC) | libc::O_CREAT | libc::O_EXCL;
        let fd = sys::open_beneath(dir.fd(), &name, flags, mode & 0o7777)?;
        let created = sys::statx(fd.as_fd(), c"")?;
        let (h, attr) = self.adopt(&dir, name, S_IFREG, ids, Some(mode), Some(&created))?;
        Ok((Reply::Node(h, attr), Some(fd)))
    }

    fn mkdir(&self, dir: Handle, name: &[u8], mode: u32, ids: (u32, u32)) -> SysResult<Reply> {
        self.writable()?;
        let dir = self.get_dir(dir)?;
        let name = check_name(name)?;
        nix::sys::stat::mkdirat(
            Some(dir.fd().as_raw_fd()),
            name.as_c_str(),
            Mode::from_bits_truncate(mode & 0o7777),
        )
        .map_err(nix_errno)?;
        let (h, attr) = self.adopt(&dir, name, S_IFDIR, ids, Some(mode), None)?;
        Ok(Reply::Node(h, attr))
    }

    fn symlink(
        &self,
        dir: Handle,
        name: &[u8],
        target: &[u8],
        ids: (u32, u32),
    ) -> SysResult<Reply> {
        self.writable()?;
        let dir = self.get_dir(dir)?;
        let name = check_name(name)?;
        if target.is_empty() {
            return Err(Errno::ENOENT);
        }
        if target.len() > MAX_SYMLINK_LEN {
            return Err(Errno::ENAMETOOLONG);
        }
        let target = CString::new(target).map_err(|_| Errno::EINVAL)?;
        nix::unistd::symlinkat(
            target.as_c_str(),
            Some(dir.fd().as_raw_fd()),
            name.as_c_str(),
        )
        .map_err(nix_errno)?;
        let (h, attr) = self.adopt(&dir, name, S_IFLNK, ids, None, None)?;
        Ok(Reply::Node(h, attr))
    }

    fn link(&self, dir: Handle, name: &[u8], target: Handle) -> SysResult<Reply> {
        self.writable()?;
        let dir = self.get_dir(dir)?;
        let name = check_name(name)?;
        let target = self.get(target)?;
        if target.kind == S_IFDIR {
            return Err(Errno::EPERM);
        }
        let at = |olddir: BorrowedFd<'_>, old: &CStr, flags| {
            nix::unistd::linkat(
                Some(olddir.as_raw_fd()),
                old,
                Some(dir.fd().as_raw_fd()),
                name.as_c_str(),
                flags,
            )
            .map_err(nix_errno)
        };
        let by_name = match at(target.fd(), c"", AtFlags::AT_EMPTY_PATH) {
            // Without CAP_DAC_READ_SEARCH: link by the target's name (checked below).
            Err(Errno::ENOENT) => {
                let loc = lock(&target.loc).clone().ok_or(Errno::ENOENT)?;
                at(loc.parent.fd(), &loc.name, AtFlags::empty())?;
                true
            }
            r => r.map(|()| false)?,
        };
        let want = sys::statx(target.fd(), c"")?;
        match self.adopt(
            &dir,
            name.clone(),
            target.kind,
            (u32::MAX, u32::MAX),
            None,
            Some(&want),
        ) {
            Err(Errno::ESTALE) if by_name => {
                // The name no longer led to the target: we linked another file. Undo.
                let _ = nix::unistd::unlinkat(
                    Some(dir.fd().as_raw_fd()),
                    name.as_c_str(),
                    UnlinkatFlags::NoRemoveDir,
                );
                Err(Errno::ESTALE)
            }
            r => r.map(|(h, attr)| Reply::Node(h, attr)),
        }
    }

    fn mknod(&self, dir: Handle, name: &[u8], mode: u32, ids: (u32, u32)) -> SysResult<Reply> {
        self.writable()?;
        let dir = self.get_dir(dir)?;
        let name = check_name(name)?;
        let kind = match mode & S_IFMT {
            0 => S_IFREG,
            k @ (S_IFREG | S_IFIFO | S_IFSOCK) => k,
            _ => return Err(Errno::EPERM),
        };
        nix::sys::stat::mknodat(
            Some(dir.fd().as_raw_fd()),
            name.as_c_str(),
            SFlag::from_bits_truncate(kind),
            Mode::from_bits_truncate(mode & 0o7777),
            0,
        )
        .map_err(nix_errno)?;
        let (h, attr) = self.adopt(&dir, name, kind, ids, Some(mode), None)?;
        Ok(Reply::Node(h, attr))
    }

    fn unlink(&self, dir: Handle, name: &[u8], flags: i32) -> SysResult<Reply> {
        self.writable()?;
        let dir = self.get_dir(dir)?;
        let name = check_name(name)?;
        let flag = match flags {
            0 => UnlinkatFlags::NoRemoveDir,
            libc::AT_REMOVEDIR => UnlinkatFlags::RemoveDir,
            _ => return Err(Errno::EINVAL),
        };
        nix::unistd::unlinkat(Some(dir.fd().as_raw_fd()), name.as_c_str(), flag)
            .map_err(nix_errno)?;
        Ok(Reply::Empty)
    }

    fn rename(
        &self,
        old_dir: Handle,
        old_name: &[u8],
        new_dir: Handle,
        new_name: &[u8],
        flags: u32,
    ) -> SysResult<Reply> {
        self.writable()?;
        let (od, nd) = (self.get_dir(old_dir)?, self.get_dir(new_dir)?);
        let (on, nn) = (check_name(old_name)?, check_name(new_name)?);
        let flags = RenameFlags::from_bits(flags)
            .filter(|f| !f.contains(RenameFlags::RENAME_WHITEOUT))
            .ok_or(Errno::EINVAL)?;
        nix::fcntl::renameat2(
            Some(od.fd().as_raw_fd()),
            on.as_c_str(),
            Some(nd.fd().as_raw_fd()),
            nn.as_c_str(),
            flags,
        )
        .map_err(nix_errno)?;
        // Keep recorded names current so these nodes can still be reopened.
        let exchange = flags.contains(RenameFlags::RENAME_EXCHANGE);
        let at = |l: &Loc, d: &Node, n: &CStr| {
            l.parent.dev == d.dev && l.parent.ino == d.ino && l.name.as_c_str() == n
        };
        for node in lock(&self.nodes).values() {
            let mut loc = lock(&node.loc);
            let Some(l) = loc.as_mut() else { continue };
            if at(l, &od, &on) {
                *l = Loc {
                    parent: Arc::clone(&nd),
                    name: nn.clone(),
                };
            } else if exchange && at(l, &nd, &nn) {
                *l = Loc {
                    parent: Arc::clone(&od),
                    name: on.clone(),
                };
            }
        }
        Ok(Reply::Empty)
    }

    fn setattr(&self, h: Handle, a: SetAttr) -> SysResult<Reply> {
        self.writable()?;
        let node = self.get(h)?;
        self.chown(&node, a.uid.unwrap_or(u32::MAX), a.gid.unwrap_or(u32::MAX))?;
        if let Some(mode) = a.mode {
            self.chmod(&node, mode)?;
        }
        if let Some(size) = a.size {
            let size = i64::try_from(size).map_err(|_| Errno::EFBIG)?;
            match node.kind {
                S_IFREG => nix::unistd::ftruncate(self.reopen(&node, libc::O_WRONLY)?, size)
                    .map_err(nix_errno)?,
                S_IFDIR => return Err(Errno::EISDIR),
                _ => return Err(Errno::EINVAL),
            }
        }
        if a.atime != TimeSet::Omit || a.mtime != TimeSet::Omit {
            self.utimens(&node, a.atime, a.mtime)?;
        }
        Ok(Reply::Attr(sys::statx(node.fd(), c"")?))
    }

    fn fsync(&self, h: Handle) -> SysResult<Reply> {
        let node = self.get(h)?;
        if matches!(node.kind, S_IFREG | S_IFDIR) {
            let fd = self.reopen(&node, libc::O_RDONLY)?;
            nix::unistd::fsync(fd.as_raw_fd()).map_err(nix_errno)?;
        }
        Ok(Reply::Empty)
    }
}

impl Server {
    /// An fd of `node` that the f*xattr calls accept (`O_PATH` fds are refused by the host):
    /// regular files and directories are reopened read-only. Other kinds carry no user
    /// attributes (`None`).
    fn xattr_fd(&self, node: &Node) -> SysResult<Option<OwnedFd>> {
        match node.kind {
            S_IFREG | S_IFDIR => self.reopen(node, libc::O_RDONLY).map(Some),
            _ => Ok(None),
        }
    }

    fn getxattr(&self, h: Handle, name: &[u8]) -> SysResult<Reply> {
        let name = check_xattr_name(name)?;
        let node = self.get(h)?;
        let Some(fd) = self.xattr_fd(&node)? else {
            return Err(Errno::ENODATA);
        };
        sys::fgetxattr(fd.as_fd(), &name).map(Reply::Bytes)
    }

    fn listxattr(&self, h: Handle) -> SysResult<Reply> {
        let node = self.get(h)?;
        let Some(fd) = self.xattr_fd(&node)? else {
            return Ok(Reply::Bytes(Vec::new()));
        };
        sys::flistxattr(fd.as_fd()).map(Reply::Bytes)
    }

    fn setxattr(&self, h: Handle, name: &[u8], value: &[u8], flags: i32) -> SysResult<Reply> {
        self.writable()?;
        let name = check_xattr_name(name)?;
        if flags & !(libc::XATTR_CREATE | libc::XATTR_REPLACE) != 0 {
            return Err(Errno::EINVAL);
        }
        if value.len() > crate::protocol::MAX_XATTR_VALUE {
            return Err(Errno::E2BIG);
        }
        let node = self.get(h)?;
        let fd = self.xattr_fd(&node)?.ok_or(Errno::EPERM)?;
        sys::fsetxattr(fd.as_fd(), &name, value, flags).map(|()| Reply::Empty)
    }

    fn removexattr(&self, h: Handle, name: &[u8]) -> SysResult<Reply> {
        self.writable()?;
        let name = check_xattr_name(name)?;
        let node = self.get(h)?;
        let fd = self.xattr_fd(&node)?.ok_or(Errno::EPERM)?;
        sys::fremovexattr(fd.as_fd(), &name).map(|()| Reply::Empty)
    }
}

/// Extended attribute names the server handles: `user.*` and `trusted.*` (the latter only
/// where the host allows it), at most `XATTR_NAME_MAX` bytes. Other namespaces (`security.`,
/// `system.`) are `EOPNOTSUPP`.
fn check_xattr_name(name: &[u8]) -> SysResult<CString> {
    if name.is_empty() || name.len() > crate::protocol::MAX_XATTR_NAME {
        return Err(Errno::ERANGE);
    }
    let known = |p: &[u8]| name.len() > p.len() && name.starts_with(p);
    if !known(b"user.") && !known(b"trusted.") {
        return Err(Errno::EOPNOTSUPP);
    }
    CString::new(name).map_err(|_| Errno::EINVAL)
}

/// The op field of a (possibly malformed) message, for echoing in an error response.
fn raw_op(msg: &[u8]) -> u16 {
    match msg {
        [a, b, ..] => u16::from_le_bytes([*a, *b]),
        _ => 0,
    }
}

/// Parses `linux_dirent64` records (`d_ino u64, d_off i64, d_reclen u16, d_type u8, d_name`).
fn parse_dirents(buf: &[u8], out: &mut VecDeque<Dirent>) -> SysResult<()> {
    const FIXED: usize = 8 + 8 + 2 + 1;
    let mut d = Decoder::new(buf);
    let bad = |_| Errno::EIO;
    while d.remaining() > 0 {
        let ino = d.u64().map_err(bad)?;
        let next = d.u64().map_err(bad)?;
        let reclen = d.u16().map_err(bad)? as usize;
        let d_type = d.u8().map_err(bad)?;
        let rest = d
            .take(reclen.checked_sub(FIXED).ok_or(Errno::EIO)?)
            .map_err(bad)?;
        let name = rest.split(|b| *b == 0).next().unwrap_or_default();
        out.push_back(Dirent {
            ino,
            next,
            d_type,
            name: name.to_vec(),
        });
    }
    Ok(())
}
