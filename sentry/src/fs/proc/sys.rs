//! `/proc/sys`: the sysctls the sandbox reports. Like Linux's, their modes
//! bind root too: writing a read-only sysctl is EACCES for everyone. The
//! tunables Linux lets root write (pid_max, vm.*, fs.* limits) keep a
//! written value and read it back, without effect on the sandbox.

use super::pid::kernel;
use super::{table_dir, Entry, Gen, ProcFile, Put};
use crate::fs::synth::SynthFs;
use crate::vfs::Inode;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use syscalls::consts::{S_IFDIR, S_IFREG};
use syscalls::Errno;

const R: u32 = S_IFREG | 0o444;
const W: u32 = S_IFREG | 0o644;
const D: u32 = S_IFDIR | 0o555;

/// A sysctl file: `perm` binds root as well (sysctl_perm).
pub(super) fn sysctl(fs: &Arc<SynthFs>, perm: u32, gen: Gen, put: Option<Put>) -> Arc<dyn Inode> {
    let writable = perm & 0o200 != 0;
    ProcFile::gated(
        fs,
        perm,
        Arc::new(|| (0, 0)),
        gen,
        put,
        Arc::new(move |flags| {
            let acc = flags & libc::O_ACCMODE as u32;
            if acc != libc::O_RDONLY as u32 && !writable {
                return Err(Errno::EACCES);
            }
            Ok(())
        }),
    )
}

fn value(fs: &Arc<SynthFs>, v: &'static str) -> Arc<dyn Inode> {
    sysctl(
        fs,
        0o444,
        Arc::new(move || Ok(format!("{v}\n").into_bytes())),
        None,
    )
}

/// Values written to tunable sysctls (sandbox-wide; a sentry serves one
/// sandbox), by key.
static TUNED: LazyLock<Mutex<HashMap<&'static str, Vec<i128>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

fn tuned() -> std::sync::MutexGuard<'static, HashMap<&'static str, Vec<i128>>> {
    TUNED.lock().unwrap_or_else(|e| e.into_inner())
}

/// The current value of the integer sysctl `key` (its default until
/// written), for the sentry code that acts on it.
pub fn int(key: &'static str, default: i128) -> i128 {
    tuned()
        .get(key)
        .and_then(|v| v.first().copied())
        .unwrap_or(default)
}

/// The current values of the vector sysctl `key`.
pub fn ints(key: &'static str, defaults: &[i128]) -> Vec<i128> {
    tuned()
        .get(key)
        .cloned()
        .unwrap_or_else(|| defaults.to_vec())
}

/// One integer as `proc_get_long` parses it: an optional `-`, then C's
/// base 0 (`0x` hex, leading `0` octal, else decimal).
fn parse_int(tok: &str) -> Option<i128> {
    let (neg, t) = match tok.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, tok),
    };
    let v = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        i128::from_str_radix(h, 16).ok()?
    } else if t.len() > 1 && t.starts_with('0') {
        i128::from_str_radix(&t[1..], 8).ok()?
    } else {
        if !t.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        t.parse().ok()?
    };
    Some(if neg { -v } else { v })
}

/// A cross-field check of a vector sysctl: the new values, adjusted, or
/// the error of the write.
pub type Check = fn(Vec<i128>) -> Result<Vec<i128>, Errno>;

fn no_check(v: Vec<i128>) -> Result<Vec<i128>, Errno> {
    Ok(v)
}

/// A write to an integer-vector sysctl as `proc_dointvec_minmax` takes
/// it: whitespace-separated integers, each in `min..=max`; fewer than the
/// vector's length replace the first ones, extra ones are ignored.
fn parse_write(
    buf: &[u8],
    mut cur: Vec<i128>,
    (min, max): (i128, i128),
) -> Result<Vec<i128>, Errno> {
    let text = std::str::from_utf8(buf).map_err(|_| Errno::EINVAL)?;
    let mut n = 0;
    for tok in text.split_ascii_whitespace().take(cur.len()) {
        let v = parse_int(tok).ok_or(Errno::EINVAL)?;
        if v < min || v > max {
            return Err(Errno::EINVAL);
        }
        cur[n] = v;
        n += 1;
    }
    if n == 0 {
        return Err(Errno::EINVAL);
    }
    Ok(cur)
}

