//! procfs: `/proc` generated from sentry state when it is looked up, listed
//! or read. Nothing here reads the host's `/proc` for app-visible data
//! (except the CPU model name, read once at start like other host facts).
//!
//! - [`ProcDir`] is a directory whose entries are computed on each listing
//!   and lookup; its children are never kept in the dentry cache
//!   ([`Inode::dynamic`]), so processes appear and vanish as they come and go.
//! - [`ProcFile`] is a file whose contents are generated at open (a
//!   snapshot, as Linux's seq_file gives one read sequence).
//! - [`ProcLink`] is a symlink whose target is computed at readlink.
//!
//! Per-process state that lives on the task's own thread (`Task`) is
//! mirrored into [`TaskView`] on its `TaskShared` after every syscall.

pub mod global;
pub mod magic;
pub mod mem;
pub mod mounts;
pub mod net;
pub mod pid;
pub mod status;
pub mod sys;
pub mod sys_net;

use crate::kernel::signal::TaskShared;
use crate::kernel::task::{Creds, FsContext, Task};
use crate::mm::MemoryManager;
use crate::vfs::{Dentry, DirEntry, File, FileOps, Inode};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use syscalls::abi::{Rlimit, Stat, Statfs};
use syscalls::consts::{dt_from_mode, S_IFDIR, S_IFLNK, S_IFREG};
use syscalls::Errno;

use super::synth::{SynthFs, PROC_SUPER_MAGIC};

/// What other tasks' procfs reads need from a task's thread-owned state.
pub struct TaskView {
    pub mm: Weak<MemoryManager>,
    pub fs: Weak<Mutex<FsContext>>,
    pub fds: Weak<crate::vfs::FdTable>,
    pub comm: Vec<u8>,
    /// A comm written through `/proc/.../comm`, taken by the task at its
    /// next syscall exit.
    pub new_comm: Option<Vec<u8>>,
    /// The path of the executable (absolute, from the exec'ing task's root).
    pub exe: Vec<u8>,
    pub exe_dentry: Option<Arc<Dentry>>,
    pub creds: Creds,
    pub rlimits: [Rlimit; 16],
    pub no_new_privs: bool,
    pub capbset: u64,
    pub oom_score_adj: i32,
}

impl Default for TaskView {
    fn default() -> TaskView {
        TaskView {
            mm: Weak::new(),
            fs: Weak::new(),
            fds: Weak::new(),
            comm: Vec::new(),
            new_comm: None,
            exe: Vec::new(),
            exe_dentry: None,
            creds: Creds::default(),
            rlimits: crate::kernel::task::default_rlimits(),
            no_new_privs: false,
            capbset: 0,
            oom_score_adj: 0,
        }
    }
}

/// The view of `t`, locked.
pub fn view(t: &TaskShared) -> MutexGuard<'_, TaskView> {
    t.view.lock().unwrap_or_else(|p| p.into_inner())
}

/// Bring the task's view up to date (after every syscall and when the task
/// starts running), and take a comm written through procfs.
pub fn sync_view(t: &mut Task) {
    let mut v = view(&t.shared);
    if let Some(c) = v.new_comm.take() {
        t.comm = c;
    }
    if v.comm != t.comm {
        v.comm = t.comm.clone();
    }
    if v.mm.as_ptr() != Arc::as_ptr(&t.mm) {
        v.mm = Arc::downgrade(&t.mm);
    }
    if v.fs.as_ptr() != Arc::as_ptr(&t.fs) {
        v.fs = Arc::downgrade(&t.fs);
    }
    if v.fds.as_ptr() != Arc::as_ptr(&t.fds) {
        v.fds = Arc::downgrade(&t.fds);
    }
    if v.creds != t.creds {
        v.creds = t.creds.clone();
    }
    v.rlimits = t.rlimits;
    v.no_new_privs = t.extras.no_new_privs;
    v.capbset = t.extras.capbset;
}

/// A new task's view starts as a copy of its creator's (exe, comm,
/// oom_score_adj survive fork and clone).
pub fn inherit_view(parent: &TaskShared, child: &TaskShared) {
    let (exe, exe_dentry, comm, oom) = {
        let p = view(parent);
        (
            p.exe.clone(),
            p.exe_dentry.clone(),
            p.comm.clone(),
            p.oom_score_adj,
        )
    };
    let mut c = view(child);
    c.exe = exe;
    c.exe_dentry = exe_dentry;
    c.comm = comm;
    c.oom_score_adj = oom;
}

