//! `/proc/[pid]` and `/proc/[pid]/task/[tid]`: one process or thread.

use super::{caller, caller_root, table_dir, view, Entry, Owner, ProcDir, ProcFile, ProcLink};
use crate::fs::synth::SynthFs;
use crate::kernel::signal::{TaskShared, ThreadGroup};
use crate::kernel::Kernel;
use crate::mm::MemoryManager;
use crate::vfs::{Dentry, Inode};
use std::fmt::Write as _;
use std::sync::Arc;
use syscalls::consts::{S_IFDIR, S_IFLNK, S_IFREG};
use syscalls::Errno;

/// Which process (and thread, for `task/[tid]` directories) a node shows.
#[derive(Clone, Copy)]
pub struct Pid {
    pub tgid: i32,
    pub tid: i32,
    /// A `/proc/[pid]` directory (else `/proc/[pid]/task/[tid]`).
    pub process: bool,
}

pub(crate) fn kernel() -> Result<Arc<Kernel>, Errno> {
    crate::kernel::wait::current_kernel().ok_or(Errno::ESRCH)
}

/// The live task a node refers to: the thread, or for a process any of its
/// threads (the leader first).
pub(crate) fn task_of(p: &Pid) -> Result<Arc<TaskShared>, Errno> {
    let k = kernel()?;
    if let Some(t) = k.tasks.get(p.tid) {
        if t.tgid == p.tgid {
            return Ok(t);
        }
    }
    if p.process {
        if let Some(g) = k.tasks.group(p.tgid) {
            if let Some(t) = g.members().first() {
                return Ok(t.clone());
            }
        }
    }
    Err(Errno::ESRCH)
}

fn group_of(p: &Pid) -> Option<Arc<ThreadGroup>> {
    kernel().ok()?.tasks.group(p.tgid)
}

/// Whether the process exists (alive or a zombie not yet reaped).
pub(crate) fn exists(k: &Kernel, tgid: i32) -> bool {
    k.procs.lock().procs.contains_key(&tgid)
}

fn mm_of(p: &Pid) -> Result<Arc<MemoryManager>, Errno> {
    let t = task_of(p)?;
    let mm = view(&t).mm.upgrade();
    mm.ok_or(Errno::ESRCH)
}

fn owner(p: Pid) -> Owner {
    Arc::new(move || match task_of(&p) {
        Ok(t) => {
            let v = view(&t);
            (v.creds.euid, v.creds.egid)
        }
        Err(_) => (0, 0),
    })
}

/// `ptrace_may_access(PTRACE_MODE_READ_FSCREDS)`: the same process, root,
/// or matching ids.
pub(crate) fn may_access(p: &Pid) -> Result<(), Errno> {
    let (me, creds) = caller();
    if me.as_ref().is_some_and(|m| m.tgid == p.tgid) || creds.fsuid == 0 {
        return Ok(());
    }
    let t = task_of(p)?;
    let v = view(&t);
    let c = &v.creds;
    let uid_ok = [c.ruid, c.euid, c.suid].iter().all(|u| *u == creds.fsuid);
    let gid_ok = [c.rgid, c.egid, c.sgid].iter().all(|g| *g == creds.fsgid);
    if uid_ok && gid_ok {
        Ok(())
    } else {
        Err(Errno::EACCES)
    }
}

fn file(
    fs: &Arc<SynthFs>,
    p: &Pid,
    perm: u32,
    gen: fn(&Pid) -> Result<Vec<u8>, Errno>,
) -> Arc<dyn Inode> {
    let p = *p;
    ProcFile::new(fs, perm, owner(p), Arc::new(move || gen(&p)), None)
}

fn gated(fs: &Arc<SynthFs>, p: &Pid, gen: fn(&Pid) -> Result<Vec<u8>, Errno>) -> Arc<dyn Inode> {
    let p = *p;
    ProcFile::gated(
        fs,
        0o400,
        owner(p),
        Arc::new(move || gen(&p)),
        None,
        Arc::new(move |_| may_access(&p)),
    )
}

type PathOf = fn(&Pid) -> Result<Vec<u8>, Errno>;
type DentryOf = fn(&Pid) -> Result<Arc<Dentry>, Errno>;

