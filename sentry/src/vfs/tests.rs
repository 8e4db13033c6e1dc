//! VFS unit tests over a real gofer server started in-process on a
//! temporary directory.

use super::resolve::{open_exec_dentry, Last, Walker};
use super::*;
use crate::kernel::task::Creds;
use std::os::fd::OwnedFd;
use std::os::unix::fs::{symlink, OpenOptionsExt, PermissionsExt};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use syscalls::consts::*;

static N: AtomicUsize = AtomicUsize::new(0);

struct Fx {
    dir: PathBuf,
    vfs: Arc<Vfs>,
}

impl Drop for Fx {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A tree served by an in-process gofer, with the VFS on top.
fn fixture() -> Fx {
    let n = N.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("sentry-vfs-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("d/sub")).unwrap();
    std::fs::write(dir.join("file"), b"hello world").unwrap();
    std::fs::write(dir.join("d/a"), b"A").unwrap();
    std::fs::write(dir.join("noexec"), b"x").unwrap();
    std::fs::write(dir.join("exec"), b"#!/bin/sh\n").unwrap();
    std::fs::set_permissions(dir.join("exec"), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::create_dir(dir.join("locked")).unwrap();
    std::fs::write(dir.join("locked/inner"), b"i").unwrap();
    std::fs::set_permissions(dir.join("locked"), std::fs::Permissions::from_mode(0o700)).unwrap();
    symlink("file", dir.join("rel")).unwrap();
    symlink("/file", dir.join("abs")).unwrap();
    symlink("d", dir.join("ld")).unwrap();
    symlink("../../..", dir.join("d/sub/up")).unwrap();
    symlink("nothing", dir.join("dangling")).unwrap();
    symlink("loop2", dir.join("loop1")).unwrap();
    symlink("loop1", dir.join("loop2")).unwrap();
    std::fs::hard_link(dir.join("file"), dir.join("d/hard")).unwrap();
    // A chain of 41 links: one more than Linux follows.
    for i in 0..41 {
        symlink(format!("c{}", i + 1), dir.join(format!("c{i}"))).unwrap();
    }
    std::fs::write(dir.join("c41"), b"end").unwrap();
    let root = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_PATH | libc::O_DIRECTORY)
        .open(&dir)
        .unwrap();
    let (mut servers, mut clients): (Vec<OwnedFd>, Vec<OwnedFd>) = (Vec::new(), Vec::new());
    for _ in 0..2 {
        let (s, c) = gofer::channel_pair().unwrap();
        servers.push(s);
        clients.push(c);
    }
    std::thread::spawn(move || {
        gofer::serve(
            root.into(),
            servers,
            gofer::ServerOptions { readonly: true },
        )
    });
    let client = Arc::new(gofer::Client::new(clients));
    let mf = crate::mm::memfile::MemoryFile::new().unwrap();
    // The plain read-only gofer root (the overlay has its own tests).
    let vfs = Vfs::with_root(mf, client, super::RootOverlay::ReadOnly).unwrap();
    Fx { dir, vfs }
}

fn root_creds() -> Creds {
    Creds::default()
}

fn user_creds() -> Creds {
    Creds {
        ruid: 1000,
        euid: 1000,
        suid: 1000,
        fsuid: 1000,
        rgid: 1000,
        egid: 1000,
        sgid: 1000,
        fsgid: 1000,
        groups: vec![],
    }
}

fn walk(fx: &Fx, path: &str, follow: bool) -> Result<Arc<Dentry>, Errno> {
    let c = root_creds();
    let mut w = Walker::new(fx.vfs.root(), &c);
    w.walk(fx.vfs.root(), path.as_bytes(), follow)
}

fn path_of(fx: &Fx, path: &str) -> Result<String, Errno> {
    walk(fx, path, true).map(|d| String::from_utf8(d.path(&fx.vfs.root())).unwrap())
}

#[test]
fn absolute_relative_and_dots() {
    let fx = fixture();
    assert_eq!(path_of(&fx, "/d/a").unwrap(), "/d/a");
    assert_eq!(path_of(&fx, "d//a").unwrap(), "/d/a");
    assert_eq!(path_of(&fx, "/d/./sub/../a").unwrap(), "/d/a");
    assert_eq!(path_of(&fx, "/").unwrap(), "/");
    assert_eq!(path_of(&fx, "/../../..").unwrap(), "/");
    assert_eq!(path_of(&fx, "d/sub/up").unwrap(), "/");
    assert_eq!(walk(&fx, "", true).unwrap_err(), Errno::ENOENT);
    assert_eq!(walk(&fx, "/nope", true).unwrap_err(), Errno::ENOENT);
    assert_eq!(walk(&fx, "/nope/x", true).unwrap_err(), Errno::ENOENT);
    // Negative entries are cached and stay negative.
    assert_eq!(walk(&fx, "/nope", true).unwrap_err(), Errno::ENOENT);
    assert!(matches!(fx.vfs.root().cached_child(b"nope"), Some(None)));
    // Relative to another start directory.
    let c = root_creds();
    let d = walk(&fx, "/d", true).unwrap();
    let mut w = Walker::new(fx.vfs.root(), &c);
    let a = w.walk(d.clone(), b"a", true).unwrap();
    assert_eq!(a.path(&fx.vfs.root()), b"/d/a");
    // `..` never goes above the walker's root (a chroot to /d).
    let mut w = Walker::new(d.clone(), &c);
    assert_eq!(w.walk(d.clone(), b"../../a", true).unwrap().path(&d), b"/a");
    assert_eq!(w.walk(d.clone(), b"/sub/..", true).unwrap().path(&d), b"/");
}

#[test]
fn trailing_slashes_and_not_directories() {
    let fx = fixture();
    assert_eq!(walk(&fx, "/file/", true).unwrap_err(), Errno::ENOTDIR);
    assert_eq!(walk(&fx, "/file/.", true).unwrap_err(), Errno::ENOTDIR);
    assert_eq!(walk(&fx, "/file/x", true).unwrap_err(), Errno::ENOTDIR);
    assert!(walk(&fx, "/d/", true).unwrap().is_dir());
    // A trailing slash follows a final symlink even without follow.
    assert!(walk(&fx, "/ld", false).unwrap().is_symlink());
    assert!(walk(&fx, "/ld/", false).unwrap().is_dir());
    assert_eq!(walk(&fx, "/rel/", false).unwrap_err(), Errno::ENOTDIR);
}

#[test]
fn symlinks_and_loops() {
    let fx = fixture();
    assert_eq!(path_of(&fx, "/rel").unwrap(), "/file");
    assert_eq!(path_of(&fx, "/abs").unwrap(), "/file");
    assert_eq!(path_of(&fx, "/ld/a").unwrap(), "/d/a");
    assert!(walk(&fx, "/rel", false).unwrap().is_symlink());
    assert_eq!(walk(&fx, "/dangling", true).unwrap_err(), Errno::ENOENT);
    assert!(walk(&fx, "/dangling", false).unwrap().is_symlink());
    assert_eq!(walk(&fx, "/loop1", true).unwrap_err(), Errno::ELOOP);
    assert_eq!(walk(&fx, "/loop1/x", false).unwrap_err(), Errno::ELOOP);
    assert_eq!(
        walk(&fx, "/c1", true).unwrap().path(&fx.vfs.root()),
        b"/c41"
    );
    assert_eq!(walk(&fx, "/c0", true).unwrap_err(), Errno::ELOOP);
    let c = root_creds();
    let mut w = Walker::new(fx.vfs.root(), &c);
    w.no_symlinks = true;
    assert_eq!(
        w.walk(fx.vfs.root(), b"/rel", true).unwrap_err(),
        Errno::ELOOP
    );
    let mut w = Walker::new(walk(&fx, "/d", true).unwrap(), &c);
    w.beneath = true;
    assert_eq!(
        w.walk(fx.vfs.root(), b"/a", true).unwrap_err(),
        Errno::EXDEV
    );
}

#[test]
fn name_too_long() {
    let fx = fixture();
    let long = format!("/{}", "n".repeat(256));
    assert_eq!(walk(&fx, &long, true).unwrap_err(), Errno::ENAMETOOLONG);
    let ok = format!("/{}", "n".repeat(255));
    assert_eq!(walk(&fx, &ok, true).unwrap_err(), Errno::ENOENT);
}

#[test]
fn permissions() {
    let fx = fixture();
    let user = user_creds();
    let mut w = Walker::new(fx.vfs.root(), &user);
    assert_eq!(
        w.walk(fx.vfs.root(), b"/locked/inner", true).unwrap_err(),
        Errno::EACCES
    );
    let root = root_creds();
    let mut w = Walker::new(fx.vfs.root(), &root);
    assert!(w.walk(fx.vfs.root(), b"/locked/inner", true).is_ok());
    // Exec needs an x bit even for root; directories are EACCES.
    let noexec = walk(&fx, "/noexec", true).unwrap();
    assert_eq!(open_exec_dentry(&root, noexec).unwrap_err(), Errno::EACCES);
    let d = walk(&fx, "/d", true).unwrap();
    assert_eq!(open_exec_dentry(&root, d).unwrap_err(), Errno::EACCES);
    let null = walk(&fx, "/dev/null", true).unwrap();
    assert_eq!(open_exec_dentry(&root, null).unwrap_err(), Errno::EACCES);
    let (f, _) = open_exec_dentry(&root, walk(&fx, "/exec", true).unwrap()).unwrap();
    let mut buf = [0u8; 9];
    assert_eq!(f.read_at(&mut buf, 0).unwrap(), 9);
    assert_eq!(&buf, b"#!/bin/sh");
    // Writes on the read-only root.
    let file = walk(&fx, "/file", true).unwrap();
    assert_eq!(
        check_access(file.inode_ref(), &root, MAY_WRITE, Ids::Fs),
        Err(Errno::EROFS)
    );
    assert_eq!(
        check_access(file.inode_ref(), &user, MAY_READ, Ids::Fs),
        Ok(())
    );
    assert_eq!(
        check_access(file.inode_ref(), &user, MAY_EXEC, Ids::Fs),
        Err(Errno::EACCES)
    );
}

fn open(fx: &Fx, path: &str, flags: u32) -> Result<Arc<File>, Errno> {
    let c = root_creds();
    let mut w = Walker::new(fx.vfs.root(), &c);
    w.open(fx.vfs.root(), path.as_bytes(), flags | O_LARGEFILE)
}

#[test]
fn open_checks() {
    let fx = fixture();
    assert_eq!(open(&fx, "/d", O_WRONLY).unwrap_err(), Errno::EISDIR);
    assert_eq!(
        open(&fx, "/d", O_RDONLY | O_TRUNC).unwrap_err(),
        Errno::EISDIR
    );
    assert_eq!(open(&fx, "/file", O_DIRECTORY).unwrap_err(), Errno::ENOTDIR);
    assert_eq!(open(&fx, "/rel", O_NOFOLLOW).unwrap_err(), Errno::ELOOP);
    assert_eq!(open(&fx, "/file", O_WRONLY).unwrap_err(), Errno::EROFS);
    assert_eq!(
        open(&fx, "/file", O_RDONLY | O_TRUNC).unwrap_err(),
        Errno::EROFS
    );
    assert_eq!(
        open(&fx, "/new", O_CREAT | O_WRONLY).unwrap_err(),
        Errno::EROFS
    );
    assert_eq!(
        open(&fx, "/dangling", O_CREAT | O_RDONLY).unwrap_err(),
        Errno::EROFS
    );
    assert_eq!(
        open(&fx, "/file", O_CREAT | O_EXCL).unwrap_err(),
        Errno::EEXIST
    );
    assert_eq!(open(&fx, "/d/", O_CREAT).unwrap_err(), Errno::EISDIR);
    assert_eq!(open(&fx, "/d", O_CREAT).unwrap_err(), Errno::EISDIR);
    assert_eq!(
        open(&fx, "/rel", O_CREAT | O_NOFOLLOW).unwrap_err(),
        Errno::ELOOP
    );
    let f = open(&fx, "/rel", O_CREAT).unwrap();
    let mut buf = [0u8; 5];
    assert_eq!(f.read_at(&mut buf, 0).unwrap(), 5);
    assert_eq!(&buf, b"hello");
    assert_eq!(f.flags(), O_LARGEFILE);
    let p = open(&fx, "/rel", O_PATH | O_NOFOLLOW).unwrap();
    assert!(p.is_path());
    assert_eq!(p.stat().unwrap().st_mode & S_IFMT, S_IFLNK);
    assert_eq!(p.flags(), O_PATH | O_NOFOLLOW);
    // /dev devices are writable.
    let n = open(&fx, "/dev/null", O_RDWR).unwrap();
    assert_eq!(n.ops.write(&n, b"xyz", 0).unwrap(), 3);
    assert_eq!(n.read_at(&mut buf, 0).unwrap(), 0);
    assert!(n.ops.write_ignores_data());
    assert!(matches!(n.mmap(), Err(Errno::ENODEV)));
    let z = open(&fx, "/dev/zero", O_RDONLY).unwrap();
    let mut buf = [7u8; 8];
    assert_eq!(z.read_at(&mut buf, 0).unwrap(), 8);
    assert_eq!(buf, [0; 8]);
    assert!(matches!(z.mmap(), Ok(MmapSource::Zero)));
    let full = open(&fx, "/dev/full", O_WRONLY).unwrap();
    assert_eq!(full.ops.write(&full, b"x", 0).unwrap_err(), Errno::ENOSPC);
    let st = walk(&fx, "/dev/urandom", true)
        .unwrap()
        .inode_ref()
        .stat()
        .unwrap();
    assert_eq!(
        (st.st_mode, major(st.st_rdev), minor(st.st_rdev)),
        (S_IFCHR | 0o666, 1, 9)
    );
}

#[test]
fn mounts_hide_the_host_and_cross_both_ways() {
    let fx = fixture();
    // The rootfs has no /dev, /proc, /sys: mount points were made for them.
    let dev = walk(&fx, "/dev", true).unwrap();
    assert!(dev.covers().is_some());
    assert_eq!(dev.path(&fx.vfs.root()), b"/dev");
    assert_eq!(path_of(&fx, "/dev/../d").unwrap(), "/d");
    assert_eq!(path_of(&fx, "/dev/null").unwrap(), "/dev/null");
    assert!(walk(&fx, "/proc", true).unwrap().is_dir());
    // procfs: /proc/self names the calling task, and there is none here.
    assert_eq!(walk(&fx, "/proc/self", true).unwrap_err(), Errno::ENOENT);
    assert!(walk(&fx, "/proc/sys/kernel/ostype", true).is_ok());
    assert!(walk(&fx, "/sys/kernel/mm/transparent_hugepage/enabled", true).is_ok());
    assert_eq!(walk(&fx, "/sys/nothing", true).unwrap_err(), Errno::ENOENT);
    let c = root_creds();
    let mut w = Walker::new(fx.vfs.root(), &c);
    w.no_xdev = true;
    assert_eq!(
        w.walk(fx.vfs.root(), b"/dev/null", true).unwrap_err(),
        Errno::EXDEV
    );
    // statfs of each file system.
    assert_eq!(
        dev.inode_ref().statfs().unwrap().f_type,
        fs::synth::TMPFS_MAGIC
    );
    let proc_ = walk(&fx, "/proc", true).unwrap();
    assert_eq!(
        proc_.inode_ref().statfs().unwrap().f_type,
        fs::synth::PROC_SUPER_MAGIC
    );
    assert!(fx.vfs.root().inode_ref().statfs().unwrap().f_namelen > 0);
}

fn names(f: &File) -> Vec<String> {
    let mut v: Vec<String> = f
        .ops
        .readdir(f, 0, 1000)
        .unwrap()
        .into_iter()
        .map(|(_, _, _, n)| String::from_utf8(n).unwrap())
        .collect();
    v.sort();
    v
}

#[test]
fn directory_listings() {
    let fx = fixture();
    let d = open(&fx, "/d", O_RDONLY | O_DIRECTORY).unwrap();
    assert_eq!(names(&d), [".", "..", "a", "hard", "sub"]);
    // Offsets are indices: resuming after two entries skips . and ..
    let rest = d.ops.readdir(&d, 2, 100).unwrap();
    assert_eq!(rest.len(), 3);
    assert_eq!(rest[0].1, 3);
    assert!(d.ops.readdir(&d, 5, 100).unwrap().is_empty());
    let dev = open(&fx, "/dev", O_RDONLY).unwrap();
    assert_eq!(
        names(&dev),
        [
            ".", "..", "console", "fd", "full", "null", "ptmx", "pts", "random", "shm", "stderr",
            "stdin", "stdout", "tty", "urandom", "zero"
        ]
    );
    let file = open(&fx, "/file", O_RDONLY).unwrap();
    assert_eq!(file.ops.readdir(&file, 0, 10).unwrap_err(), Errno::ENOTDIR);
}

#[test]
fn one_inode_and_page_cache_per_file() {
    let fx = fixture();
    let a = open(&fx, "/file", O_RDONLY).unwrap();
    let b = open(&fx, "/d/hard", O_RDONLY).unwrap();
    let (Ok(MmapSource::Object { obj: oa, size, .. }), Ok(MmapSource::Object { obj: ob, .. })) =
        (a.mmap(), b.mmap())
    else {
        panic!("gofer files map as objects");
    };
    assert!(Arc::ptr_eq(&oa, &ob));
    assert_eq!(size, 11);
    let mut buf = [0u8; 5];
    assert_eq!(b.read_at(&mut buf, 6).unwrap(), 5);
    assert_eq!(&buf, b"world");
    assert_eq!(a.ops.llseek(&a, 0, SEEK_END).unwrap(), 11);
    assert_eq!(a.ops.llseek(&a, -1, SEEK_SET).unwrap_err(), Errno::EINVAL);
    assert_eq!(a.ops.llseek(&a, 20, SEEK_DATA).unwrap_err(), Errno::ENXIO);
    assert_eq!(a.ops.llseek(&a, 3, SEEK_HOLE).unwrap(), 11);
}

#[test]
fn parent_walks() {
    let fx = fixture();
    let c = root_creds();
    let mut w = Walker::new(fx.vfs.root(), &c);
    let (p, last) = w.walk_parent(fx.vfs.root(), b"/d/new/").unwrap();
    assert_eq!(
        (p.path(&fx.vfs.root()), last),
        (b"/d".to_vec(), Last::Normal(b"new".to_vec(), true))
    );
    let (_, last) = w.walk_parent(fx.vfs.root(), b"d/..").unwrap();
    assert_eq!(last, Last::DotDot);
    let (_, last) = w.walk_parent(fx.vfs.root(), b"///").unwrap();
    assert_eq!(last, Last::Root);
    assert_eq!(
        w.walk_parent(fx.vfs.root(), b"/file/x").unwrap_err(),
        Errno::ENOTDIR
    );
    assert_eq!(
        w.walk_parent(fx.vfs.root(), b"/nope/x").unwrap_err(),
        Errno::ENOENT
    );
}

fn dummy_file() -> Arc<File> {
    let root = Dentry::new_root(fs::dev::new_devfs(&fs::devpts::DevptsFs::new(
        Default::default(),
    )));
    let c = root_creds();
    let w = Walker::new(root.clone(), &c);
    let null = w.child(&root, b"null").unwrap();
    w.open_dentry(null, O_RDONLY).unwrap()
}

#[test]
fn fd_table_semantics() {
    let t = FdTable::new();
    let f = dummy_file();
    assert_eq!(t.install(f.clone(), false, 0, 1024).unwrap(), 0);
    assert_eq!(t.install(f.clone(), true, 0, 1024).unwrap(), 1);
    assert_eq!(t.install(f.clone(), false, 0, 1024).unwrap(), 2);
    t.remove(1).unwrap();
    assert_eq!(t.remove(1).unwrap_err(), Errno::EBADF);
    // The lowest free fd is reused; `min` is honoured.
    assert_eq!(t.install(f.clone(), false, 0, 1024).unwrap(), 1);
    assert_eq!(t.install(f.clone(), false, 10, 1024).unwrap(), 10);
    assert_eq!(t.install(f.clone(), false, 5, 6).unwrap(), 5);
    assert_eq!(
        t.install(f.clone(), false, 5, 6).unwrap_err(),
        Errno::EMFILE
    );
    assert!(t.install_at(3, f.clone(), true).unwrap().is_none());
    assert!(t.entry(3).unwrap().cloexec);
    t.set_cloexec(3, false).unwrap();
    assert!(!t.entry(3).unwrap().cloexec);
    assert_eq!(t.get(-1).unwrap_err(), Errno::EBADF);
    assert_eq!(t.len(), 11);
    // close_range with CLOEXEC marks; without, closes.
    assert!(t.close_range(0, 2, true).is_empty());
    assert!(t.entry(2).unwrap().cloexec);
    assert_eq!(t.close_range(4, u32::MAX, false).len(), 2);
    assert_eq!(t.len(), 4);
    t.close_on_exec();
    assert_eq!(t.get(0).unwrap_err(), Errno::EBADF);
    assert!(t.get(3).is_ok());
    // Dup'ed fds share the description (and so the offset and flags).
    let g = t.get(3).unwrap();
    g.set_flags(g.flags() | O_NONBLOCK);
    assert!(Arc::ptr_eq(&g, &f));
    assert_ne!(f.flags() & O_NONBLOCK, 0);
}

#[test]
fn paths_across_mounts_and_outside_the_root() {
    let fx = fixture();
    let sub = walk(&fx, "/d/sub", true).unwrap();
    let d = walk(&fx, "/d", true).unwrap();
    assert_eq!(sub.path(&d), b"/sub");
    assert!(sub.is_under(&d));
    let file = walk(&fx, "/file", true).unwrap();
    assert!(!file.is_under(&d));
    assert_eq!(file.path(&d), b"/file");
    let null = walk(&fx, "/dev/null", true).unwrap();
    assert_eq!(null.abs_path(), b"/dev/null");
    assert_eq!(null.dotdot(&fx.vfs.root()).path(&fx.vfs.root()), b"/dev");
    let dev = walk(&fx, "/dev", true).unwrap();
    assert!(Arc::ptr_eq(&dev.dotdot(&fx.vfs.root()), &fx.vfs.root()));
}

#[test]
fn prune_drops_unused_dentries_only() {
    let fx = fixture();
    let root = fx.vfs.root();
    let held = walk(&fx, "/d/a", true).unwrap();
    walk(&fx, "/d/sub", true).unwrap();
    walk(&fx, "/file", true).unwrap();
    let _ = walk(&fx, "/missing", true);
    let d = walk(&fx, "/d", true).unwrap();
    drop(d);
    // First pass: everything was used recently and gets a second chance,
    // except negative entries.
    Dentry::prune(&root);
    assert!(matches!(root.cached_child(b"file"), Some(Some(_))));
    assert!(root.cached_child(b"missing").is_none());
    Dentry::prune(&root);
    // `cached_child` above marked /file used again; /d/sub was not.
    assert!(matches!(root.cached_child(b"file"), Some(Some(_))));
    let d = root.cached_child(b"d").flatten().unwrap();
    assert!(d.cached_child(b"sub").is_none());
    // Held dentries, their ancestors and mount points stay.
    assert!(d
        .cached_child(b"a")
        .flatten()
        .is_some_and(|a| Arc::ptr_eq(&a, &held)));
    assert!(matches!(root.cached_child(b"dev"), Some(Some(_))));
    drop(d);
    Dentry::prune(&root);
    Dentry::prune(&root);
    Dentry::prune(&root);
    assert!(root.cached_child(b"d").flatten().is_some());
    // Lookups after a prune work again.
    assert_eq!(path_of(&fx, "/d/sub/../a").unwrap(), "/d/a");
    assert_eq!(
        walk(&fx, "/dev/null", true).unwrap().abs_path(),
        b"/dev/null"
    );
}

#[test]
fn page_cache_outlives_a_pruned_inode() {
    let fx = fixture();
    let f = open(&fx, "/d/a", O_RDONLY).unwrap();
    let Ok(MmapSource::Object { obj: first, .. }) = f.mmap() else {
        panic!("object")
    };
    drop(f);
    // Nothing but the "mapping" (`first`) uses the file now: prune it away.
    for _ in 0..3 {
        Dentry::prune(&fx.vfs.root());
    }
    let d = fx.vfs.root().cached_child(b"d").flatten();
    assert!(d.is_none_or(|d| d.cached_child(b"a").is_none()));
    let g = open(&fx, "/d/a", O_RDONLY).unwrap();
    let Ok(MmapSource::Object { obj: second, .. }) = g.mmap() else {
        panic!("object")
    };
    assert!(Arc::ptr_eq(&first, &second));
}

fn tmpfs(fx: &Fx) -> Arc<dyn Inode> {
    fs::tmpfs::TmpFs::mount(fx.vfs.mf.clone(), 0o755)
}

#[test]
fn mount_table_lists_the_initial_mounts_in_order() {
    let fx = fixture();
    let all = fx.vfs.mounts.all();
    let names: Vec<&str> = all.iter().map(|m| m.fstype.as_str()).collect();
    assert_eq!(
        names,
        ["9p", "tmpfs", "devpts", "tmpfs", "proc", "sysfs", "tmpfs"]
    );
    let root = fx.vfs.mounts.root().unwrap();
    assert_eq!(root.parent_id(), root.id);
    // /dev/pts and /dev/shm hang below /dev, the others below the root.
    assert_eq!(all[2].parent_id(), all[1].id);
    assert_eq!(all[3].parent_id(), all[1].id);
    assert_eq!(all[4].parent_id(), root.id);
    assert!(all[5].readonly());
    let sys = walk(&fx, "/sys/devices", true).unwrap();
    assert_eq!(sys.mnt().unwrap().id, all[5].id);
    assert!(sys.readonly());
    let info = String::from_utf8(fs::proc::mounts::mountinfo_in(
        &fx.vfs.mounts,
        &fx.vfs.root(),
    ))
    .unwrap();
    let shm = info.lines().nth(3).unwrap();
    let f: Vec<&str> = shm.split(' ').collect();
    assert_eq!(
        (f[3], f[4], f[5], f[6], f[7], f[8]),
        (
            "/",
            "/dev/shm",
            "rw,nosuid,nodev,relatime",
            "-",
            "tmpfs",
            "tmpfs"
        )
    );
}

#[test]
fn mount_and_detach_cross_correctly() {
    let fx = fixture();
    let d = walk(&fx, "/d", true).unwrap();
    let before = walk(&fx, "/d/a", true).unwrap();
    let m = fx
        .vfs
        .mount(&d, tmpfs(&fx), "tmpfs", "none", MountFlags::RDONLY)
        .unwrap();
    // The tmpfs hides /d/a; paths and `..` cross the new mount.
    assert_eq!(walk(&fx, "/d/a", true).unwrap_err(), Errno::ENOENT);
    let top = walk(&fx, "/d", true).unwrap();
    assert!(Arc::ptr_eq(&top, &m.root));
    assert!(top.readonly());
    assert_eq!(path_of(&fx, "/d/..").unwrap(), "/");
    assert_eq!(m.parent_id(), fx.vfs.mounts.root().unwrap().id);
    // A second mount stacks on the first.
    let m2 = fx
        .vfs
        .mount(&top, tmpfs(&fx), "tmpfs", "none", MountFlags::NONE)
        .unwrap();
    assert_eq!(m2.parent_id(), m.id);
    assert_eq!(fx.vfs.mounts.children(&m).len(), 1);
    // Detaching the lower one recursively uncovers /d again, with no stale
    // cache left behind.
    fx.vfs.mounts.detach(&m, true);
    assert!(!fx.vfs.mounts.contains(&m2));
    let again = walk(&fx, "/d/a", true).unwrap();
    assert!(Arc::ptr_eq(&again, &before));
    assert!(m.root.covers().is_none());
    // Files cannot be mounted on directories.
    let file = walk(&fx, "/file", true).unwrap();
    assert_eq!(
        fx.vfs
            .mount(&file, tmpfs(&fx), "tmpfs", "none", MountFlags::NONE)
            .unwrap_err(),
        Errno::ENOTDIR
    );
}

#[test]
fn bound_trees_see_each_others_changes() {
    let fx = fixture();
    let d = walk(&fx, "/d", true).unwrap();
    let tmp = walk(&fx, "/tmp", true).unwrap();
    let m = fx
        .vfs
        .mount(&tmp, d.inode(), "9p", "none", MountFlags::NONE)
        .unwrap();
    d.mark_alias();
    m.root.mark_alias();
    assert!(walk(&fx, "/tmp/a", true).is_ok());
    // A miss through one tree is not cached against the other.
    assert_eq!(walk(&fx, "/tmp/new", true).unwrap_err(), Errno::ENOENT);
    std::fs::write(fx.dir.join("d/new"), b"n").unwrap();
    assert!(walk(&fx, "/tmp/new", true).is_ok());
    std::fs::remove_file(fx.dir.join("d/new")).unwrap();
    assert_eq!(walk(&fx, "/d/new", true).unwrap_err(), Errno::ENOENT);
    assert_eq!(walk(&fx, "/tmp/new", true).unwrap_err(), Errno::ENOENT);
}

#[test]
fn mount_flags_options_and_statfs_bits() {
    let f = MountFlags::from_ms(1 | 2 | 8);
    assert_eq!(f.options(), "ro,nosuid,noexec,relatime");
    assert_eq!(MountFlags::from_ms(1 << 10).options(), "rw,noatime");
    assert_eq!(MountFlags::from_ms(1 << 24).options(), "rw");
    assert_eq!(f.statfs_flags(), 1 | 2 | 8 | 4096);
    assert_eq!(
        fs::proc::mounts::escape(b"a b\\c\td"),
        "a\\040b\\134c\\011d"
    );
}
