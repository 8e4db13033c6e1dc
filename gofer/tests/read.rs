//! Read-side operations: attach, walk, stat, open, readlink, getdents, statfs, release.

mod common;

use std::collections::HashSet;
use std::os::unix::fs::{DirEntryExt, MetadataExt};

use common::{ino, read_all, Fixture};
use syscalls::Errno;

#[test]
fn walk_through_nested_dirs() {
    let mut fx = Fixture::new("nested");
    std::fs::create_dir_all(fx.path("a/b/c")).unwrap();
    std::fs::write(fx.path("a/b/c/file"), "data").unwrap();
    let client = fx.serve(false);

    let (root, rattr) = client.attach().unwrap();
    assert!(rattr.is_dir());
    assert_eq!(rattr.ino, ino(&fx.root));
    let got = client.walk(root, &[b"a", b"b", b"c", b"file"]).unwrap();
    assert_eq!(got.len(), 4);
    for (i, rel) in ["a", "a/b", "a/b/c", "a/b/c/file"].iter().enumerate() {
        let md = std::fs::symlink_metadata(fx.path(rel)).unwrap();
        let a = got[i].1;
        assert_eq!(
            (a.ino, a.mode, a.size, a.nlink),
            (md.ino(), md.mode(), md.size(), md.nlink()),
            "{rel}"
        );
        assert_eq!((a.uid, a.gid), (md.uid(), md.gid()));
        assert_eq!(
            (a.mtime.sec, a.mtime.nsec as i64),
            (md.mtime(), md.mtime_nsec())
        );
    }
    assert_eq!(client.stat(got[3].0).unwrap(), got[3].1);

    // Walking on from an intermediate handle.
    let c = client.walk(got[1].0, &[b"c"]).unwrap();
    assert_eq!(c[0].1.ino, got[2].1.ino);
    // No names: nothing to do.
    assert!(client.walk(root, &[]).unwrap().is_empty());
}

#[test]
fn walk_stops_at_missing_and_non_directories() {
    let mut fx = Fixture::new("missing");
    std::fs::create_dir(fx.path("a")).unwrap();
    std::fs::write(fx.path("a/file"), "x").unwrap();
    let client = fx.serve(false);
    let (root, _) = client.attach().unwrap();

    assert_eq!(client.walk(root, &[b"nope"]).unwrap_err(), Errno::ENOENT);
    assert_eq!(
        client.walk(root, &[b"nope", b"a"]).unwrap_err(),
        Errno::ENOENT
    );
    let got = client.walk(root, &[b"a", b"nope", b"x"]).unwrap();
    assert_eq!(got.len(), 1);
    assert!(got[0].1.is_dir());
    let got = client.walk(root, &[b"a", b"file", b"x"]).unwrap();
    assert_eq!(got.len(), 2);
    assert!(got[1].1.is_file());
    // From a file handle the first component cannot be walked.
    assert_eq!(client.walk(got[1].0, &[b"x"]).unwrap_err(), Errno::ENOTDIR);
}

#[test]
fn walk_stops_at_symlink_and_readlink() {
    let mut fx = Fixture::new("symlink");
    std::fs::create_dir_all(fx.path("a/b")).unwrap();
    std::os::unix::fs::symlink("b", fx.path("a/link")).unwrap();
    std::fs::write(fx.path("a/file"), "x").unwrap();
    let client = fx.serve(false);
    let (root, _) = client.attach().unwrap();

    let got = client.walk(root, &[b"a", b"link", b"c"]).unwrap();
    assert_eq!(got.len(), 2);
    let (link, attr) = got[1];
    assert!(attr.is_symlink());
    assert_eq!(attr.mode & libc::S_IFMT, libc::S_IFLNK);
    assert_eq!(attr.ino, ino(&fx.path("a/link")));
    assert_eq!(attr.size, 1);
    assert_eq!(client.readlink(link).unwrap(), b"b");
    assert_eq!(client.open(link, libc::O_RDONLY).unwrap_err(), Errno::ELOOP);
    assert_eq!(client.getdents(link, 0, 10).unwrap_err(), Errno::ENOTDIR);
    assert_eq!(client.walk(link, &[b"c"]).unwrap_err(), Errno::ENOTDIR);
    // readlink of a non-symlink.
    let file = client.walk(root, &[b"a", b"file"]).unwrap()[1].0;
    assert_eq!(client.readlink(file).unwrap_err(), Errno::EINVAL);
}

