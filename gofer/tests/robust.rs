//! Robustness: malformed requests, misbehaving servers, concurrency, and a tree that changes
//! under walks.

mod common;

use std::os::fd::{AsFd, OwnedFd};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use common::{ino, read_all, Fixture};
use gofer::protocol::{
    self, decode_response, encode_response, parse_frame, Encoder, Op, Reply, FLAG_ERROR,
};
use gofer::transport::{recv, send};
use gofer::{channel_pair, Attr, Client, Handle};
use syscalls::Errno;

/// Sends `msg` (with `fds`) on a raw channel and returns the raw response.
fn raw_call(ch: &OwnedFd, msg: &[u8], fds: &[std::os::fd::BorrowedFd<'_>]) -> Vec<u8> {
    send(ch.as_fd(), msg, fds).unwrap();
    let mut buf = vec![0u8; protocol::MAX_MESSAGE];
    let r = recv(ch.as_fd(), &mut buf).unwrap();
    assert!(!r.truncated && r.fds.is_empty());
    buf.truncate(r.len);
    buf
}

fn expect_einval(resp: &[u8], op: u16) {
    let f = parse_frame(resp).unwrap();
    assert_eq!((f.op, f.flags), (op, FLAG_ERROR));
    assert_eq!(f.payload, (Errno::EINVAL as u32).to_le_bytes());
}

#[test]
fn malformed_requests_get_einval_and_serving_goes_on() {
    let mut fx = Fixture::new("garbage");
    std::fs::write(fx.path("f"), "x").unwrap();
    let (client, raw) = fx.serve_with(false, 2, 1);
    let ch = &raw[0];

    expect_einval(&raw_call(ch, b"", &[]), 0);
    expect_einval(&raw_call(ch, &[1, 0, 0], &[]), 1);
    // Length field larger / smaller than the payload.
    expect_einval(&raw_call(ch, &[1, 0, 0, 0, 4, 0, 0, 0], &[]), 1);
    expect_einval(
        &raw_call(ch, &[3, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8], &[]),
        3,
    );
    // Unknown op, request flags set.
    expect_einval(
        &raw_call(ch, &Encoder::new(999, 0).finish().unwrap(), &[]),
        999,
    );
    expect_einval(
        &raw_call(
            ch,
            &Encoder::new(Op::Attach as u16, 1).finish().unwrap(),
            &[],
        ),
        1,
    );
    // Absurd counts and lengths.
    let mut e = Encoder::new(Op::Walk as u16, 0);
    e.u64(1).u32(1_000_000);
    expect_einval(&raw_call(ch, &e.finish().unwrap(), &[]), Op::Walk as u16);
    let mut e = Encoder::new(Op::Walk as u16, 0);
    e.u64(1).u32(1).u32(u32::MAX).u8(b'a');
    expect_einval(&raw_call(ch, &e.finish().unwrap(), &[]), Op::Walk as u16);
    // Trailing bytes.
    let mut e = Encoder::new(Op::Stat as u16, 0);
    e.u64(1).u8(0);
    expect_einval(&raw_call(ch, &e.finish().unwrap(), &[]), Op::Stat as u16);
    // Unknown setattr bits.
    let mut e = Encoder::new(Op::SetAttr as u16, 0);
    e.u64(1)
        .u32(1 << 20)
        .u32(0)
        .u32(0)
        .u32(0)
        .u64(0)
        .i64(0)
        .u32(0)
        .i64(0)
        .u32(0);
    expect_einval(&raw_call(ch, &e.finish().unwrap(), &[]), Op::SetAttr as u16);
    // Oversized message; a request carrying an fd.
    let mut big = vec![0u8; protocol::MAX_MESSAGE + 1000];
    big[0] = Op::Stat as u8;
    expect_einval(&raw_call(ch, &big, &[]), Op::Stat as u16);
    let attach = protocol::Request::Attach.encode().unwrap();
    expect_einval(&raw_call(ch, &attach, &[ch.as_fd()]), Op::Attach as u16);

    // Well-formed requests with names the server must refuse (the client checks them too).
    let (root, _) = client.attach().unwrap();
    for bad in [&b".."[..], b".", b"", b"a/b", b"a\0b"] {
        let walk = protocol::Request::Walk {
            dir: root,
            names: vec![b"f", bad],
        };
        let resp = raw_call(ch, &walk.encode().unwrap(), &[]);
        assert_eq!(
            decode_response(Op::Walk, &resp).unwrap(),
            Err(Errno::EINVAL)
        );
        let mkdir = protocol::Request::Mkdir {
            dir: root,
            name: bad,
            mode: 0o755,
            uid: 0,
            gid: 0,
        };
        let resp = raw_call(ch, &mkdir.encode().unwrap(), &[]);
        assert_eq!(
            decode_response(Op::Mkdir, &resp).unwrap(),
            Err(Errno::EINVAL)
        );
        let rename = protocol::Request::Rename {
            old_dir: root,
            old_name: b"f",
            new_dir: root,
            new_name: bad,
            flags: 0,
        };
        let resp = raw_call(ch, &rename.encode().unwrap(), &[]);
        assert_eq!(
            decode_response(Op::Rename, &resp).unwrap(),
            Err(Errno::EINVAL)
        );
    }
    assert!(fx.path("f").is_file());

    // Pseudo-random garbage: one response each, never a crash.
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..3000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let len = (x % 80) as usize;
        let mut msg: Vec<u8> = (0..len)
            .map(|i| (x.rotate_left(i as u32 * 7) & 0xff) as u8)
            .collect();
        if len >= 8 && !x.is_multiple_of(3) {
            msg[0] = (x % 19) as u8;
            msg[1] = 0;
            msg[2] = 0;
            msg[3] = 0;
            msg[4..8].copy_from_slice(&((len - 8) as u32).to_le_bytes());
        }
        let resp = raw_call(ch, &msg, &[]);
        assert!(parse_frame(&resp).is_ok());
    }

    // The same channel still serves, and so does the client.
    let resp = raw_call(ch, &attach, &[]);
    assert!(matches!(
        decode_response(Op::Attach, &resp).unwrap(),
        Ok(Reply::Node(..))
    ));
    let (root, _) = client.attach().unwrap();
    assert_eq!(client.walk(root, &[b"f"]).unwrap().len(), 1);
}

