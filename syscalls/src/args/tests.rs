use super::*;
use crate::abi;
use crate::consts::*;
use crate::nr;
use crate::pod::Pod;
use std::collections::BTreeMap;

/// A sparse fake address space: byte ranges at addresses.
#[derive(Default)]
struct FakeMem {
    regions: BTreeMap<u64, Vec<u8>>,
}

impl FakeMem {
    fn put(&mut self, addr: u64, data: &[u8]) -> u64 {
        self.regions.insert(addr, data.to_vec());
        addr
    }
    fn put_str(&mut self, addr: u64, s: &str) -> u64 {
        let mut v = s.as_bytes().to_vec();
        v.push(0);
        self.put(addr, &v)
    }
}

impl MemReader for FakeMem {
    fn read(&self, addr: u64, len: usize) -> Option<Vec<u8>> {
        let (start, data) = self.regions.range(..=addr).next_back()?;
        let off = (addr - start) as usize;
        if off >= data.len() {
            return None;
        }
        let end = (off + len).min(data.len());
        Some(data[off..end].to_vec())
    }
}

#[test]
fn flag_formatting() {
    let v = (O_RDONLY | O_CLOEXEC) as u64 | 0x8000_0000;
    assert_eq!(flags::OPEN.format(v), "O_RDONLY|O_CLOEXEC|0x80000000");
    assert_eq!(flags::OPEN.format(0), "O_RDONLY");
    assert_eq!(flags::OPEN.format(3), "0x3");
    assert_eq!(
        flags::OPEN.format((O_RDWR | O_CREAT | O_TRUNC) as u64),
        "O_RDWR|O_CREAT|O_TRUNC"
    );
    assert_eq!(flags::OPEN.format(O_SYNC as u64), "O_RDONLY|O_SYNC");
    assert_eq!(flags::OPEN.format(O_DSYNC as u64), "O_RDONLY|O_DSYNC");
    assert_eq!(
        flags::OPEN.format((O_TMPFILE | O_RDWR) as u64),
        "O_RDWR|O_TMPFILE"
    );
    assert_eq!(flags::PROT.format(0), "PROT_NONE");
    assert_eq!(flags::PROT.format(5), "PROT_READ|PROT_EXEC");
    assert_eq!(
        flags::MMAP.format((MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED) as u64),
        "MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS"
    );
    assert_eq!(flags::ACCESS_MODE.format(0), "F_OK");
    assert_eq!(flags::ACCESS_MODE.format(6), "R_OK|W_OK");
    assert_eq!(flags::AT_FLAGS.format(0), "0");
    assert_eq!(flags::WAIT.format(0x8000_0001), "WNOHANG|WCLONE");
    assert_eq!(
        flags::FUTEX_OP.format((FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG) as u64),
        "FUTEX_WAIT_BITSET|FUTEX_PRIVATE_FLAG"
    );
    assert_eq!(
        flags::SOCK_TYPE.format((SOCK_STREAM | SOCK_CLOEXEC) as u64),
        "SOCK_STREAM|SOCK_CLOEXEC"
    );
    // Enums: exact names, sign-extended or not; hex when unknown.
    assert_eq!(
        flags::FCNTL_CMD.format_enum(F_DUPFD_CLOEXEC as u64),
        "F_DUPFD_CLOEXEC"
    );
    assert_eq!(flags::SEEK_WHENCE.format_enum(2), "SEEK_END");
    assert_eq!(flags::SEEK_WHENCE.format_enum(9), "0x9");
    assert_eq!(flags::RUSAGE_WHO.format_enum(u64::MAX), "RUSAGE_CHILDREN");
    assert_eq!(
        flags::RUSAGE_WHO.format_enum(0xffff_ffff),
        "RUSAGE_CHILDREN"
    );
    assert_eq!(flags::CLOCK_ID.format_enum(1), "CLOCK_MONOTONIC");
    assert_eq!(
        flags::PRCTL.format_enum(PR_SET_NO_NEW_PRIVS as u64),
        "PR_SET_NO_NEW_PRIVS"
    );
    assert_eq!(flags::ARCH_PRCTL.format_enum(0x1002), "ARCH_SET_FS");
    assert_eq!(flags::RLIMIT.format_enum(7), "RLIMIT_NOFILE");
    assert_eq!(flags::IOCTL_REQ.format_enum(TCGETS2 as u64), "TCGETS2");
    assert_eq!(
        flags::IOCTL_REQ.format_enum(TIOCGWINSZ as u64),
        "TIOCGWINSZ"
    );
}