/// A magic link (readlink shows a path, walks jump to the dentry);
/// ptrace-level access is needed to follow it.
fn magic(fs: &Arc<SynthFs>, p: &Pid, target: PathOf, dentry: DentryOf) -> Arc<dyn Inode> {
    let p = *p;
    ProcLink::magic(
        fs,
        owner(p),
        Arc::new(move || {
            may_access(&p)?;
            target(&p)
        }),
        Arc::new(move || {
            may_access(&p)?;
            dentry(&p)
        }),
    )
}

const R: u32 = S_IFREG;
const D: u32 = S_IFDIR;
const L: u32 = S_IFLNK;

/// The entries of a `/proc/[pid]` directory (`task/[tid]` ones lack `task`).
static PROCESS: &[Entry<Pid>] = &[
    ("auxv", R | 0o400, |fs, p| gated(fs, p, auxv)),
    ("cgroup", R | 0o444, |fs, p| {
        file(fs, p, 0o444, |_| Ok(b"0::/\n".to_vec()))
    }),
    ("cmdline", R | 0o444, |fs, p| file(fs, p, 0o444, cmdline)),
    ("comm", R | 0o644, comm),
    ("cwd", L | 0o777, |fs, p| {
        magic(fs, p, |p| fs_path(p, false), |p| fs_dentry(p, false))
    }),
    ("environ", R | 0o400, |fs, p| gated(fs, p, environ)),
    ("exe", L | 0o777, |fs, p| magic(fs, p, exe, exe_dentry)),
    ("fd", D | 0o500, fd_dir),
    ("fdinfo", D | 0o555, fdinfo_dir),
    ("io", R | 0o400, |fs, p| gated(fs, p, io)),
    ("limits", R | 0o444, |fs, p| file(fs, p, 0o444, limits)),
    ("maps", R | 0o444, |fs, p| file(fs, p, 0o444, maps)),
    ("mem", R | 0o600, super::mem::mem),
    ("mountinfo", R | 0o444, |fs, p| {
        file(fs, p, 0o444, |p| {
            Ok(super::mounts::mountinfo_from(&fs_dentry(p, true)?))
        })
    }),
    ("mounts", R | 0o444, |fs, p| {
        file(fs, p, 0o444, |p| {
            Ok(super::mounts::mounts_from(&fs_dentry(p, true)?))
        })
    }),
    ("mountstats", R | 0o400, |fs, p| {
        gated(fs, p, |p| {
            Ok(super::mounts::mountstats_from(&fs_dentry(p, true)?))
        })
    }),
    ("net", D | 0o555, |fs, _| super::net::net_dir(fs)),
    ("ns", D | 0o511, ns_dir),
    ("oom_adj", R | 0o644, |fs, p| {
        file(fs, p, 0o644, |_| Ok(b"0\n".to_vec()))
    }),
    ("oom_score", R | 0o444, |fs, p| {
        file(fs, p, 0o444, |_| Ok(b"0\n".to_vec()))
    }),
    ("oom_score_adj", R | 0o644, oom_score_adj),
    ("root", L | 0o777, |fs, p| {
        magic(fs, p, |p| fs_path(p, true), |p| fs_dentry(p, true))
    }),
    ("smaps", R | 0o444, |fs, p| file(fs, p, 0o444, smaps)),
    ("smaps_rollup", R | 0o444, |fs, p| {
        file(fs, p, 0o444, smaps_rollup)
    }),
    ("stat", R | 0o444, |fs, p| {
        file(fs, p, 0o444, super::status::stat)
    }),
    ("statm", R | 0o444, |fs, p| {
        file(fs, p, 0o444, super::status::statm)
    }),
    ("status", R | 0o444, |fs, p| {
        file(fs, p, 0o444, super::status::status)
    }),
    ("task", D | 0o555, task_dir),
    ("wchan", R | 0o444, |fs, p| {
        file(fs, p, 0o444, |_| Ok(b"0".to_vec()))
    }),
];

static THREAD: std::sync::LazyLock<Vec<Entry<Pid>>> = std::sync::LazyLock::new(|| {
    PROCESS
        .iter()
        .filter(|(n, _, _)| *n != "task")
        .copied()
        .collect()
});

