//! Write operations, and the read-only switch.

mod common;

use std::io::{Read, Seek, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};

use common::{read_all, Fixture};
use gofer::{SetAttr, TimeSet, Timestamp};
use syscalls::Errno;

const KEEP: u32 = u32::MAX;

#[test]
fn readonly_server_refuses_changes() {
    let mut fx = Fixture::new("readonly");
    std::fs::write(fx.path("f"), "keep").unwrap();
    std::fs::create_dir(fx.path("d")).unwrap();
    let client = fx.serve(true);
    let (root, _) = client.attach().unwrap();
    let f = client.walk(root, &[b"f"]).unwrap()[0].0;
    let d = client.walk(root, &[b"d"]).unwrap()[0].0;

    let rofs = Err(Errno::EROFS);
    assert_eq!(
        client
            .create(root, b"new", libc::O_RDWR, 0o644, KEEP, KEEP)
            .map(drop),
        rofs
    );
    for flags in [
        libc::O_WRONLY,
        libc::O_RDWR,
        libc::O_RDONLY | libc::O_TRUNC,
        libc::O_WRONLY | libc::O_APPEND,
    ] {
        assert_eq!(client.open(f, flags).map(drop), rofs, "flags {flags:#o}");
    }
    assert_eq!(client.mkdir(root, b"nd", 0o755, KEEP, KEEP).map(drop), rofs);
    assert_eq!(client.symlink(root, b"l", b"f", KEEP, KEEP).map(drop), rofs);
    assert_eq!(client.link(root, b"l", f).map(drop), rofs);
    assert_eq!(
        client
            .mknod(root, b"p", libc::S_IFIFO | 0o644, KEEP, KEEP)
            .map(drop),
        rofs
    );
    assert_eq!(client.unlink(root, b"f", 0), rofs);
    assert_eq!(client.unlink(root, b"d", libc::AT_REMOVEDIR), rofs);
    assert_eq!(client.rename(root, b"f", root, b"g", 0), rofs);
    assert_eq!(
        client
            .setattr(
                f,
                &SetAttr {
                    size: Some(0),
                    ..Default::default()
                }
            )
            .map(drop),
        rofs
    );
    assert_eq!(
        client
            .setattr(
                d,
                &SetAttr {
                    mode: Some(0o700),
                    ..Default::default()
                }
            )
            .map(drop),
        rofs
    );

    assert_eq!(read_all(client.open(f, libc::O_RDONLY).unwrap()), b"keep");
    client.fsync(f).unwrap();
    assert_eq!(std::fs::read(fx.path("f")).unwrap(), b"keep");
    assert!(!fx.path("new").exists() && !fx.path("nd").exists() && fx.path("d").exists());
}

#[test]
fn create_sets_mode_and_owner_and_donates_fd() {
    let mut fx = Fixture::new("create");
    let client = fx.serve(false);
    let (root, _) = client.attach().unwrap();

    let (h, attr, fd) = client
        .create(root, b"f", libc::O_RDWR, 0o640, 1234, 5678)
        .unwrap();
    assert!(attr.is_file());
    assert_eq!(attr.mode & 0o7777, 0o640, "exact mode, whatever the umask");
    assert_eq!((attr.uid, attr.gid), (1234, 5678));
    let mut file = std::fs::File::from(fd);
    file.write_all(b"written through the donated fd").unwrap();
    assert_eq!(client.stat(h).unwrap().size, 30);
    let md = std::fs::metadata(fx.path("f")).unwrap();
    assert_eq!(
        (md.ino(), md.mode() & 0o7777, md.uid(), md.gid()),
        (attr.ino, 0o640, 1234, 5678)
    );
    assert_eq!(
        read_all(client.open(h, libc::O_RDONLY).unwrap()),
        b"written through the donated fd"
    );
    file.rewind().unwrap();
    let mut s = String::new();
    file.read_to_string(&mut s).unwrap();
    assert_eq!(s, "written through the donated fd");

    assert_eq!(
        client
            .create(root, b"f", libc::O_RDWR, 0o640, KEEP, KEEP)
            .map(drop),
        Err(Errno::EEXIST)
    );
    let (_, attr, _) = client
        .create(root, b"g", libc::O_WRONLY, 0o4755, KEEP, KEEP)
        .unwrap();
    assert_eq!(attr.mode & 0o7777, 0o4755);
    assert_eq!(
        client
            .create(root, b"x", libc::O_DIRECTORY, 0o644, KEEP, KEEP)
            .map(drop),
        Err(Errno::EINVAL)
    );
}