/// Record the executable's path at execve.
pub fn set_exe(t: &Task, dentry: Arc<Dentry>) {
    let path = dentry.path(&t.fs_ctx().root);
    let mut v = view(&t.shared);
    v.exe = path;
    v.exe_dentry = Some(dentry);
}

/// The task reading procfs and its creds (root creds outside a task).
pub(crate) fn caller() -> (Option<Arc<TaskShared>>, Creds) {
    match crate::kernel::wait::current() {
        Some(t) => {
            let c = view(&t).creds.clone();
            (Some(t), c)
        }
        None => (None, Creds::default()),
    }
}

/// The calling task's root (for paths in symlinks and mounts).
pub(crate) fn caller_root() -> Option<Arc<Dentry>> {
    let t = crate::kernel::wait::current()?;
    let fs = view(&t).fs.upgrade()?;
    let root = fs.lock().unwrap_or_else(|p| p.into_inner()).root.clone();
    Some(root)
}

/// Generates a file's contents.
pub type Gen = Arc<dyn Fn() -> Result<Vec<u8>, Errno> + Send + Sync>;
/// Takes a write to a file (the whole buffer of one write(2)).
pub type Put = Arc<dyn Fn(&[u8]) -> Result<usize, Errno> + Send + Sync>;
/// Checks an open of a file (given the open flags).
pub type Gate = Arc<dyn Fn(u32) -> Result<(), Errno> + Send + Sync>;
/// Lists a directory: names and modes.
pub type Lister = Arc<dyn Fn() -> Vec<(Vec<u8>, u32)> + Send + Sync>;
/// Looks a name up in a directory.
pub type Looker = Arc<dyn Fn(&[u8]) -> Result<Arc<dyn Inode>, Errno> + Send + Sync>;
/// Computes a symlink target.
pub type Target = Arc<dyn Fn() -> Result<Vec<u8>, Errno> + Send + Sync>;
/// Owner of a node (computed: a process's files belong to its euid).
pub type Owner = Arc<dyn Fn() -> (u32, u32) + Send + Sync>;

fn root_owner() -> Owner {
    Arc::new(|| (0, 0))
}

/// A directory computed on each listing and lookup.
pub struct ProcDir {
    fs: Arc<SynthFs>,
    ino: u64,
    mode: u32,
    owner: Owner,
    list: Lister,
    lookup: Looker,
}

impl ProcDir {
    pub fn new(
        fs: &Arc<SynthFs>,
        perm: u32,
        owner: Owner,
        list: Lister,
        lookup: Looker,
    ) -> Arc<Self> {
        Arc::new(ProcDir {
            fs: fs.clone(),
            ino: fs.ino(),
            mode: S_IFDIR | perm,
            owner,
            list,
            lookup,
        })
    }
}

/// The stat of a procfs inode owned by (uid, gid) (the process's, for
/// /proc/[pid] entries).
fn owned_stat(fs: &SynthFs, ino: u64, mode: u32, nlink: u64, size: i64, owner: (u32, u32)) -> Stat {
    let mut st = fs.stat(ino, mode, nlink, size, 0);
    st.st_uid = owner.0;
    st.st_gid = owner.1;
    st
}

