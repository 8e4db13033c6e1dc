//! mount(2), umount2(2), pivot_root(2), chroot(2) and unshare(2), with
//! Linux's argument checks and errno order (`fs/namespace.c`, `fs/open.c`,
//! `kernel/fork.c`). The work is done by the mount table in
//! [`crate::vfs::mount`]; file systems are made by [`crate::fs`].
//!
//! The sandbox is one mount namespace: `unshare(CLONE_NEWNS)` gives the
//! task its own root/cwd (CLONE_FS) but the mount table stays shared by
//! every process of the sandbox (documented gap).

use super::caps::has_cap;
use super::{Support, SysResult, Table};
use crate::fs;
use crate::kernel::task::{FsContext, Task};
use crate::vfs::mount::{NewMount, Propagation};
use crate::vfs::resolve::lookup_at;
use crate::vfs::{check_access, Dentry, Ids, Inode, Mount, MountFlags, MAY_EXEC};
use std::sync::Arc;
use syscalls::consts::AT_FDCWD;
use syscalls::nr;
use syscalls::Errno;

pub const CAP_SYS_CHROOT: u32 = 18;
pub const CAP_SYS_ADMIN: u32 = 21;

const MS_REMOUNT: u64 = 32;
const MS_BIND: u64 = 4096;
const MS_MOVE: u64 = 8192;
const MS_REC: u64 = 16384;
const MS_SILENT: u64 = 32768;
const MS_UNBINDABLE: u64 = 1 << 17;
const MS_PRIVATE: u64 = 1 << 18;
const MS_SLAVE: u64 = 1 << 19;
const MS_SHARED: u64 = 1 << 20;
const MS_NOUSER: u64 = 1 << 31;
const MS_MGC_MSK: u64 = 0xffff_0000;
const MS_MGC_VAL: u64 = 0xc0ed_0000;
const MS_PROPAGATION: u64 = MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE;

const MNT_FORCE: u32 = 1;
const MNT_DETACH: u32 = 2;
const MNT_EXPIRE: u32 = 4;
const UMOUNT_NOFOLLOW: u32 = 8;

pub fn register(t: &mut Table) {
    t.set(
        nr::MOUNT,
        sys_mount,
        Support::Partial(
            "tmpfs (size/mode/uid/gid), proc, sysfs, bind (MS_REC), remount (tmpfs size=), \
             MS_MOVE, propagation recorded only; each devpts mount is a new instance; mqueue \
             shows the sandbox's one instance",
        ),
    );
    t.set(
        nr::UMOUNT2,
        sys_umount2,
        Support::Partial(
            "MNT_DETACH, MNT_EXPIRE, UMOUNT_NOFOLLOW; MNT_FORCE acts as a plain umount",
        ),
    );
    t.set(nr::PIVOT_ROOT, sys_pivot_root, Support::Full);
    t.set(nr::CHROOT, sys_chroot, Support::Full);
    t.set(
        nr::UNSHARE,
        sys_unshare,
        Support::Partial(
            "CLONE_FS, CLONE_FILES, CLONE_NEWNS (own root/cwd; the mount table stays \
             sandbox-wide), CLONE_SYSVSEM; other namespaces EINVAL",
        ),
    );
}

/// A string argument of mount(2) (NULL allowed): EFAULT on a bad address,
/// EINVAL when longer than a page.
fn opt_str(t: &Task, addr: u64) -> Result<Option<Vec<u8>>, Errno> {
    if addr == 0 {
        return Ok(None);
    }
    match t.mm.read_cstr(addr, 4096) {
        Ok(s) => Ok(Some(s)),
        Err(Errno::ENAMETOOLONG) => Err(Errno::EINVAL),
        Err(e) => Err(e),
    }
}

fn lossy(s: &[u8]) -> String {
    String::from_utf8_lossy(s).into_owned()
}

/// The dentry the path names and its mount (following mounts on it).
fn resolve_mount_path(t: &Task, path: &[u8], follow: bool) -> Result<Arc<Dentry>, Errno> {
    lookup_at(t, AT_FDCWD, path, follow)
}

