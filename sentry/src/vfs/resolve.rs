//! Path resolution and open: dirfd and AT_FDCWD, absolute and relative
//! paths, `..` bounded by the task's root, mounts, symlinks (at most
//! [`MAX_SYMLINKS`]), trailing slashes, O_NOFOLLOW, AT_EMPTY_PATH,
//! ENAMETOOLONG, search permission on every directory traversed, and the
//! RESOLVE_* restrictions of openat2.

use super::dir::{DirFile, PathFile};
use super::{
    check_access, check_dentry_access, Dentry, File, Ids, MountFlags, MAX_SYMLINKS, MAY_EXEC,
    MAY_READ, MAY_WRITE, NAME_MAX,
};
use crate::kernel::task::{Creds, Task};
use std::sync::Arc;
use syscalls::consts::{
    AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW, O_ACCMODE, O_CLOEXEC, O_CREAT, O_DIRECTORY,
    O_EXCL, O_LARGEFILE, O_NOATIME, O_NOCTTY, O_NOFOLLOW, O_PATH, O_RDONLY, O_TRUNC,
    RESOLVE_BENEATH, RESOLVE_IN_ROOT, RESOLVE_NO_MAGICLINKS, RESOLVE_NO_SYMLINKS, RESOLVE_NO_XDEV,
    S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFREG, S_IFSOCK,
};
use syscalls::Errno;

/// Components prefetched per remote lookup.
const PREFETCH: usize = 16;

/// The leading run of plain components of `path` (no `.`, `..` or
/// over-long names), for prefetching.
fn plain_names(path: &[u8]) -> Vec<&[u8]> {
    path.split(|&c| c == b'/')
        .filter(|n| !n.is_empty())
        .take_while(|n| *n != b"." && *n != b".." && n.len() <= NAME_MAX)
        .take(PREFETCH)
        .collect()
}

/// The final component of a path, as a parent walk reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Last {
    /// A normal name; `true` if the path had trailing slashes after it.
    Normal(Vec<u8>, bool),
    Dot,
    DotDot,
    /// The path was only slashes.
    Root,
}

/// One path walk: the root it is bounded by, the credentials it checks
/// search permission with, and the symlink budget.
pub struct Walker<'a> {
    pub root: Arc<Dentry>,
    pub creds: &'a Creds,
    links: u32,
    /// RESOLVE_NO_SYMLINKS: any symlink gives ELOOP.
    pub no_symlinks: bool,
    /// RESOLVE_BENEATH: leaving `root` (absolute paths, `..` at the root)
    /// gives EXDEV instead of being clamped.
    pub beneath: bool,
    /// RESOLVE_NO_XDEV: crossing a mount gives EXDEV.
    pub no_xdev: bool,
    /// RESOLVE_NO_MAGICLINKS: a procfs magic link gives ELOOP (and EXDEV
    /// in a scoped walk, RESOLVE_BENEATH/IN_ROOT).
    pub no_magiclinks: bool,
    /// RESOLVE_BENEATH or RESOLVE_IN_ROOT.
    pub scoped: bool,
    /// Permissions of a file created by `open` (after the umask).
    pub create_mode: u32,
}