/// A fake server on one channel: `answer` maps each request to a response (None: hang up).
fn fake_server(
    answer: impl Fn(&[u8]) -> Option<(Vec<u8>, Vec<OwnedFd>)> + Send + 'static,
) -> (Client, std::thread::JoinHandle<()>) {
    let (s, c) = channel_pair().unwrap();
    let t = std::thread::spawn(move || {
        let mut buf = vec![0u8; protocol::MAX_MESSAGE];
        loop {
            let Ok(r) = recv(s.as_fd(), &mut buf) else {
                return;
            };
            if r.is_empty() {
                return;
            }
            let Some((resp, fds)) = answer(&buf[..r.len]) else {
                return;
            };
            let fds: Vec<_> = fds.iter().map(|f| f.as_fd()).collect();
            if send(s.as_fd(), &resp, &fds).is_err() {
                return;
            }
        }
    });
    (Client::new(vec![c]), t)
}

fn op_of(req: &[u8]) -> Op {
    Op::from_u16(u16::from_le_bytes([req[0], req[1]])).unwrap()
}

#[test]
fn client_survives_a_misbehaving_server() {
    let eio: Result<(), Errno> = Err(Errno::EIO);
    // Garbage bytes.
    let (c, _) = fake_server(|_| Some((vec![1, 2, 3], vec![])));
    assert_eq!(c.stat(Handle(1)).map(drop), eio);
    assert_eq!(c.attach().map(drop), eio);
    // Unknown errno, and errno 0.
    for n in [0u32, 5000] {
        let (c, _) = fake_server(move |req| {
            let mut e = Encoder::new(op_of(req) as u16, FLAG_ERROR);
            e.u32(n);
            Some((e.finish().unwrap(), vec![]))
        });
        assert_eq!(c.stat(Handle(1)).map(drop), eio);
    }
    // Missing fd for Open; an unexpected fd with Stat (closed, not leaked into the result).
    let (c, _) = fake_server(|req| {
        let op = op_of(req);
        let reply = if op == Op::Open {
            Reply::Empty
        } else {
            Reply::Attr(Attr::default())
        };
        let fd = std::fs::File::open("/dev/null").unwrap();
        let fds = if op == Op::Stat {
            vec![fd.into()]
        } else {
            vec![]
        };
        Some((encode_response(op, &Ok(reply)), fds))
    });
    assert_eq!(c.open(Handle(1), libc::O_RDONLY).map(drop), eio);
    assert_eq!(c.stat(Handle(1)).map(drop), eio);
    // Too many walk results, too many dirents, a response too large to receive.
    let (c, _) = fake_server(|req| {
        let op = op_of(req);
        let reply = match op {
            Op::Walk => Reply::Nodes(vec![(Handle(1), Attr::default()); 3]),
            Op::Getdents => Reply::Dirents(vec![
                gofer::Dirent {
                    ino: 1,
                    next: 1,
                    d_type: 0,
                    name: b"x".to_vec()
                };
                3
            ]),
            _ => return Some((vec![0u8; protocol::MAX_MESSAGE + 10], vec![])),
        };
        Some((encode_response(op, &Ok(reply)), vec![]))
    });
    assert_eq!(c.walk(Handle(1), &[b"a", b"b"]).map(drop), eio);
    assert_eq!(c.getdents(Handle(1), 0, 2).map(drop), eio);
    assert_eq!(c.stat(Handle(1)).map(drop), eio);
    assert_eq!(c.channels(), 1);
    // A response to another op: the channel is out of step and dropped; then EIO, no hang.
    let (c, _) = fake_server(|_| Some((encode_response(Op::Fsync, &Ok(Reply::Empty)), vec![])));
    assert_eq!(c.stat(Handle(1)).map(drop), eio);
    assert_eq!(c.channels(), 0);
    assert_eq!(c.attach().map(drop), eio);
    // A server that hangs up.
    let (c, t) = fake_server(|_| None);
    assert_eq!(c.stat(Handle(1)).map(drop), eio);
    assert_eq!(c.stat(Handle(1)).map(drop), eio);
    t.join().unwrap();
}

