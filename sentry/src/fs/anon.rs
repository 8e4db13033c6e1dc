//! The anonymous inode that eventfd, epoll, timerfd and signalfd files share
//! (Linux's anon_inodefs): one inode, mode 0600 with no file type bits.

use super::synth::SynthFs;
use std::sync::{Arc, OnceLock};
use syscalls::abi::{Stat, Statfs};

/// ANON_INODE_FS_MAGIC.
pub const ANON_INODE_FS_MAGIC: i64 = 0x0904_1934;

fn anonfs() -> &'static (Arc<SynthFs>, u64) {
    static FS: OnceLock<(Arc<SynthFs>, u64)> = OnceLock::new();
    FS.get_or_init(|| {
        let fs = SynthFs::new(ANON_INODE_FS_MAGIC, false);
        let ino = fs.ino();
        (fs, ino)
    })
}

/// fstat of an anonymous-inode file.
pub fn stat() -> Stat {
    let (fs, ino) = anonfs();
    let mut st = fs.stat(*ino, 0o600, 1, 0, 0);
    st.st_blksize = 4096;
    st
}

/// fstatfs of an anonymous-inode file.
pub fn statfs() -> Statfs {
    anonfs().0.statfs()
}

/// The `FileOps` methods every anonymous-inode file shares: fstat and
/// fstatfs of the one anon inode, and Linux's noop_llseek (lseek reports 0,
/// pread/pwrite are ESPIPE). Used inside `impl FileOps for ...`.
macro_rules! anon_inode_ops {
    () => {
        fn stat(&self) -> Result<syscalls::abi::Stat, syscalls::Errno> {
            Ok($crate::fs::anon::stat())
        }
        fn seek_ok(&self) -> bool {
            true
        }
        fn pread_ok(&self) -> bool {
            false
        }
        fn statfs(
            &self,
            _file: &$crate::vfs::File,
        ) -> Result<syscalls::abi::Statfs, syscalls::Errno> {
            Ok($crate::fs::anon::statfs())
        }
    };
}
pub(crate) use anon_inode_ops;
