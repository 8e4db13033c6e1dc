use super::*;
use syscalls::Errno;

fn attr() -> Attr {
    Attr {
        dev: 1,
        ino: 2,
        mode: libc::S_IFREG | 0o644,
        nlink: 3,
        uid: 4,
        gid: 5,
        rdev: 6,
        size: 7,
        blksize: 4096,
        blocks: 8,
        atime: Timestamp { sec: -1, nsec: 9 },
        mtime: Timestamp {
            sec: 10,
            nsec: 999_999_999,
        },
        ctime: Timestamp { sec: 11, nsec: 0 },
        btime: Some(Timestamp { sec: 12, nsec: 13 }),
    }
}

#[test]
fn attr_len_matches_encoding() {
    let mut e = Encoder::new(0, 0);
    attr().encode(&mut e);
    assert_eq!(e.len() - HEADER_LEN, ATTR_LEN);
}

#[test]
fn requests_roundtrip() {
    let names: Vec<&[u8]> = vec![b"a", b"bb", b""];
    let reqs = vec![
        Request::Attach,
        Request::Walk {
            dir: Handle(7),
            names,
        },
        Request::Open {
            handle: Handle(1),
            flags: libc::O_RDWR,
        },
        Request::Getdents {
            dir: Handle(1),
            cookie: u64::MAX,
            max: 10,
        },
        Request::Release {
            handles: vec![Handle(1), Handle(2)],
        },
        Request::Create {
            dir: Handle(1),
            name: b"f",
            flags: 2,
            mode: 0o600,
            uid: 1,
            gid: 2,
        },
        Request::Symlink {
            dir: Handle(1),
            name: b"l",
            target: b"/x",
            uid: 0,
            gid: 0,
        },
        Request::Rename {
            old_dir: Handle(1),
            old_name: b"a",
            new_dir: Handle(2),
            new_name: b"b",
            flags: 1,
        },
        Request::SetAttr {
            handle: Handle(3),
            attr: SetAttr {
                mode: Some(0o755),
                uid: None,
                gid: Some(9),
                size: Some(0),
                atime: TimeSet::Now,
                mtime: TimeSet::At(Timestamp { sec: 5, nsec: 6 }),
            },
        },
    ];
    for r in reqs {
        let bytes = r.encode().unwrap();
        assert_eq!(Request::decode(&bytes).unwrap(), r);
    }
}

#[test]
fn responses_roundtrip() {
    let cases = vec![
        (
            Op::Walk,
            Ok(Reply::Nodes(vec![
                (Handle(1), attr()),
                (Handle(2), Attr::default()),
            ])),
        ),
        (Op::Stat, Ok(Reply::Attr(attr()))),
        (Op::Readlink, Ok(Reply::Bytes(b"target".to_vec()))),
        (
            Op::Getdents,
            Ok(Reply::Dirents(vec![Dirent {
                ino: 1,
                next: 2,
                d_type: 4,
                name: b"x".to_vec(),
            }])),
        ),
        (
            Op::Statfs,
            Ok(Reply::Statfs(Statfs {
                fs_type: 0xEF53,
                ..Default::default()
            })),
        ),
        (Op::Unlink, Ok(Reply::Empty)),
        (Op::Unlink, Err(Errno::ENOTEMPTY)),
    ];
    for (op, res) in cases {
        let bytes = encode_response(op, &res);
        assert_eq!(decode_response(op, &bytes).unwrap(), res);
    }
    // Wrong shape becomes EIO.
    let bytes = encode_response(Op::Stat, &Ok(Reply::Empty));
    assert_eq!(decode_response(Op::Stat, &bytes).unwrap(), Err(Errno::EIO));
    // Wrong op is a decode error.
    let bytes = encode_response(Op::Stat, &Ok(Reply::Attr(attr())));
    assert!(decode_response(Op::Readlink, &bytes).is_err());
}

#[test]
fn every_truncation_fails_cleanly() {
    let names: Vec<&[u8]> = vec![b"abc", b"de"];
    let req = Request::Walk {
        dir: Handle(1),
        names,
    }
    .encode()
    .unwrap();
    for n in 0..req.len() {
        assert!(Request::decode(&req[..n]).is_err(), "prefix {n}");
    }
    let resp = encode_response(Op::Walk, &Ok(Reply::Nodes(vec![(Handle(1), attr())])));
    for n in 0..resp.len() {
        assert!(decode_response(Op::Walk, &resp[..n]).is_err(), "prefix {n}");
    }
    let mut long = req.clone();
    long.push(0);
    assert_eq!(Request::decode(&long), Err(DecodeError::TrailingBytes));
}

#[test]
fn garbage_is_rejected() {
    // Unknown op.
    let msg = Encoder::new(999, 0).finish().unwrap();
    assert_eq!(Request::decode(&msg), Err(DecodeError::UnknownOp(999)));
    // Huge list count with no data behind it.
    let mut e = Encoder::new(Op::Release as u16, 0);
    e.u32(u32::MAX);
    assert!(Request::decode(&e.finish().unwrap()).is_err());
    let mut e = Encoder::new(Op::Release as u16, 0);
    e.u32(1000);
    assert_eq!(
        Request::decode(&e.finish().unwrap()),
        Err(DecodeError::Truncated)
    );
    // Bad nanoseconds.
    let mut e = Encoder::new(Op::Stat as u16, 0);
    let mut a = attr();
    a.mtime.nsec = 1_000_000_000;
    a.encode(&mut e);
    assert!(decode_response(Op::Stat, &e.finish().unwrap()).is_err());
    // Unknown errno.
    let mut e = Encoder::new(Op::Stat as u16, FLAG_ERROR);
    e.u32(0);
    assert!(decode_response(Op::Stat, &e.finish().unwrap()).is_err());
    // Pseudo-random bytes never panic.
    let mut x = 0x1234_5678_9abc_def0u64;
    for _ in 0..20_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let len = (x % 64) as usize;
        let mut buf: Vec<u8> = (0..len).map(|i| (x >> (i % 8 * 8)) as u8).collect();
        if buf.len() >= 8 {
            buf[0] = (x % 18) as u8;
            buf[1] = 0;
            let l = (len - 8) as u32;
            buf[4..8].copy_from_slice(&l.to_le_bytes());
        }
        let _ = Request::decode(&buf);
        if let Some(op) = Op::from_u16(buf.first().copied().unwrap_or(0) as u16) {
            let _ = decode_response(op, &buf);
        }
    }
}
