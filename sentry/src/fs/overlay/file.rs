//! Open regular overlay files: the layer's own file operations (so reads
//! and mmap of lower files use the gofer file and its shared page cache),
//! with the overlay's stat, and a switch to the upper file for a
//! description opened read-only before a copy-up.

use super::OvlInode;
use crate::fs::tmpfs::TmpFile;
use crate::kernel::task::Task;
use crate::kernel::wait::WaitQueue;
use crate::vfs::file::{DirEmit, DirEnt};
use crate::vfs::{File, FileOps, MmapSource};
use std::sync::{Arc, OnceLock};
use syscalls::abi::{Stat, Statfs};
use syscalls::Errno;

pub struct OvlFile {
    inode: Arc<OvlInode>,
    /// The operations of the layer the file was opened on.
    first: Box<dyn FileOps>,
    /// `first` is the lower file's.
    on_lower: bool,
    /// The upper file's, once the file was copied up after the open.
    upper: OnceLock<Box<dyn FileOps>>,
}

impl OvlFile {
    pub fn new(inode: Arc<OvlInode>, first: Box<dyn FileOps>, on_lower: bool) -> OvlFile {
        OvlFile {
            inode,
            first,
            on_lower,
            upper: OnceLock::new(),
        }
    }

    /// The operations to use now.
    fn cur(&self) -> &dyn FileOps {
        if !self.on_lower {
            return &*self.first;
        }
        if let Some(u) = self.upper.get() {
            return &**u;
        }
        match self.inode.upper.get() {
            Some(u) => &**self.upper.get_or_init(|| Box::new(TmpFile::new(u.clone()))),
            None => &*self.first,
        }
    }
}

impl FileOps for OvlFile {
    fn read(&self, file: &File, buf: &mut [u8], off: u64) -> Result<usize, Errno> {
        self.cur().read(file, buf, off)
    }
    fn write(&self, file: &File, buf: &[u8], off: u64) -> Result<usize, Errno> {
        self.cur().write(file, buf, off)
    }
    fn seekable(&self) -> bool {
        self.cur().seekable()
    }
    fn seek_ok(&self) -> bool {
        self.cur().seek_ok()
    }
    fn stat(&self) -> Result<Stat, Errno> {
        crate::vfs::Inode::stat(&*self.inode)
    }
    fn ioctl(&self, file: &File, t: &mut Task, cmd: u64, arg: u64) -> Result<u64, Errno> {
        self.cur().ioctl(file, t, cmd, arg)
    }
    fn readdir(&self, file: &File, pos: u64, max: usize) -> Result<Vec<DirEnt>, Errno> {
        self.cur().readdir(file, pos, max)
    }
    fn readdir_with(
        &self,
        file: &File,
        pos: u64,
        max: usize,
        emit: &mut DirEmit,
    ) -> Result<(), Errno> {
        self.cur().readdir_with(file, pos, max, emit)
    }
    fn mmap(&self, file: &File) -> Result<MmapSource, Errno> {
        self.cur().mmap(file)
    }
    fn size(&self) -> Result<u64, Errno> {
        self.cur().size()
    }
    fn read_cur(&self, file: &File, buf: &mut [u8]) -> Result<usize, Errno> {
        self.cur().read_cur(file, buf)
    }
    fn write_cur(&self, file: &File, buf: &[u8]) -> Result<usize, Errno> {
        self.cur().write_cur(file, buf)
    }
    fn llseek(&self, file: &File, off: i64, whence: u32) -> Result<u64, Errno> {
        self.cur().llseek(file, off, whence)
    }
    fn pread_ok(&self) -> bool {
        self.cur().pread_ok()
    }
    fn set_status_flags(&self, file: &File, flags: u32) -> Result<(), Errno> {
        self.cur().set_status_flags(file, flags)
    }
    fn statfs(&self, file: &File) -> Result<Statfs, Errno> {
        self.cur().statfs(file)
    }
    fn poll(&self, file: &File, events: u32) -> (u32, Option<&WaitQueue>) {
        self.cur().poll(file, events)
    }
}
