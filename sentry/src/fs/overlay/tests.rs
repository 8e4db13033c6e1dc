//! Overlay unit tests: a tmpfs instance stands in for the gofer lower layer
//! (and is checked to stay unchanged).

use super::OverlayFs;
use crate::fs::tmpfs::TmpFs;
use crate::mm::memfile::MemoryFile;
use crate::vfs::{Dentry, File, Inode, SetAttr};
use std::sync::Arc;
use syscalls::consts::{
    O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY, RENAME_EXCHANGE, RENAME_NOREPLACE, S_IFDIR, S_IFREG,
};
use syscalls::Errno;

const ROOT: (u32, u32) = (0, 0);

fn write_file(dir: &Arc<dyn Inode>, name: &str, data: &[u8]) {
    let f = dir
        .lookup(name.as_bytes())
        .or_else(|_| dir.mknod(name.as_bytes(), S_IFREG | 0o644, 0, ROOT))
        .unwrap();
    let file = open(&f, O_RDWR);
    assert_eq!(file.ops.write(&file, data, 0).unwrap(), data.len());
}

fn open(i: &Arc<dyn Inode>, flags: u32) -> Arc<File> {
    let d = Dentry::new_root(i.clone());
    let ops = i.open(&d, flags).unwrap();
    File::new(ops, flags, Some(d))
}

fn read_all(i: &Arc<dyn Inode>) -> Vec<u8> {
    let f = open(i, O_RDONLY);
    let mut buf = vec![0u8; 1 << 16];
    let n = f.read_at(&mut buf, 0).unwrap();
    buf.truncate(n);
    buf
}

fn names(dir: &Arc<dyn Inode>) -> Vec<String> {
    let mut v: Vec<String> = dir
        .list()
        .unwrap()
        .into_iter()
        .map(|e| String::from_utf8(e.name).unwrap())
        .collect();
    v.sort();
    v
}

fn walk(root: &Arc<dyn Inode>, path: &str) -> Result<Arc<dyn Inode>, Errno> {
    let mut cur = root.clone();
    for c in path.split('/').filter(|c| !c.is_empty()) {
        cur = cur.lookup(c.as_bytes())?;
    }
    Ok(cur)
}

/// A lower tree: f ("lower"), d/{a,b}, d/sub/x, e/ (empty dir), big (3 pages
/// plus a hole), and an overlay over it limited to `limit` bytes.
fn setup(limit: u64) -> (Arc<dyn Inode>, Arc<dyn Inode>) {
    let mf = MemoryFile::new().unwrap();
    let lower = TmpFs::mount(mf.clone(), 0o755);
    write_file(&lower, "f", b"lower");
    let d = lower.mknod(b"d", S_IFDIR | 0o755, 0, ROOT).unwrap();
    write_file(&d, "a", b"A");
    write_file(&d, "b", b"B");
    let sub = d.mknod(b"sub", S_IFDIR | 0o700, 0, (5, 6)).unwrap();
    write_file(&sub, "x", b"X");
    lower.mknod(b"e", S_IFDIR | 0o755, 0, ROOT).unwrap();
    let big = lower.mknod(b"big", S_IFREG | 0o600, 0, ROOT).unwrap();
    let bf = open(&big, O_RDWR);
    bf.ops.write(&bf, &[7u8; 4096], 0).unwrap();
    bf.ops.write(&bf, &[9u8; 100], 3 * 4096).unwrap();
    let ovl = OverlayFs::mount(mf, lower.clone(), limit).unwrap();
    (lower, ovl)
}

#[test]
fn lookup_merges_and_whiteouts_hide() {
    let (lower, ovl) = setup(1 << 30);
    assert_eq!(names(&ovl), ["big", "d", "e", "f"]);
    let d = walk(&ovl, "d").unwrap();
    d.mknod(b"c", S_IFREG | 0o644, 0, ROOT).unwrap();
    d.unlink(b"a", false).unwrap();
    assert_eq!(names(&d), ["b", "c", "sub"]);
    assert_eq!(d.lookup(b"a").err(), Some(Errno::ENOENT));
    // The lower layer is untouched.
    assert_eq!(names(&walk(&lower, "d").unwrap()), ["a", "b", "sub"]);
    // Recreating the name over the whiteout.
    write_file(&d, "a", b"new");
    assert_eq!(read_all(&walk(&ovl, "d/a").unwrap()), b"new");
    assert_eq!(read_all(&walk(&lower, "d/a").unwrap()), b"A");
}