#[test]
fn requests_proceed_in_parallel_on_several_channels() {
    // Two fake servers that each answer only once both hold a request: a client that
    // serialised on one channel would time out.
    let in_flight = Arc::new((Mutex::new(0usize), Condvar::new()));
    let mut fds = Vec::new();
    for _ in 0..2 {
        let (s, c) = channel_pair().unwrap();
        fds.push(c);
        let in_flight = Arc::clone(&in_flight);
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 4096];
            while let Ok(r) = recv(s.as_fd(), &mut buf) {
                if r.is_empty() {
                    return;
                }
                let (lock, cv) = &*in_flight;
                let mut n = lock.lock().unwrap();
                *n += 1;
                cv.notify_all();
                let (n, timeout) = cv
                    .wait_timeout_while(n, Duration::from_secs(10), |n| *n < 2)
                    .unwrap();
                drop(n);
                let res = if timeout.timed_out() {
                    Err(Errno::ETIMEDOUT)
                } else {
                    Ok(Reply::Node(Handle(7), Attr::default()))
                };
                let _ = send(s.as_fd(), &encode_response(Op::Attach, &res), &[]);
            }
        });
    }
    let client = Arc::new(Client::new(fds));
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let client = Arc::clone(&client);
            std::thread::spawn(move || client.attach().map(|(h, _)| h))
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), Ok(Handle(7)));
    }
}