fn mount_of(d: &Arc<Dentry>) -> Result<Arc<Mount>, Errno> {
    d.mnt().ok_or(Errno::EINVAL)
}

/// Whether `d` is the root of its mount (`path_mounted`).
fn is_mount_root(d: &Arc<Dentry>) -> bool {
    d.parent().is_none() && d.mnt().is_some()
}

fn sys_mount(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let fstype = opt_str(t, a[2])?;
    let source = opt_str(t, a[0])?;
    let data = opt_str(t, a[4])?;
    let target = t.read_path(a[1])?;
    let mut flags = a[3];
    if flags & MS_MGC_MSK == MS_MGC_VAL {
        flags &= !MS_MGC_MSK;
    }
    if flags & MS_NOUSER != 0 {
        return Err(Errno::EINVAL);
    }
    let at = resolve_mount_path(t, &target, true)?;
    if !has_cap(t, CAP_SYS_ADMIN) {
        return Err(Errno::EPERM);
    }
    let mut mflags = MountFlags::from_ms(flags);
    let vfs = t.k.vfs.clone();
    if flags & (MS_REMOUNT | MS_BIND) == MS_REMOUNT | MS_BIND {
        let m = remount_target(&at)?;
        m.set_flags(keep_atime(flags, mflags, &m));
        return Ok(0);
    }
    if flags & MS_REMOUNT != 0 {
        let m = remount_target(&at)?;
        if let Some(d) = &data {
            remount_options(&m, &lossy(d))?;
        }
        mflags = keep_atime(flags, mflags, &m);
        m.set_flags(mflags);
        m.set_super_ro(mflags.has(MountFlags::RDONLY));
        return Ok(0);
    }
    if flags & MS_BIND != 0 {
        let src = source.filter(|s| !s.is_empty()).ok_or(Errno::EINVAL)?;
        let from = resolve_mount_path(t, &src, true)?;
        return bind(&vfs.mounts, &at, &from, flags & MS_REC != 0).map(|_| 0);
    }
    if flags & MS_PROPAGATION != 0 {
        return change_type(&vfs.mounts, &at, flags).map(|_| 0);
    }
    if flags & MS_MOVE != 0 {
        let src = source.filter(|s| !s.is_empty()).ok_or(Errno::EINVAL)?;
        let from = resolve_mount_path(t, &src, true)?;
        return move_mount(&vfs.mounts, &from, &at).map(|_| 0);
    }
    let fstype = fstype.ok_or(Errno::EINVAL)?;
    let source = source.map(|s| lossy(&s)).unwrap_or_else(|| "none".into());
    let data = data.map(|d| lossy(&d)).unwrap_or_default();
    let (fs, super_opts) = new_fs(&vfs, &fstype, &data)?;
    let m = vfs.mount(&at, fs, &lossy(&fstype), &source, mflags)?;
    m.set_super_opts(&super_opts);
    Ok(0)
}

/// A remount applies to the root of an attached mount (EINVAL otherwise).
fn remount_target(at: &Arc<Dentry>) -> Result<Arc<Mount>, Errno> {
    if !is_mount_root(at) {
        return Err(Errno::EINVAL);
    }
    mount_of(at)
}

/// The file-system options of a remount: tmpfs applies `size=` (EINVAL
/// below what its files hold) and ignores what it cannot change
/// (mode/uid/gid, as Linux); other file systems take none.
fn remount_options(m: &Mount, data: &str) -> Result<(), Errno> {
    if m.fstype != "tmpfs" {
        return Ok(());
    }
    let Some(tfs) = fs::tmpfs::TmpFs::of(m.root.inode()) else {
        return Ok(());
    };
    for o in options(data) {
        let (k, v) = o.split_once('=').unwrap_or((o, ""));
        if k == "size" {
            let bytes = memparse(v).ok_or(Errno::EINVAL)?.div_ceil(4096) * 4096;
            tfs.set_limit(bytes)?;
            let mut opts: Vec<String> = m
                .super_opts()
                .split(',')
                .filter(|o| !o.is_empty() && !o.starts_with("size="))
                .map(str::to_string)
                .collect();
            opts.insert(0, format!("size={}k", bytes / 1024));
            m.set_super_opts(&opts.join(","));
        }
    }
    Ok(())
}

