//! File bind mounts set up at boot (OCI `bind` mounts whose source is a
//! regular file, `runsc do --volume FILE:FILE`): a host file, served by the
//! sandbox's files gofer, mounted on a non-directory of the sandbox, as
//! Linux bind-mounts a file over a file.
//!
//! The destination is resolved inside the sandbox like runc resolves it
//! inside the rootfs: symlinks are followed (an absolute target starts
//! again at the sandbox root, never at the host's), missing directories on
//! the way become directories and a missing last component an empty regular
//! file, created in the root (the overlay's upper layer by default; runc
//! creates them in the rootfs). Where nothing can be created (a read-only
//! root), they are synthetic (mount-point directories like the ones of
//! [`Vfs::mount_volume`], a placeholder file).

use super::mount::NewMount;
use super::{Dentry, Mount, MountFlags, Vfs, NAME_MAX};
use crate::fs;
use std::collections::VecDeque;
use std::sync::Arc;
use syscalls::consts::{S_IFDIR, S_IFREG};
use syscalls::Errno;

/// Symlinks followed while resolving a destination (Linux's MAXSYMLINKS).
const MAX_LINKS: usize = 40;

impl Vfs {
    /// Mount the entry `name` of the files gofer `client` (a host regular
    /// file) on the absolute sandbox path `path`, read-only (EROFS on every
    /// write) with `readonly`. `/proc/self/mountinfo` shows it as a `9p`
    /// mount of root `/NAME`, like a directory volume. Reads go to the host
    /// file and stat asks the gofer, so changes the host makes show at once
    /// (except in pages already mapped).
    pub fn mount_file(
        &self,
        path: &[u8],
        client: Arc<gofer::Client>,
        name: &[u8],
        readonly: bool,
    ) -> Result<Arc<Mount>, Errno> {
        if path.first() != Some(&b'/') {
            return Err(Errno::EINVAL);
        }
        let gfs = fs::gofer::GoferFs::with_mode(client, self.mf.clone(), readonly);
        // The host may rewrite the file meanwhile (Docker's /etc/hosts on a
        // network change): stat asks the gofer every time.
        gfs.set_shared();
        let file = gfs.root()?.lookup(name)?;
        if file.is_dir() {
            return Err(Errno::EISDIR);
        }
        let at = self.file_mount_point(path)?;
        let mut flags = MountFlags::RELATIME;
        if readonly {
            flags = flags | MountFlags::RDONLY;
        }
        let new = NewMount {
            fstype: "9p",
            source: "volume",
            fs_root: [b"/", name].concat(),
            flags,
        };
        // The topmost dentry there; a directory gives ENOTDIR (attach).
        self.mounts.attach(&at, file, new)
    }

    /// The dentry a file is mounted on at `path` (see the module comment).
    fn file_mount_point(&self, path: &[u8]) -> Result<Arc<Dentry>, Errno> {
        let split = |p: &[u8]| -> VecDeque<Vec<u8>> {
            p.split(|&b| b == b'/')
                .filter(|n| !n.is_empty())
                .map(<[u8]>::to_vec)
                .collect()
        };
        let mut todo = split(path);
        // The directories walked so far (for `..`), the root first.
        let mut stack = vec![self.root()];
        let mut links = 0;
        while let Some(name) = todo.pop_front() {
            let last = todo.is_empty();
            let dir = stack.last().ok_or(Errno::EINVAL)?.follow_mounts();
            match name.as_slice() {
                b"." if last => return Err(Errno::EISDIR),
                b"." => continue,
                b".." if last => return Err(Errno::EISDIR),
                b".." => {
                    if stack.len() > 1 {
                        stack.pop();
                    }
                    continue;
                }
                n if n.len() > NAME_MAX => return Err(Errno::ENAMETOOLONG),
                _ => {}
            }
            if dir.inode_ref().dynamic() {
                return Err(Errno::EINVAL);
            }
            match dir.lookup(&name) {
                Ok(c) if c.is_symlink() => {
                    links += 1;
                    if links > MAX_LINKS {
                        return Err(Errno::ELOOP);
                    }
                    let target = c.inode_ref().readlink()?;
                    if target.first() == Some(&b'/') {
                        stack.truncate(1);
                    }
                    for n in split(&target).into_iter().rev() {
                        todo.push_front(n);
                    }
                }
                Ok(c) if last => return Ok(c.follow_mounts()),
                Ok(c) if c.is_dir() => stack.push(c),
                Ok(_) => return Err(Errno::ENOTDIR),
                Err(Errno::ENOENT) => return Ok(self.make_missing(&dir, &name, todo)),
                Err(e) => return Err(e),
            }
        }
        // The path was "/" (or resolved to it).
        Err(Errno::EISDIR)
    }

    /// Make the missing `name` in `dir` and the `rest` of the path below
    /// it (no symlinks left to follow there): directories, then an empty
    /// file (mode 0755, root-owned, as runc makes them in the rootfs).
    /// They are created in the file system when it can take them, else
    /// synthetic (a mount-point directory, a placeholder file).
    fn make_missing(&self, dir: &Arc<Dentry>, name: &[u8], rest: VecDeque<Vec<u8>>) -> Arc<Dentry> {
        let mut d = dir.clone();
        let mut name = name.to_vec();
        let mut rest = rest.into_iter().filter(|n| n != b"." && n != b"..");
        loop {
            let next = rest.next();
            let mode = if next.is_some() { S_IFDIR } else { S_IFREG } | 0o755;
            let made = if d.readonly() {
                Err(Errno::EROFS)
            } else {
                d.inode_ref().mknod(&name, mode, 0, (0, 0))
            };
            let inode = match made {
                Ok(inode) => inode,
                Err(e) => {
                    tracing::debug!(
                        "file mount point {}: {e}: a synthetic one",
                        String::from_utf8_lossy(&name)
                    );
                    if next.is_some() {
                        fs::synth::mountpoint_dir(d.inode_ref())
                    } else {
                        let sfs = fs::synth::SynthFs::new(fs::synth::TMPFS_MAGIC, true);
                        fs::dev::DevInode::new(sfs, fs::dev::DevKind::Null)
                    }
                }
            };
            d = d.set_child(&name, inode);
            match next {
                Some(n) => name = n,
                None => return d,
            }
        }
    }
}