/// A sysctl root may write (0644) holding `defaults.len()` integers, each
/// in `bounds`, then `check`ed; read back tab-separated as Linux prints
/// them. Values the sentry acts on are read with [`int`]/[`ints`]; the
/// others are kept and read back only (documented).
pub(super) fn tunable_vec(
    fs: &Arc<SynthFs>,
    key: &'static str,
    defaults: &'static [i128],
    bounds: (i128, i128),
    check: Check,
) -> Arc<dyn Inode> {
    sysctl(
        fs,
        0o644,
        Arc::new(move || {
            let v: Vec<String> = ints(key, defaults).iter().map(|x| x.to_string()).collect();
            Ok(format!("{}\n", v.join("\t")).into_bytes())
        }),
        Some(Arc::new(move |buf: &[u8]| {
            let v = check(parse_write(buf, ints(key, defaults), bounds)?)?;
            tuned().insert(key, v);
            Ok(buf.len())
        })),
    )
}

/// [`tunable_vec`] without a cross-field check.
fn tunable(
    fs: &Arc<SynthFs>,
    key: &'static str,
    defaults: &'static [i128],
    bounds: (i128, i128),
) -> Arc<dyn Inode> {
    tunable_vec(fs, key, defaults, bounds, no_check)
}

pub(super) const INT: (i128, i128) = (i32::MIN as i128, i32::MAX as i128);

fn bytes_line(mut v: Vec<u8>) -> Vec<u8> {
    v.push(b'\n');
    v
}

/// A uts name sysctl, writable by root (sethostname's semantics: up to the
/// first newline, at most 64 bytes).
fn uts(fs: &Arc<SynthFs>, domain: bool) -> Arc<dyn Inode> {
    let pick = move |k: &crate::kernel::Kernel| -> Vec<u8> {
        let m = if domain { &k.domainname } else { &k.hostname };
        m.lock().unwrap_or_else(|e| e.into_inner()).clone()
    };
    sysctl(
        fs,
        0o644,
        Arc::new(move || Ok(bytes_line(pick(&*kernel()?)))),
        Some(Arc::new(move |buf: &[u8]| {
            let k = kernel()?;
            let line = buf.split(|b| *b == b'\n').next().unwrap_or_default();
            if line.len() > 64 {
                return Err(Errno::EINVAL);
            }
            let m = if domain { &k.domainname } else { &k.hostname };
            *m.lock().unwrap_or_else(|e| e.into_inner()) = line.to_vec();
            Ok(buf.len())
        })),
    )
}

fn uuid() -> Vec<u8> {
    let mut b = [0u8; 16];
    let _ = crate::fs::dev::host_random(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: Vec<String> = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}\n",
        h[0..4].concat(),
        h[4..6].concat(),
        h[6..8].concat(),
        h[8..10].concat(),
        h[10..16].concat()
    )
    .into_bytes()
}

static BOOT_ID: LazyLock<Vec<u8>> = LazyLock::new(uuid);

static RANDOM: &[Entry<()>] = &[
    ("boot_id", R, |fs, _| {
        sysctl(fs, 0o444, Arc::new(|| Ok(BOOT_ID.clone())), None)
    }),
    ("uuid", R, |fs, _| {
        sysctl(fs, 0o444, Arc::new(|| Ok(uuid())), None)
    }),
];

static KERNEL: &[Entry<()>] = &[
    ("cap_last_cap", R, |fs, _| {
        let v = crate::syscalls::prctl::CAP_LAST_CAP;
        sysctl(
            fs,
            0o444,
            Arc::new(move || Ok(format!("{v}\n").into_bytes())),
            None,
        )
    }),
    ("domainname", W, |fs, _| uts(fs, true)),
    ("hostname", W, |fs, _| uts(fs, false)),
    // SysV IPC limits, read by kernel/ipc when objects are made and used.
    ("msgmax", W, |fs, _| {
        tunable(fs, "kernel.msgmax", &[8192], (0, INT.1))
    }),
    ("msgmnb", W, |fs, _| {
        tunable(fs, "kernel.msgmnb", &[16384], (0, INT.1))
    }),
    ("msgmni", W, |fs, _| {
        tunable(fs, "kernel.msgmni", &[32000], (0, IPCMNI))
    }),
    ("ngroups_max", R, |fs, _| value(fs, "65536")),
    ("osrelease", R, |fs, _| {
        sysctl(
            fs,
            0o444,
            Arc::new(|| Ok(bytes_line(crate::syscalls::system::UTS_RELEASE.to_vec()))),
            None,
        )
    }),
    ("ostype", R, |fs, _| value(fs, "Linux")),
    ("overflowgid", W, |fs, _| {
        tunable(fs, "overflowgid", &[65534], (0, 65535))
    }),
    ("overflowuid", W, |fs, _| {
        tunable(fs, "overflowuid", &[65534], (0, 65535))
    }),
    ("pid_max", W, |fs, _| {
        tunable(fs, "pid_max", &[4194304], (301, 4194304))
    }),
    ("random", D, |fs, _| {
        table_dir(fs, 0o555, Arc::new(|| (0, 0)), RANDOM, ())
    }),
    ("sem", W, |fs, _| {
        tunable_vec(
            fs,
            "kernel.sem",
            &[32000, 1024000000, 500, 32000],
            INT,
            sem_check,
        )
    }),
    ("shm_rmid_forced", W, |fs, _| {
        tunable(fs, "kernel.shm_rmid_forced", &[0], (0, 1))
    }),
    ("shmall", W, |fs, _| {
        tunable(fs, "kernel.shmall", &[SHM_MAX], (0, u64::MAX as i128))
    }),
    ("shmmax", W, |fs, _| {
        tunable(fs, "kernel.shmmax", &[SHM_MAX], (0, u64::MAX as i128))
    }),
    ("shmmni", W, |fs, _| {
        tunable(fs, "kernel.shmmni", &[4096], (0, IPCMNI))
    }),
    ("version", R, |fs, _| {
        sysctl(
            fs,
            0o444,
            Arc::new(|| Ok(bytes_line(crate::syscalls::system::UTS_VERSION.to_vec()))),
            None,
        )
    }),
];