#[test]
fn open_and_read_through_donated_fd() {
    let mut fx = Fixture::new("open");
    std::fs::write(fx.path("f"), "hello gofer").unwrap();
    std::fs::create_dir(fx.path("d")).unwrap();
    let client = fx.serve(false);
    let (root, _) = client.attach().unwrap();
    let got = client.walk(root, &[b"f"]).unwrap();
    let fd = client.open(got[0].0, libc::O_RDONLY).unwrap();
    let md = std::fs::File::from(fd.try_clone().unwrap())
        .metadata()
        .unwrap();
    assert_eq!(md.ino(), got[0].1.ino);
    let flags = nix::fcntl::fcntl(
        std::os::fd::AsRawFd::as_raw_fd(&fd),
        nix::fcntl::FcntlArg::F_GETFL,
    )
    .unwrap();
    assert_eq!(flags & libc::O_ACCMODE, libc::O_RDONLY);
    assert_eq!(
        flags & libc::O_NONBLOCK,
        0,
        "internal O_NONBLOCK must not leak"
    );
    assert_eq!(read_all(fd), b"hello gofer");

    // Directories open read-only; O_DIRECTORY on a file fails.
    let d = client.walk(root, &[b"d"]).unwrap()[0].0;
    client.open(d, libc::O_RDONLY | libc::O_DIRECTORY).unwrap();
    client.open(root, libc::O_RDONLY).unwrap();
    assert_eq!(client.open(d, libc::O_WRONLY).unwrap_err(), Errno::EISDIR);
    assert_eq!(
        client
            .open(got[0].0, libc::O_RDONLY | libc::O_DIRECTORY)
            .unwrap_err(),
        Errno::ENOTDIR
    );
    // Flags the server does not allow.
    assert_eq!(
        client.open(got[0].0, libc::O_PATH).unwrap_err(),
        Errno::EINVAL
    );
    assert_eq!(
        client.open(got[0].0, libc::O_ACCMODE).unwrap_err(),
        Errno::EINVAL
    );
    assert_eq!(
        client
            .open(got[0].0, libc::O_CREAT | libc::O_EXCL)
            .unwrap_err(),
        Errno::EEXIST
    );
}

fn list_all(client: &gofer::Client, h: gofer::Handle, batch: usize) -> Vec<gofer::Dirent> {
    let mut out = Vec::new();
    let mut cookie = 0;
    loop {
        let v = client.getdents(h, cookie, batch).unwrap();
        assert!(v.len() <= batch);
        let Some(last) = v.last() else { break };
        cookie = last.next;
        out.extend(v);
    }
    out
}

#[test]
fn getdents_of_5000_entries_matches_read_dir() {
    let mut fx = Fixture::new("getdents");
    let dir = fx.path("big");
    std::fs::create_dir(&dir).unwrap();
    for i in 0..5000 {
        let name = format!("entry-{i:05}-{}", "x".repeat(i % 40));
        std::fs::write(dir.join(name), "").unwrap();
    }
    std::fs::create_dir(dir.join("subdir")).unwrap();
    std::os::unix::fs::symlink("nowhere", dir.join("symlink")).unwrap();
    let client = fx.serve(false);
    let (root, _) = client.attach().unwrap();
    let h = client.walk(root, &[b"big"]).unwrap()[0].0;

    let expect: HashSet<(Vec<u8>, u64)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.file_name().into_encoded_bytes(), e.ino())
        })
        .collect();
    assert_eq!(expect.len(), 5002);

    let got = list_all(&client, h, 300);
    assert_eq!(got.len(), 5002, "no duplicates, nothing missing");
    let names: HashSet<(Vec<u8>, u64)> = got.iter().map(|d| (d.name.clone(), d.ino)).collect();
    assert_eq!(names, expect);
    for d in &got {
        let want = match d.name.as_slice() {
            b"subdir" => libc::DT_DIR,
            b"symlink" => libc::DT_LNK,
            _ => libc::DT_REG,
        };
        assert_eq!(d.d_type, want, "{:?}", String::from_utf8_lossy(&d.name));
    }

    // Large batches (bounded by the message size) give the same listing in the same order.
    let again = list_all(&client, h, 100_000);
    assert_eq!(again, got);

    // Cookies resume anywhere, also through another handle (a different stream).
    let h2 = client.walk(root, &[b"big"]).unwrap()[0].0;
    let resumed = client.getdents(h2, got[1999].next, 50).unwrap();
    assert_eq!(resumed[..], got[2000..2050]);
    let resumed = client.getdents(h, got[99].next, 1).unwrap();
    assert_eq!(resumed[..], got[100..101]);
    // Past the end: empty.
    assert!(client
        .getdents(h, got.last().unwrap().next, 10)
        .unwrap()
        .is_empty());
    assert_eq!(client.getdents(h, 0, 0).unwrap_err(), Errno::EINVAL);
}

