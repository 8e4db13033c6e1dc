//! The sentry's side of the protocol.
//!
//! A [`Client`] owns a pool of channels. Each call takes an idle channel (waiting only if all
//! are busy), sends one request, reads one response and returns the channel, so concurrent
//! callers proceed in parallel up to the number of channels. The server is not trusted to be
//! well-behaved: a malformed response, a wrong number of fds or a response to another op gives
//! `EIO`; a channel that fails or desynchronises is dropped from the pool, and with no channel
//! left every call fails with `EIO`.

use std::os::fd::{AsFd, OwnedFd};
use std::sync::{Condvar, Mutex, MutexGuard};

use syscalls::Errno;

use crate::protocol::{
    check_name, decode_response, Attr, DecodeError, Dirent, Handle, Op, Reply, Request, SetAttr,
    Statfs, HEADER_LEN, MAX_MESSAGE, MAX_RELEASE_HANDLES, MAX_SYMLINK_LEN, MAX_WALK_NAMES,
    MAX_XATTR_VALUE,
};
use crate::transport;

struct Channel {
    fd: OwnedFd,
    buf: Vec<u8>,
}

struct Pool {
    idle: Vec<Channel>,
    /// Channels not lost yet (idle or in use).
    live: usize,
}

/// A connection to a gofer over a pool of channels. `Send + Sync`; share it with `Arc`.
pub struct Client {
    pool: Mutex<Pool>,
    ready: Condvar,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("channels", &self.channels())
            .finish()
    }
}

/// The channel can no longer be used (peer gone, transport error, or out of step).
struct Broken;

fn node(reply: Reply) -> Result<(Handle, Attr), Errno> {
    match reply {
        Reply::Node(h, a) => Ok((h, a)),
        _ => Err(Errno::EIO),
    }
}

impl Client {
    /// A client using `channels` (client ends made with [`crate::channel_pair`]). With no
    /// channels every call fails with `EIO`.
    pub fn new(channels: Vec<OwnedFd>) -> Client {
        let idle: Vec<Channel> = channels
            .into_iter()
            .map(|fd| Channel {
                fd,
                buf: vec![0; MAX_MESSAGE],
            })
            .collect();
        let live = idle.len();
        Client {
            pool: Mutex::new(Pool { idle, live }),
            ready: Condvar::new(),
        }
    }

    /// Channels still usable.
    pub fn channels(&self) -> usize {
        self.lock().live
    }