#[test]
fn one_client_shared_by_many_threads() {
    let mut fx = Fixture::new("concurrent");
    for d in 0..4 {
        std::fs::create_dir_all(fx.path(&format!("d{d}/sub"))).unwrap();
        for f in 0..10 {
            std::fs::write(
                fx.path(&format!("d{d}/sub/f{f}")),
                format!("content {d}/{f}"),
            )
            .unwrap();
        }
    }
    let (client, _) = fx.serve_with(false, 4, 0);
    let (root, _) = client.attach().unwrap();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let client = Arc::clone(&client);
            std::thread::spawn(move || {
                for i in 0..200 {
                    let (d, f) = ((t + i) % 4, i % 10);
                    let (dn, fnm) = (format!("d{d}"), format!("f{f}"));
                    let got = client
                        .walk(root, &[dn.as_bytes(), b"sub", fnm.as_bytes()])
                        .unwrap();
                    assert_eq!(got.len(), 3);
                    let data = read_all(client.open(got[2].0, libc::O_RDONLY).unwrap());
                    assert_eq!(data, format!("content {d}/{f}").as_bytes());
                    assert_eq!(client.getdents(got[1].0, 0, 100).unwrap().len(), 10);
                    client
                        .release_all(&got.iter().map(|(h, _)| *h).collect::<Vec<_>>())
                        .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(client.channels(), 4);
}

#[test]
fn tree_changing_under_walks_never_reaches_outside() {
    let mut fx = Fixture::new("race");
    let outside = fx.base.join("outside");
    std::fs::create_dir_all(outside.join("sub")).unwrap();
    std::fs::write(outside.join("secret"), "OUTSIDE").unwrap();
    std::fs::write(outside.join("sub/secret"), "OUTSIDE").unwrap();
    std::fs::write(outside.join("outside-marker"), "OUTSIDE").unwrap();
    std::fs::create_dir_all(fx.path("d/sub")).unwrap();
    std::fs::create_dir_all(fx.path("x")).unwrap();
    std::fs::write(fx.path("d/secret"), "inside").unwrap();
    std::fs::write(fx.path("d/sub/secret"), "inside").unwrap();
    let outside_inos = [
        ino(&outside),
        ino(&outside.join("secret")),
        ino(&outside.join("sub")),
        ino(&outside.join("sub/secret")),
    ];
    let client = fx.serve(false);
    let (root, _) = client.attach().unwrap();
    let held = client.walk(root, &[b"d", b"secret"]).unwrap()[1].0;
    let held_dir = client.walk(root, &[b"d"]).unwrap()[0].0;

    /// Stops the attacker also when a walker's assertion fails.
    struct StopOnDrop(Arc<AtomicBool>);
    impl Drop for StopOnDrop {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Relaxed);
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    let _stop_guard = StopOnDrop(Arc::clone(&stop));
    let (r, o) = (fx.root.clone(), outside.clone());
    let attacker = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            let mut rounds = 0;
            while !stop.load(Ordering::Relaxed) {
                // d becomes a symlink out of the root (absolute, then relative), then comes back.
                std::fs::rename(r.join("d"), r.join("d.away")).unwrap();
                std::os::unix::fs::symlink(&o, r.join("d")).unwrap();
                std::fs::remove_file(r.join("d")).unwrap();
                std::os::unix::fs::symlink("../outside", r.join("d")).unwrap();
                std::fs::remove_file(r.join("d")).unwrap();
                std::fs::rename(r.join("d.away"), r.join("d")).unwrap();
                // d moves deeper inside the root and back.
                std::fs::rename(r.join("d"), r.join("x/d")).unwrap();
                std::fs::rename(r.join("x/d"), r.join("d")).unwrap();
                // d/secret is swapped for a symlink to the outside file.
                std::fs::rename(r.join("d/secret"), r.join("d/secret.away")).unwrap();
                std::os::unix::fs::symlink(o.join("secret"), r.join("d/secret")).unwrap();
                std::fs::remove_file(r.join("d/secret")).unwrap();
                std::fs::rename(r.join("d/secret.away"), r.join("d/secret")).unwrap();
                // d/sub leaves the root for a moment (a host actor can do that).
                std::fs::rename(r.join("d/sub"), o.join("moved-sub")).unwrap();
                std::fs::rename(o.join("moved-sub"), r.join("d/sub")).unwrap();
                rounds += 1;
            }
            rounds
        })
    };

    let reads = Arc::new(AtomicUsize::new(0));
    let walkers: Vec<_> = (0..3)
        .map(|_| {
            let (client, reads) = (Arc::clone(&client), Arc::clone(&reads));
            std::thread::spawn(move || {
                let deadline = Instant::now() + Duration::from_millis(1500);
                while Instant::now() < deadline {
                    assert_eq!(
                        client.walk(root, &[b"d", b"sub", b"..", b"secret"]),
                        Err(Errno::EINVAL)
                    );
                    for path in [&[&b"d"[..], b"secret"][..], &[b"d", b"sub", b"secret"]] {
                        let Ok(got) = client.walk(root, path) else {
                            continue;
                        };
                        for (h, a) in &got {
                            assert!(!outside_inos.contains(&a.ino), "reached {a:?}");
                            if a.is_symlink() {
                                assert_eq!(
                                    client.open(*h, libc::O_RDONLY).map(drop),
                                    Err(Errno::ELOOP)
                                );
                            } else if a.is_file() {
                                if let Ok(fd) = client.open(*h, libc::O_RDONLY) {
                                    assert_eq!(read_all(fd), b"inside");
                                    reads.fetch_add(1, Ordering::Relaxed);
                                }
                            } else if let Ok(ents) = client.getdents(*h, 0, 100) {
                                assert!(ents.iter().all(|e| e.name != b"outside-marker"));
                            }
                        }
                        client
                            .release_all(&got.iter().map(|(h, _)| *h).collect::<Vec<_>>())
                            .unwrap();
                    }
                    // Handles taken before the churn never lead outside either.
                    if let Ok(fd) = client.open(held, libc::O_RDONLY) {
                        assert_eq!(read_all(fd), b"inside");
                    }
                    if let Ok(ents) = client.getdents(held_dir, 0, 100) {
                        assert!(ents.iter().all(|e| e.name != b"outside-marker"));
                    }
                }
            })
        })
        .collect();
    for w in walkers {
        w.join().unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    let rounds = attacker.join().unwrap();
    assert!(rounds > 10, "the tree barely changed ({rounds} rounds)");
    assert!(
        reads.load(Ordering::Relaxed) > 10,
        "too few successful reads to mean anything"
    );
    assert_eq!(std::fs::read(outside.join("secret")).unwrap(), b"OUTSIDE");
}