#[test]
fn every_syscall_has_a_shape() {
    let mut named = 0;
    for (n, name) in nr::NAMES.iter().enumerate() {
        match (name, shape(n as u64)) {
            (Some(name), Some(s)) => {
                assert_eq!(s.name, *name, "shape name for {n}");
                assert_eq!(s.nr, n);
                assert!(s.args.len() <= 6, "{name} has too many args");
                named += 1;
            }
            (None, None) => {}
            (Some(name), None) => panic!("no shape for {name} ({n})"),
            (None, Some(s)) => panic!("shape {} for unnamed {n}", s.name),
        }
    }
    assert_eq!(named, SHAPES.len());
    assert!(shape(nr::NR_SYSCALLS as u64).is_none());
    assert!(shape(u64::MAX).is_none());
    // Argument-index references stay within the argument list.
    for s in SHAPES {
        for k in s.args {
            let idx = match k {
                ArgKind::InBuf { len }
                | ArgKind::OutBuf { len }
                | ArgKind::SockAddr { len }
                | ArgKind::OutSockAddr { len } => Some(*len),
                ArgKind::Iovec { count }
                | ArgKind::OutIovec { count }
                | ArgKind::Pollfds { count } => Some(*count),
                _ => None,
            };
            if let Some(i) = idx {
                assert!(
                    (i as usize) < s.args.len(),
                    "{}: bad length index {i}",
                    s.name
                );
            }
        }
    }
    // Spot-check argument counts against the kernel's signatures.
    let count = |n: usize| shape(n as u64).unwrap().args.len();
    assert_eq!(count(nr::MMAP), 6);
    assert_eq!(count(nr::OPENAT), 4);
    assert_eq!(count(nr::CLONE), 5);
    assert_eq!(count(nr::FUTEX), 6);
    assert_eq!(count(nr::EXECVE), 3);
    assert_eq!(count(nr::WAIT4), 4);
    assert_eq!(count(nr::RT_SIGACTION), 4);
    assert_eq!(count(nr::STATX), 5);
    assert_eq!(count(nr::PPOLL), 5);
    assert_eq!(count(nr::GETPID), 0);
}

#[test]
fn entry_and_exit_lines() {
    let mut m = FakeMem::default();
    let path = m.put_str(0x1000, "/etc/passwd");
    let args = [
        (-100i64) as u64,
        path,
        (O_RDONLY | O_CLOEXEC) as u64,
        0,
        0,
        0,
    ];
    assert_eq!(
        format_entry(nr::OPENAT as u64, &args, &m),
        r#"openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC, 0o0)"#
    );
    assert_eq!(
        format_exit(nr::OPENAT as u64, &args, 3, &m),
        r#"openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC, 0o0) = 3"#
    );
    let nope = m.put_str(0x2000, "/nope");
    assert_eq!(
        format_exit(
            nr::OPEN as u64,
            &[nope, 0, 0, 0, 0, 0],
            Errno::ENOENT.as_ret(),
            &m
        ),
        r#"open("/nope", O_RDONLY, 0o0) = -1 ENOENT (No such file or directory)"#
    );

    // read: the buffer is an address at entry, the data (up to ret) at exit.
    let data =
        b"root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n";
    let b = m.put(0x3000, data);
    let args = [3, b, 4096, 0, 0, 0];
    assert_eq!(
        format_entry(nr::READ as u64, &args, &m),
        "read(3, 0x3000, 4096)"
    );
    assert_eq!(
        format_exit(nr::READ as u64, &args, data.len() as u64, &m),
        r#"read(3, "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/u"..., 4096) = 80"#
    );
    assert_eq!(
        format_exit(nr::READ as u64, &args, 5, &m),
        r#"read(3, "root:", 4096) = 5"#
    );
    assert_eq!(
        format_exit(nr::READ as u64, &args, Errno::EAGAIN.as_ret(), &m),
        "read(3, 0x3000, 4096) = -1 EAGAIN (Try again)"
    );
    let w = m.put(0x4000, b"hi\x00\x01\"\\\t");
    assert_eq!(
        format_entry(nr::WRITE as u64, &[1, w, 7, 0, 0, 0], &m),
        r#"write(1, "hi\x00\x01\"\\\t", 7)"#
    );

    // mmap returns an address.
    let args = [
        0,
        0x2000,
        3,
        (MAP_PRIVATE | MAP_ANONYMOUS) as u64,
        u64::MAX,
        0,
    ];
    assert_eq!(
        format_exit(nr::MMAP as u64, &args, 0x7f00_0000_0000, &m),
        "mmap(NULL, 0x2000, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0x0) = 0x7f0000000000"
    );
    assert_eq!(
        format_exit(nr::EXIT_GROUP as u64, &[0; 6], 0, &m),
        "exit_group(0) = ?"
    );
    assert_eq!(
        format_exit(nr::UMASK as u64, &[0o77, 0, 0, 0, 0, 0], 0o22, &m),
        "umask(0o77) = 0o22"
    );
    assert_eq!(
        format_entry(
            nr::MKNODAT as u64,
            &[3, 0, (S_IFCHR | 0o620) as u64, 0x501, 0, 0],
            &m
        ),
        "mknodat(3, NULL, S_IFCHR|0o620, 0x501)"
    );

    // Unknown syscall.
    assert_eq!(
        format_exit(600, &[1, 2, 3, 4, 5, 6], 0, &m),
        "syscall_600(0x1, 0x2, 0x3, 0x4, 0x5, 0x6) = 0"
    );
    assert_eq!(
        format_exit(nr::GETPID as u64, &[0; 6], (-600i64) as u64, &m),
        "getpid() = -1 errno 600"
    );
}

