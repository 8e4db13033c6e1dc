//! devpts and `/dev/ptmx` (Linux's `fs/devpts` and `drivers/tty/pty.c`):
//! opening a ptmx creates a pseudo-terminal pair, returns its master and
//! makes `/dev/pts/N` appear until the master is closed. The line
//! discipline is in [`ldisc`], the pair's state and file operations in
//! [`pty`]; job control and controlling terminals are shared with host
//! ttys in [`super::tty`].
//!
//! One devpts instance serves the sandbox: it is mounted on `/dev/pts`
//! and the synthetic `/dev/ptmx` opens ptys on it (as Linux's `/dev/ptmx`
//! uses the devpts mounted on its sibling `pts`).

pub mod ldisc;
pub mod pty;

use super::synth::SynthFs;
use crate::vfs::{makedev, Dentry, DirEntry, FileOps, Inode};
use pty::Pty;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, Weak};
use syscalls::abi::{Stat, Statfs};
use syscalls::consts::{dt_from_mode, S_IFCHR, S_IFDIR};
use syscalls::Errno;

pub const DEVPTS_SUPER_MAGIC: i64 = 0x1cd1;
/// Linux's UNIX98_PTY_SLAVE_MAJOR.
pub const PTS_MAJOR: u32 = 136;
/// `/dev/ptmx` and `/dev/tty` (TTYAUX_MAJOR).
pub const TTYAUX_MAJOR: u32 = 5;
/// The most ptys at once (Linux's default /proc/sys/kernel/pty/max).
pub const PTY_MAX: u32 = 4096;

/// Mount options of a devpts instance (`mode=`, `gid=`, `ptmxmode=`),
/// with Linux's defaults.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Permission bits of new `/dev/pts/N`.
    pub mode: u32,
    /// Group of new `/dev/pts/N` (None: the creator's).
    pub gid: Option<u32>,
    /// Permission bits of `/dev/pts/ptmx`.
    pub ptmxmode: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            mode: 0o600,
            gid: None,
            ptmxmode: 0,
        }
    }
}

impl Options {
    /// Parse mount(2) data: `mode=`, `ptmxmode=` (octal), `gid=`; `uid=`,
    /// `newinstance` and `max=` are accepted and ignored (every mount is a
    /// new instance, as Linux since 4.7). EINVAL for anything else.
    pub fn parse(data: &[u8]) -> Result<Options, Errno> {
        let mut o = Options::default();
        let text = std::str::from_utf8(data).map_err(|_| Errno::EINVAL)?;
        for opt in text.split(',').filter(|s| !s.is_empty()) {
            let (k, v) = opt.split_once('=').unwrap_or((opt, ""));
            let octal = || u32::from_str_radix(v, 8).map_err(|_| Errno::EINVAL);
            match k {
                "mode" => o.mode = octal()? & 0o7777,
                "ptmxmode" => o.ptmxmode = octal()? & 0o7777,
                "gid" => o.gid = Some(v.parse().map_err(|_| Errno::EINVAL)?),
                "uid" | "max" => {
                    v.parse::<u32>().map_err(|_| Errno::EINVAL)?;
                }
                "newinstance" | "rw" | "ro" | "nosuid" | "noexec" | "relatime" => {}
                _ => return Err(Errno::EINVAL),
            }
        }
        Ok(o)
    }
}

/// A devpts instance.
pub struct DevptsFs {
    fs: Arc<SynthFs>,
    opts: Options,
    /// Allocated indices; an index is free again once its pty is gone.
    ptys: Mutex<BTreeMap<u32, Weak<Pty>>>,
    me: Weak<DevptsFs>,
}

impl DevptsFs {
    pub fn new(opts: Options) -> Arc<DevptsFs> {
        Arc::new_cyclic(|me| DevptsFs {
            fs: SynthFs::new(DEVPTS_SUPER_MAGIC, false),
            opts,
            ptys: Mutex::new(BTreeMap::new()),
            me: me.clone(),
        })
    }