/// A remount without atime flags keeps the mount's atime setting.
fn keep_atime(ms: u64, f: MountFlags, m: &Mount) -> MountFlags {
    let atime = MountFlags::NOATIME | MountFlags::NODIRATIME | MountFlags::RELATIME;
    if ms & (atime.0 | MountFlags::STRICTATIME.0) != 0 {
        return f;
    }
    MountFlags((f.0 & !atime.0) | (m.flags().0 & atime.0))
}

/// A new instance of the file system type `fstype` with mount options
/// `data`; returns its root and the super-block options mountinfo shows.
fn new_fs(
    vfs: &crate::vfs::Vfs,
    fstype: &[u8],
    data: &str,
) -> Result<(Arc<dyn Inode>, String), Errno> {
    match fstype {
        b"tmpfs" => tmpfs(vfs, data),
        b"proc" => {
            for o in options(data) {
                let key = o.split('=').next().unwrap_or("");
                if !matches!(key, "hidepid" | "gid" | "subset") {
                    return Err(Errno::EINVAL);
                }
            }
            Ok((fs::proc::new_procfs(), String::new()))
        }
        b"sysfs" => Ok((fs::sys::new_sysfs(), String::new())),
        // Every mount is a new instance (as with `newinstance`); its own
        // `ptmx` opens ptys on it, /dev/ptmx stays the boot instance's.
        b"devpts" => {
            let opts = fs::devpts::Options::parse(data.as_bytes())?;
            Ok((fs::devpts::DevptsFs::new(opts).root(), data.to_string()))
        }
        // The IPC namespace's one instance, whichever mount shows it.
        b"mqueue" => {
            if options(data).any(|o| !matches!(o, "rw" | "ro")) {
                return Err(Errno::EINVAL);
            }
            Ok((fs::mqueue::instance().dir.clone(), String::new()))
        }
        _ => Err(Errno::ENODEV),
    }
}

fn options(data: &str) -> impl Iterator<Item = &str> {
    data.split(',').filter(|o| !o.is_empty())
}

/// memparse: a number with an optional k/m/g/t/p/e suffix.
fn memparse(s: &str) -> Option<u64> {
    let (num, mult) = match s.as_bytes().last()? {
        b'k' | b'K' => (&s[..s.len() - 1], 1u64 << 10),
        b'm' | b'M' => (&s[..s.len() - 1], 1 << 20),
        b'g' | b'G' => (&s[..s.len() - 1], 1 << 30),
        b't' | b'T' => (&s[..s.len() - 1], 1 << 40),
        b'p' | b'P' => (&s[..s.len() - 1], 1 << 50),
        b'e' | b'E' => (&s[..s.len() - 1], 1 << 60),
        _ => (s, 1),
    };
    let n = if let Some(h) = num.strip_prefix("0x") {
        u64::from_str_radix(h, 16).ok()?
    } else {
        num.parse::<u64>().ok()?
    };
    n.checked_mul(mult)
}