#[test]
fn mkdir_symlink_link_mknod() {
    let mut fx = Fixture::new("mk");
    std::fs::write(fx.path("f"), "x").unwrap();
    let client = fx.serve(false);
    let (root, _) = client.attach().unwrap();

    let (d, a) = client.mkdir(root, b"d", 0o1777, 42, 43).unwrap();
    assert!(a.is_dir());
    assert_eq!((a.mode & 0o7777, a.uid, a.gid), (0o1777, 42, 43));
    assert_eq!(
        std::fs::metadata(fx.path("d"))
            .unwrap()
            .permissions()
            .mode()
            & 0o7777,
        0o1777
    );
    assert_eq!(
        client.mkdir(root, b"d", 0o755, KEEP, KEEP).map(drop),
        Err(Errno::EEXIST)
    );
    let (sub, _) = client.mkdir(d, b"sub", 0o700, KEEP, KEEP).unwrap();
    assert!(fx.path("d/sub").is_dir());

    let (l, a) = client.symlink(sub, b"link", b"/etc/shadow", 7, 8).unwrap();
    assert!(a.is_symlink());
    assert_eq!((a.uid, a.gid), (7, 8));
    assert_eq!(client.readlink(l).unwrap(), b"/etc/shadow");
    assert_eq!(
        std::fs::read_link(fx.path("d/sub/link"))
            .unwrap()
            .as_os_str(),
        "/etc/shadow"
    );
    assert_eq!(
        client.symlink(sub, b"empty", b"", KEEP, KEEP).map(drop),
        Err(Errno::ENOENT)
    );

    let f = client.walk(root, &[b"f"]).unwrap()[0].0;
    let (_, a) = client.link(d, b"hard", f).unwrap();
    assert_eq!(a.nlink, 2);
    assert_eq!(a.ino, client.stat(f).unwrap().ino);
    assert_eq!(
        client.link(root, b"dirlink", d).map(drop),
        Err(Errno::EPERM)
    );
    // A hard link to a symlink links the symlink itself.
    let (_, a) = client.link(root, b"link2", l).unwrap();
    assert!(a.is_symlink());

    let (fifo, a) = client
        .mknod(root, b"fifo", libc::S_IFIFO | 0o620, KEEP, KEEP)
        .unwrap();
    assert_eq!(a.file_type(), libc::S_IFIFO);
    assert_eq!(a.mode & 0o7777, 0o620);
    assert!(std::fs::metadata(fx.path("fifo"))
        .unwrap()
        .file_type()
        .is_fifo());
    // Opening a FIFO never blocks the server.
    let r = client.open(fifo, libc::O_RDONLY).unwrap();
    let w = client.open(fifo, libc::O_WRONLY).unwrap();
    drop((r, w));
    let (sock, a) = client
        .mknod(root, b"sock", libc::S_IFSOCK | 0o600, KEEP, KEEP)
        .unwrap();
    assert_eq!(a.file_type(), libc::S_IFSOCK);
    assert_eq!(
        client.open(sock, libc::O_RDONLY).map(drop),
        Err(Errno::ENXIO)
    );
    let (_, a) = client.mknod(root, b"plain", 0o600, KEEP, KEEP).unwrap();
    assert!(a.is_file());
    for kind in [libc::S_IFCHR, libc::S_IFBLK, libc::S_IFDIR, libc::S_IFLNK] {
        assert_eq!(
            client
                .mknod(root, b"dev", kind | 0o600, KEEP, KEEP)
                .map(drop),
            Err(Errno::EPERM)
        );
    }
    assert!(!fx.path("dev").exists());
}