/// The directory of process `tgid` (or of its thread `tid`).
pub fn dir(fs: &Arc<SynthFs>, p: Pid) -> Arc<dyn Inode> {
    let entries: &'static [Entry<Pid>] = if p.process { PROCESS } else { &THREAD };
    table_dir(fs, 0o555, owner(p), entries, p)
}

fn read_range(mm: &MemoryManager, start: u64, end: u64) -> Vec<u8> {
    let len = end.saturating_sub(start).min(1 << 20) as usize;
    let mut buf = vec![0u8; len];
    let n = mm.copy_in_partial(start, &mut buf);
    buf.truncate(n);
    buf
}

fn cmdline(p: &Pid) -> Result<Vec<u8>, Errno> {
    let mm = match mm_of(p) {
        Ok(mm) => mm,
        // A zombie's command line is empty.
        Err(_) => return Ok(Vec::new()),
    };
    let (s, e) = {
        let m = mm.lock();
        (m.arg_start, m.arg_end)
    };
    Ok(read_range(&mm, s, e))
}

fn environ(p: &Pid) -> Result<Vec<u8>, Errno> {
    let mm = mm_of(p).map_err(|_| Errno::ESRCH)?;
    let (s, e) = {
        let m = mm.lock();
        (m.env_start, m.env_end)
    };
    Ok(read_range(&mm, s, e))
}

fn auxv(p: &Pid) -> Result<Vec<u8>, Errno> {
    let mm = mm_of(p)?;
    let pairs = mm.lock().auxv.clone();
    let mut out = Vec::with_capacity(pairs.len() * 16 + 16);
    for (k, v) in &pairs {
        out.extend_from_slice(&k.to_le_bytes());
        out.extend_from_slice(&v.to_le_bytes());
    }
    if pairs.last().is_none_or(|(k, _)| *k != 0) {
        out.extend_from_slice(&[0u8; 16]);
    }
    Ok(out)
}

fn io(_p: &Pid) -> Result<Vec<u8>, Errno> {
    Ok(b"rchar: 0\nwchar: 0\nsyscr: 0\nsyscw: 0\nread_bytes: 0\nwrite_bytes: 0\ncancelled_write_bytes: 0\n".to_vec())
}

fn comm(fs: &Arc<SynthFs>, p: &Pid) -> Arc<dyn Inode> {
    let p = *p;
    ProcFile::new(
        fs,
        0o644,
        owner(p),
        Arc::new(move || {
            let t = task_of(&p)?;
            let mut c = view(&t).comm.clone();
            c.push(b'\n');
            Ok(c)
        }),
        Some(Arc::new(move |buf: &[u8]| {
            let t = task_of(&p)?;
            let (me, _) = caller();
            if me.is_none_or(|m| m.tgid != t.tgid) {
                return Err(Errno::EINVAL);
            }
            let mut c: Vec<u8> = buf.iter().take(15).copied().collect();
            if let Some(z) = c.iter().position(|b| *b == 0) {
                c.truncate(z);
            }
            let mut v = view(&t);
            v.comm = c.clone();
            v.new_comm = Some(c);
            Ok(buf.len())
        })),
    )
}

fn oom_score_adj(fs: &Arc<SynthFs>, p: &Pid) -> Arc<dyn Inode> {
    let p = *p;
    ProcFile::new(
        fs,
        0o644,
        owner(p),
        Arc::new(move || {
            let t = task_of(&p)?;
            let v = view(&t).oom_score_adj;
            Ok(format!("{v}\n").into_bytes())
        }),
        Some(Arc::new(move |buf: &[u8]| {
            let t = task_of(&p)?;
            let s = std::str::from_utf8(buf).map_err(|_| Errno::EINVAL)?;
            let v: i32 = s.trim().parse().map_err(|_| Errno::EINVAL)?;
            if !(-1000..=1000).contains(&v) {
                return Err(Errno::EINVAL);
            }
            let (_, creds) = caller();
            let mut tv = view(&t);
            if v < tv.oom_score_adj && creds.euid != 0 {
                return Err(Errno::EACCES);
            }
            tv.oom_score_adj = v;
            Ok(buf.len())
        })),
    )
}

fn exe(p: &Pid) -> Result<Vec<u8>, Errno> {
    let t = task_of(p).map_err(|_| Errno::ENOENT)?;
    let e = view(&t).exe.clone();
    if e.is_empty() {
        return Err(Errno::ENOENT);
    }
    Ok(e)
}