#[test]
fn bad_names_are_rejected() {
    let mut fx = Fixture::new("names");
    std::fs::create_dir_all(fx.path("a/b")).unwrap();
    let client = fx.serve(false);
    let (root, _) = client.attach().unwrap();
    for bad in [&b".."[..], b".", b"", b"a/b", b"/a", b"a\0b"] {
        assert_eq!(
            client.walk(root, &[bad]).unwrap_err(),
            Errno::EINVAL,
            "{bad:?}"
        );
        assert_eq!(
            client.walk(root, &[b"a", bad]).unwrap_err(),
            Errno::EINVAL,
            "{bad:?}"
        );
        assert_eq!(
            client
                .mkdir(root, bad, 0o755, u32::MAX, u32::MAX)
                .unwrap_err(),
            Errno::EINVAL
        );
        assert_eq!(client.unlink(root, bad, 0).unwrap_err(), Errno::EINVAL);
    }
    let long = vec![b'n'; 256];
    assert_eq!(
        client.walk(root, &[&long]).unwrap_err(),
        Errno::ENAMETOOLONG
    );
    assert_eq!(
        client.walk(root, &[&long[..255]]).unwrap_err(),
        Errno::ENOENT
    );
}

#[test]
fn symlinks_out_of_the_root_are_never_followed() {
    let mut fx = Fixture::new("escape");
    std::os::unix::fs::symlink("/etc/passwd", fx.path("passwd")).unwrap();
    std::os::unix::fs::symlink("../../../../../../../../etc/passwd", fx.path("relative")).unwrap();
    std::os::unix::fs::symlink("/etc", fx.path("etc")).unwrap();
    std::os::unix::fs::symlink("/proc/self/root", fx.path("magic")).unwrap();
    let client = fx.serve(false);
    let (root, _) = client.attach().unwrap();
    let passwd_ino = ino(std::path::Path::new("/etc/passwd"));

    for name in [&b"passwd"[..], b"relative", b"etc", b"magic"] {
        let got = client.walk(root, &[name, b"passwd"]).unwrap();
        assert_eq!(got.len(), 1, "{name:?}");
        let (h, a) = got[0];
        assert!(a.is_symlink());
        assert_ne!(a.ino, passwd_ino);
        for flags in [
            libc::O_RDONLY,
            libc::O_RDONLY | libc::O_NOFOLLOW,
            libc::O_WRONLY,
            libc::O_RDWR,
        ] {
            assert_eq!(client.open(h, flags).unwrap_err(), Errno::ELOOP, "{name:?}");
        }
        assert!(client.stat(h).unwrap().is_symlink());
        assert_eq!(client.getdents(h, 0, 10).unwrap_err(), Errno::ENOTDIR);
        assert_eq!(client.fsync(h), Ok(()));
    }
    assert_eq!(
        client
            .readlink(client.walk(root, &[b"passwd"]).unwrap()[0].0)
            .unwrap(),
        b"/etc/passwd"
    );
    // The link's host target is untouched.
    assert_eq!(ino(std::path::Path::new("/etc/passwd")), passwd_ino);
}

#[test]
fn statfs_release_and_stale_handles() {
    let mut fx = Fixture::new("statfs");
    std::fs::write(fx.path("f"), "x").unwrap();
    let client = fx.serve(false);
    let (root, _) = client.attach().unwrap();
    let st = client.statfs(root).unwrap();
    let host = nix::sys::statvfs::statvfs(&fx.root).unwrap();
    let host_fs = nix::sys::statfs::statfs(&fx.root).unwrap();
    assert_eq!(st.fs_type, host_fs.filesystem_type().0 as u64);
    assert_eq!(st.bsize, host.block_size());
    assert_eq!(st.blocks, host.blocks());
    assert_eq!(st.namelen, 255);
    assert_eq!(st.fsid, host.filesystem_id());

    let h = client.walk(root, &[b"f"]).unwrap()[0].0;
    client.release(h).unwrap();
    assert_eq!(client.stat(h).unwrap_err(), Errno::EBADF);
    assert_eq!(client.open(h, libc::O_RDONLY).unwrap_err(), Errno::EBADF);
    // Releasing unknown handles is harmless; the root survives releasing one attach.
    client.release_all(&[h, gofer::Handle(u64::MAX)]).unwrap();
    let (root2, _) = client.attach().unwrap();
    client.release(root).unwrap();
    assert!(client.stat(root2).unwrap().is_dir());

    // A file replaced on the host behind a handle: ESTALE, never the new file.
    let h = client.walk(root2, &[b"f"]).unwrap()[0].0;
    std::fs::remove_file(fx.path("f")).unwrap();
    std::fs::write(fx.path("f"), "other").unwrap();
    assert_eq!(client.open(h, libc::O_RDONLY).unwrap_err(), Errno::ESTALE);
}
