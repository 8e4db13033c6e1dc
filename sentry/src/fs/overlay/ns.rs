//! Namespace changes on the overlay: create, link, unlink/rmdir with
//! whiteouts, rename (EXDEV for directories with a lower part, opaque
//! directories where a moved one covers a lower name).

use super::{as_tmp, is_whiteout, Locked, OvlInode};
use crate::fs::tmpfs::TmpInode;
use crate::vfs::Inode;
use std::sync::Arc;
use syscalls::consts::{RENAME_EXCHANGE, RENAME_NOREPLACE, S_IFCHR, S_IFDIR, S_IFMT};
use syscalls::Errno;

/// What [`OvlInode::create`] makes.
pub(super) enum Make<'a> {
    /// mknod/mkdir: type and permissions, device number.
    Node(u32, u64),
    /// A symlink to this target.
    Symlink(&'a [u8]),
}

/// Put a whiteout for `name` in the upper directory `pu`.
fn make_whiteout(pu: &TmpInode, name: &[u8]) -> Result<(), Errno> {
    pu.mknod(name, S_IFCHR, 0, (0, 0)).map(|_| ())
}

/// Remove the whiteouts an (otherwise empty in the merged view) upper
/// directory still holds, so it can be removed or replaced.
fn clear_whiteouts(u: &TmpInode) -> Result<(), Errno> {
    for e in u.list()? {
        if let Ok(i) = u.lookup(&e.name) {
            if is_whiteout(&*i) {
                u.unlink(&e.name, false)?;
            } else {
                return Err(Errno::ENOTEMPTY);
            }
        }
    }
    Ok(())
}

fn ovl_of(i: &Arc<dyn Inode>) -> Result<Arc<OvlInode>, Errno> {
    i.clone()
        .as_any()
        .and_then(|a| a.downcast::<OvlInode>().ok())
        .ok_or(Errno::EXDEV)
}

impl OvlInode {
    /// The upper directory of this directory, copied up, with any whiteout
    /// of `name` removed; returns whether there was one.
    fn prepare(&self, g: &Locked, name: &[u8], whiteout: bool) -> Result<Arc<TmpInode>, Errno> {
        let pu = self.copy_up_locked(g, true)?;
        if whiteout {
            pu.unlink(name, false)?;
        }
        Ok(pu)
    }

    /// mknod/mkdir/symlink of `name` (a directory made over a whiteout is
    /// opaque).
    pub(super) fn create(
        &self,
        name: &[u8],
        owner: (u32, u32),
        what: Make<'_>,
    ) -> Result<Arc<dyn Inode>, Errno> {
        if !self.is_dir_inode() {
            return Err(Errno::ENOTDIR);
        }
        let g = self.fs.lock_ns();
        let e = self.entry(name, false)?;
        if e.exists() {
            return Err(Errno::EEXIST);
        }
        let pu = self.prepare(&g, name, e.whiteout)?;
        let made = match what {
            Make::Node(mode, rdev) => pu.mknod(name, mode, rdev, owner),
            Make::Symlink(target) => pu.symlink(name, target, owner),
        };
        let u = match made.and_then(as_tmp) {
            Ok(u) => u,
            Err(err) => {
                if e.whiteout {
                    let _ = make_whiteout(&pu, name);
                }
                return Err(err);
            }
        };
        if e.whiteout && u.mode() & S_IFMT == S_IFDIR {
            self.fs.set_opaque(&u);
        }
        Ok(self.fs.new_inode(None, Some(u), None))
    }

    /// link(2): the target is copied up (once) and linked in the upper layer.
    pub(super) fn link_to(&self, name: &[u8], target: &Arc<dyn Inode>) -> Result<(), Errno> {
        let t = ovl_of(target)?;
        if !Arc::ptr_eq(&t.fs, &self.fs) {
            return Err(Errno::EXDEV);
        }
        if t.is_dir_inode() {
            return Err(Errno::EPERM);
        }
        let g = self.fs.lock_ns();
        let e = self.entry(name, false)?;
        if e.exists() {
            return Err(Errno::EEXIST);
        }
        let tu: Arc<dyn Inode> = t.copy_up_locked(&g, true)?;
        let pu = self.prepare(&g, name, e.whiteout)?;
        let r = pu.link(name, &tu);
        if r.is_err() && e.whiteout {
            let _ = make_whiteout(&pu, name);
        }
        r
    }