#[test]
fn write_copies_up_and_keeps_ino() {
    let (lower, ovl) = setup(1 << 30);
    let f = walk(&ovl, "f").unwrap();
    let ino = f.stat().unwrap().st_ino;
    let ro = open(&f, O_RDONLY);
    let wr = open(&f, O_WRONLY);
    wr.ops.write(&wr, b"UPPER", 0).unwrap();
    assert_eq!(read_all(&f), b"UPPER");
    // The description opened before the copy-up sees the new data too.
    let mut buf = [0u8; 5];
    assert_eq!(ro.read_at(&mut buf, 0).unwrap(), 5);
    assert_eq!(&buf, b"UPPER");
    assert_eq!(read_all(&walk(&lower, "f").unwrap()), b"lower");
    assert_eq!(f.stat().unwrap().st_ino, ino);
    assert_eq!(walk(&ovl, "f").unwrap().stat().unwrap().st_ino, ino);
    // Attributes copied: the sub directory keeps its owner and mode when
    // a child forces it up.
    let x = walk(&ovl, "d/sub/x").unwrap();
    open(&x, O_WRONLY | O_TRUNC);
    let sub = walk(&ovl, "d/sub").unwrap().stat().unwrap();
    assert_eq!(
        (sub.st_uid, sub.st_gid, sub.st_mode & 0o7777),
        (5, 6, 0o700)
    );
    assert_eq!(read_all(&walk(&ovl, "d/sub/x").unwrap()), b"");
    assert_eq!(read_all(&walk(&lower, "d/sub/x").unwrap()), b"X");
}

#[test]
fn copy_up_keeps_holes_and_data() {
    let (_lower, ovl) = setup(1 << 30);
    let big = walk(&ovl, "big").unwrap();
    big.setattr(&SetAttr {
        mode: Some(0o640),
        ..SetAttr::default()
    })
    .unwrap();
    let st = big.stat().unwrap();
    assert_eq!(st.st_size, 3 * 4096 + 100);
    assert_eq!(st.st_blocks, 2 * 8, "the hole stays a hole");
    let data = read_all(&big);
    assert!(data[..4096].iter().all(|&b| b == 7));
    assert!(data[4096..3 * 4096].iter().all(|&b| b == 0));
    assert!(data[3 * 4096..].iter().all(|&b| b == 9));
}

#[test]
fn copy_up_at_the_limit_is_enospc_and_leaves_nothing() {
    let (_lower, ovl) = setup(4096);
    let big = walk(&ovl, "big").unwrap();
    let d = Dentry::new_root(big.clone());
    assert_eq!(big.open(&d, O_RDWR).err(), Some(Errno::ENOSPC));
    // Still the lower file.
    assert_eq!(read_all(&walk(&ovl, "big").unwrap()).len(), 3 * 4096 + 100);
    assert!(names(&ovl).contains(&"big".to_string()));
}

#[test]
fn rmdir_merged_and_opaque_mkdir() {
    let (_lower, ovl) = setup(1 << 30);
    assert_eq!(ovl.unlink(b"d", true).err(), Some(Errno::ENOTEMPTY));
    let d = walk(&ovl, "d").unwrap();
    for n in ["a", "b"] {
        d.unlink(n.as_bytes(), false).unwrap();
    }
    let sub = walk(&ovl, "d/sub").unwrap();
    sub.unlink(b"x", false).unwrap();
    d.unlink(b"sub", true).unwrap();
    assert!(names(&d).is_empty());
    ovl.unlink(b"d", true).unwrap();
    assert_eq!(ovl.lookup(b"d").err(), Some(Errno::ENOENT));
    ovl.mknod(b"d", S_IFDIR | 0o755, 0, ROOT).unwrap();
    assert!(names(&walk(&ovl, "d").unwrap()).is_empty(), "opaque");
}

#[test]
fn rename_rules() {
    let (lower, ovl) = setup(1 << 30);
    let d: Arc<dyn Inode> = walk(&ovl, "d").unwrap();
    // A directory with a lower part: EXDEV.
    assert_eq!(ovl.rename(b"d", &ovl, b"d2", 0).err(), Some(Errno::EXDEV));
    // A lower file: moved, the old name whited out.
    ovl.rename(b"f", &d, b"f", 0).unwrap();
    assert_eq!(ovl.lookup(b"f").err(), Some(Errno::ENOENT));
    assert_eq!(read_all(&walk(&ovl, "d/f").unwrap()), b"lower");
    assert!(walk(&lower, "f").is_ok());
    // Onto itself, NOREPLACE, EXCHANGE.
    d.rename(b"a", &d, b"a", 0).unwrap();
    assert_eq!(
        d.rename(b"a", &d, b"b", RENAME_NOREPLACE).err(),
        Some(Errno::EEXIST)
    );
    d.rename(b"a", &d, b"b", RENAME_EXCHANGE).unwrap();
    assert_eq!(read_all(&walk(&ovl, "d/a").unwrap()), b"B");
    assert_eq!(read_all(&walk(&ovl, "d/b").unwrap()), b"A");
    // An upper-only directory moves; over a non-empty one: ENOTEMPTY.
    ovl.mknod(b"n", S_IFDIR | 0o755, 0, ROOT).unwrap();
    assert_eq!(
        ovl.rename(b"n", &d, b"sub", 0).err(),
        Some(Errno::ENOTEMPTY)
    );
    // Over an empty lower directory: it becomes opaque there.
    let n = walk(&ovl, "n").unwrap();
    write_file(&n, "inner", b"i");
    ovl.rename(b"n", &ovl, b"e", 0).unwrap();
    assert_eq!(names(&walk(&ovl, "e").unwrap()), ["inner"]);
    assert_eq!(ovl.lookup(b"n").err(), Some(Errno::ENOENT));
    assert_eq!(names(&lower), ["big", "d", "e", "f"]);
}