    fn ptys(&self) -> std::sync::MutexGuard<'_, BTreeMap<u32, Weak<Pty>>> {
        self.ptys.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The root directory (what is mounted on `/dev/pts`).
    pub fn root(self: &Arc<Self>) -> Arc<dyn Inode> {
        Arc::new(Root { fs: self.clone() })
    }

    /// A new pty pair with the lowest free index (ENOSPC past PTY_MAX).
    fn new_pty(&self) -> Result<Arc<Pty>, Errno> {
        let mut map = self.ptys();
        map.retain(|_, w| w.strong_count() > 0);
        let index = (0..PTY_MAX)
            .find(|i| !map.contains_key(i))
            .ok_or(Errno::ENOSPC)?;
        let (uid, gid) = creator();
        let mut st = self.fs.stat(
            u64::from(index) + 3,
            S_IFCHR | self.opts.mode,
            1,
            0,
            makedev(PTS_MAJOR, index),
        );
        let now = crate::vfs::Time::now();
        (st.st_atime, st.st_mtime, st.st_ctime) = (now.sec, now.sec, now.sec);
        (st.st_atime_nsec, st.st_mtime_nsec, st.st_ctime_nsec) = (now.nsec, now.nsec, now.nsec);
        st.st_uid = uid;
        st.st_gid = self.opts.gid.unwrap_or(gid);
        let pty = Pty::new(index, st);
        map.insert(index, Arc::downgrade(&pty));
        Ok(pty)
    }

    /// The pty of `/dev/pts/N`, while its master is open.
    fn lookup_pty(&self, index: u32) -> Option<Arc<Pty>> {
        self.ptys()
            .get(&index)
            .and_then(Weak::upgrade)
            .filter(|p| p.visible())
    }
}

/// The uid and gid new files of the calling task get. The sentry thread
/// knows its task's effective uid; the gid is root's.
fn creator() -> (u32, u32) {
    crate::kernel::wait::current()
        .map(|t| (t.uids().1, 0))
        .unwrap_or((0, 0))
}

/// The root of a devpts instance: `ptmx` and one entry per live pty.
struct Root {
    fs: Arc<DevptsFs>,
}

impl Inode for Root {
    fn stat(&self) -> Result<Stat, Errno> {
        Ok(self.fs.fs.stat(1, S_IFDIR | 0o755, 2, 0, 0))
    }
    fn mode(&self) -> u32 {
        S_IFDIR | 0o755
    }
    fn owner(&self) -> (u32, u32) {
        (0, 0)
    }
    fn lookup(&self, name: &[u8]) -> Result<Arc<dyn Inode>, Errno> {
        if name == b"ptmx" {
            return Ok(Ptmx::new(
                self.fs.fs.clone(),
                2,
                self.fs.opts.ptmxmode,
                self.fs.clone(),
            ));
        }
        let s = std::str::from_utf8(name).map_err(|_| Errno::ENOENT)?;
        if s.is_empty() || (s.len() > 1 && s.starts_with('0')) {
            return Err(Errno::ENOENT);
        }
        let index: u32 = s.parse().map_err(|_| Errno::ENOENT)?;
        let pty = self.fs.lookup_pty(index).ok_or(Errno::ENOENT)?;
        Ok(Arc::new(Pts {
            pty,
            fs: self.fs.clone(),
        }))
    }
    fn list(&self) -> Result<Vec<DirEntry>, Errno> {
        let mut v = vec![DirEntry {
            ino: 2,
            d_type: dt_from_mode(S_IFCHR),
            name: b"ptmx".to_vec(),
        }];
        let live: Vec<Arc<Pty>> = self.fs.ptys().values().filter_map(Weak::upgrade).collect();
        for p in live.into_iter().filter(|p| p.visible()) {
            v.push(DirEntry {
                ino: u64::from(p.index) + 3,
                d_type: dt_from_mode(S_IFCHR),
                name: p.index.to_string().into_bytes(),
            });
        }
        Ok(v)
    }
    fn open(&self, _dentry: &Arc<Dentry>, _flags: u32) -> Result<Box<dyn FileOps>, Errno> {
        Err(Errno::EISDIR)
    }
    fn statfs(&self) -> Result<Statfs, Errno> {
        Ok(self.fs.fs.statfs())
    }
    fn readonly(&self) -> bool {
        false
    }
    fn dynamic(&self) -> bool {
        true
    }
}