    /// unlink/rmdir: the upper entry goes, a whiteout hides a lower one.
    pub(super) fn remove(&self, name: &[u8], dir: bool) -> Result<(), Errno> {
        let g = self.fs.lock_ns();
        let e = self.entry(name, true)?;
        if !e.exists() {
            return Err(Errno::ENOENT);
        }
        let child = self.child(name)?;
        let is_dir = child.is_dir_inode();
        match (dir, is_dir) {
            (true, false) => return Err(Errno::ENOTDIR),
            (false, true) => return Err(Errno::EISDIR),
            (true, true) if !child.merged_empty()? => return Err(Errno::ENOTEMPTY),
            _ => {}
        }
        let pu = self.copy_up_locked(&g, true)?;
        if let Some(u) = &e.upper {
            if dir {
                clear_whiteouts(u)?;
            }
            pu.unlink(name, dir)?;
        }
        if e.lower_any {
            make_whiteout(&pu, name)?;
        }
        Ok(())
    }

    /// rename/renameat2 (RENAME_NOREPLACE, RENAME_EXCHANGE).
    pub(super) fn rename_to(
        &self,
        old: &[u8],
        newdir: &Arc<dyn Inode>,
        new: &[u8],
        flags: u32,
    ) -> Result<(), Errno> {
        let nd = ovl_of(newdir)?;
        if !Arc::ptr_eq(&nd.fs, &self.fs) {
            return Err(Errno::EXDEV);
        }
        if flags & !(RENAME_EXCHANGE | RENAME_NOREPLACE) != 0 {
            return Err(Errno::EINVAL);
        }
        let exchange = flags & RENAME_EXCHANGE != 0;
        let g = self.fs.lock_ns();
        let se = self.entry(old, true)?;
        if !se.exists() {
            return Err(Errno::ENOENT);
        }
        let de = nd.entry(new, true)?;
        if exchange && !de.exists() {
            return Err(Errno::ENOENT);
        }
        if de.exists() && flags & RENAME_NOREPLACE != 0 {
            return Err(Errno::EEXIST);
        }
        if std::ptr::eq(self, &*nd) && old == new {
            return Ok(());
        }
        let src = self.child(old)?;
        let dst = if de.exists() {
            Some(nd.child(new)?)
        } else {
            None
        };
        if let Some(d) = &dst {
            if Arc::ptr_eq(&src, d) {
                // Two names of one file: nothing happens.
                return Ok(());
            }
        }
        let sdir = src.is_dir_inode();
        let ddir = dst.as_ref().is_some_and(|d| d.is_dir_inode());
        if let (false, Some(_)) = (exchange, &dst) {
            match (sdir, ddir) {
                (true, false) => return Err(Errno::ENOTDIR),
                (false, true) => return Err(Errno::EISDIR),
                _ => {}
            }
        }
        // Directories with a lower part do not move (no redirect_dir).
        if sdir && src.lower.is_some() {
            return Err(Errno::EXDEV);
        }
        if let (true, true, Some(d)) = (exchange, ddir, &dst) {
            if d.lower.is_some() {
                return Err(Errno::EXDEV);
            }
        }
        if let (false, true, Some(d)) = (exchange, ddir, &dst) {
            if !d.merged_empty()? {
                return Err(Errno::ENOTEMPTY);
            }
        }
        let su = src.copy_up_locked(&g, true)?;
        let ou = self.copy_up_locked(&g, true)?;
        let nu = nd.copy_up_locked(&g, true)?;
        let nui: Arc<dyn Inode> = nu.clone();
        if exchange {
            let du = match &dst {
                Some(d) => d.copy_up_locked(&g, true)?,
                None => return Err(Errno::ENOENT),
            };
            ou.rename(old, &nui, new, RENAME_EXCHANGE)?;
            if sdir && de.lower_any {
                self.fs.set_opaque(&su);
            }
            if ddir && se.lower_any {
                self.fs.set_opaque(&du);
            }
            return Ok(());
        }
        if de.whiteout {
            nu.unlink(new, false)?;
        }
        if let (true, Some(du)) = (ddir, &de.upper) {
            clear_whiteouts(du)?;
        }
        if let Err(err) = ou.rename(old, &nui, new, 0) {
            if de.whiteout {
                let _ = make_whiteout(&nu, new);
            }
            return Err(err);
        }
        if sdir && de.lower_any {
            self.fs.set_opaque(&su);
        }
        if se.lower_any {
            make_whiteout(&ou, old)?;
        }
        Ok(())
    }
}