/// tmpfs with `size=` (bytes, suffixes, or `N%` of RAM), `mode=`, `uid=`,
/// `gid=`; `nr_inodes=`/`nr_blocks=`/`huge=`/`mpol=`/`inode64` are
/// accepted and ignored (inode counts are not limited).
fn tmpfs(vfs: &crate::vfs::Vfs, data: &str) -> Result<(Arc<dyn Inode>, String), Errno> {
    const PAGE: u64 = 4096;
    let mut size: Option<u64> = None;
    let mut mode = 0o1777;
    let (mut uid, mut gid) = (0u32, 0u32);
    for o in options(data) {
        let (k, v) = o.split_once('=').unwrap_or((o, ""));
        match k {
            "size" => {
                let bytes = if let Some(p) = v.strip_suffix('%') {
                    let pct: u64 = p.parse().map_err(|_| Errno::EINVAL)?;
                    let (total, ..) = crate::syscalls::system::host_memory();
                    total / 100 * pct
                } else {
                    memparse(v).ok_or(Errno::EINVAL)?
                };
                size = Some(bytes.div_ceil(PAGE) * PAGE);
            }
            "mode" => mode = u32::from_str_radix(v, 8).map_err(|_| Errno::EINVAL)? & 0o7777,
            "uid" => uid = v.parse().map_err(|_| Errno::EINVAL)?,
            "gid" => gid = v.parse().map_err(|_| Errno::EINVAL)?,
            "nr_inodes" | "nr_blocks" => {
                memparse(v).ok_or(Errno::EINVAL)?;
            }
            "huge" | "mpol" | "inode64" | "inode32" | "noswap" | "quota" | "usrquota"
            | "grpquota" => {}
            _ => return Err(Errno::EINVAL),
        }
    }
    let limit = size.unwrap_or(fs::tmpfs::DEFAULT_LIMIT);
    let tfs = fs::tmpfs::TmpFs::with_limit(vfs.mf.clone(), limit);
    let root = tfs.make_root(mode);
    if (uid, gid) != (0, 0) {
        let attr = crate::vfs::SetAttr {
            uid: Some(uid),
            gid: Some(gid),
            ..Default::default()
        };
        root.setattr(&attr)?;
    }
    let mut opts = Vec::new();
    if let Some(s) = size {
        opts.push(format!("size={}k", s / 1024));
    }
    if mode != 0o1777 {
        opts.push(format!("mode={mode:o}"));
    }
    if uid != 0 {
        opts.push(format!("uid={uid}"));
    }
    if gid != 0 {
        opts.push(format!("gid={gid}"));
    }
    Ok((root, opts.join(",")))
}

/// MS_BIND: attach the tree at `from` on `at` (with MS_REC, the mounts
/// below `from` too). The new mount has the source mount's flags.
fn bind(
    ns: &crate::vfs::MountNamespace,
    at: &Arc<Dentry>,
    from: &Arc<Dentry>,
    recursive: bool,
) -> Result<Arc<Mount>, Errno> {
    let src = mount_of(from)?;
    if src.propagation() == Propagation::Unbindable || !ns.contains(&src) {
        return Err(Errno::EINVAL);
    }
    let rel = from.path(&src.root);
    let fs_root = if src.fs_root == b"/" {
        rel.clone()
    } else if rel == b"/" {
        src.fs_root.clone()
    } else {
        [src.fs_root.as_slice(), rel.as_slice()].concat()
    };
    let source = src.source();
    let new = NewMount {
        fstype: &src.fstype,
        source: &source,
        fs_root,
        flags: src.flags(),
    };
    let m = ns.attach(at, from.inode(), new)?;
    m.set_super_opts(&src.super_opts());
    m.set_super_ro(src.super_ro());
    from.mark_alias();
    m.root.mark_alias();
    if recursive {
        // The mounts below `from`, in mount order (parents first).
        for c in ns.subtree(&src).into_iter().skip(1) {
            let Some(mp) = c.mountpoint() else { continue };
            if !mp.is_under(from) || Arc::ptr_eq(&c, &m) {
                continue;
            }
            // The same place in the new tree.
            let rel = mp.path(from);
            let mut d = m.root.clone();
            for name in rel.split(|&b| b == b'/').filter(|n| !n.is_empty()) {
                d = match d.lookup(name) {
                    Ok(c) => c,
                    // A synthetic mount point the sentry made for a mount
                    // at boot (a volume's, /proc's on a rootfs without the
                    // directory): it is in the dentry tree only, so the
                    // copy gets one too.
                    Err(Errno::ENOENT) if c.root.is_dir() && !d.inode_ref().dynamic() => {
                        d.set_child(name, fs::synth::mountpoint_dir(d.inode_ref()))
                    }
                    Err(e) => return Err(e),
                }
                .follow_mounts();
            }
            bind(ns, &d, &c.root, false)?;
        }
    }
    Ok(m)
}