#[test]
fn host_device_nodes_are_never_opened() {
    let mut fx = Fixture::new("dev");
    let dev = nix::sys::stat::makedev(1, 3); // like /dev/null
    nix::sys::stat::mknod(
        &fx.path("null"),
        nix::sys::stat::SFlag::S_IFCHR,
        nix::sys::stat::Mode::from_bits_truncate(0o666),
        dev,
    )
    .unwrap();
    let client = fx.serve(false);
    let (root, _) = client.attach().unwrap();
    let (h, a) = client.walk(root, &[b"null"]).unwrap()[0];
    assert_eq!(a.file_type(), libc::S_IFCHR);
    assert_eq!(a.rdev, dev);
    assert_eq!(client.open(h, libc::O_RDONLY).map(drop), Err(Errno::EPERM));
    assert_eq!(client.open(h, libc::O_WRONLY).map(drop), Err(Errno::EPERM));
}

#[test]
fn unlink_and_rmdir() {
    let mut fx = Fixture::new("unlink");
    std::fs::write(fx.path("f"), "x").unwrap();
    std::fs::create_dir_all(fx.path("d/e")).unwrap();
    let client = fx.serve(false);
    let (root, _) = client.attach().unwrap();

    assert_eq!(client.unlink(root, b"d", 0), Err(Errno::EISDIR));
    assert_eq!(
        client.unlink(root, b"d", libc::AT_REMOVEDIR),
        Err(Errno::ENOTEMPTY)
    );
    assert_eq!(
        client.unlink(root, b"f", libc::AT_REMOVEDIR),
        Err(Errno::ENOTDIR)
    );
    assert_eq!(
        client.unlink(root, b"f", libc::AT_SYMLINK_NOFOLLOW),
        Err(Errno::EINVAL)
    );
    client.unlink(root, b"f", 0).unwrap();
    let d = client.walk(root, &[b"d"]).unwrap()[0].0;
    client.unlink(d, b"e", libc::AT_REMOVEDIR).unwrap();
    client.unlink(root, b"d", libc::AT_REMOVEDIR).unwrap();
    assert_eq!(client.unlink(root, b"f", 0), Err(Errno::ENOENT));
    assert!(std::fs::read_dir(&fx.root).unwrap().next().is_none());
    // The handle of the removed directory still works as a directory (empty, unlinked).
    assert!(client.stat(d).unwrap().is_dir());
    assert_eq!(
        client.mkdir(d, b"x", 0o755, KEEP, KEEP).map(drop),
        Err(Errno::ENOENT)
    );
}

#[test]
fn rename_keeps_handles_usable() {
    let mut fx = Fixture::new("rename");
    std::fs::create_dir_all(fx.path("a")).unwrap();
    std::fs::create_dir_all(fx.path("b")).unwrap();
    std::fs::write(fx.path("a/f"), "ffff").unwrap();
    std::fs::write(fx.path("b/g"), "gggg").unwrap();
    let client = fx.serve(false);
    let (root, _) = client.attach().unwrap();
    let a = client.walk(root, &[b"a"]).unwrap()[0].0;
    let b = client.walk(root, &[b"b"]).unwrap()[0].0;
    let f = client.walk(a, &[b"f"]).unwrap()[0].0;
    let g = client.walk(b, &[b"g"]).unwrap()[0].0;

    client.rename(a, b"f", b, b"f2", 0).unwrap();
    assert!(fx.path("b/f2").exists() && !fx.path("a/f").exists());
    assert_eq!(read_all(client.open(f, libc::O_RDONLY).unwrap()), b"ffff");

    assert_eq!(
        client.rename(b, b"f2", b, b"g", libc::RENAME_NOREPLACE),
        Err(Errno::EEXIST)
    );
    client
        .rename(b, b"f2", b, b"g", libc::RENAME_EXCHANGE)
        .unwrap();
    assert_eq!(std::fs::read(fx.path("b/g")).unwrap(), b"ffff");
    assert_eq!(read_all(client.open(f, libc::O_RDONLY).unwrap()), b"ffff");
    assert_eq!(read_all(client.open(g, libc::O_RDONLY).unwrap()), b"gggg");

    // Directories move with their handles too.
    client.rename(root, b"a", b, b"a2", 0).unwrap();
    client
        .create(a, b"new", libc::O_WRONLY, 0o644, KEEP, KEEP)
        .unwrap();
    assert!(fx.path("b/a2/new").exists());
    assert_eq!(
        client.rename(root, b"b", root, b"c", libc::RENAME_WHITEOUT),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        client.rename(root, b"b", root, b"c", 0x100),
        Err(Errno::EINVAL)
    );
}