static VM: &[Entry<()>] = &[
    ("max_map_count", W, |fs, _| {
        tunable(fs, "max_map_count", &[65530], (0, i32::MAX as i128))
    }),
    ("mmap_min_addr", W, |fs, _| {
        tunable(fs, "mmap_min_addr", &[65536], (0, i64::MAX as i128))
    }),
    ("overcommit_memory", W, |fs, _| {
        tunable(fs, "overcommit_memory", &[0], (0, 2))
    }),
];

static INOTIFY: &[Entry<()>] = &[
    ("max_queued_events", W, |fs, _| {
        tunable(fs, "max_queued_events", &[16384], (0, i32::MAX as i128))
    }),
    ("max_user_instances", W, |fs, _| {
        tunable(fs, "max_user_instances", &[128], (0, i32::MAX as i128))
    }),
    ("max_user_watches", W, |fs, _| {
        tunable(fs, "max_user_watches", &[8192], (0, i32::MAX as i128))
    }),
];

/// IPCMNI: the most SysV IPC identifiers of one kind.
const IPCMNI: i128 = 32768;
/// SHMMAX and SHMALL's default (ULONG_MAX - 2^24).
const SHM_MAX: i128 = 18446744073692774399;

/// kernel.sem: SEMMSL SEMMNS SEMOPM SEMMNI, SEMMNI in 0..=IPCMNI.
fn sem_check(v: Vec<i128>) -> Result<Vec<i128>, Errno> {
    if v[3] < 0 || v[3] > IPCMNI {
        return Err(Errno::EINVAL);
    }
    Ok(v)
}

/// fs.mqueue: the limits [`crate::fs::mqueue`] reads at each mq_open.
static MQUEUE: &[Entry<()>] = &[
    ("msg_default", W, |fs, _| {
        tunable(fs, "fs.mqueue.msg_default", &[10], (1, 65536))
    }),
    ("msg_max", W, |fs, _| {
        tunable(fs, "fs.mqueue.msg_max", &[10], (1, 65536))
    }),
    ("msgsize_default", W, |fs, _| {
        tunable(fs, "fs.mqueue.msgsize_default", &[8192], (128, 16 << 20))
    }),
    ("msgsize_max", W, |fs, _| {
        tunable(fs, "fs.mqueue.msgsize_max", &[8192], (128, 16 << 20))
    }),
    ("queues_max", W, |fs, _| {
        tunable(fs, "fs.mqueue.queues_max", &[256], INT)
    }),
];

static FS: &[Entry<()>] = &[
    ("file-max", W, |fs, _| {
        tunable(fs, "file-max", &[i64::MAX as i128], (0, i64::MAX as i128))
    }),
    ("inotify", D, |fs, _| {
        table_dir(fs, 0o555, Arc::new(|| (0, 0)), INOTIFY, ())
    }),
    ("mqueue", D, |fs, _| {
        table_dir(fs, 0o555, Arc::new(|| (0, 0)), MQUEUE, ())
    }),
    ("nr_open", W, |fs, _| {
        tunable(fs, "nr_open", &[1048576], (64, 1 << 30))
    }),
    ("pipe-max-size", W, |fs, _| {
        tunable(fs, "pipe-max-size", &[1048576], (4096, INT.1))
    }),
];

static SYS: &[Entry<()>] = &[
    ("fs", D, |fs, _| {
        table_dir(fs, 0o555, Arc::new(|| (0, 0)), FS, ())
    }),
    ("kernel", D, |fs, _| {
        table_dir(fs, 0o555, Arc::new(|| (0, 0)), KERNEL, ())
    }),
    ("net", D, |fs, _| super::sys_net::net_dir(fs)),
    ("vm", D, |fs, _| {
        table_dir(fs, 0o555, Arc::new(|| (0, 0)), VM, ())
    }),
];