#[test]
fn structs_and_arrays() {
    let mut m = FakeMem::default();
    let st = abi::Stat {
        st_ino: 7,
        st_mode: S_IFREG | 0o644,
        st_nlink: 1,
        st_size: 1234,
        ..Default::default()
    };
    let p = m.put_str(0x1000, "/x");
    let sp = m.put(0x2000, st.as_bytes());
    let args = [p, sp, 0, 0, 0, 0];
    assert_eq!(
        format_entry(nr::STAT as u64, &args, &m),
        r#"stat("/x", 0x2000)"#
    );
    let out = format_exit(nr::STAT as u64, &args, 0, &m);
    assert!(
        out.starts_with(r#"stat("/x", {dev=0x0, ino=7, mode=S_IFREG|0o644, nlink=1,"#),
        "{out}"
    );
    assert!(out.ends_with("ctime=0.000000000}) = 0"), "{out}");

    let ts = abi::Timespec {
        tv_sec: 1,
        tv_nsec: 500,
    };
    let tp = m.put(0x3000, ts.as_bytes());
    assert_eq!(
        format_exit(nr::CLOCK_GETTIME as u64, &[1, tp, 0, 0, 0, 0], 0, &m),
        "clock_gettime(CLOCK_MONOTONIC, {sec=1, nsec=500}) = 0"
    );

    let mask = abi::Sigset::bit(SIGINT) | abi::Sigset::bit(SIGTERM);
    let mp = m.put(0x4000, &mask.to_le_bytes());
    assert_eq!(
        format_entry(nr::RT_SIGPROCMASK as u64, &[0, mp, 0, 8, 0, 0], &m),
        "rt_sigprocmask(SIG_BLOCK, [SIGINT SIGTERM], NULL, 8)"
    );

    let sa = abi::KernelSigaction {
        handler: 1,
        flags: SA_RESTORER | SA_RESTART,
        restorer: 0x5000,
        mask: 0,
    };
    let sap = m.put(0x5000, sa.as_bytes());
    assert_eq!(
        format_entry(nr::RT_SIGACTION as u64, &[SIGPIPE as u64, sap, 0, 8, 0, 0], &m),
        "rt_sigaction(SIGPIPE, {handler=SIG_IGN, flags=SA_RESTORER|SA_RESTART, restorer=0x5000, mask=[]}, NULL, 8)"
    );

    let a0 = m.put_str(0x6000, "ls");
    let a1 = m.put_str(0x6100, "-l");
    let mut av = Vec::new();
    for p in [a0, a1, 0] {
        av.extend_from_slice(&p.to_le_bytes());
    }
    let avp = m.put(0x7000, &av);
    let prog = m.put_str(0x7100, "/bin/ls");
    assert_eq!(
        format_entry(nr::EXECVE as u64, &[prog, avp, 0, 0, 0, 0], &m),
        r#"execve("/bin/ls", ["ls", "-l"], NULL)"#
    );

    let io = [
        abi::Iovec {
            iov_base: 0x8000,
            iov_len: 3,
        },
        abi::Iovec {
            iov_base: 0x8100,
            iov_len: 10,
        },
    ];
    m.put(0x8000, b"abc");
    m.put(0x8100, b"0123456789");
    let iop = m.put(0x9000, crate::slice_as_bytes(&io));
    assert_eq!(
        format_entry(nr::WRITEV as u64, &[1, iop, 2, 0, 0, 0], &m),
        r#"writev(1, [{base=0x8000, len=3, "abc"}, {base=0x8100, len=10, "0123456789"}], 2)"#
    );
    assert_eq!(
        format_exit(nr::READV as u64, &[1, iop, 2, 0, 0, 0], 5, &m),
        r#"readv(1, [{base=0x8000, len=3, "abc"}, {base=0x8100, len=10, "01"}], 2) = 5"#
    );

    let fds = m.put(0xa000, &[3, 0, 0, 0, 4, 0, 0, 0]);
    assert_eq!(
        format_exit(
            nr::PIPE2 as u64,
            &[fds, O_CLOEXEC as u64, 0, 0, 0, 0],
            0,
            &m
        ),
        "pipe2([3, 4], O_CLOEXEC) = 0"
    );

    let status = m.put(0xb000, &(9i32).to_le_bytes());
    assert_eq!(
        format_exit(nr::WAIT4 as u64, &[u64::MAX, status, 0, 0, 0, 0], 42, &m),
        "wait4(-1, {signaled=SIGKILL}, 0, NULL) = 42"
    );
    let status2 = m.put(0xb100, &(3i32 << 8).to_le_bytes());
    assert_eq!(
        format_exit(nr::WAIT4 as u64, &[42, status2, 1, 0, 0, 0], 42, &m),
        "wait4(42, {exited=3}, WNOHANG, NULL) = 42"
    );

    let mut sun = abi::SockaddrUn {
        sun_family: AF_UNIX as u16,
        ..Default::default()
    };
    sun.sun_path[..8].copy_from_slice(b"/run/sk\0");
    let sunp = m.put(0xc000, sun.as_bytes());
    assert_eq!(
        format_entry(nr::CONNECT as u64, &[3, sunp, 110, 0, 0, 0], &m),
        r#"connect(3, {family=AF_UNIX, path="/run/sk"}, 110)"#
    );
    let sin = abi::SockaddrIn {
        sin_family: AF_INET as u16,
        sin_port: 8080u16.to_be(),
        sin_addr: u32::from_ne_bytes([127, 0, 0, 1]),
        sin_zero: [0; 8],
    };
    let sinp = m.put(0xd000, sin.as_bytes());
    assert_eq!(
        format_entry(nr::BIND as u64, &[3, sinp, 16, 0, 0, 0], &m),
        "bind(3, {family=AF_INET, addr=127.0.0.1, port=8080}, 16)"
    );

    assert_eq!(
        format_entry(
            nr::CLONE as u64,
            &[(CLONE_VM | CLONE_FS) | SIGCHLD as u64, 0, 0, 0, 0, 0],
            &m
        ),
        "clone(CLONE_VM|CLONE_FS|SIGCHLD, NULL, NULL, NULL, 0x0)"
    );
    assert_eq!(
        format_entry(nr::KILL as u64, &[1, 34, 0, 0, 0, 0], &m),
        "kill(1, SIGRTMIN+2)"
    );
}

#[test]
fn strings_are_capped_and_read_across_pages() {
    let mut m = FakeMem::default();
    let long = "a".repeat(300);
    let p = m.put_str(0x1000, &long);
    let out = format_entry(nr::CHDIR as u64, &[p, 0, 0, 0, 0, 0], &m);
    assert_eq!(out, format!("chdir(\"{}\"...)", "a".repeat(MAX_STR)));
    // A string that ends right before an unreadable page.
    let p = m.put(0x2ffc, b"abc\0");
    assert_eq!(
        format_entry(nr::CHDIR as u64, &[p, 0, 0, 0, 0, 0], &m),
        r#"chdir("abc")"#
    );
    // Unterminated string at the end of readable memory: shown as far as readable.
    let p = m.put(0x4ffe, b"xy");
    assert_eq!(
        format_entry(nr::CHDIR as u64, &[p, 0, 0, 0, 0, 0], &m),
        r#"chdir("xy")"#
    );
    // Unreadable: the address.
    assert_eq!(
        format_entry(nr::CHDIR as u64, &[0x9999_0000, 0, 0, 0, 0, 0], &m),
        "chdir(0x99990000)"
    );
    assert_eq!(
        format_entry(nr::CHDIR as u64, &[0, 0, 0, 0, 0, 0], &NoMemory),
        "chdir(NULL)"
    );
}

/// xorshift64*: deterministic pseudo-random numbers for the fuzz test.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// Returns random bytes, sometimes fewer or more than asked, sometimes nothing.
struct RandomMem(std::cell::RefCell<Rng>);
impl MemReader for RandomMem {
    fn read(&self, _addr: u64, len: usize) -> Option<Vec<u8>> {
        let mut r = self.0.borrow_mut();
        let n = match r.next() % 8 {
            0 => return None,
            1 => 0,
            2 => (r.next() as usize) % (len + 1),
            3 => len + (r.next() as usize % 100),
            _ => len,
        };
        // Mostly small bytes so NUL terminators and pointers to 0 appear.
        Some(
            (0..n)
                .map(|_| {
                    let x = r.next();
                    if x.is_multiple_of(4) {
                        0
                    } else {
                        x as u8
                    }
                })
                .collect(),
        )
    }
}

#[test]
fn fuzz_never_panics() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mem = RandomMem(std::cell::RefCell::new(Rng(12345)));
    let interesting = [
        0,
        1,
        2,
        8,
        64,
        4095,
        4096,
        u64::MAX,
        u64::MAX - 7,
        1 << 63,
        0xffff_ffff,
        0x8000_0000,
    ];
    for round in 0..40_000u64 {
        let nr = match round % 5 {
            0 => rng.next() % 600,
            _ => SHAPES[(rng.next() as usize) % SHAPES.len()].nr as u64,
        };
        let mut args = [0u64; 6];
        for a in args.iter_mut() {
            *a = match rng.next() % 3 {
                0 => interesting[(rng.next() as usize) % interesting.len()],
                1 => rng.next() % 0x10000,
                _ => rng.next(),
            };
        }
        let ret = match rng.next() % 4 {
            0 => (-((rng.next() % 5000) as i64)) as u64,
            1 => rng.next(),
            _ => rng.next() % 200,
        };
        let e = format_entry(nr, &args, &mem);
        let x = format_exit(nr, &args, ret, &mem);
        assert!(!e.is_empty() && x.contains(" = "));
        let _ = format_entry(nr, &args, &NoMemory);
    }
    // Every kind in every position with the extreme values.
    for s in SHAPES {
        for v in interesting {
            let args = [v; 6];
            let _ = format_exit(s.nr as u64, &args, v, &mem);
        }
    }
}