    fn lock(&self) -> MutexGuard<'_, Pool> {
        self.pool.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn take(&self) -> Result<Channel, Errno> {
        let mut pool = self.lock();
        loop {
            if let Some(ch) = pool.idle.pop() {
                return Ok(ch);
            }
            if pool.live == 0 {
                return Err(Errno::EIO);
            }
            pool = self.ready.wait(pool).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// One round trip. The reply has the shape `req.op()` expects, with its fd if it has one.
    fn call(&self, req: &Request<'_>) -> Result<(Reply, Option<OwnedFd>), Errno> {
        let op = req.op();
        let msg = req.encode().map_err(|_| Errno::EINVAL)?;
        let mut ch = self.take()?;
        match exchange(&mut ch, op, &msg) {
            Ok(res) => {
                self.lock().idle.push(ch);
                self.ready.notify_one();
                res
            }
            Err(Broken) => {
                drop(ch);
                self.lock().live -= 1;
                self.ready.notify_all();
                tracing::warn!(?op, "gofer client: channel lost");
                Err(Errno::EIO)
            }
        }
    }

    fn call_plain(&self, req: &Request<'_>) -> Result<Reply, Errno> {
        self.call(req).map(|(reply, _)| reply)
    }

    fn call_fd(&self, req: &Request<'_>) -> Result<(Reply, OwnedFd), Errno> {
        match self.call(req)? {
            (reply, Some(fd)) => Ok((reply, fd)),
            _ => Err(Errno::EIO),
        }
    }

    /// The root of the served tree.
    pub fn attach(&self) -> Result<(Handle, Attr), Errno> {
        node(self.call_plain(&Request::Attach)?)
    }

    /// Walks `names` from `dir`, one component each. Returns a handle and attributes for every
    /// component that exists, stopping after a symlink (returned, not followed) or before the
    /// first component that is missing or cannot be walked (`ENOENT` etc. if that is the first).
    /// Names must be single components: any name that is `.`, `..`, empty, or has `/` or NUL
    /// fails the whole walk with `EINVAL` (`ENAMETOOLONG` if longer than `NAME_MAX`).
    pub fn walk(&self, dir: Handle, names: &[&[u8]]) -> Result<Vec<(Handle, Attr)>, Errno> {
        for n in names {
            check_name(n)?;
        }
        let mut out: Vec<(Handle, Attr)> = Vec::new();
        let mut cur = dir;
        for (i, chunk) in walk_chunks(names).enumerate() {
            let req = Request::Walk {
                dir: cur,
                names: chunk.to_vec(),
            };
            let got = match self.call_plain(&req) {
                Ok(Reply::Nodes(v)) if v.len() <= chunk.len() => v,
                Ok(Reply::Nodes(v)) => {
                    let _ = self.release_all(&v.iter().map(|(h, _)| *h).collect::<Vec<_>>());
                    return Err(Errno::EIO);
                }
                Ok(_) => return Err(Errno::EIO),
                Err(e) if i == 0 => return Err(e),
                Err(_) => break,
            };
            let complete = got.len() == chunk.len();
            out.extend(got);
            match out.last() {
                Some((h, a)) if complete && !a.is_symlink() => cur = *h,
                _ => break,
            }
        }
        Ok(out)
    }

    /// Attributes of `h`.
    pub fn stat(&self, h: Handle) -> Result<Attr, Errno> {
        match self.call_plain(&Request::Stat { handle: h })? {
            Reply::Attr(a) => Ok(a),
            _ => Err(Errno::EIO),
        }
    }

    /// A host fd of `h` opened with `flags` (`O_*`; `O_CREAT` without `O_EXCL` is ignored,
    /// symlinks give `ELOOP`, FIFOs are opened with `O_NONBLOCK`).
    pub fn open(&self, h: Handle, flags: i32) -> Result<OwnedFd, Errno> {
        self.call_fd(&Request::Open { handle: h, flags })
            .map(|(_, fd)| fd)
    }

    /// The target of the symlink `h`.
    pub fn readlink(&self, h: Handle) -> Result<Vec<u8>, Errno> {
        match self.call_plain(&Request::Readlink { handle: h })? {
            Reply::Bytes(b) if b.len() <= MAX_SYMLINK_LEN => Ok(b),
            _ => Err(Errno::EIO),
        }
    }

    /// Up to `max` entries of directory `h` (without `.` and `..`), starting at `cookie` (0 for
    /// the beginning, else an entry's `next`). An empty result is the end.
    pub fn getdents(&self, h: Handle, cookie: u64, max: usize) -> Result<Vec<Dirent>, Errno> {
        let max = u32::try_from(max).unwrap_or(u32::MAX);
        match self.call_plain(&Request::Getdents {
            dir: h,
            cookie,
            max,
        })? {
            Reply::Dirents(v) if v.len() <= max as usize => Ok(v),
            _ => Err(Errno::EIO),
        }
    }

    /// Statistics of the filesystem holding `h`.
    pub fn statfs(&self, h: Handle) -> Result<Statfs, Errno> {
        match self.call_plain(&Request::Statfs { handle: h })? {
            Reply::Statfs(s) => Ok(s),
            _ => Err(Errno::EIO),
        }
    }

    /// Forgets `h` on the server (closing its host fd once no other handle needs it).
    pub fn release(&self, h: Handle) -> Result<(), Errno> {
        self.release_all(&[h])
    }

    /// Forgets all `handles`.
    pub fn release_all(&self, handles: &[Handle]) -> Result<(), Errno> {
        for chunk in handles.chunks(MAX_RELEASE_HANDLES) {
            self.call_plain(&Request::Release {
                handles: chunk.to_vec(),
            })?;
        }
        Ok(())
    }

    /// Creates the regular file `name` in `dir` (always exclusively: `EEXIST` if it exists) with
    /// permission bits `mode` and owner `uid`/`gid` (`u32::MAX` keeps the gofer's), and opens it
    /// with `flags`.
    pub fn create(
        &self,
        dir: Handle,
        name: &[u8],
        flags: i32,
        mode: u32,
        uid: u32,
        gid: u32,
    ) -> Result<(Handle, Attr, OwnedFd), Errno> {
        check_name(name)?;
        let (reply, fd) = self.call_fd(&Request::Create {
            dir,
            name,
            flags,
            mode,
            uid,
            gid,
        })?;
        let (h, a) = node(reply)?;
        Ok((h, a, fd))
    }

    /// Creates the directory `name` in `dir`.
    pub fn mkdir(
        &self,
        dir: Handle,
        name: &[u8],
        mode: u32,
        uid: u32,
        gid: u32,
    ) -> Result<(Handle, Attr), Errno> {
        check_name(name)?;
        node(self.call_plain(&Request::Mkdir {
            dir,
            name,
            mode,
            uid,
            gid,
        })?)
    }

    /// Creates the symlink `name` in `dir` pointing at `target` (stored as is, never followed).
    pub fn symlink(
        &self,
        dir: Handle,
        name: &[u8],
        target: &[u8],
        uid: u32,
        gid: u32,
    ) -> Result<(Handle, Attr), Errno> {
        check_name(name)?;
        if target.len() > MAX_SYMLINK_LEN {
            return Err(Errno::ENAMETOOLONG);
        }
        node(self.call_plain(&Request::Symlink {
            dir,
            name,
            target,
            uid,
            gid,
        })?)
    }

    /// Creates `name` in `dir` as a hard link to `target` (not a directory).
    pub fn link(&self, dir: Handle, name: &[u8], target: Handle) -> Result<(Handle, Attr), Errno> {
        check_name(name)?;
        node(self.call_plain(&Request::Link { dir, name, target })?)
    }

    /// Creates `name` in `dir` with type and permissions `mode`: a regular file, FIFO or socket
    /// (`S_IFREG`/0, `S_IFIFO`, `S_IFSOCK`; anything else is `EPERM`).
    pub fn mknod(
        &self,
        dir: Handle,
        name: &[u8],
        mode: u32,
        uid: u32,
        gid: u32,
    ) -> Result<(Handle, Attr), Errno> {
        check_name(name)?;
        node(self.call_plain(&Request::Mknod {
            dir,
            name,
            mode,
            uid,
            gid,
        })?)
    }

    /// Removes `name` from `dir`; `flags` is 0 or `AT_REMOVEDIR`.
    pub fn unlink(&self, dir: Handle, name: &[u8], flags: i32) -> Result<(), Errno> {
        check_name(name)?;
        self.call_plain(&Request::Unlink { dir, name, flags })
            .map(drop)
    }

    /// `renameat2`; `flags` may hold `RENAME_NOREPLACE` or `RENAME_EXCHANGE`. Handles of the
    /// moved files stay valid.
    pub fn rename(
        &self,
        old_dir: Handle,
        old_name: &[u8],
        new_dir: Handle,
        new_name: &[u8],
        flags: u32,
    ) -> Result<(), Errno> {
        check_name(old_name)?;
        check_name(new_name)?;
        self.call_plain(&Request::Rename {
            old_dir,
            old_name,
            new_dir,
            new_name,
            flags,
        })
        .map(drop)
    }

    /// Changes attributes of `h`; returns the attributes afterwards.
    pub fn setattr(&self, h: Handle, attr: &SetAttr) -> Result<Attr, Errno> {
        match self.call_plain(&Request::SetAttr {
            handle: h,
            attr: *attr,
        })? {
            Reply::Attr(a) => Ok(a),
            _ => Err(Errno::EIO),
        }
    }

    /// The value of the extended attribute `name` of `h`.
    pub fn getxattr(&self, h: Handle, name: &[u8]) -> Result<Vec<u8>, Errno> {
        match self.call_plain(&Request::GetXattr { handle: h, name })? {
            Reply::Bytes(b) if b.len() <= MAX_XATTR_VALUE => Ok(b),
            _ => Err(Errno::EIO),
        }
    }

    /// Sets the extended attribute `name` of `h` (`flags`: 0, `XATTR_CREATE`, `XATTR_REPLACE`).
    pub fn setxattr(&self, h: Handle, name: &[u8], value: &[u8], flags: i32) -> Result<(), Errno> {
        if value.len() > MAX_XATTR_VALUE {
            return Err(Errno::E2BIG);
        }
        self.call_plain(&Request::SetXattr {
            handle: h,
            name,
            value,
            flags,
        })
        .map(drop)
    }

    /// The extended attribute names of `h`, each NUL-terminated.
    pub fn listxattr(&self, h: Handle) -> Result<Vec<u8>, Errno> {
        match self.call_plain(&Request::ListXattr { handle: h })? {
            Reply::Bytes(b) => Ok(b),
            _ => Err(Errno::EIO),
        }
    }

    /// Removes the extended attribute `name` of `h`.
    pub fn removexattr(&self, h: Handle, name: &[u8]) -> Result<(), Errno> {
        self.call_plain(&Request::RemoveXattr { handle: h, name })
            .map(drop)
    }

    /// Flushes `h` (a regular file or directory; a no-op for other types) to storage.
    pub fn fsync(&self, h: Handle) -> Result<(), Errno> {
        self.call_plain(&Request::Fsync { handle: h }).map(drop)
    }
}

/// Splits `names` into runs that fit one `Walk` request (by count and by encoded size).
fn walk_chunks<'n, 'a>(names: &'n [&'a [u8]]) -> impl Iterator<Item = &'n [&'a [u8]]> {
    // Header, dir handle and count.
    const FIXED: usize = HEADER_LEN + 8 + 4;
    let mut rest = names;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut size = FIXED;
        let mut n = 0;
        while n < rest.len() && n < MAX_WALK_NAMES && size + 4 + rest[n].len() <= MAX_MESSAGE {
            size += 4 + rest[n].len();
            n += 1;
        }
        let (chunk, tail) = rest.split_at(n.max(1));
        rest = tail;
        Some(chunk)
    })
}