impl Inode for ProcDir {
    fn stat(&self) -> Result<Stat, Errno> {
        Ok(owned_stat(
            &self.fs,
            self.ino,
            self.mode,
            2,
            0,
            (self.owner)(),
        ))
    }
    fn mode(&self) -> u32 {
        self.mode
    }
    fn owner(&self) -> (u32, u32) {
        (self.owner)()
    }
    fn lookup(&self, name: &[u8]) -> Result<Arc<dyn Inode>, Errno> {
        (self.lookup)(name)
    }
    fn list(&self) -> Result<Vec<DirEntry>, Errno> {
        Ok((self.list)()
            .into_iter()
            .map(|(name, mode)| DirEntry {
                ino: self.fs.ino(),
                d_type: dt_from_mode(mode),
                name,
            })
            .collect())
    }
    fn open(&self, _dentry: &Arc<Dentry>, _flags: u32) -> Result<Box<dyn FileOps>, Errno> {
        Err(Errno::EISDIR)
    }
    fn statfs(&self) -> Result<Statfs, Errno> {
        Ok(self.fs.statfs())
    }
    fn readonly(&self) -> bool {
        false
    }
    fn dynamic(&self) -> bool {
        true
    }
    // Linux's procfs lookups fail instead of giving negative dentries, so
    // creating a name is ENOENT.
    fn mknod(&self, _: &[u8], _: u32, _: u64, _: (u32, u32)) -> Result<Arc<dyn Inode>, Errno> {
        Err(Errno::ENOENT)
    }
    fn symlink(&self, _: &[u8], _: &[u8], _: (u32, u32)) -> Result<Arc<dyn Inode>, Errno> {
        Err(Errno::ENOENT)
    }
}

/// A file whose contents are generated at open.
pub struct ProcFile {
    fs: Arc<SynthFs>,
    ino: u64,
    mode: u32,
    owner: Owner,
    gen: Gen,
    put: Option<Put>,
    /// Checked at open with the open flags (ptrace-level access for
    /// environ and auxv, sysctl's write permission).
    gate: Option<Gate>,
}

impl ProcFile {
    pub fn new(
        fs: &Arc<SynthFs>,
        perm: u32,
        owner: Owner,
        gen: Gen,
        put: Option<Put>,
    ) -> Arc<Self> {
        Arc::new(ProcFile {
            fs: fs.clone(),
            ino: fs.ino(),
            mode: S_IFREG | perm,
            owner,
            gen,
            put,
            gate: None,
        })
    }

    pub fn gated(
        fs: &Arc<SynthFs>,
        perm: u32,
        owner: Owner,
        gen: Gen,
        put: Option<Put>,
        gate: Gate,
    ) -> Arc<Self> {
        Arc::new(ProcFile {
            fs: fs.clone(),
            ino: fs.ino(),
            mode: S_IFREG | perm,
            owner,
            gen,
            put,
            gate: Some(gate),
        })
    }
}

impl Inode for ProcFile {
    fn stat(&self) -> Result<Stat, Errno> {
        Ok(owned_stat(
            &self.fs,
            self.ino,
            self.mode,
            1,
            0,
            (self.owner)(),
        ))
    }
    fn mode(&self) -> u32 {
        self.mode
    }
    fn owner(&self) -> (u32, u32) {
        (self.owner)()
    }
    fn open(&self, _dentry: &Arc<Dentry>, flags: u32) -> Result<Box<dyn FileOps>, Errno> {
        if let Some(g) = &self.gate {
            g(flags)?;
        }
        let acc = flags & libc::O_ACCMODE as u32;
        let data = if acc == libc::O_WRONLY as u32 {
            Vec::new()
        } else {
            (self.gen)()?
        };
        Ok(Box::new(ProcOpen {
            data,
            put: self.put.clone(),
            stat: self.stat()?,
        }))
    }
    fn statfs(&self) -> Result<Statfs, Errno> {
        Ok(self.fs.statfs())
    }
    fn readonly(&self) -> bool {
        false
    }
    fn setattr(&self, attr: &crate::vfs::SetAttr) -> Result<(), Errno> {
        // O_TRUNC on a writable proc file is accepted and ignored.
        if attr.size.is_some() && attr.mode.is_none() && attr.uid.is_none() && attr.gid.is_none() {
            return Ok(());
        }
        Err(Errno::EPERM)
    }
}

/// An open [`ProcFile`]: the snapshot taken at open.
struct ProcOpen {
    data: Vec<u8>,
    put: Option<Put>,
    stat: Stat,
}