/// MS_SHARED/MS_PRIVATE/MS_SLAVE/MS_UNBINDABLE (exactly one, on a mount
/// root; with MS_REC for the whole subtree).
fn change_type(ns: &crate::vfs::MountNamespace, at: &Arc<Dentry>, flags: u64) -> Result<(), Errno> {
    if !is_mount_root(at) {
        return Err(Errno::EINVAL);
    }
    let ty = flags & !(MS_REC | MS_SILENT);
    let p = match ty {
        MS_SHARED => Propagation::Shared,
        MS_PRIVATE => Propagation::Private,
        MS_SLAVE => Propagation::Slave,
        MS_UNBINDABLE => Propagation::Unbindable,
        _ => return Err(Errno::EINVAL),
    };
    let m = mount_of(at)?;
    let targets = if flags & MS_REC != 0 {
        ns.subtree(&m)
    } else {
        vec![m]
    };
    for m in targets {
        // A slave of nothing is private, as in Linux.
        let p = if p == Propagation::Slave && m.propagation() != Propagation::Shared {
            Propagation::Private
        } else {
            p
        };
        m.set_propagation(p);
    }
    Ok(())
}

/// MS_MOVE: `from` must be the root of an attached mount other than the
/// namespace root, and `at` not inside it (ELOOP).
fn move_mount(
    ns: &crate::vfs::MountNamespace,
    from: &Arc<Dentry>,
    at: &Arc<Dentry>,
) -> Result<(), Errno> {
    if !is_mount_root(from) {
        return Err(Errno::EINVAL);
    }
    let m = mount_of(from)?;
    if m.mountpoint().is_none() || !ns.contains(&m) {
        return Err(Errno::EINVAL);
    }
    if at.is_dir() != from.is_dir() {
        return Err(Errno::ENOTDIR);
    }
    if at.is_under(&m.root) {
        return Err(Errno::ELOOP);
    }
    ns.move_to(&m, at)
}

fn sys_umount2(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let flags = a[1] as u32;
    if flags & !(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW) != 0 {
        return Err(Errno::EINVAL);
    }
    let path = t.read_path(a[0])?;
    let d = resolve_mount_path(t, &path, flags & UMOUNT_NOFOLLOW == 0)?;
    if !has_cap(t, CAP_SYS_ADMIN) {
        return Err(Errno::EPERM);
    }
    if !is_mount_root(&d) {
        return Err(Errno::EINVAL);
    }
    let m = mount_of(&d)?;
    let ns = &t.k.vfs.mounts;
    if !ns.contains(&m) || m.mountpoint().is_none() {
        return Err(Errno::EINVAL);
    }
    let task_root = t.root();
    if flags & MNT_EXPIRE != 0 {
        if flags & (MNT_FORCE | MNT_DETACH) != 0
            || task_root.mnt().is_some_and(|r| Arc::ptr_eq(&r, &m))
        {
            return Err(Errno::EINVAL);
        }
        if !m.expire_mark() {
            return Err(Errno::EAGAIN);
        }
    }
    if flags & MNT_DETACH != 0 {
        drop((d, task_root));
        ns.detach(&m, true);
        return Ok(0);
    }
    drop(task_root);
    // The mount's reference, the covered dentry's and the walk's.
    if !ns.children(&m).is_empty() || m.root.tree_in_use(3) {
        return Err(Errno::EBUSY);
    }
    drop(d);
    ns.detach(&m, false);
    Ok(0)
}

