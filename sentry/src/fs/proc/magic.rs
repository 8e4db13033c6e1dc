//! Opening `/proc/[pid]/fd/N` of a file without a dentry (a pipe, an
//! eventfd): the walk jumps to a dentry of its own whose inode stands for
//! the open file, and opening it gives a description that shares the
//! original's file (Linux reopens the same inode; for a pipe end the
//! difference is that both descriptions share the original's status flags).

use crate::kernel::task::Task;
use crate::kernel::wait::WaitQueue;
use crate::vfs::{Dentry, File, FileOps, Inode, MmapSource};
use std::sync::Arc;
use syscalls::abi::{Stat, Statfs};
use syscalls::Errno;

/// The dentry `/proc/[pid]/fd/N` jumps to for `file`.
pub fn dentry_of(file: &Arc<File>) -> Arc<Dentry> {
    match &file.dentry {
        Some(d) => d.clone(),
        None => Dentry::new_root(Arc::new(FileInode(file.clone()))),
    }
}

/// An inode standing for an open file without a dentry.
struct FileInode(Arc<File>);

impl Inode for FileInode {
    fn stat(&self) -> Result<Stat, Errno> {
        self.0.stat()
    }
    fn mode(&self) -> u32 {
        self.0.stat().map(|s| s.st_mode).unwrap_or(0o600)
    }
    fn owner(&self) -> (u32, u32) {
        self.0
            .stat()
            .map(|s| (s.st_uid, s.st_gid))
            .unwrap_or((0, 0))
    }
    fn open(&self, _dentry: &Arc<Dentry>, _flags: u32) -> Result<Box<dyn FileOps>, Errno> {
        Ok(Box::new(Reopen(self.0.clone())))
    }
    fn statfs(&self) -> Result<Statfs, Errno> {
        self.0.ops.statfs(&self.0)
    }
    fn readonly(&self) -> bool {
        false
    }
    fn named_fifo(&self) -> bool {
        false
    }
}

/// A description sharing another's file.
struct Reopen(Arc<File>);

impl FileOps for Reopen {
    fn read(&self, _file: &File, buf: &mut [u8], off: u64) -> Result<usize, Errno> {
        self.0.ops.read(&self.0, buf, off)
    }
    fn write(&self, _file: &File, buf: &[u8], off: u64) -> Result<usize, Errno> {
        self.0.ops.write(&self.0, buf, off)
    }
    fn seekable(&self) -> bool {
        self.0.ops.seekable()
    }
    fn seek_ok(&self) -> bool {
        self.0.ops.seek_ok()
    }
    fn stat(&self) -> Result<Stat, Errno> {
        self.0.stat()
    }
    fn ioctl(&self, _file: &File, t: &mut Task, cmd: u64, arg: u64) -> Result<u64, Errno> {
        self.0.ops.ioctl(&self.0, t, cmd, arg)
    }
    fn mmap(&self, _file: &File) -> Result<MmapSource, Errno> {
        self.0.mmap()
    }
    fn size(&self) -> Result<u64, Errno> {
        self.0.ops.size()
    }
    fn read_cur(&self, _file: &File, buf: &mut [u8]) -> Result<usize, Errno> {
        self.0.ops.read_cur(&self.0, buf)
    }
    fn write_cur(&self, _file: &File, buf: &[u8]) -> Result<usize, Errno> {
        self.0.ops.write_cur(&self.0, buf)
    }
    fn llseek(&self, _file: &File, off: i64, whence: u32) -> Result<u64, Errno> {
        self.0.ops.llseek(&self.0, off, whence)
    }
    fn pread_ok(&self) -> bool {
        self.0.ops.pread_ok()
    }
    fn statfs(&self, _file: &File) -> Result<Statfs, Errno> {
        self.0.ops.statfs(&self.0)
    }
    fn pipe_size(&self) -> Result<usize, Errno> {
        self.0.ops.pipe_size()
    }
    fn set_pipe_size(&self, size: u64, privileged: bool) -> Result<usize, Errno> {
        self.0.ops.set_pipe_size(size, privileged)
    }
    fn poll(&self, _file: &File, events: u32) -> (u32, Option<&WaitQueue>) {
        self.0.ops.poll(&self.0, events)
    }
    fn proc_name(&self) -> Option<String> {
        Some(String::from_utf8_lossy(&super::pid::fd_target(&self.0)).into_owned())
    }
}