/// A ptmx node: `/dev/ptmx` (on the synthetic /dev) or `/dev/pts/ptmx`.
pub struct Ptmx {
    fs: Arc<SynthFs>,
    ino: u64,
    perm: u32,
    devpts: Arc<DevptsFs>,
}

impl Ptmx {
    /// A ptmx node of file system `fs` opening ptys on `devpts`.
    pub fn new(fs: Arc<SynthFs>, ino: u64, perm: u32, devpts: Arc<DevptsFs>) -> Arc<Ptmx> {
        Arc::new(Ptmx {
            fs,
            ino,
            perm,
            devpts,
        })
    }
}

impl Inode for Ptmx {
    fn stat(&self) -> Result<Stat, Errno> {
        Ok(self
            .fs
            .stat(self.ino, self.mode(), 1, 0, makedev(TTYAUX_MAJOR, 2)))
    }
    fn mode(&self) -> u32 {
        S_IFCHR | self.perm
    }
    fn owner(&self) -> (u32, u32) {
        (0, 0)
    }
    fn open(&self, _dentry: &Arc<Dentry>, _flags: u32) -> Result<Box<dyn FileOps>, Errno> {
        let devpts = self.devpts.me.upgrade().ok_or(Errno::ENODEV)?;
        let pty = devpts.new_pty()?;
        Ok(pty.master(self.stat()?))
    }
    fn statfs(&self) -> Result<Statfs, Errno> {
        Ok(self.fs.statfs())
    }
    fn readonly(&self) -> bool {
        false
    }
}

/// `/dev/pts/N`.
struct Pts {
    pty: Arc<Pty>,
    fs: Arc<DevptsFs>,
}

impl Inode for Pts {
    fn stat(&self) -> Result<Stat, Errno> {
        Ok(self.pty.slave_stat())
    }
    fn mode(&self) -> u32 {
        self.pty.slave_stat().st_mode
    }
    fn owner(&self) -> (u32, u32) {
        let st = self.pty.slave_stat();
        (st.st_uid, st.st_gid)
    }
    fn open(&self, _dentry: &Arc<Dentry>, flags: u32) -> Result<Box<dyn FileOps>, Errno> {
        let ops = self.pty.open_slave()?;
        if flags & syscalls::consts::O_NOCTTY == 0 {
            let term: Arc<dyn super::tty::Terminal> = self.pty.clone();
            super::tty::open_may_acquire(&term);
        }
        Ok(ops)
    }
    fn statfs(&self) -> Result<Statfs, Errno> {
        Ok(self.fs.fs.statfs())
    }
    fn readonly(&self) -> bool {
        false
    }
}

/// `/dev/tty`: opens the caller's controlling terminal.
pub struct DevTtyInode {
    fs: Arc<SynthFs>,
    ino: u64,
}

impl DevTtyInode {
    pub fn new(fs: Arc<SynthFs>) -> Arc<DevTtyInode> {
        let ino = fs.ino();
        Arc::new(DevTtyInode { fs, ino })
    }
}