fn sys_pivot_root(t: &mut Task, a: &[u64; 6]) -> SysResult {
    if !has_cap(t, CAP_SYS_ADMIN) {
        return Err(Errno::EPERM);
    }
    let new_path = t.read_path(a[0])?;
    let old_path = t.read_path(a[1])?;
    let new = resolve_mount_path(t, &new_path, true)?;
    if !new.is_dir() {
        return Err(Errno::ENOTDIR);
    }
    let put_old = resolve_mount_path(t, &old_path, true)?;
    if !put_old.is_dir() {
        return Err(Errno::ENOTDIR);
    }
    let root = t.root();
    let ns = &t.k.vfs.mounts;
    let root_m = mount_of(&root)?;
    let new_m = mount_of(&new)?;
    let old_m = mount_of(&put_old)?;
    let shared = |m: &Mount| m.propagation() == Propagation::Shared;
    let parent_shared = |m: &Mount| ns.by_id(m.parent_id()).is_some_and(|p| shared(&p));
    if shared(&old_m) || parent_shared(&new_m) || parent_shared(&root_m) {
        return Err(Errno::EINVAL);
    }
    if !ns.contains(&root_m) || !ns.contains(&new_m) {
        return Err(Errno::EINVAL);
    }
    if Arc::ptr_eq(&new_m, &root_m) || Arc::ptr_eq(&old_m, &root_m) {
        return Err(Errno::EBUSY);
    }
    // The task's root must be a mount root; new_root a mount root that is
    // attached; put_old at or below new_root; new_root below the root.
    if !is_mount_root(&root) || !is_mount_root(&new) || new_m.mountpoint().is_none() {
        return Err(Errno::EINVAL);
    }
    if !put_old.is_under(&new) || !new.is_under(&root) {
        return Err(Errno::EINVAL);
    }
    let was_ns_root = root_m.mountpoint().is_none();
    ns.pivot(&root_m, &new_m, &put_old);
    if was_ns_root {
        t.k.vfs.set_root(new.clone());
    }
    chroot_fs_refs(t, &root, &new);
    Ok(0)
}

/// Every task whose root or cwd is `old` moves to `new` (Linux's
/// `chroot_fs_refs`).
fn chroot_fs_refs(t: &Task, old: &Arc<Dentry>, new: &Arc<Dentry>) {
    let swap = |fs: &mut FsContext| {
        if Arc::ptr_eq(&fs.root, old) {
            fs.root = new.clone();
        }
        if Arc::ptr_eq(&fs.cwd, old) {
            fs.cwd = new.clone();
        }
    };
    swap(&mut t.fs_ctx());
    for g in t.k.tasks.all_groups() {
        for m in g.members().iter() {
            let fs = fs::proc::view(m).fs.upgrade();
            if let Some(fs) = fs {
                if !Arc::ptr_eq(&fs, &t.fs) {
                    swap(&mut fs.lock().unwrap_or_else(|p| p.into_inner()));
                }
            }
        }
    }
}

fn sys_chroot(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let path = t.read_path(a[0])?;
    let d = resolve_mount_path(t, &path, true)?;
    if !d.is_dir() {
        return Err(Errno::ENOTDIR);
    }
    check_access(d.inode_ref(), &t.creds, MAY_EXEC, Ids::Fs)?;
    if !has_cap(t, CAP_SYS_CHROOT) {
        return Err(Errno::EPERM);
    }
    t.fs_ctx().root = d;
    Ok(0)
}