fn exe_dentry(p: &Pid) -> Result<Arc<Dentry>, Errno> {
    let t = task_of(p).map_err(|_| Errno::ENOENT)?;
    let d = view(&t).exe_dentry.clone();
    d.ok_or(Errno::ENOENT)
}

/// The cwd (or root) of the task.
pub(crate) fn fs_dentry(p: &Pid, root: bool) -> Result<Arc<Dentry>, Errno> {
    let t = task_of(p).map_err(|_| Errno::ENOENT)?;
    let fs = view(&t).fs.upgrade().ok_or(Errno::ENOENT)?;
    let c = fs.lock().unwrap_or_else(|e| e.into_inner());
    Ok(if root { c.root.clone() } else { c.cwd.clone() })
}

/// The cwd (or root) of the task, as a path from the reader's root.
fn fs_path(p: &Pid, root: bool) -> Result<Vec<u8>, Errno> {
    let d = fs_dentry(p, root)?;
    Ok(match caller_root() {
        Some(r) => d.path(&r),
        None => d.abs_path(),
    })
}

fn fds_of(p: &Pid) -> Result<Arc<crate::vfs::FdTable>, Errno> {
    let t = task_of(p)?;
    let fds = view(&t).fds.upgrade();
    fds.ok_or(Errno::ENOENT)
}

fn open_fds(p: &Pid) -> Vec<i32> {
    let Ok(fds) = fds_of(p) else {
        return Vec::new();
    };
    (0..fds.len() as i32)
        .filter(|fd| fds.entry(*fd).is_ok())
        .collect()
}

fn parse_num(name: &[u8]) -> Option<i32> {
    let s = std::str::from_utf8(name).ok()?;
    if s.is_empty() || (s.len() > 1 && s.starts_with('0')) || !s.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    s.parse().ok()
}

/// What `/proc/[pid]/fd/N` points to, as Linux's `d_path` shows it.
pub(crate) fn fd_target(file: &crate::vfs::File) -> Vec<u8> {
    if let Some(name) = file.ops.proc_name() {
        return name.into_bytes();
    }
    if let Some(d) = &file.dentry {
        return match caller_root() {
            Some(r) => d.path(&r),
            None => d.abs_path(),
        };
    }
    let st = file.stat().unwrap_or_else(|_| crate::fs::anon::stat());
    match st.st_mode & syscalls::consts::S_IFMT {
        syscalls::consts::S_IFIFO => format!("pipe:[{}]", st.st_ino).into_bytes(),
        syscalls::consts::S_IFSOCK => format!("socket:[{}]", st.st_ino).into_bytes(),
        0 => b"anon_inode:[unknown]".to_vec(),
        // Host files (stdio): the device's /dev/char name.
        _ => format!(
            "/dev/char/{}:{}",
            crate::vfs::major(st.st_rdev),
            crate::vfs::minor(st.st_rdev)
        )
        .into_bytes(),
    }
}

/// A directory with one entry per open fd of `p` (fd/, fdinfo/): entries of
/// type `kind`, each made by `child` once the fd is known to be open.
fn per_fd_dir(
    fs: &Arc<SynthFs>,
    p: &Pid,
    perm: u32,
    kind: u32,
    child: impl Fn(&Arc<SynthFs>, Pid, i32) -> Arc<dyn Inode> + Send + Sync + 'static,
) -> Arc<dyn Inode> {
    let p = *p;
    let fs2 = fs.clone();
    ProcDir::new(
        fs,
        perm,
        owner(p),
        Arc::new(move || {
            open_fds(&p)
                .into_iter()
                .map(|fd| (fd.to_string().into_bytes(), kind))
                .collect()
        }),
        Arc::new(move |name| {
            let fd = parse_num(name).ok_or(Errno::ENOENT)?;
            fds_of(&p)?.entry(fd).map_err(|_| Errno::ENOENT)?;
            Ok(child(&fs2, p, fd))
        }),
    )
}