type Outcome = Result<(Reply, Option<OwnedFd>), Errno>;

fn exchange(ch: &mut Channel, op: Op, msg: &[u8]) -> Result<Outcome, Broken> {
    transport::send(ch.fd.as_fd(), msg, &[]).map_err(|_| Broken)?;
    let r = transport::recv(ch.fd.as_fd(), &mut ch.buf).map_err(|_| Broken)?;
    if r.is_empty() {
        // The server hung up (or sent nothing, which is as bad).
        return Err(Broken);
    }
    if r.truncated || r.ctrunc {
        return Ok(Err(Errno::EIO));
    }
    let mut fds = r.fds;
    match decode_response(op, &ch.buf[..r.len]) {
        Err(DecodeError::WrongOp) => Err(Broken),
        Err(_) => Ok(Err(Errno::EIO)),
        Ok(Err(_)) if !fds.is_empty() => Ok(Err(Errno::EIO)),
        Ok(Err(errno)) => Ok(Err(errno)),
        Ok(Ok(reply)) if fds.len() == op.reply_fds() => Ok(Ok((reply, fds.pop()))),
        Ok(Ok(_)) => Ok(Err(Errno::EIO)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::MAX_NAME_LEN;

    const _: () = {
        const fn send_sync<T: Send + Sync>() {}
        send_sync::<Client>();
    };

    #[test]
    fn walk_chunks_fit_a_message() {
        let long = [b'x'; MAX_NAME_LEN];
        let names: Vec<&[u8]> = vec![&long[..]; 1000];
        let chunks: Vec<_> = walk_chunks(&names).collect();
        assert_eq!(chunks.iter().map(|c| c.len()).sum::<usize>(), 1000);
        for c in &chunks {
            assert!(c.len() <= MAX_WALK_NAMES);
            let req = Request::Walk {
                dir: Handle(1),
                names: c.to_vec(),
            };
            assert!(req.encode().is_ok());
        }
        let short: Vec<&[u8]> = vec![b"a"; 600];
        let lens: Vec<_> = walk_chunks(&short).map(|c| c.len()).collect();
        assert_eq!(lens, [256, 256, 88]);
    }
}
