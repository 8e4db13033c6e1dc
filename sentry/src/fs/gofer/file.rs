//! Open regular gofer files: I/O on the donated host fds.
//!
//! Shared writable mappings (`MAP_SHARED` + `PROT_WRITE` of a file open
//! for writing) use the same per-inode page cache as every other mapping;
//! the cache's object gets the inode's writable fd as its write-back
//! target and writes its cached pages (below the file's size) back on
//! `msync`, on `munmap` of a shared mapping, on `fsync`, before a read
//! through the host fd, and when the last mapping and open file are gone.
//! `write(2)` copies into cached pages, so cache and file agree.

use super::write::host_errno;
use super::GoferInode;
use crate::vfs::{File, FileOps, MmapSource};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::sync::Arc;
use syscalls::abi::Stat;
use syscalls::consts::O_APPEND;
use syscalls::Errno;

/// An open regular gofer file.
pub struct GoferFile {
    inode: Arc<GoferInode>,
    /// The fd reads go through (the read-write one when open for writing).
    fd: Arc<OwnedFd>,
    /// The shared read-write fd, when open for writing.
    rw: Option<Arc<OwnedFd>>,
}

impl GoferFile {
    pub(super) fn new(inode: Arc<GoferInode>, fd: Arc<OwnedFd>, rw: Option<Arc<OwnedFd>>) -> Self {
        GoferFile { inode, fd, rw }
    }

    /// Write back shared writable mappings before the host file is read.
    fn sync_maps(&self) -> Result<(), Errno> {
        match super::lock(&self.inode.obj).as_ref() {
            Some(o) if o.has_writeback() => o.sync(),
            _ => Ok(()),
        }
    }

    fn host_size(&self) -> Result<u64, Errno> {
        let st = nix::sys::stat::fstat(self.fd.as_raw_fd()).map_err(host_errno)?;
        Ok(st.st_size as u64)
    }
}

fn pwrite_all(fd: &OwnedFd, buf: &[u8], off: u64) -> Result<usize, Errno> {
    let off = i64::try_from(off).map_err(|_| Errno::EFBIG)?;
    loop {
        match nix::sys::uio::pwrite(fd.as_fd(), buf, off) {
            Ok(n) => return Ok(n),
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(host_errno(e)),
        }
    }
}

impl FileOps for GoferFile {
    fn read(&self, _file: &File, buf: &mut [u8], off: u64) -> Result<usize, Errno> {
        self.sync_maps()?;
        let off = i64::try_from(off).map_err(|_| Errno::EINVAL)?;
        loop {
            match nix::sys::uio::pread(self.fd.as_fd(), buf, off) {
                Ok(n) => return Ok(n),
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => return Err(host_errno(e)),
            }
        }
    }
    fn write(&self, file: &File, buf: &[u8], off: u64) -> Result<usize, Errno> {
        // No write-back first: the bytes also go into the cached pages
        // below, so a later write-back writes them again, not older ones.
        let rw = self.rw.as_ref().ok_or(Errno::EBADF)?;
        let (n, at) = if file.flags() & O_APPEND != 0 {
            // The end as the host file has it, under the inode's lock, so
            // appends from several files (and processes) never overlap.
            let _g = super::lock(&self.inode.append);
            let end = self.host_size()?;
            (pwrite_all(rw, buf, end)?, end)
        } else {
            (pwrite_all(rw, buf, off)?, off)
        };
        if let Some(o) = super::lock(&self.inode.obj).as_ref() {
            o.write_cached(at, &buf[..n]);
        }
        self.inode.touch();
        Ok(n)
    }
    fn seekable(&self) -> bool {
        true
    }
    fn stat(&self) -> Result<Stat, Errno> {
        use crate::vfs::Inode;
        self.inode.stat()
    }
    fn mmap(&self, file: &File) -> Result<MmapSource, Errno> {
        let obj = self.inode.mem_object()?;
        if let (Some(rw), true) = (&self.rw, file.writable()) {
            obj.set_writeback(rw.clone());
        }
        let name = file
            .dentry
            .as_ref()
            .map(|d| String::from_utf8_lossy(&d.abs_path()).into_owned())
            .unwrap_or_default();
        Ok(MmapSource::Object {
            obj,
            size: self.size()?,
            name,
        })
    }
    fn size(&self) -> Result<u64, Errno> {
        if self.rw.is_some() || self.inode.stale.load(super::Ordering::Relaxed) {
            return self.host_size();
        }
        Ok(self.inode.attr().size)
    }
    fn fsync(&self, _file: &File, datasync: bool) -> Result<(), Errno> {
        self.sync_maps()?;
        let r = if datasync {
            nix::unistd::fdatasync(self.fd.as_raw_fd())
        } else {
            nix::unistd::fsync(self.fd.as_raw_fd())
        };
        r.map_err(host_errno)
    }
}
