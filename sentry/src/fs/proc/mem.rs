//! `/proc/[pid]/mem`: the process's memory at file offsets equal to
//! addresses. Opening it needs ptrace-level access; reads and writes follow
//! the VMAs' protections (Linux's FOLL_FORCE writes to read-only private
//! pages are not emulated); an unmapped address is EIO.

use super::pid::{may_access, Pid};
use super::view;
use crate::fs::synth::SynthFs;
use crate::mm::MemoryManager;
use crate::vfs::{Dentry, File, FileOps, Inode};
use std::sync::{Arc, Weak};
use syscalls::abi::{Stat, Statfs};
use syscalls::consts::S_IFREG;
use syscalls::Errno;

const MODE: u32 = S_IFREG | 0o600;

pub struct MemInode {
    fs: Arc<SynthFs>,
    ino: u64,
    p: Pid,
}

/// The `mem` file of `p`.
pub fn mem(fs: &Arc<SynthFs>, p: &Pid) -> Arc<dyn Inode> {
    Arc::new(MemInode {
        fs: fs.clone(),
        ino: fs.ino(),
        p: *p,
    })
}

impl Inode for MemInode {
    fn stat(&self) -> Result<Stat, Errno> {
        let (uid, gid) = self.owner();
        let mut st = self.fs.stat(self.ino, MODE, 1, 0, 0);
        st.st_uid = uid;
        st.st_gid = gid;
        Ok(st)
    }
    fn mode(&self) -> u32 {
        MODE
    }
    fn owner(&self) -> (u32, u32) {
        match super::pid::task_of(&self.p) {
            Ok(t) => {
                let v = view(&t);
                (v.creds.euid, v.creds.egid)
            }
            Err(_) => (0, 0),
        }
    }
    fn open(&self, _dentry: &Arc<Dentry>, _flags: u32) -> Result<Box<dyn FileOps>, Errno> {
        may_access(&self.p)?;
        let t = super::pid::task_of(&self.p)?;
        let mm = view(&t).mm.clone();
        Ok(Box::new(MemFile {
            mm,
            stat: self.stat()?,
        }))
    }
    fn statfs(&self) -> Result<Statfs, Errno> {
        Ok(self.fs.statfs())
    }
    fn readonly(&self) -> bool {
        false
    }
}

struct MemFile {
    mm: Weak<MemoryManager>,
    stat: Stat,
}

impl FileOps for MemFile {
    fn read(&self, _file: &File, buf: &mut [u8], off: u64) -> Result<usize, Errno> {
        let mm = self.mm.upgrade().ok_or(Errno::EIO)?;
        let n = mm.copy_in_partial(off, buf);
        if n == 0 && !buf.is_empty() {
            return Err(Errno::EIO);
        }
        Ok(n)
    }
    fn write(&self, _file: &File, buf: &[u8], off: u64) -> Result<usize, Errno> {
        let mm = self.mm.upgrade().ok_or(Errno::EIO)?;
        let n = mm.copy_out_partial(off, buf);
        if n == 0 && !buf.is_empty() {
            return Err(Errno::EIO);
        }
        Ok(n)
    }
    fn seekable(&self) -> bool {
        true
    }
    fn stat(&self) -> Result<Stat, Errno> {
        Ok(self.stat)
    }
    fn size(&self) -> Result<u64, Errno> {
        Ok(0)
    }
}
