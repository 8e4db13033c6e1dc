//! Copy-up: give a lower file an upper copy (parents first), the way
//! Linux's `ovl_copy_up` does: data (holes stay holes), mode, owner,
//! extended attributes, atime/mtime; the parent directory's times are
//! restored afterwards, since the copy is no change the app made.

use super::{as_tmp, upper_ino, Locked, OvlInode};
use crate::fs::tmpfs::TmpInode;
use crate::mm::memfile::PAGE;
use crate::vfs::{Dentry, File, Inode, SetAttr, Time};
use std::sync::Arc;
use syscalls::abi::Stat;
use syscalls::consts::{O_RDONLY, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG};
use syscalls::Errno;

/// Bytes read from the lower file per step.
const CHUNK: usize = 1 << 20;

/// Owner and times of `st`, as a setattr.
pub(super) fn attrs_of(st: &Stat) -> SetAttr {
    SetAttr {
        uid: Some(st.st_uid),
        gid: Some(st.st_gid),
        ..times_of(st)
    }
}

/// atime and mtime of `st`, as a setattr.
fn times_of(st: &Stat) -> SetAttr {
    SetAttr {
        atime: Some(Time {
            sec: st.st_atime,
            nsec: st.st_atime_nsec,
        }),
        mtime: Some(Time {
            sec: st.st_mtime,
            nsec: st.st_mtime_nsec,
        }),
        ..SetAttr::default()
    }
}

/// Where a lower-only inode's copy goes.
enum Place {
    /// Its name in this directory still stands for it.
    Here(Arc<OvlInode>, Vec<u8>),
    /// Another inode object of the same file was copied up there already.
    Adopt(Arc<TmpInode>),
    /// The name was removed or replaced (the file is only open): an
    /// unnamed copy.
    Gone,
}

impl OvlInode {
    /// The upper file, copied up first if needed (`data`: with the file's
    /// data; false when it is about to be truncated to zero).
    pub(super) fn copy_up(&self, data: bool) -> Result<Arc<TmpInode>, Errno> {
        if let Some(u) = self.upper.get() {
            return Ok(u.clone());
        }
        let g = self.fs.lock_ns();
        self.copy_up_locked(&g, data)
    }

    /// [`OvlInode::copy_up`] with the namespace lock held (`g` proves it).
    #[allow(clippy::only_used_in_recursion)]
    pub(super) fn copy_up_locked(&self, g: &Locked, data: bool) -> Result<Arc<TmpInode>, Errno> {
        if let Some(u) = self.upper.get() {
            return Ok(u.clone());
        }
        let lower = self.lower.clone().ok_or(Errno::EIO)?;
        let st = lower.stat()?;
        let is_dir = st.st_mode & S_IFMT == S_IFDIR;
        let u = match self.place(&st)? {
            Place::Adopt(u) => u,
            Place::Gone => {
                if st.st_mode & S_IFMT != S_IFREG {
                    return Err(Errno::ENOENT);
                }
                let t = as_tmp(self.fs.upper_root.tmpfile(
                    st.st_mode,
                    (st.st_uid, st.st_gid),
                    false,
                )?)?;
                fill(&t, &lower, &st, data)?;
                copy_xattrs(&lower, &t);
                t
            }
            Place::Here(parent, name) => {
                let pu = parent.copy_up_locked(g, true)?;
                let pst = pu.stat()?;
                let u = copy_into(&pu, &name, &lower, &st, data)?;
                pu.setattr(&times_of(&pst))?;
                u
            }
        };
        // Lower hard links may be copied up to several upper files: only a
        // single-link file keeps its lower inode number (like Linux).
        if !is_dir && st.st_nlink == 1 {
            super::lock(&self.fs.origins).insert(upper_ino(&u), (st.st_dev, st.st_ino));
        }
        let _ = self.upper.set(u.clone());
        self.fs.register_upper(&u, &self.arc()?);
        Ok(u)
    }

