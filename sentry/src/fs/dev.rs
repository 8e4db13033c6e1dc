//! The synthetic `/dev`: memory devices (null, zero, full, random, urandom)
//! the `fd`, `stdin`, `stdout`, `stderr` symlinks, `tty`, `ptmx` and the
//! mount points `shm` and `pts`.

use super::synth::{SynthDir, SynthFs, SynthSymlink, TMPFS_MAGIC};
use crate::vfs::{makedev, Dentry, File, FileOps, Inode, MmapSource};
use std::sync::Arc;
use syscalls::abi::{Stat, Statfs};
use syscalls::consts::S_IFCHR;
use syscalls::Errno;

/// The memory devices of Linux's `drivers/char/mem.c` (major 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DevKind {
    Null,
    Zero,
    Full,
    Random,
    Urandom,
}

impl DevKind {
    pub fn minor(self) -> u32 {
        match self {
            DevKind::Null => 3,
            DevKind::Zero => 5,
            DevKind::Full => 7,
            DevKind::Random => 8,
            DevKind::Urandom => 9,
        }
    }

    pub fn name(self) -> &'static [u8] {
        match self {
            DevKind::Null => b"null",
            DevKind::Zero => b"zero",
            DevKind::Full => b"full",
            DevKind::Random => b"random",
            DevKind::Urandom => b"urandom",
        }
    }
}

/// A device node in the synthetic `/dev`.
pub struct DevInode {
    fs: Arc<SynthFs>,
    ino: u64,
    kind: DevKind,
}

const DEV_MODE: u32 = S_IFCHR | 0o666;

impl DevInode {
    pub fn new(fs: Arc<SynthFs>, kind: DevKind) -> Arc<DevInode> {
        let ino = fs.ino();
        Arc::new(DevInode { fs, ino, kind })
    }
}

impl Inode for DevInode {
    fn stat(&self) -> Result<Stat, Errno> {
        Ok(self
            .fs
            .stat(self.ino, DEV_MODE, 1, 0, makedev(1, self.kind.minor())))
    }
    fn mode(&self) -> u32 {
        DEV_MODE
    }
    fn owner(&self) -> (u32, u32) {
        (0, 0)
    }
    fn open(&self, _dentry: &Arc<Dentry>, _flags: u32) -> Result<Box<dyn FileOps>, Errno> {
        Ok(Box::new(DevFile {
            kind: self.kind,
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

/// An open memory device.
pub struct DevFile {
    kind: DevKind,
    stat: Stat,
}

/// Fill `buf` with random bytes from the host kernel.
pub fn host_random(buf: &mut [u8]) -> Result<usize, Errno> {
    let mut done = 0;
    while done < buf.len() {
        let rest = &mut buf[done..];
        // SAFETY: getrandom writes at most `rest.len()` bytes into `rest`.
        let r = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
        if r < 0 {
            let e = Errno::last();
            if e == Errno::EINTR {
                continue;
            }
            return if done > 0 { Ok(done) } else { Err(e) };
        }
        done += r as usize;
    }
    Ok(done)
}

impl FileOps for DevFile {
    fn read(&self, _file: &File, buf: &mut [u8], _off: u64) -> Result<usize, Errno> {
        match self.kind {
            DevKind::Null => Ok(0),
            DevKind::Zero | DevKind::Full => {
                buf.fill(0);
                Ok(buf.len())
            }
            DevKind::Random | DevKind::Urandom => host_random(buf),
        }
    }
    fn write(&self, _file: &File, buf: &[u8], _off: u64) -> Result<usize, Errno> {
        match self.kind {
            DevKind::Full => Err(Errno::ENOSPC),
            // Writes to the random devices mix data into the pool; the
            // sentry has no pool of its own, so they are accepted.
            _ => Ok(buf.len()),
        }
    }
    fn seek_ok(&self) -> bool {
        true
    }
    fn write_ignores_data(&self) -> bool {
        matches!(self.kind, DevKind::Null | DevKind::Zero)
    }
    fn stat(&self) -> Result<Stat, Errno> {
        Ok(self.stat)
    }
    fn mmap(&self, _file: &File) -> Result<MmapSource, Errno> {
        match self.kind {
            DevKind::Zero => Ok(MmapSource::Zero),
            _ => Err(Errno::ENODEV),
        }
    }
    fn size(&self) -> Result<u64, Errno> {
        Ok(0)
    }
}

/// `/dev/console`: the host terminal the sandbox was given as stdio (a
/// container's console). Its attributes are the host tty's, so ttyname(3)
/// of a stdio fd finds it; without a host terminal it is a 5:1 node whose
/// open gives ENXIO.
pub struct ConsoleInode {
    fs: Arc<SynthFs>,
    ino: u64,
}

const CONSOLE_MODE: u32 = S_IFCHR | 0o600;

impl Inode for ConsoleInode {
    fn stat(&self) -> Result<Stat, Errno> {
        if let Some(st) = super::host::console().and_then(|t| t.host_stat().ok()) {
            return Ok(st);
        }
        Ok(self.fs.stat(self.ino, CONSOLE_MODE, 1, 0, makedev(5, 1)))
    }
    fn mode(&self) -> u32 {
        self.stat().map(|s| s.st_mode).unwrap_or(CONSOLE_MODE)
    }
    fn owner(&self) -> (u32, u32) {
        (0, 0)
    }
    fn open(&self, _dentry: &Arc<Dentry>, flags: u32) -> Result<Box<dyn FileOps>, Errno> {
        use super::tty::Terminal;
        super::host::console().ok_or(Errno::ENXIO)?.open_ctty(flags)
    }
    fn statfs(&self) -> Result<Statfs, Errno> {
        Ok(self.fs.statfs())
    }
    fn readonly(&self) -> bool {
        false
    }
}

/// The `/dev` file system: a tmpfs-like directory with the memory devices
/// and the standard symlinks.
pub fn new_devfs(devpts: &Arc<super::devpts::DevptsFs>) -> Arc<dyn Inode> {
    let fs = SynthFs::new(TMPFS_MAGIC, false);
    let dir = SynthDir::new(fs.clone(), 0o755);
    for kind in [
        DevKind::Null,
        DevKind::Zero,
        DevKind::Full,
        DevKind::Random,
        DevKind::Urandom,
    ] {
        dir.add(kind.name(), DevInode::new(fs.clone(), kind));
    }
    let links: [(&[u8], &[u8]); 4] = [
        (b"fd", b"/proc/self/fd"),
        (b"stdin", b"/proc/self/fd/0"),
        (b"stdout", b"/proc/self/fd/1"),
        (b"stderr", b"/proc/self/fd/2"),
    ];
    for (name, target) in links {
        dir.add(name, SynthSymlink::new(fs.clone(), target));
    }
    // The mount point of /dev/shm (a tmpfs is mounted on it).
    dir.add(b"shm", SynthDir::new(fs.clone(), 0o755));
    // Terminals: /dev/tty (the controlling terminal), /dev/ptmx (new ptys
    // on the devpts mounted on /dev/pts).
    dir.add(b"tty", super::devpts::DevTtyInode::new(fs.clone()));
    let ino = fs.ino();
    dir.add(
        b"console",
        Arc::new(ConsoleInode {
            fs: fs.clone(),
            ino,
        }),
    );
    let ino = fs.ino();
    dir.add(
        b"ptmx",
        super::devpts::Ptmx::new(fs.clone(), ino, 0o666, devpts.clone()),
    );
    dir.add(b"pts", SynthDir::new(fs.clone(), 0o755));
    dir
}