impl FileOps for ProcOpen {
    fn read(&self, _file: &File, buf: &mut [u8], off: u64) -> Result<usize, Errno> {
        let start = usize::try_from(off)
            .unwrap_or(usize::MAX)
            .min(self.data.len());
        let n = buf.len().min(self.data.len() - start);
        buf[..n].copy_from_slice(&self.data[start..start + n]);
        Ok(n)
    }
    fn write(&self, _file: &File, buf: &[u8], _off: u64) -> Result<usize, Errno> {
        match &self.put {
            Some(p) => p(buf),
            None => Err(Errno::EINVAL),
        }
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

/// A symlink whose target is computed at readlink.
pub struct ProcLink {
    fs: Arc<SynthFs>,
    ino: u64,
    /// Permission bits (0777 except fd links, whose bits follow the open
    /// mode).
    perm: u32,
    owner: Owner,
    target: Target,
    magic: Option<Magic>,
}

/// The dentry a magic link jumps to.
pub type Magic = Arc<dyn Fn() -> Result<Arc<Dentry>, Errno> + Send + Sync>;

impl ProcLink {
    pub fn new(fs: &Arc<SynthFs>, owner: Owner, target: Target) -> Arc<Self> {
        Arc::new(ProcLink {
            fs: fs.clone(),
            ino: fs.ino(),
            perm: 0o777,
            owner,
            target,
            magic: None,
        })
    }

    /// A magic link: `target` for readlink, `magic` for path walks.
    pub fn magic(fs: &Arc<SynthFs>, owner: Owner, target: Target, magic: Magic) -> Arc<Self> {
        ProcLink::magic_perm(fs, 0o777, owner, target, magic)
    }

    /// [`ProcLink::magic`] with permission bits `perm`.
    pub fn magic_perm(
        fs: &Arc<SynthFs>,
        perm: u32,
        owner: Owner,
        target: Target,
        magic: Magic,
    ) -> Arc<Self> {
        Arc::new(ProcLink {
            fs: fs.clone(),
            ino: fs.ino(),
            perm,
            owner,
            target,
            magic: Some(magic),
        })
    }
}

impl Inode for ProcLink {
    fn stat(&self) -> Result<Stat, Errno> {
        let len = (self.target)().map(|t| t.len()).unwrap_or(0);
        Ok(owned_stat(
            &self.fs,
            self.ino,
            S_IFLNK | self.perm,
            1,
            len as i64,
            (self.owner)(),
        ))
    }
    fn mode(&self) -> u32 {
        S_IFLNK | self.perm
    }
    fn owner(&self) -> (u32, u32) {
        (self.owner)()
    }
    fn readlink(&self) -> Result<Vec<u8>, Errno> {
        (self.target)()
    }
    fn magic_link(&self) -> Option<Result<Arc<Dentry>, Errno>> {
        self.magic.as_ref().map(|m| m())
    }
    fn open(&self, _dentry: &Arc<Dentry>, _flags: u32) -> Result<Box<dyn FileOps>, Errno> {
        Err(Errno::ELOOP)
    }
    fn statfs(&self) -> Result<Statfs, Errno> {
        Ok(self.fs.statfs())
    }
    fn readonly(&self) -> bool {
        false
    }
}

/// A fixed-content, read-only file.
pub fn text(
    fs: &Arc<SynthFs>,
    gen: impl Fn() -> Vec<u8> + Send + Sync + 'static,
) -> Arc<dyn Inode> {
    ProcFile::new(fs, 0o444, root_owner(), Arc::new(move || Ok(gen())), None)
}

/// A static table of named entries: each name with its mode and a
/// constructor.
pub type Entry<C> = (&'static str, u32, fn(&Arc<SynthFs>, &C) -> Arc<dyn Inode>);

/// A [`ProcDir`] over a static table, each entry built with `ctx`.
pub fn table_dir<C: Clone + Send + Sync + 'static>(
    fs: &Arc<SynthFs>,
    perm: u32,
    owner: Owner,
    entries: &'static [Entry<C>],
    ctx: C,
) -> Arc<dyn Inode> {
    let fs2 = fs.clone();
    ProcDir::new(
        fs,
        perm,
        owner,
        Arc::new(move || {
            entries
                .iter()
                .map(|(n, m, _)| (n.as_bytes().to_vec(), *m))
                .collect()
        }),
        Arc::new(move |name| {
            entries
                .iter()
                .find(|(n, _, _)| n.as_bytes() == name)
                .map(|(_, _, mk)| mk(&fs2, &ctx))
                .ok_or(Errno::ENOENT)
        }),
    )
}

/// The procfs root mounted on `/proc`.
pub fn new_procfs() -> Arc<dyn Inode> {
    let fs = SynthFs::new(PROC_SUPER_MAGIC, false);
    global::root(&fs)
}