#[test]
fn hard_links_share_one_copy() {
    let (lower, ovl) = setup(1 << 30);
    let f = walk(&ovl, "f").unwrap();
    let ino = f.stat().unwrap().st_ino;
    ovl.link(b"g", &f).unwrap();
    let g = walk(&ovl, "g").unwrap();
    assert_eq!(g.stat().unwrap().st_ino, ino);
    assert_eq!(g.stat().unwrap().st_nlink, 2);
    let w = open(&g, O_WRONLY);
    w.ops.write(&w, b"via g", 0).unwrap();
    assert_eq!(read_all(&walk(&ovl, "f").unwrap()), b"via g");
    assert_eq!(read_all(&walk(&lower, "f").unwrap()), b"lower");
    assert_eq!(lower.lookup(b"g").err(), Some(Errno::ENOENT));
}

#[test]
fn statfs_and_devices() {
    let (_lower, ovl) = setup(1 << 30);
    assert_eq!(ovl.statfs().unwrap().f_type, super::OVERLAYFS_SUPER_MAGIC);
    let dev = ovl.stat().unwrap().st_dev;
    for p in ["f", "d", "d/sub/x"] {
        assert_eq!(walk(&ovl, p).unwrap().stat().unwrap().st_dev, dev);
    }
    // A merged directory reports one link, like Linux.
    let d = walk(&ovl, "d").unwrap();
    d.mknod(b"new", S_IFREG | 0o600, 0, ROOT).unwrap();
    assert_eq!(d.stat().unwrap().st_nlink, 1);
}

#[test]
fn dirent_inos_match_stat() {
    let (_lower, ovl) = setup(1 << 30);
    let d = walk(&ovl, "d").unwrap();
    d.mknod(b"new", S_IFREG | 0o600, 0, ROOT).unwrap();
    d.mknod(b"newdir", S_IFDIR | 0o700, 0, ROOT).unwrap();
    walk(&ovl, "d/a")
        .unwrap()
        .setattr(&SetAttr {
            mode: Some(0o600),
            ..SetAttr::default()
        })
        .unwrap();
    walk(&ovl, "d/sub/x")
        .unwrap()
        .setattr(&SetAttr {
            mode: Some(0o600),
            ..SetAttr::default()
        })
        .unwrap();
    for e in d.list().unwrap() {
        let st = d.lookup(&e.name).unwrap().stat().unwrap();
        assert_eq!(e.ino, st.st_ino, "{}", String::from_utf8_lossy(&e.name));
    }
}

#[test]
fn lookup_many_and_unlinked_copy_up() {
    let (lower, ovl) = setup(1 << 30);
    // Below the merged root, the lower layer's walk (tmpfs: one name).
    let got = ovl.lookup_many(&[b"d", b"sub", b"x"]).unwrap();
    assert_eq!(got.len(), 2);
    let sub = walk(&ovl, "d/sub").unwrap();
    assert!(Arc::ptr_eq(&sub, &got[1]), "one inode per lower directory");
    let x = walk(&ovl, "d/sub/x").unwrap();
    // Unlinked while held, then changed: an unnamed copy; the name stays gone.
    walk(&ovl, "d/sub").unwrap().unlink(b"x", false).unwrap();
    x.setattr(&SetAttr {
        mode: Some(0o600),
        ..SetAttr::default()
    })
    .unwrap();
    assert_eq!(x.mode() & 0o7777, 0o600);
    assert_eq!(walk(&ovl, "d/sub/x").err(), Some(Errno::ENOENT));
    assert_eq!(read_all(&x), b"X");
    assert!(walk(&lower, "d/sub/x").is_ok());
}