#[test]
fn setattr_and_truncating_opens() {
    let mut fx = Fixture::new("setattr");
    std::fs::write(fx.path("f"), "0123456789").unwrap();
    std::fs::create_dir(fx.path("d")).unwrap();
    std::os::unix::fs::symlink("f", fx.path("l")).unwrap();
    let client = fx.serve(false);
    let (root, _) = client.attach().unwrap();
    let f = client.walk(root, &[b"f"]).unwrap()[0].0;
    let d = client.walk(root, &[b"d"]).unwrap()[0].0;
    let l = client.walk(root, &[b"l"]).unwrap()[0].0;

    let t = Timestamp {
        sec: 1_000_000_000,
        nsec: 123_456_789,
    };
    let a = client
        .setattr(
            f,
            &SetAttr {
                mode: Some(0o600),
                size: Some(4),
                atime: TimeSet::At(t),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!((a.mode & 0o7777, a.size, a.atime), (0o600, 4, t));
    let md = std::fs::metadata(fx.path("f")).unwrap();
    assert_eq!(
        (md.len(), md.atime(), md.atime_nsec()),
        (4, 1_000_000_000, 123_456_789)
    );
    let before = md.mtime();

    // Omit leaves a time alone; Now sets the current time.
    let a = client
        .setattr(
            f,
            &SetAttr {
                mtime: TimeSet::Now,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(a.atime, t);
    assert!(a.mtime.sec >= before);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((a.mtime.sec - now).abs() < 60);

    let a = client
        .setattr(
            f,
            &SetAttr {
                uid: Some(99),
                gid: Some(98),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!((a.uid, a.gid), (99, 98));
    let a = client
        .setattr(
            d,
            &SetAttr {
                mode: Some(0o2750),
                gid: Some(5),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!((a.mode & 0o7777, a.gid), (0o2750, 5));
    assert_eq!(
        client
            .setattr(
                d,
                &SetAttr {
                    size: Some(0),
                    ..Default::default()
                }
            )
            .map(drop),
        Err(Errno::EISDIR)
    );
    // Symlinks: owner and times yes (never touching the target), mode no.
    let a = client
        .setattr(
            l,
            &SetAttr {
                uid: Some(77),
                mtime: TimeSet::At(t),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(a.is_symlink());
    assert_eq!((a.uid, a.mtime), (77, t));
    assert_eq!(std::fs::metadata(fx.path("f")).unwrap().uid(), 99);
    assert_eq!(
        client
            .setattr(
                l,
                &SetAttr {
                    mode: Some(0o777),
                    ..Default::default()
                }
            )
            .map(drop),
        Err(Errno::EOPNOTSUPP)
    );
    client.fsync(f).unwrap();
    client.fsync(d).unwrap();

    // O_TRUNC truncates, whatever the access mode.
    std::fs::write(fx.path("f"), "0123456789").unwrap();
    drop(client.open(f, libc::O_RDONLY | libc::O_TRUNC).unwrap());
    assert_eq!(std::fs::metadata(fx.path("f")).unwrap().len(), 0);
    std::fs::write(fx.path("f"), "0123456789").unwrap();
    let mut w = std::fs::File::from(client.open(f, libc::O_WRONLY | libc::O_TRUNC).unwrap());
    w.write_all(b"ab").unwrap();
    assert_eq!(std::fs::read(fx.path("f")).unwrap(), b"ab");
    let mut w = std::fs::File::from(client.open(f, libc::O_WRONLY | libc::O_APPEND).unwrap());
    w.write_all(b"cd").unwrap();
    assert_eq!(std::fs::read(fx.path("f")).unwrap(), b"abcd");
}