impl Inode for DevTtyInode {
    fn stat(&self) -> Result<Stat, Errno> {
        Ok(self
            .fs
            .stat(self.ino, S_IFCHR | 0o666, 1, 0, makedev(TTYAUX_MAJOR, 0)))
    }
    fn mode(&self) -> u32 {
        S_IFCHR | 0o666
    }
    fn owner(&self) -> (u32, u32) {
        (0, 0)
    }
    fn open(&self, _dentry: &Arc<Dentry>, flags: u32) -> Result<Box<dyn FileOps>, Errno> {
        super::tty::open_dev_tty(flags, self.stat()?)
    }
    fn statfs(&self) -> Result<Statfs, Errno> {
        Ok(self.fs.statfs())
    }
    fn readonly(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vfs::File;
    use syscalls::consts::{O_NONBLOCK, O_RDWR};

    fn names(root: &Arc<dyn Inode>) -> Vec<Vec<u8>> {
        root.list().unwrap().into_iter().map(|e| e.name).collect()
    }

    #[test]
    fn mount_options() {
        let o = Options::parse(b"newinstance,ptmxmode=0666,mode=620,gid=5").unwrap();
        assert_eq!((o.mode, o.ptmxmode, o.gid), (0o620, 0o666, Some(5)));
        let d = Options::parse(b"").unwrap();
        assert_eq!((d.mode, d.ptmxmode, d.gid), (0o600, 0, None));
        assert_eq!(Options::parse(b"mode=9").err(), Some(Errno::EINVAL));
        assert_eq!(Options::parse(b"bogus").err(), Some(Errno::EINVAL));
    }

    #[test]
    fn pair_lifecycle() {
        let fs = DevptsFs::new(Options::default());
        let root = fs.root();
        let pty = fs.new_pty().unwrap();
        let st = pty.slave_stat();
        assert_eq!(crate::vfs::major(st.st_rdev), PTS_MAJOR);
        let master = File::new(pty.master(st), O_RDWR | O_NONBLOCK, None);
        assert_eq!(names(&root), [b"ptmx".to_vec(), b"0".to_vec()]);
        // Locked until TIOCSPTLCK(0).
        assert_eq!(pty.open_slave().err(), Some(Errno::EIO));
        pty.set_locked(false);
        let slave = File::new(pty.open_slave().unwrap(), O_RDWR | O_NONBLOCK, None);
        // A second pty gets the next index.
        let other = fs.new_pty().unwrap();
        assert_eq!(other.index, 1);
        drop(other);

        let mut buf = [0u8; 64];
        assert_eq!(master.ops.read_cur(&master, &mut buf), Err(Errno::EAGAIN));
        assert_eq!(master.ops.write_cur(&master, b"ab\x7fc\n"), Ok(5));
        assert_eq!(slave.ops.read_cur(&slave, &mut buf), Ok(3));
        assert_eq!(&buf[..3], b"ac\n");
        let n = master.ops.read_cur(&master, &mut buf).unwrap();
        assert_eq!(&buf[..n], b"ab\x08 \x08c\r\n");
        assert_eq!(slave.ops.write_cur(&slave, b"out\n"), Ok(4));
        let n = master.ops.read_cur(&master, &mut buf).unwrap();
        assert_eq!(&buf[..n], b"out\r\n");

        // The last slave closing: master reads EIO once drained.
        assert_eq!(slave.ops.write_cur(&slave, b"x"), Ok(1));
        drop(slave);
        assert_eq!(master.ops.read_cur(&master, &mut buf), Ok(1));
        assert_eq!(master.ops.read_cur(&master, &mut buf), Err(Errno::EIO));
        let (mask, _) = master.ops.poll(&master, 0);
        assert_ne!(mask & crate::vfs::file::pollev::POLLHUP, 0);

        // The master closing hangs the slave up and removes /dev/pts/0.
        let slave = File::new(pty.open_slave().unwrap(), O_RDWR, None);
        drop(master);
        assert_eq!(names(&root), [b"ptmx".to_vec()]);
        assert_eq!(slave.ops.read_cur(&slave, &mut buf), Ok(0));
        assert_eq!(slave.ops.write_cur(&slave, b"x"), Err(Errno::EIO));
        assert_eq!(pty.open_slave().err(), Some(Errno::EIO));
        drop(slave);
        drop(pty);
        // The index is free again.
        assert_eq!(fs.new_pty().unwrap().index, 0);
    }
}
