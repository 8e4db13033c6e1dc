//! Unit tests of tmpfs.

use super::*;

fn fs(limit: u64) -> Arc<TmpFs> {
    TmpFs::with_limit(MemoryFile::new().unwrap(), limit)
}

fn tmp(i: Arc<dyn Inode>) -> Arc<TmpInode> {
    other(&i).unwrap()
}

#[test]
fn files_dirs_links() {
    let fs = fs(1 << 20);
    let root = fs.make_root(0o1777);
    let f = tmp(root.mknod(b"f", S_IFREG | 0o644, 0, (1, 2)).unwrap());
    assert_eq!(
        root.mknod(b"f", S_IFREG, 0, (0, 0)).err(),
        Some(Errno::EEXIST)
    );
    assert_eq!(f.write_at(b"hello", 3, false).unwrap(), (5, 3));
    let mut b = [9u8; 10];
    assert_eq!(f.read_at(&mut b, 0).unwrap(), 8);
    assert_eq!(&b[..8], b"\0\0\0hello");
    assert_eq!(f.stat().unwrap().st_blocks, 8);
    let d = root.mknod(b"d", S_IFDIR | 0o755, 0, (0, 0)).unwrap();
    assert_eq!(root.stat().unwrap().st_nlink, 3);
    let fi: Arc<dyn Inode> = f.clone();
    d.link(b"g", &fi).unwrap();
    assert_eq!(f.stat().unwrap().st_nlink, 2);
    assert_eq!(root.unlink(b"d", true).unwrap_err(), Errno::ENOTEMPTY);
    let di: Arc<dyn Inode> = d.clone();
    // Renaming onto another name of the same file does nothing.
    root.rename(b"f", &di, b"g", 0).unwrap();
    assert_eq!(f.stat().unwrap().st_nlink, 2);
    root.unlink(b"f", false).unwrap();
    assert_eq!(f.stat().unwrap().st_nlink, 1);
    d.unlink(b"g", false).unwrap();
    assert_eq!(f.stat().unwrap().st_nlink, 0);
    root.unlink(b"d", true).unwrap();
    assert_eq!(root.stat().unwrap().st_nlink, 2);
    assert!(root.list().unwrap().is_empty());
}

#[test]
fn limit_truncate_seals_holes() {
    let fs = fs(2 * PAGE);
    let root = fs.make_root(0o1777);
    let f = tmp(root.mknod(b"f", S_IFREG | 0o644, 0, (0, 0)).unwrap());
    let big = vec![1u8; 3 * PAGE as usize];
    assert_eq!(f.write_at(&big, 0, false).unwrap().0, 2 * PAGE as usize);
    assert_eq!(
        f.write_at(b"x", 5 * PAGE, false).unwrap_err(),
        TmpfsError::NoSpace
    );
    f.setattr(&SetAttr {
        size: Some(10),
        ..Default::default()
    })
    .unwrap();
    f.setattr(&SetAttr {
        size: Some(3 * PAGE),
        ..Default::default()
    })
    .unwrap();
    let mut b = [7u8; 4];
    f.read_at(&mut b, 8).unwrap();
    assert_eq!(b, [1, 1, 0, 0]);
    assert_eq!(f.seek_data_hole(0, false).unwrap(), PAGE);
    assert_eq!(f.seek_data_hole(PAGE, true).unwrap_err(), Errno::ENXIO);
    let m = fs.new_unlinked_file(0o600, (0, 0), 0);
    m.add_seals(F_SEAL_GROW | F_SEAL_SEAL).unwrap();
    assert_eq!(m.add_seals(F_SEAL_WRITE).unwrap_err(), Errno::EPERM);
    assert_eq!(m.write_at(b"x", 0, false).unwrap_err(), TmpfsError::Sealed);
}