fn fd_dir(fs: &Arc<SynthFs>, p: &Pid) -> Arc<dyn Inode> {
    per_fd_dir(fs, p, 0o500, S_IFLNK | 0o700, |fs, p, fd| {
        // Linux: r-x for a readable file, -wx for a writable one.
        let perm = fds_of(&p)
            .and_then(|t| t.get(fd))
            .map(|f| match f.is_path() {
                true => 0,
                false => {
                    (if f.readable() { 0o500 } else { 0 }) | (if f.writable() { 0o300 } else { 0 })
                }
            })
            .unwrap_or(0o700);
        ProcLink::magic_perm(
            fs,
            perm,
            owner(p),
            Arc::new(move || {
                may_access(&p)?;
                let f = fds_of(&p)?.get(fd).map_err(|_| Errno::ENOENT)?;
                Ok(fd_target(&f))
            }),
            Arc::new(move || {
                may_access(&p)?;
                let f = fds_of(&p)?.get(fd).map_err(|_| Errno::ENOENT)?;
                Ok(super::magic::dentry_of(&f))
            }),
        ) as Arc<dyn Inode>
    })
}

fn fdinfo_dir(fs: &Arc<SynthFs>, p: &Pid) -> Arc<dyn Inode> {
    per_fd_dir(fs, p, 0o555, S_IFREG | 0o444, |fs, p, fd| {
        ProcFile::new(
            fs,
            0o444,
            owner(p),
            Arc::new(move || {
                let e = fds_of(&p)?.entry(fd).map_err(|_| Errno::ENOENT)?;
                let pos = *e.file.pos.lock().unwrap_or_else(|x| x.into_inner());
                let mut flags = e.file.flags();
                if e.cloexec {
                    flags |= libc::O_CLOEXEC as u32;
                }
                let st = e.file.stat().unwrap_or_else(|_| crate::fs::anon::stat());
                let mnt = super::mounts::mount_id(&e.file, st.st_dev);
                Ok(format!(
                    "pos:\t{pos}\nflags:\t0{flags:o}\nmnt_id:\t{mnt}\nino:\t{}\n",
                    st.st_ino
                )
                .into_bytes())
            }),
            None,
        ) as Arc<dyn Inode>
    })
}

fn task_dir(fs: &Arc<SynthFs>, p: &Pid) -> Arc<dyn Inode> {
    let p = *p;
    let fs2 = fs.clone();
    ProcDir::new(
        fs,
        0o555,
        owner(p),
        Arc::new(move || {
            let mut tids: Vec<i32> = group_of(&p)
                .map(|g| g.members().iter().map(|t| t.tid).collect())
                .unwrap_or_default();
            tids.sort_unstable();
            tids.into_iter()
                .map(|t| (t.to_string().into_bytes(), S_IFDIR | 0o555))
                .collect()
        }),
        Arc::new(move |name| {
            let tid = parse_num(name).ok_or(Errno::ENOENT)?;
            let g = group_of(&p).ok_or(Errno::ENOENT)?;
            if !g.members().iter().any(|t| t.tid == tid) {
                return Err(Errno::ENOENT);
            }
            Ok(dir(
                &fs2,
                Pid {
                    tgid: p.tgid,
                    tid,
                    process: false,
                },
            ))
        }),
    )
}

/// Sandbox-wide namespace ids (one of each namespace kind, like the
/// initial namespaces of a Linux host).
const NS: &[(&str, &str, u64)] = &[
    ("cgroup", "cgroup", 4_026_531_835),
    ("ipc", "ipc", 4_026_531_839),
    ("mnt", "mnt", 4_026_531_841),
    ("net", "net", 4_026_531_840),
    ("pid", "pid", 4_026_531_836),
    ("pid_for_children", "pid", 4_026_531_836),
    ("time", "time", 4_026_531_834),
    ("time_for_children", "time", 4_026_531_834),
    ("user", "user", 4_026_531_837),
    ("uts", "uts", 4_026_531_838),
];

fn ns_dir(fs: &Arc<SynthFs>, p: &Pid) -> Arc<dyn Inode> {
    let p = *p;
    let fs2 = fs.clone();
    ProcDir::new(
        fs,
        0o511,
        owner(p),
        Arc::new(|| {
            NS.iter()
                .map(|(n, _, _)| (n.as_bytes().to_vec(), S_IFLNK | 0o777))
                .collect()
        }),
        Arc::new(move |name| {
            let (_, kind, id) = NS
                .iter()
                .find(|(n, _, _)| n.as_bytes() == name)
                .ok_or(Errno::ENOENT)?;
            let target = format!("{kind}:[{id}]").into_bytes();
            Ok(
                ProcLink::new(&fs2, owner(p), Arc::new(move || Ok(target.clone())))
                    as Arc<dyn Inode>,
            )
        }),
    )
}

