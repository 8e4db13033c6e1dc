//! `/proc/[pid]/mounts` and `/proc/[pid]/mountinfo` from the mount table,
//! in Linux's format (`show_vfsmnt` and `show_mountinfo`), seen from the
//! reading task's root: mounts outside it are not listed.

use super::pid::kernel;
use crate::vfs::mount::Propagation;
use crate::vfs::{Dentry, File, Mount, MountNamespace};
use std::fmt::Write as _;
use std::sync::Arc;

/// Linux's `mangle`: space, tab, newline and backslash as octal escapes.
pub fn escape(s: &[u8]) -> String {
    let mut out = Vec::with_capacity(s.len());
    for &c in s {
        match c {
            b' ' | b'\t' | b'\n' | b'\\' => out.extend_from_slice(format!("\\{c:03o}").as_bytes()),
            _ => out.push(c),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The mounts visible from `root` with their mount points as seen from it.
fn visible(ns: &MountNamespace, root: &Arc<Dentry>) -> Vec<(Arc<Mount>, Vec<u8>)> {
    ns.all()
        .into_iter()
        .filter(|m| m.root.is_under(root))
        .map(|m| {
            let p = m.root.path(root);
            (m, p)
        })
        .collect()
}

/// The super-block options after `rw`/`ro`, with a leading comma.
fn super_opts(m: &Mount) -> String {
    let s = m.super_opts();
    if s.is_empty() {
        s
    } else {
        format!(",{s}")
    }
}

/// The lines of `/proc/[pid]/mounts` for the mounts visible from `root`.
pub fn mounts_from(root: &Arc<Dentry>) -> Vec<u8> {
    kernel()
        .map(|k| mounts_in(&k.vfs.mounts, root))
        .unwrap_or_default()
}

/// [`mounts_from`] for the namespace `ns`.
pub fn mounts_in(ns: &MountNamespace, root: &Arc<Dentry>) -> Vec<u8> {
    let mut s = String::new();
    for (m, path) in visible(ns, root) {
        let f = m.flags();
        let mut opts = f.options();
        if m.super_ro() && opts.starts_with("rw") {
            opts.replace_range(0..2, "ro");
        }
        let _ = writeln!(
            s,
            "{} {} {} {}{} 0 0",
            escape(m.source().as_bytes()),
            escape(&path),
            escape(m.fstype.as_bytes()),
            opts,
            super_opts(&m)
        );
    }
    s.into_bytes()
}

/// The lines of `/proc/[pid]/mountinfo` for the mounts visible from `root`.
pub fn mountinfo_from(root: &Arc<Dentry>) -> Vec<u8> {
    kernel()
        .map(|k| mountinfo_in(&k.vfs.mounts, root))
        .unwrap_or_default()
}

/// [`mountinfo_from`] for the namespace `ns`.
pub fn mountinfo_in(ns: &MountNamespace, root: &Arc<Dentry>) -> Vec<u8> {
    let mut s = String::new();
    for (m, path) in visible(ns, root) {
        let (ma, mi) = (crate::vfs::major(m.dev), crate::vfs::minor(m.dev));
        let optional = match m.propagation() {
            Propagation::Private | Propagation::Slave => String::new(),
            Propagation::Shared => format!(" shared:{}", m.id),
            Propagation::Unbindable => " unbindable".to_string(),
        };
        let _ = writeln!(
            s,
            "{} {} {ma}:{mi} {} {} {}{optional} - {} {} {}{}",
            m.id,
            m.parent_id(),
            escape(&m.fs_root),
            escape(&path),
            m.flags().options(),
            escape(m.fstype.as_bytes()),
            escape(m.source().as_bytes()),
            if m.super_ro() { "ro" } else { "rw" },
            super_opts(&m)
        );
    }
    s.into_bytes()
}

/// `/proc/[pid]/mountstats` (`show_vfsstat`, without per-fs statistics).
pub fn mountstats_from(root: &Arc<Dentry>) -> Vec<u8> {
    let Ok(k) = kernel() else {
        return Vec::new();
    };
    let mut s = String::new();
    for (m, path) in visible(&k.vfs.mounts, root) {
        let _ = writeln!(
            s,
            "device {} mounted on {} with fstype {}",
            escape(m.source().as_bytes()),
            escape(&path),
            escape(m.fstype.as_bytes())
        );
    }
    s.into_bytes()
}

/// The mount id of an open file (fdinfo's `mnt_id`): its dentry's mount,
/// else the first mount of its device, else 0.
pub fn mount_id(f: &File, dev: u64) -> u32 {
    if let Some(m) = f.dentry.as_ref().and_then(|d| d.mnt()) {
        return m.id;
    }
    let Ok(k) = kernel() else { return 0 };
    k.vfs
        .mounts
        .all()
        .iter()
        .find(|m| m.dev == dev)
        .map(|m| m.id)
        .unwrap_or(0)
}