#[test]
#[ignore = "prints sample strace lines for a human to read; asserts nothing"]
fn show_samples() {
    // `cargo test -p syscalls -- --ignored --nocapture show_samples` prints a few lines.
    let mut m = FakeMem::default();
    let p = m.put_str(0x1000, "/lib/x86_64-linux-gnu/libc.so.6");
    let st = m.put(
        0x2000,
        abi::Stat {
            st_mode: S_IFREG | 0o755,
            st_size: 2_000_000,
            ..Default::default()
        }
        .as_bytes(),
    );
    let calls: [(usize, [u64; 6], u64); 6] = [
        (
            nr::OPENAT,
            [(-100i64) as u64, p, (O_RDONLY | O_CLOEXEC) as u64, 0, 0, 0],
            3,
        ),
        (nr::FSTAT, [3, st, 0, 0, 0, 0], 0),
        (
            nr::MMAP,
            [0, 0x1000, 1, (MAP_PRIVATE | MAP_DENYWRITE) as u64, 3, 0],
            0x7f12_3456_7000,
        ),
        (
            nr::ARCH_PRCTL,
            [ARCH_SET_FS as u64, 0x7f12_3456_8740, 0, 0, 0, 0],
            0,
        ),
        (nr::PRCTL, [PR_SET_NO_NEW_PRIVS as u64, 1, 0, 0, 0, 0], 0),
        (
            nr::FUTEX,
            [
                0x7ffd_0000,
                (FUTEX_WAIT | FUTEX_PRIVATE_FLAG) as u64,
                2,
                0,
                0,
                0,
            ],
            Errno::EAGAIN.as_ret(),
        ),
    ];
    for (n, a, r) in calls {
        println!("{}", format_entry(n as u64, &a, &m));
        println!("{}", format_exit(n as u64, &a, r, &m));
    }
}