fn limits(p: &Pid) -> Result<Vec<u8>, Errno> {
    const NAMES: [(&str, &str); 16] = [
        ("Max cpu time", "seconds"),
        ("Max file size", "bytes"),
        ("Max data size", "bytes"),
        ("Max stack size", "bytes"),
        ("Max core file size", "bytes"),
        ("Max resident set", "bytes"),
        ("Max processes", "processes"),
        ("Max open files", "files"),
        ("Max locked memory", "bytes"),
        ("Max address space", "bytes"),
        ("Max file locks", "locks"),
        ("Max pending signals", "signals"),
        ("Max msgqueue size", "bytes"),
        ("Max nice priority", ""),
        ("Max realtime priority", ""),
        ("Max realtime timeout", "us"),
    ];
    let t = task_of(p)?;
    let rl = view(&t).rlimits;
    let mut s = format!(
        "{:<25} {:<20} {:<20} {:<10}\n",
        "Limit", "Soft Limit", "Hard Limit", "Units"
    );
    for (i, (name, unit)) in NAMES.iter().enumerate() {
        let v = |x: u64| {
            if x == u64::MAX {
                "unlimited".to_string()
            } else {
                x.to_string()
            }
        };
        let _ = write!(
            s,
            "{name:<25} {:<20} {:<20} ",
            v(rl[i].rlim_cur),
            v(rl[i].rlim_max)
        );
        if !unit.is_empty() {
            let _ = write!(s, "{unit:<10}");
        }
        s.push('\n');
    }
    Ok(s.into_bytes())
}

/// One VMA as maps/smaps show it.
struct MapLine {
    text: String,
    start: u64,
    end: u64,
    anon: bool,
    flags: String,
}

fn map_lines(p: &Pid) -> Vec<MapLine> {
    let Ok(mm) = mm_of(p) else {
        return Vec::new();
    };
    let m = mm.lock();
    let mut out = Vec::new();
    for v in m.vmas.values() {
        let off = match &v.backing {
            crate::mm::Backing::Object { off, .. }
                if v.name.as_deref().is_none_or(|n| !n.starts_with('[')) =>
            {
                *off
            }
            _ => 0,
        };
        let bit = |m: i32, b: i32, c: char| if m & b != 0 { c } else { '-' };
        let (dev, ino) = v.file_id.unwrap_or((0, 0));
        let mut line = format!(
            "{:08x}-{:08x} {}{}{}{} {:08x} {:02x}:{:02x} {ino}",
            v.start,
            v.end,
            bit(v.prot, libc::PROT_READ, 'r'),
            bit(v.prot, libc::PROT_WRITE, 'w'),
            bit(v.prot, libc::PROT_EXEC, 'x'),
            if v.shared { 's' } else { 'p' },
            off,
            crate::vfs::major(dev),
            crate::vfs::minor(dev),
        );
        if let Some(name) = &v.name {
            line.push_str(&" ".repeat(73usize.saturating_sub(line.len()).max(1)));
            line.push_str(name);
        }
        let mut flags = String::new();
        for (on, tag) in [
            (v.prot & libc::PROT_READ != 0, "rd"),
            (v.prot & libc::PROT_WRITE != 0, "wr"),
            (v.prot & libc::PROT_EXEC != 0, "ex"),
            (v.shared, "sh"),
            (v.max_prot & libc::PROT_READ != 0, "mr"),
            (v.max_prot & libc::PROT_WRITE != 0, "mw"),
            (v.max_prot & libc::PROT_EXEC != 0, "me"),
            (v.growsdown, "gd"),
            (!v.shared && v.prot & libc::PROT_WRITE != 0, "ac"),
        ] {
            if on {
                flags.push_str(tag);
                flags.push(' ');
            }
        }
        out.push(MapLine {
            text: line,
            start: v.start,
            end: v.end,
            anon: v.file_id.is_none(),
            flags,
        });
    }
    out
}

