//! Open directories: a listing snapshot taken at the start (offset 0) with
//! `.` and `..` synthesized (and mount points made in memory); offsets are indices into it, so telldir/seekdir
//! and rewinding work whatever cookies the file system uses.

use super::{Dentry, DirEntry, File, FileOps};
use std::sync::{Arc, Mutex};
use syscalls::abi::Stat;
use syscalls::consts::DT_DIR;
use syscalls::Errno;

pub struct DirFile {
    dentry: Arc<Dentry>,
    /// The root the `..` entry is computed against (the opener's root).
    root: Arc<Dentry>,
    snap: Mutex<Option<Arc<Vec<DirEntry>>>>,
}

impl DirFile {
    pub fn new(dentry: Arc<Dentry>, root: Arc<Dentry>) -> DirFile {
        DirFile {
            dentry,
            root,
            snap: Mutex::new(None),
        }
    }

    fn snapshot(&self, refresh: bool) -> Result<Arc<Vec<DirEntry>>, Errno> {
        let mut s = self.snap.lock().unwrap_or_else(|p| p.into_inner());
        if let (false, Some(v)) = (refresh, s.as_ref()) {
            return Ok(v.clone());
        }
        let ino = self.dentry.inode_ref().stat()?.st_ino;
        let up = self.dentry.dotdot(&self.root);
        let up_ino = up.inode_ref().stat().map(|s| s.st_ino).unwrap_or(ino);
        let mut v = vec![
            DirEntry {
                ino,
                d_type: DT_DIR,
                name: b".".to_vec(),
            },
            DirEntry {
                ino: up_ino,
                d_type: DT_DIR,
                name: b"..".to_vec(),
            },
        ];
        v.extend(self.dentry.inode_ref().list()?);
        // Mount points the sandbox made in memory (an OCI mount on a
        // directory the rootfs or /dev lacks) are listed too, as runc
        // would have created them.
        for c in self.dentry.mount_points() {
            if !v.iter().any(|e| e.name == c.name()) {
                let ino = c.inode_ref().stat().map(|s| s.st_ino).unwrap_or(0);
                v.push(DirEntry {
                    ino,
                    d_type: DT_DIR,
                    name: c.name().to_vec(),
                });
            }
        }
        let v = Arc::new(v);
        *s = Some(v.clone());
        Ok(v)
    }
}

impl FileOps for DirFile {
    fn read(&self, _file: &File, _buf: &mut [u8], _off: u64) -> Result<usize, Errno> {
        Err(Errno::EISDIR)
    }
    fn write(&self, _file: &File, _buf: &[u8], _off: u64) -> Result<usize, Errno> {
        Err(Errno::EISDIR)
    }
    fn seekable(&self) -> bool {
        true
    }
    fn stat(&self) -> Result<Stat, Errno> {
        self.dentry.inode_ref().stat()
    }
    fn readdir(
        &self,
        _file: &File,
        pos: u64,
        max: usize,
    ) -> Result<Vec<(u64, u64, u8, Vec<u8>)>, Errno> {
        let snap = self.snapshot(pos == 0)?;
        let start = usize::try_from(pos).unwrap_or(usize::MAX);
        Ok(snap
            .iter()
            .enumerate()
            .skip(start)
            .take(max)
            .map(|(i, e)| (e.ino, i as u64 + 1, e.d_type, e.name.clone()))
            .collect())
    }
    fn size(&self) -> Result<u64, Errno> {
        Ok(self.stat()?.st_size as u64)
    }
}

/// An `O_PATH` description: no I/O, only fstat, fchdir, *at() and the like.
pub struct PathFile {
    pub dentry: Arc<Dentry>,
}

impl FileOps for PathFile {
    fn stat(&self) -> Result<Stat, Errno> {
        self.dentry.inode_ref().stat()
    }
    fn read(&self, _file: &File, _buf: &mut [u8], _off: u64) -> Result<usize, Errno> {
        Err(Errno::EBADF)
    }
    fn write(&self, _file: &File, _buf: &[u8], _off: u64) -> Result<usize, Errno> {
        Err(Errno::EBADF)
    }
    fn llseek(&self, _file: &File, _off: i64, _whence: u32) -> Result<u64, Errno> {
        Err(Errno::EBADF)
    }
}