impl<'a> Walker<'a> {
    pub fn new(root: Arc<Dentry>, creds: &'a Creds) -> Walker<'a> {
        Walker {
            root,
            creds,
            links: 0,
            no_symlinks: false,
            beneath: false,
            no_xdev: false,
            no_magiclinks: false,
            scoped: false,
            create_mode: 0o600,
        }
    }

    /// May a magic link be followed here (Linux's nd_jump_link checks)?
    fn magic_ok(&self) -> Result<(), Errno> {
        if self.no_magiclinks {
            return Err(Errno::ELOOP);
        }
        if self.scoped {
            return Err(Errno::EXDEV);
        }
        Ok(())
    }

    /// Count one symlink traversal.
    fn count_link(&mut self) -> Result<(), Errno> {
        if self.no_symlinks {
            return Err(Errno::ELOOP);
        }
        self.links += 1;
        if self.links > MAX_SYMLINKS {
            return Err(Errno::ELOOP);
        }
        Ok(())
    }

    fn down(&self, d: Arc<Dentry>) -> Result<Arc<Dentry>, Errno> {
        if d.mounted().is_none() {
            return Ok(d);
        }
        if self.no_xdev {
            return Err(Errno::EXDEV);
        }
        Ok(d.follow_mounts())
    }

    fn dotdot(&self, cur: &Arc<Dentry>) -> Result<Arc<Dentry>, Errno> {
        if Arc::ptr_eq(cur, &self.root) {
            return if self.beneath {
                Err(Errno::EXDEV)
            } else {
                Ok(cur.clone())
            };
        }
        let up = cur.dotdot(&self.root);
        if self.no_xdev && !Arc::ptr_eq(&up.fs_root(), &cur.fs_root()) {
            return Err(Errno::EXDEV);
        }
        Ok(up)
    }

    fn absolute_start(&self) -> Result<Arc<Dentry>, Errno> {
        if self.beneath {
            return Err(Errno::EXDEV);
        }
        Ok(self.root.clone())
    }

    /// Search permission on a directory being traversed.
    fn may_search(&self, dir: &Dentry) -> Result<(), Errno> {
        if !dir.is_dir() {
            return Err(Errno::ENOTDIR);
        }
        check_access(dir.inode_ref(), self.creds, MAY_EXEC, Ids::Fs)
    }

    /// The child `name` of the directory `dir` (not `.`/`..`), crossing mounts.
    pub fn child(&self, dir: &Arc<Dentry>, name: &[u8]) -> Result<Arc<Dentry>, Errno> {
        self.may_search(dir)?;
        if name.len() > NAME_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        self.down(dir.lookup(name)?)
    }

    /// Resolve `path` from `start` (absolute paths start at the root). The
    /// final symlink is followed if `follow` or the path ends with a slash;
    /// a trailing slash requires a directory. An empty path is ENOENT.
    pub fn walk(
        &mut self,
        start: Arc<Dentry>,
        path: &[u8],
        follow: bool,
    ) -> Result<Arc<Dentry>, Errno> {
        if path.is_empty() {
            return Err(Errno::ENOENT);
        }
        Dentry::maybe_prune(&self.root);
        let mut cur = if path[0] == b'/' {
            self.absolute_start()?
        } else {
            start
        };
        let mut rest: Vec<u8> = path.to_vec();
        let mut i = 0;
        loop {
            while i < rest.len() && rest[i] == b'/' {
                i += 1;
            }
            if i >= rest.len() {
                // Only slashes were left (e.g. "/", or a link to "dir/").
                if !cur.is_dir() {
                    return Err(Errno::ENOTDIR);
                }
                return Ok(cur);
            }
            let s = i;
            while i < rest.len() && rest[i] != b'/' {
                i += 1;
            }
            let mut j = i;
            while j < rest.len() && rest[j] == b'/' {
                j += 1;
            }
            let last = j >= rest.len();
            let trailing = last && i < rest.len();
            let name = &rest[s..i];
            let next = match name {
                b"." => {
                    self.may_search(&cur)?;
                    cur.clone()
                }
                b".." => {
                    self.may_search(&cur)?;
                    self.dotdot(&cur)?
                }
                _ => {
                    if cur.cached_child(name).is_none() && cur.is_dir() {
                        cur.prefetch(&plain_names(&rest[s..]));
                    }
                    crate::compat::lookup(&self.root, &cur, &rest[s..], self.child(&cur, name))?
                }
            };
            if next.is_symlink() && (!last || follow || trailing) {
                self.count_link()?;
                if let Some(jump) = next.inode_ref().magic_link() {
                    self.magic_ok()?;
                    let d = jump?;
                    if last {
                        if trailing && !d.is_dir() {
                            return Err(Errno::ENOTDIR);
                        }
                        return Ok(d);
                    }
                    rest = rest[j..].to_vec();
                    i = 0;
                    cur = d;
                    continue;
                }
                let target = next.inode_ref().readlink()?;
                if target.is_empty() {
                    return Err(Errno::ENOENT);
                }
                let mut nrest = target;
                if !last {
                    nrest.push(b'/');
                    nrest.extend_from_slice(&rest[j..]);
                } else if trailing {
                    nrest.push(b'/');
                }
                if nrest[0] == b'/' {
                    cur = self.absolute_start()?;
                }
                rest = nrest;
                i = 0;
                continue;
            }
            cur = next;
            if last {
                if trailing && !cur.is_dir() {
                    return Err(Errno::ENOTDIR);
                }
                return Ok(cur);
            }
        }
    }

    /// Resolve everything but the last component of `path`: returns the
    /// parent directory (not checked for search permission) and the last
    /// component. An empty path is ENOENT.
    pub fn walk_parent(
        &mut self,
        start: Arc<Dentry>,
        path: &[u8],
    ) -> Result<(Arc<Dentry>, Last), Errno> {
        if path.is_empty() {
            return Err(Errno::ENOENT);
        }
        let mut end = path.len();
        while end > 0 && path[end - 1] == b'/' {
            end -= 1;
        }
        if end == 0 {
            return Ok((self.absolute_start()?, Last::Root));
        }
        let trailing = end < path.len();
        let (dirpart, name) = match path[..end].iter().rposition(|&c| c == b'/') {
            Some(k) => (&path[..=k], &path[k + 1..end]),
            None => (&path[..0], &path[..end]),
        };
        let parent = if dirpart.is_empty() {
            start
        } else {
            self.walk(start, dirpart, true)?
        };
        if !parent.is_dir() {
            return Err(Errno::ENOTDIR);
        }
        let last = match name {
            b"." => Last::Dot,
            b".." => Last::DotDot,
            n => Last::Normal(n.to_vec(), trailing),
        };
        Ok((parent, last))
    }

    /// open(2) of `path` from `start` with `flags` (already sanitized).
    pub fn open(
        &mut self,
        start: Arc<Dentry>,
        path: &[u8],
        flags: u32,
    ) -> Result<Arc<File>, Errno> {
        let follow = flags & O_NOFOLLOW == 0;
        if flags & O_CREAT == 0 || flags & O_PATH != 0 {
            let d = self.walk(start, path, follow)?;
            return self.open_dentry(d, flags);
        }
        let mut start = start;
        let mut path = path.to_vec();
        loop {
            let (parent, last) = self.walk_parent(start, &path)?;
            let name = match last {
                Last::Normal(n, false) => n,
                _ => return Err(Errno::EISDIR),
            };
            match self.child(&parent, &name) {
                Ok(d) => {
                    if flags & O_EXCL != 0 {
                        return Err(Errno::EEXIST);
                    }
                    if !d.is_symlink() {
                        return self.open_dentry(d, flags);
                    }
                    if !follow {
                        return Err(Errno::ELOOP);
                    }
                    self.count_link()?;
                    if let Some(jump) = d.inode_ref().magic_link() {
                        self.magic_ok()?;
                        return self.open_dentry(jump?, flags);
                    }
                    let target = d.inode_ref().readlink()?;
                    if target.is_empty() {
                        return Err(Errno::ENOENT);
                    }
                    start = if target[0] == b'/' {
                        self.absolute_start()?
                    } else {
                        parent
                    };
                    path = target;
                }
                Err(Errno::ENOENT) => {
                    if parent.readonly() {
                        return Err(Errno::EROFS);
                    }
                    check_access(
                        parent.inode_ref(),
                        self.creds,
                        MAY_WRITE | MAY_EXEC,
                        Ids::Fs,
                    )?;
                    let (owner, mode) = super::new_owner(
                        parent.inode_ref(),
                        self.creds,
                        S_IFREG | (self.create_mode & 0o7777),
                    );
                    let made = parent.inode_ref().mknod(&name, mode, 0, owner);
                    parent.invalidate(&name);
                    let d = match made {
                        // The new inode goes straight into the dentry cache
                        // (no second lookup of what was just made).
                        Ok(inode) => parent.set_child(&name, inode),
                        // Created by someone else meanwhile: open theirs.
                        Err(Errno::EEXIST) if flags & O_EXCL == 0 => {
                            start = parent;
                            path = name;
                            continue;
                        }
                        Err(e) => return Err(e),
                    };
                    crate::fs::inotify::on_child(&parent, &name, syscalls::consts::IN_CREATE);
                    // A new file is opened whatever its mode says.
                    return self.open_checked(d, flags, false);
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Open the resolved dentry `d`: the checks of Linux's `do_open` and
    /// `may_open`, then the file system's open.
    pub fn open_dentry(&self, d: Arc<Dentry>, flags: u32) -> Result<Arc<File>, Errno> {
        self.open_checked(d, flags, true)
    }

    /// [`Walker::open_dentry`]; `check` is false for a file just created.
    fn open_checked(&self, d: Arc<Dentry>, flags: u32, check: bool) -> Result<Arc<File>, Errno> {
        let ty = d.inode_ref().file_type();
        if flags & O_PATH != 0 {
            if flags & O_DIRECTORY != 0 && ty != S_IFDIR {
                return Err(Errno::ENOTDIR);
            }
            let fl = flags & (O_PATH | O_DIRECTORY | O_NOFOLLOW);
            return Ok(File::new(
                Box::new(PathFile { dentry: d.clone() }),
                fl,
                Some(d),
            ));
        }
        if flags & O_CREAT != 0 && ty == S_IFDIR {
            return Err(Errno::EISDIR);
        }
        if flags & O_DIRECTORY != 0 && ty != S_IFDIR {
            return Err(Errno::ENOTDIR);
        }
        let mut mask = match flags & O_ACCMODE {
            0 => MAY_READ,
            1 => MAY_WRITE,
            _ => MAY_READ | MAY_WRITE,
        };
        if flags & O_TRUNC != 0 {
            mask |= MAY_WRITE;
        }
        match ty {
            S_IFLNK => return Err(Errno::ELOOP),
            S_IFDIR if mask & MAY_WRITE != 0 => return Err(Errno::EISDIR),
            S_IFSOCK => return Err(Errno::ENXIO),
            _ => {}
        }
        if check {
            check_dentry_access(&d, self.creds, mask, Ids::Fs)?;
        }
        if matches!(ty, S_IFCHR | S_IFBLK) && d.mount_flags().has(MountFlags::NODEV) {
            return Err(Errno::EACCES);
        }
        if flags & O_NOATIME != 0
            && self.creds.fsuid != 0
            && self.creds.fsuid != d.inode_ref().owner().0
        {
            return Err(Errno::EPERM);
        }
        let ops: Box<dyn super::FileOps> = if ty == S_IFDIR {
            Box::new(DirFile::new(d.clone(), self.root.clone()))
        } else if ty == S_IFIFO && d.inode_ref().named_fifo() {
            crate::fs::pipe::open_fifo(d.inode(), flags)?
        } else {
            d.inode_ref().open(&d, flags)?
        };
        let fl = (flags & !(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC)) | O_LARGEFILE;
        Ok(File::new(ops, fl, Some(d)))
    }
}

/// Where a path relative to `dirfd` starts: the root for absolute paths
/// (dirfd is then ignored), the cwd for AT_FDCWD, else the directory open
/// as `dirfd` (EBADF, ENOTDIR).
pub fn start_dir(t: &Task, dirfd: i32, path: &[u8]) -> Result<Arc<Dentry>, Errno> {
    if path.first() == Some(&b'/') {
        return Ok(t.root());
    }
    if dirfd == AT_FDCWD {
        return Ok(t.cwd());
    }
    let f = t.fds.get(dirfd)?;
    let d = f.dentry.clone().ok_or(Errno::ENOTDIR)?;
    if !d.is_dir() {
        return Err(Errno::ENOTDIR);
    }
    Ok(d)
}

/// A walker bounded by the task's root, with its credentials.
pub fn walker(t: &Task) -> Walker<'_> {
    Walker::new(t.root(), &t.creds)
}

/// Resolve `path` relative to `dirfd` (empty path: ENOENT).
pub fn lookup_at(t: &Task, dirfd: i32, path: &[u8], follow: bool) -> Result<Arc<Dentry>, Errno> {
    if path.is_empty() {
        return Err(Errno::ENOENT);
    }
    let start = start_dir(t, dirfd, path)?;
    walker(t).walk(start, path, follow)
}

/// The directory `path` names (from the task's cwd or root), searchable by
/// the task: for the initial working directory and chdir-like uses.
pub fn lookup_dir(t: &Task, path: &[u8]) -> Result<Arc<Dentry>, Errno> {
    let d = lookup_at(t, AT_FDCWD, path, true)?;
    if !d.is_dir() {
        return Err(Errno::ENOTDIR);
    }
    check_access(d.inode_ref(), &t.creds, MAY_EXEC, Ids::Fs)?;
    Ok(d)
}

/// What a `*at()` call with a possibly empty path names.
pub enum At {
    /// A dentry (resolved path, the cwd, or the dirfd's dentry).
    Dentry(Arc<Dentry>),
    /// An open file without a dentry (host stdio) named by AT_EMPTY_PATH.
    File(Arc<File>),
}

/// Resolve `path` relative to `dirfd`; an empty path names `dirfd` itself
/// when `empty_ok` (AT_EMPTY_PATH), else it is ENOENT.
pub fn lookup_at_empty(
    t: &Task,
    dirfd: i32,
    path: &[u8],
    follow: bool,
    empty_ok: bool,
) -> Result<At, Errno> {
    if !path.is_empty() {
        return lookup_at(t, dirfd, path, follow).map(At::Dentry);
    }
    if !empty_ok {
        return Err(Errno::ENOENT);
    }
    if dirfd == AT_FDCWD {
        return Ok(At::Dentry(t.cwd()));
    }
    let f = t.fds.get(dirfd)?;
    Ok(match &f.dentry {
        Some(d) => At::Dentry(d.clone()),
        None => At::File(f),
    })
}

/// Open for execve: resolve like execve (symlinks followed unless
/// AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH for fexecve), then require a regular
/// file with execute permission (EACCES otherwise) and open it read-only
/// (no read permission needed).
pub fn open_exec(
    t: &Task,
    dirfd: i32,
    path: &[u8],
    flags_at: i32,
) -> Result<(Arc<File>, Arc<Dentry>), Errno> {
    let flags = flags_at as u32;
    if flags & !(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0 {
        return Err(Errno::EINVAL);
    }
    let follow = flags & AT_SYMLINK_NOFOLLOW == 0;
    let d = match lookup_at_empty(t, dirfd, path, follow, flags & AT_EMPTY_PATH != 0)? {
        At::Dentry(d) => d,
        At::File(_) => return Err(Errno::EACCES),
    };
    open_exec_dentry(&t.creds, d)
}

/// The checks and open of [`open_exec`] on a resolved dentry.
pub fn open_exec_dentry(creds: &Creds, d: Arc<Dentry>) -> Result<(Arc<File>, Arc<Dentry>), Errno> {
    let inode = d.inode_ref();
    if inode.is_symlink() {
        return Err(Errno::ELOOP);
    }
    if !inode.is_regular() {
        return Err(Errno::EACCES);
    }
    check_dentry_access(&d, creds, MAY_EXEC, Ids::Fs)?;
    let ops = inode.open(&d, O_RDONLY)?;
    Ok((File::new(ops, O_RDONLY | O_LARGEFILE, Some(d.clone())), d))
}

/// The sanitized flags and RESOLVE_* of an open request.
pub fn apply_resolve(w: &mut Walker<'_>, start: &Arc<Dentry>, resolve: u64) -> Result<(), Errno> {
    if resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT) == RESOLVE_BENEATH | RESOLVE_IN_ROOT {
        return Err(Errno::EINVAL);
    }
    if resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT) != 0 {
        w.root = start.clone();
        w.beneath = resolve & RESOLVE_BENEATH != 0;
        w.scoped = true;
    }
    w.no_magiclinks = resolve & RESOLVE_NO_MAGICLINKS != 0;
    w.no_symlinks = resolve & RESOLVE_NO_SYMLINKS != 0;
    w.no_xdev = resolve & RESOLVE_NO_XDEV != 0;
    Ok(())
}

/// openat/openat2 for the task: returns the new description.
pub fn open_at(
    t: &Task,
    dirfd: i32,
    path: &[u8],
    flags: u32,
    mode: u32,
    resolve: u64,
) -> Result<Arc<File>, Errno> {
    if path.is_empty() {
        return Err(Errno::ENOENT);
    }
    let in_root = resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT) != 0;
    // With RESOLVE_BENEATH/IN_ROOT, absolute paths are relative to dirfd.
    let start = if in_root && path[0] == b'/' {
        if dirfd == AT_FDCWD {
            t.cwd()
        } else {
            let f = t.fds.get(dirfd)?;
            f.dentry.clone().ok_or(Errno::ENOTDIR)?
        }
    } else {
        start_dir(t, dirfd, path)?
    };
    let mut w = walker(t);
    apply_resolve(&mut w, &start, resolve)?;
    w.create_mode = mode & 0o7777 & !t.umask();
    w.open(start, path, flags)
}