fn sys_unshare(t: &mut Task, a: &[u64; 6]) -> SysResult {
    use libc::{
        CLONE_FILES, CLONE_FS, CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS,
        CLONE_NEWPID, CLONE_NEWUSER, CLONE_NEWUTS, CLONE_SIGHAND, CLONE_SYSVSEM, CLONE_THREAD,
        CLONE_VM,
    };
    const CLONE_NEWTIME: i32 = 0x80;
    let flags = a[0] as i32;
    let known = CLONE_THREAD
        | CLONE_FS
        | CLONE_NEWNS
        | CLONE_SIGHAND
        | CLONE_VM
        | CLONE_FILES
        | CLONE_SYSVSEM
        | CLONE_NEWUTS
        | CLONE_NEWIPC
        | CLONE_NEWNET
        | CLONE_NEWUSER
        | CLONE_NEWPID
        | CLONE_NEWCGROUP
        | CLONE_NEWTIME;
    if a[0] > u64::from(u32::MAX) || flags & !known != 0 {
        return Err(Errno::EINVAL);
    }
    // Unsharing thread state is only possible for a single-threaded process.
    if flags & (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM) != 0 {
        let single =
            t.k.tasks
                .group(t.tgid)
                .is_none_or(|g| g.members().len() <= 1);
        if !single {
            return Err(Errno::EINVAL);
        }
    }
    let others = CLONE_NEWUTS
        | CLONE_NEWIPC
        | CLONE_NEWNET
        | CLONE_NEWUSER
        | CLONE_NEWPID
        | CLONE_NEWCGROUP
        | CLONE_NEWTIME;
    if flags & others != 0 {
        return Err(Errno::EINVAL);
    }
    if flags & CLONE_NEWNS != 0 && !has_cap(t, CAP_SYS_ADMIN) {
        return Err(Errno::EPERM);
    }
    if flags & (CLONE_FS | CLONE_NEWNS) != 0 && Arc::strong_count(&t.fs) > 1 {
        let copy = t.fs_ctx().clone();
        t.fs = Arc::new(std::sync::Mutex::new(copy));
    }
    if flags & CLONE_FILES != 0 && Arc::strong_count(&t.fds) > 1 {
        t.fds = t.fds.fork();
        *t.shared.files.lock().unwrap_or_else(|p| p.into_inner()) = Arc::downgrade(&t.fds);
    }
    crate::fs::proc::sync_view(t);
    Ok(0)
}

/// The absolute `path` in `vfs` as runc's mount(2) calls in the container
/// resolve it: mounts and symlinks followed (at most 40 links; absolute
/// targets from the sandbox's root, `..` never above it). None when a
/// component is missing; `.` and `..` in `path` itself are refused (runc
/// takes clean paths only).
fn find(vfs: &crate::vfs::Vfs, path: &[u8]) -> Option<Arc<Dentry>> {
    let comps = |p: &[u8]| -> Vec<Vec<u8>> {
        p.split(|&b| b == b'/')
            .filter(|n| !n.is_empty())
            .map(<[u8]>::to_vec)
            .collect()
    };
    let todo = comps(path);
    if todo.iter().any(|n| n == b"." || n == b"..") {
        return None;
    }
    let mut todo: std::collections::VecDeque<Vec<u8>> = todo.into();
    let mut stack = vec![vfs.root()];
    let mut links = 0;
    while let Some(name) = todo.pop_front() {
        match name.as_slice() {
            b"." => continue,
            b".." => {
                if stack.len() > 1 {
                    stack.pop();
                }
                continue;
            }
            _ => {}
        }
        let c = stack.last()?.lookup(&name).ok()?;
        if c.is_symlink() {
            links += 1;
            if links > 40 {
                return None;
            }
            let target = c.inode().readlink().ok()?;
            if target.first() == Some(&b'/') {
                stack.truncate(1);
            }
            for t in comps(&target).into_iter().rev() {
                todo.push_front(t);
            }
            continue;
        }
        stack.push(c.follow_mounts());
    }
    stack.pop()
}

/// OCI `linux.maskedPaths`: an empty read-only tmpfs over a directory, a
/// null device over anything else (as runc binds /dev/null). Missing
/// paths are skipped.
pub(crate) fn mask_path(vfs: &crate::vfs::Vfs, path: &[u8]) -> Result<(), Errno> {
    let Some(d) = find(vfs, path) else {
        return Ok(());
    };
    let flags = MountFlags::RDONLY | MountFlags::NOSUID | MountFlags::NOEXEC | MountFlags::RELATIME;
    let (root, flags): (Arc<dyn Inode>, MountFlags) = if d.is_dir() {
        (
            fs::tmpfs::TmpFs::mount(vfs.mf.clone(), 0o555),
            flags | MountFlags::NODEV,
        )
    } else {
        // A device node: its mount must not be nodev.
        let sfs = fs::synth::SynthFs::new(fs::synth::TMPFS_MAGIC, false);
        (fs::dev::DevInode::new(sfs, fs::dev::DevKind::Null), flags)
    };
    vfs.mount(&d, root, "tmpfs", "tmpfs", flags)?;
    Ok(())
}

