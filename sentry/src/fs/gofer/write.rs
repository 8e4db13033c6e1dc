//! Changes on a writable gofer mount: creation, links, removal, renames,
//! attributes and allocation.

use super::{GoferInode, Ordering};
use crate::vfs::{Inode, SetAttr, Time};
use gofer::{Attr, Handle, TimeSet, Timestamp};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::sync::Arc;
use syscalls::consts::O_RDWR;
use syscalls::consts::{S_IFDIR, S_IFIFO, S_IFMT, S_IFREG, S_IFSOCK};
use syscalls::Errno;

const AT_REMOVEDIR: i32 = 0x200;

pub(super) fn host_errno(e: nix::errno::Errno) -> Errno {
    Errno::from_i32(e as i32).unwrap_or(Errno::EIO)
}

fn other(i: &Arc<dyn Inode>) -> Result<Arc<GoferInode>, Errno> {
    i.clone()
        .as_any()
        .and_then(|a| a.downcast::<GoferInode>().ok())
        .ok_or(Errno::EXDEV)
}

fn timeset(t: Option<Time>) -> TimeSet {
    match t {
        None => TimeSet::Omit,
        Some(t) => TimeSet::At(Timestamp {
            sec: t.sec,
            nsec: t.nsec.clamp(0, 999_999_999) as u32,
        }),
    }
}

impl GoferInode {
    fn writable(&self) -> Result<(), Errno> {
        if self.fs.readonly {
            Err(Errno::EROFS)
        } else {
            Ok(())
        }
    }

    /// A namespace change: every cached attribute may be stale now.
    fn changed(&self) {
        self.fs.gen.fetch_add(1, Ordering::Release);
        super::LISTING_GEN.fetch_add(1, Ordering::Release);
    }

    fn adopt(&self, got: Result<(Handle, Attr), Errno>) -> Result<Arc<dyn Inode>, Errno> {
        self.changed();
        let (h, a) = got?;
        Ok(self.fs.inode(h, a))
    }

    pub(super) fn do_mknod(
        &self,
        name: &[u8],
        mode: u32,
        _rdev: u64,
        (uid, gid): (u32, u32),
    ) -> Result<Arc<dyn Inode>, Errno> {
        self.writable()?;
        let c = &self.fs.client;
        let h = self.handle;
        match mode & S_IFMT {
            S_IFDIR => self.adopt(c.mkdir(h, name, mode & 0o7777, uid, gid)),
            // A regular file is created open: its donated fd becomes the
            // inode's read-write fd, so the open that usually follows
            // needs no round trip.
            S_IFREG => {
                let (fh, attr, fd) = match c.create(h, name, O_RDWR as i32, mode & 0o7777, uid, gid)
                {
                    Ok(r) => r,
                    Err(e) => {
                        self.changed();
                        return Err(e);
                    }
                };
                self.changed();
                let inode = self.fs.inode(fh, attr);
                let mut g = super::lock(&inode.rw_fd);
                if g.is_none() {
                    *g = Some(Arc::new(fd));
                }
                drop(g);
                Ok(inode)
            }
            S_IFIFO | S_IFSOCK => self.adopt(c.mknod(h, name, mode, uid, gid)),
            // Device nodes are never created on gofer mounts (gVisor does
            // the same): the sandbox cannot use host devices.
            _ => Err(Errno::EPERM),
        }
    }

    pub(super) fn do_symlink(
        &self,
        name: &[u8],
        target: &[u8],
        (uid, gid): (u32, u32),
    ) -> Result<Arc<dyn Inode>, Errno> {
        self.writable()?;
        self.adopt(self.fs.client.symlink(self.handle, name, target, uid, gid))
    }

    pub(super) fn do_link(&self, name: &[u8], target: &Arc<dyn Inode>) -> Result<(), Errno> {
        self.writable()?;
        let t = other(target)?;
        if !Arc::ptr_eq(&t.fs, &self.fs) {
            return Err(Errno::EXDEV);
        }
        self.adopt(self.fs.client.link(self.handle, name, t.handle))
            .map(drop)
    }

    pub(super) fn do_unlink(&self, name: &[u8], dir: bool) -> Result<(), Errno> {
        self.writable()?;
        let flags = if dir { AT_REMOVEDIR } else { 0 };
        let r = self.fs.client.unlink(self.handle, name, flags);
        self.changed();
        r
    }

    pub(super) fn do_rename(
        &self,
        old: &[u8],
        newdir: &Arc<dyn Inode>,
        new: &[u8],
        flags: u32,
    ) -> Result<(), Errno> {
        self.writable()?;
        let nd = other(newdir)?;
        if !Arc::ptr_eq(&nd.fs, &self.fs) {
            return Err(Errno::EXDEV);
        }
        let r = self
            .fs
            .client
            .rename(self.handle, old, nd.handle, new, flags);
        self.changed();
        r
    }

    /// ftruncate on a donated writable fd, keeping the page cache in step.
    pub(super) fn truncate_fd(&self, fd: &OwnedFd, size: u64) -> Result<(), Errno> {
        let len = i64::try_from(size).map_err(|_| Errno::EFBIG)?;
        nix::unistd::ftruncate(fd.as_fd(), len).map_err(host_errno)?;
        if let Some(o) = super::lock(&self.obj).as_ref() {
            o.truncate_bytes(size);
        }
        self.touch();
        Ok(())
    }

    pub(super) fn do_setattr(&self, a: &SetAttr) -> Result<(), Errno> {
        self.writable()?;
        let mut rest = gofer::SetAttr {
            mode: a.mode,
            uid: a.uid,
            gid: a.gid,
            size: a.size,
            atime: timeset(a.atime),
            mtime: timeset(a.mtime),
        };
        // With a writable fd at hand, truncation needs no round trip (and
        // works on a file that was unlinked meanwhile).
        if let (Some(size), Some(fd)) = (a.size, self.rw_fd_if_open()) {
            self.truncate_fd(&fd, size)?;
            rest.size = None;
        } else if let Some(size) = a.size {
            if let Some(o) = super::lock(&self.obj).as_ref() {
                o.truncate_bytes(size);
            }
        }
        let nothing = rest.mode.is_none()
            && rest.uid.is_none()
            && rest.gid.is_none()
            && rest.size.is_none()
            && rest.atime == TimeSet::Omit
            && rest.mtime == TimeSet::Omit;
        if nothing {
            return Ok(());
        }
        let attr = self.fs.client.setattr(self.handle, &rest)?;
        self.set_attr(attr);
        Ok(())
    }

    pub(super) fn do_fallocate(&self, mode: u32, off: u64, len: u64) -> Result<(), Errno> {
        self.writable()?;
        let fd = self.rw_fd()?;
        let flags = nix::fcntl::FallocateFlags::from_bits_retain(mode as i32);
        let (o, l) = (
            i64::try_from(off).map_err(|_| Errno::EFBIG)?,
            i64::try_from(len).map_err(|_| Errno::EFBIG)?,
        );
        loop {
            match nix::fcntl::fallocate(fd.as_raw_fd(), flags, o, l) {
                Err(nix::errno::Errno::EINTR) => continue,
                r => break r.map_err(host_errno)?,
            }
        }
        // Punched or zeroed ranges read as zeros: drop them from the cache
        // (whole pages; partial pages are re-read).
        if mode & !syscalls::consts::FALLOC_FL_KEEP_SIZE != 0 {
            if let Some(obj) = super::lock(&self.obj).as_ref() {
                let page = crate::mm::memfile::PAGE;
                obj.remove_range(off / page, (off + len).div_ceil(page));
            }
        }
        self.touch();
        Ok(())
    }
}