fn maps(p: &Pid) -> Result<Vec<u8>, Errno> {
    let mut s = String::new();
    for l in map_lines(p) {
        s.push_str(&l.text);
        s.push('\n');
    }
    Ok(s.into_bytes())
}

/// Resident bytes of [start, end) (mincore in bounded chunks).
fn resident(p: &Pid, start: u64, end: u64) -> u64 {
    const CHUNK: u64 = 64 << 20;
    let Ok(mm) = mm_of(p) else { return 0 };
    let mut n = 0;
    let mut a = start;
    while a < end {
        let len = (end - a).min(CHUNK);
        if let Ok(v) = mm.mincore(a, len) {
            n += v.iter().filter(|b| **b & 1 != 0).count() as u64;
        }
        a += len;
    }
    n * 4096
}

/// `/proc/[pid]/smaps` (basic): sizes and residency per VMA; no sharing
/// accounting (Pss = Rss, everything private).
fn smaps(p: &Pid) -> Result<Vec<u8>, Errno> {
    let mut s = String::new();
    for l in map_lines(p) {
        let size = (l.end - l.start) / 1024;
        let rss = resident(p, l.start, l.end) / 1024;
        let _ = writeln!(s, "{}", l.text);
        smaps_fields(&mut s, Some(size), rss, l.anon);
        let _ = writeln!(s, "THPeligible:           0");
        let _ = writeln!(s, "VmFlags: {}", l.flags);
    }
    Ok(s.into_bytes())
}

/// The counters of one smaps entry (`size` is None for smaps_rollup).
fn smaps_fields(s: &mut String, size: Option<u64>, rss: u64, anon: bool) {
    let mut kv = |k: &str, v: u64| {
        let _ = writeln!(s, "{:<16}{:>8} kB", format!("{k}:"), v);
    };
    if let Some(size) = size {
        kv("Size", size);
        kv("KernelPageSize", 4);
        kv("MMUPageSize", 4);
    }
    kv("Rss", rss);
    kv("Pss", rss);
    kv("Pss_Dirty", if anon { rss } else { 0 });
    if size.is_none() {
        kv("Pss_Anon", if anon { rss } else { 0 });
        kv("Pss_File", if anon { 0 } else { rss });
        kv("Pss_Shmem", 0);
    }
    kv("Shared_Clean", 0);
    kv("Shared_Dirty", 0);
    kv("Private_Clean", if anon { 0 } else { rss });
    kv("Private_Dirty", if anon { rss } else { 0 });
    kv("Referenced", rss);
    kv("Anonymous", if anon { rss } else { 0 });
    for k in [
        "KSM",
        "LazyFree",
        "AnonHugePages",
        "ShmemPmdMapped",
        "FilePmdMapped",
        "Shared_Hugetlb",
        "Private_Hugetlb",
        "Swap",
        "SwapPss",
        "Locked",
    ] {
        kv(k, 0);
    }
}

/// `/proc/[pid]/smaps_rollup`.
fn smaps_rollup(p: &Pid) -> Result<Vec<u8>, Errno> {
    let lines = map_lines(p);
    let (Some(first), Some(last)) = (lines.first(), lines.last()) else {
        return Ok(Vec::new());
    };
    let mut s = format!(
        "{:08x}-{:08x} ---p 00000000 00:00 0                          [rollup]\n",
        first.start, last.end
    );
    let (mut anon, mut file) = (0, 0);
    for l in &lines {
        let r = resident(p, l.start, l.end) / 1024;
        if l.anon {
            anon += r;
        } else {
            file += r;
        }
    }
    // Summed per kind: the anon share first, then the file share.
    let mut a = String::new();
    smaps_fields(&mut a, None, anon, true);
    let mut f = String::new();
    smaps_fields(&mut f, None, file, false);
    for (la, lf) in a.lines().zip(f.lines()) {
        let key = la.split(':').next().unwrap_or("");
        let num = |l: &str| {
            l.split_whitespace()
                .nth(1)
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0)
        };
        let _ = writeln!(s, "{:<16}{:>8} kB", format!("{key}:"), num(la) + num(lf));
    }
    Ok(s.into_bytes())
}