    /// Where the copy of this lower-only inode goes.
    fn place(&self, st: &Stat) -> Result<Place, Errno> {
        let Some((parent, name)) = &self.parent else {
            return Err(Errno::EIO);
        };
        // Nothing changes in a directory without an upper part.
        if parent.upper.get().is_none() {
            return Ok(Place::Here(parent.clone(), name.clone()));
        }
        let e = parent.entry(name, false)?;
        if let Some(u) = e.upper {
            let udir = u.mode() & S_IFMT == S_IFDIR;
            let same = if st.st_mode & S_IFMT == S_IFDIR {
                udir
            } else {
                super::lock(&self.fs.origins).get(&upper_ino(&u)) == Some(&(st.st_dev, st.st_ino))
            };
            return Ok(if same { Place::Adopt(u) } else { Place::Gone });
        }
        match e.lower {
            Some(l) => {
                let ls = l.stat()?;
                if (ls.st_dev, ls.st_ino) == (st.st_dev, st.st_ino) {
                    Ok(Place::Here(parent.clone(), name.clone()))
                } else {
                    Ok(Place::Gone)
                }
            }
            None => Ok(Place::Gone),
        }
    }
}

/// Create the copy of `lower` (attributes `st`) as `name` in `pu`.
fn copy_into(
    pu: &Arc<TmpInode>,
    name: &[u8],
    lower: &Arc<dyn Inode>,
    st: &Stat,
    data: bool,
) -> Result<Arc<TmpInode>, Errno> {
    let owner = (st.st_uid, st.st_gid);
    let u = match st.st_mode & S_IFMT {
        S_IFDIR => as_tmp(pu.mknod(name, st.st_mode, 0, owner)?)?,
        S_IFREG => {
            // Built unnamed, linked in when complete.
            let t = as_tmp(pu.tmpfile(st.st_mode, owner, true)?)?;
            fill(&t, lower, st, data)?;
            copy_xattrs(lower, &t);
            let ti: Arc<dyn Inode> = t.clone();
            pu.link(name, &ti)?;
            t
        }
        S_IFLNK => as_tmp(pu.symlink(name, &lower.readlink()?, owner)?)?,
        _ => as_tmp(pu.mknod(name, st.st_mode, st.st_rdev, owner)?)?,
    };
    if st.st_mode & S_IFMT != S_IFREG {
        copy_xattrs(lower, &u);
    }
    u.setattr(&times_of(st))?;
    Ok(u)
}

/// Give the upper copy `u` the extended attributes of `lower` (Linux's
/// ovl_copy_xattr). An attribute that cannot be read or set is left out
/// (a lower file system without xattrs lists none); overlayfs's own
/// `trusted.overlay.*` attributes never pass.
fn copy_xattrs(lower: &Arc<dyn Inode>, u: &Arc<TmpInode>) {
    let Ok(names) = lower.listxattr() else {
        return;
    };
    for name in names.split(|&b| b == 0).filter(|n| !n.is_empty()) {
        if name.starts_with(b"trusted.overlay.") {
            continue;
        }
        if let Ok(value) = lower.getxattr(name) {
            let _ = u.setxattr(name, &value, 0);
        }
    }
}

/// Copy the size and (if `data`) the data of the regular file `lower`
/// into the empty upper file `t`, leaving all-zero pages as holes.
fn fill(t: &Arc<TmpInode>, lower: &Arc<dyn Inode>, st: &Stat, data: bool) -> Result<(), Errno> {
    let size = u64::try_from(st.st_size).map_err(|_| Errno::EIO)?;
    if !data || size == 0 {
        return t.setattr(&times_of(st));
    }
    t.setattr(&SetAttr {
        size: Some(size),
        ..SetAttr::default()
    })?;
    let d = Dentry::new_root(lower.clone());
    let f = File::new(lower.open(&d, O_RDONLY)?, O_RDONLY, None);
    let mut buf = vec![0u8; CHUNK];
    let mut off = 0u64;
    while off < size {
        let want = (size - off).min(CHUNK as u64) as usize;
        let n = f.read_at(&mut buf[..want], off)?;
        if n == 0 {
            break;
        }
        for (i, page) in buf[..n].chunks(PAGE as usize).enumerate() {
            if page.iter().all(|&b| b == 0) {
                continue;
            }
            let at = off + (i as u64) * PAGE;
            let (w, _) = t.write_at(page, at, false)?;
            if w < page.len() {
                return Err(Errno::ENOSPC);
            }
        }
        off += n as u64;
    }
    t.setattr(&times_of(st))
}