/// An OCI mount of a file system the sentry makes (config.json `mounts`
/// of type tmpfs, proc, sysfs, devpts, mqueue) at boot. Where the sandbox already
/// has a mount of that type at the destination (/dev, /dev/shm, /dev/pts,
/// /proc, /sys, /tmp), its flags and options (tmpfs `size=`) are applied
/// to it, as a remount would, so the device nodes of /dev stay; elsewhere a
/// new instance is mounted, missing directories made as mount points.
pub(crate) fn boot_mount(
    vfs: &crate::vfs::Vfs,
    m: &crate::kernel::boot::FsMount,
) -> Result<(), Errno> {
    let at = vfs.mount_point(&m.destination)?;
    let mut flags = m.flags & !(MS_REMOUNT | MS_BIND | MS_MOVE | MS_REC | MS_PROPAGATION);
    if flags & MS_MGC_MSK == MS_MGC_VAL {
        flags &= !MS_MGC_MSK;
    }
    let mflags = MountFlags::from_ms(flags);
    if is_mount_root(&at) {
        let existing = mount_of(&at)?;
        if existing.fstype == m.fstype {
            remount_options(&existing, &m.data)?;
            if !m.source.is_empty() {
                existing.set_source(&m.source);
            }
            existing.set_flags(mflags);
            existing.set_super_ro(mflags.has(MountFlags::RDONLY));
            return Ok(());
        }
    }
    let (root, super_opts) = new_fs(vfs, m.fstype.as_bytes(), &m.data)?;
    let source = if m.source.is_empty() {
        m.fstype.as_str()
    } else {
        m.source.as_str()
    };
    let mnt = vfs.mount(&at, root, &m.fstype, source, mflags)?;
    mnt.set_super_opts(&super_opts);
    Ok(())
}

/// OCI `linux.readonlyPaths`: `path` bound onto itself with the mounts
/// below it (MS_BIND|MS_REC) and every mount of the new tree made
/// read-only, like a recursive read-only bind (`mount_setattr(2)` with
/// `AT_RECURSIVE`): nothing below the path is writable. Missing paths are
/// skipped.
pub(crate) fn readonly_path(vfs: &crate::vfs::Vfs, path: &[u8]) -> Result<(), Errno> {
    let Some(d) = find(vfs, path) else {
        return Ok(());
    };
    let top = bind(&vfs.mounts, &d, &d, true)?;
    for m in vfs.mounts.subtree(&top) {
        m.set_flags(m.flags() | MountFlags::RDONLY);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memparse_suffixes() {
        assert_eq!(memparse("4096"), Some(4096));
        assert_eq!(memparse("16k"), Some(16 << 10));
        assert_eq!(memparse("2M"), Some(2 << 20));
        assert_eq!(memparse("1g"), Some(1 << 30));
        assert_eq!(memparse("0x10"), Some(16));
        assert_eq!(memparse("abc"), None);
        assert_eq!(memparse(""), None);
        assert_eq!(memparse("99999999999e"), None);
    }

    #[test]
    fn remount_keeps_atime_unless_given() {
        let noatime = MountFlags::from_ms(1 << 10);
        let m = NewMount::new("tmpfs", "none", noatime);
        let root = Dentry::new_root(crate::fs::synth::mountpoint_dir(
            &*crate::fs::sys::new_sysfs(),
        ));
        let ns = crate::vfs::MountNamespace::default();
        let mnt = ns.add_root(root, m);
        // MS_RDONLY alone: noatime stays.
        let f = keep_atime(1, MountFlags::from_ms(1), &mnt);
        assert_eq!(f.options(), "ro,noatime");
        // MS_STRICTATIME: neither relatime nor noatime.
        let f = keep_atime(1 << 24, MountFlags::from_ms(1 << 24), &mnt);
        assert_eq!(f.options(), "rw");
    }
}