/// `/proc/sys`.
pub fn sys_dir(fs: &Arc<SynthFs>) -> Arc<dyn Inode> {
    table_dir(fs, 0o555, Arc::new(|| (0, 0)), SYS, ())
}

/// Set the sysctl `key` (`net.ipv4.x` or `net/ipv4/x`) to `value` at boot,
/// as runc writes `/proc/sys/<key>` in the container: the same checks as
/// a write by root in the sandbox. The error names the file like runc's.
pub fn apply(key: &str, value: &str) -> Result<(), String> {
    let path = key.replace('.', "/");
    let file = format!("/proc/sys/{path}");
    let err = |op: &str, e: Errno| format!("{op} {file}: {}", e.description().to_lowercase());
    let fs = SynthFs::new(crate::fs::synth::PROC_SUPER_MAGIC, false);
    let mut node = sys_dir(&fs);
    for name in path.split('/').filter(|n| !n.is_empty()) {
        if name == "." || name == ".." {
            return Err(err("open", Errno::EINVAL));
        }
        node = node.lookup(name.as_bytes()).map_err(|e| err("open", e))?;
    }
    let flags = libc::O_WRONLY as u32;
    let d = crate::vfs::Dentry::new_root(node.clone());
    let ops = node.open(&d, flags).map_err(|e| err("open", e))?;
    let f = crate::vfs::File::new(ops, flags, None);
    f.ops
        .write(&f, value.as_bytes(), 0)
        .map_err(|e| err("write", e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_as_proc_get_long_parses_them() {
        assert_eq!(parse_int("12"), Some(12));
        assert_eq!(parse_int("-3"), Some(-3));
        assert_eq!(parse_int("0x10"), Some(16));
        assert_eq!(parse_int("010"), Some(8));
        assert_eq!(parse_int("0"), Some(0));
        assert_eq!(parse_int("1a"), None);
        assert_eq!(parse_int(""), None);
    }

    #[test]
    fn vector_writes() {
        let cur = vec![1, 2, 3];
        // Fewer values replace the first ones; extra ones are ignored.
        assert_eq!(parse_write(b"7\n", cur.clone(), INT), Ok(vec![7, 2, 3]));
        assert_eq!(
            parse_write(b" 4\t5 6 9", cur.clone(), INT),
            Ok(vec![4, 5, 6])
        );
        assert_eq!(parse_write(b"", cur.clone(), INT), Err(Errno::EINVAL));
        assert_eq!(parse_write(b"x", cur.clone(), INT), Err(Errno::EINVAL));
        assert_eq!(parse_write(b"5", cur, (0, 4)), Err(Errno::EINVAL));
    }

    #[test]
    fn boot_time_sysctls() {
        // Docker's two, with Linux's checks and defaults.
        assert_eq!(
            ints("net.ipv4.ping_group_range", &[1, 0]),
            vec![1, 0],
            "default"
        );
        apply("net.ipv4.ping_group_range", "0 2147483647").unwrap();
        assert_eq!(
            ints("net.ipv4.ping_group_range", &[1, 0]),
            vec![0, 2147483647]
        );
        // An inverted range disables it, as in Linux.
        apply("net/ipv4/ping_group_range", "5 3").unwrap();
        assert_eq!(ints("net.ipv4.ping_group_range", &[1, 0]), vec![1, 0]);
        assert!(apply("net.ipv4.ping_group_range", "-1 3").is_err());
        // The unprivileged port start must stay below the local port range.
        let e = apply("net.ipv4.ip_unprivileged_port_start", "40000").unwrap_err();
        assert_eq!(
            e,
            "write /proc/sys/net/ipv4/ip_unprivileged_port_start: invalid argument"
        );
        apply("net.ipv4.ip_unprivileged_port_start", "0").unwrap();
        assert_eq!(int("net.ipv4.ip_unprivileged_port_start", 1024), 0);
        // somaxconn is what unix sockets' listen() caps the backlog at.
        apply("net.core.somaxconn", "77").unwrap();
        assert_eq!(crate::net::unix::qlimits().1, 77);
        apply("net.core.somaxconn", "4096").unwrap();
        let e = apply("net.ipv4.nope", "1").unwrap_err();
        assert_eq!(e, "open /proc/sys/net/ipv4/nope: no such file or directory");
        assert!(apply("kernel.ostype", "x").is_err());
        assert!(apply("kernel.sem", "1 2 3 40000").is_err());
        apply("kernel.shmmax", "68719476736").unwrap();
        assert_eq!(int("kernel.shmmax", 0), 68719476736);
    }
}
