//! Open directories: a listing snapshot taken at the start (offset 0) with
//! `.` and `..` synthesized (and mount points made in memory); offsets are indices into it, so telldir/seekdir
//! and rewinding work whatever cookies the file system uses.

use super::file::DirEmit;
use super::{Dentry, DirEntry, File, FileOps};
use std::sync::{Arc, Mutex};
use syscalls::abi::Stat;
use syscalls::consts::DT_DIR;
use syscalls::Errno;

pub struct DirFile {
    dentry: Arc<Dentry>,
    /// The root the `..` entry is computed against (the opener's root).
    root: Arc<Dentry>,
    snap: Mutex<Option<Arc<Snapshot>>>,
}

/// A listing as of the last rewind: `.` and `..` (index 0 and 1), then the
/// file system's entries, shared with its listing cache (not copied).
struct Snapshot {
    dots: [DirEntry; 2],
    entries: Arc<Vec<DirEntry>>,
}

impl Snapshot {
    fn len(&self) -> usize {
        2 + self.entries.len()
    }

    fn get(&self, i: usize) -> Option<&DirEntry> {
        match i {
            0 | 1 => Some(&self.dots[i]),
            _ => self.entries.get(i - 2),
        }
    }
}

impl DirFile {
    pub fn new(dentry: Arc<Dentry>, root: Arc<Dentry>) -> DirFile {
        DirFile {
            dentry,
            root,
            snap: Mutex::new(None),
        }
    }

    fn snapshot(&self, refresh: bool) -> Result<Arc<Snapshot>, Errno> {
        let mut s = self.snap.lock().unwrap_or_else(|p| p.into_inner());
        if let (false, Some(v)) = (refresh, s.as_ref()) {
            return Ok(v.clone());
        }
        let ino = self.dentry.inode_ref().stat()?.st_ino;
        let up = self.dentry.dotdot(&self.root);
        let up_ino = up.inode_ref().stat().map(|s| s.st_ino).unwrap_or(ino);
        let dots = [
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
        let mut entries = self.dentry.inode_ref().list_shared()?;
        // Mount points the sandbox made in memory (an OCI mount on a
        // directory the rootfs or /dev lacks) are listed too, as runc
        // would have created them (copying the listing only then).
        let extra: Vec<DirEntry> = self
            .dentry
            .mount_points()
            .into_iter()
            .filter(|c| !entries.iter().any(|e| e.name == c.name()))
            .map(|c| DirEntry {
                ino: c.inode_ref().stat().map(|s| s.st_ino).unwrap_or(0),
                d_type: DT_DIR,
                name: c.name().to_vec(),
            })
            .collect();
        if !extra.is_empty() {
            // Children are kept in a hash map: a stable order for listings.
            let mut extra = extra;
            extra.sort_by(|a, b| a.name.cmp(&b.name));
            let mut all = (*entries).clone();
            all.extend(extra);
            entries = Arc::new(all);
        }
        let v = Arc::new(Snapshot { dots, entries });
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
        file: &File,
        pos: u64,
        max: usize,
    ) -> Result<Vec<(u64, u64, u8, Vec<u8>)>, Errno> {
        let mut out = Vec::new();
        self.readdir_with(file, pos, max, &mut |ino, off, d_type, name| {
            out.push((ino, off, d_type, name.to_vec()));
            true
        })?;
        Ok(out)
    }
    fn readdir_with(
        &self,
        _file: &File,
        pos: u64,
        max: usize,
        emit: &mut DirEmit,
    ) -> Result<(), Errno> {
        let snap = self.snapshot(pos == 0)?;
        let start = usize::try_from(pos).unwrap_or(usize::MAX);
        let end = start.saturating_add(max).min(snap.len());
        for i in start..end {
            let Some(e) = snap.get(i) else { break };
            if !emit(e.ino, i as u64 + 1, e.d_type, &e.name) {
                break;
            }
        }
        Ok(())
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
