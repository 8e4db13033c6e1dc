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
fn sysctl(fs: &Arc<SynthFs>, perm: u32, gen: Gen, put: Option<Put>) -> Arc<dyn Inode> {
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
/// sandbox).
static TUNED: LazyLock<Mutex<HashMap<&'static str, i64>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// A sysctl root may write (0644) holding one integer in `min..=max`, as
/// `proc_dointvec_minmax` parses it: the value is kept and read back, but
/// the sandbox does not act on it (documented).
fn tunable(
    fs: &Arc<SynthFs>,
    key: &'static str,
    default: i64,
    (min, max): (i64, i64),
) -> Arc<dyn Inode> {
    let tuned = || TUNED.lock().unwrap_or_else(|e| e.into_inner());
    sysctl(
        fs,
        0o644,
        Arc::new(move || {
            let v = tuned().get(key).copied().unwrap_or(default);
            Ok(format!("{v}\n").into_bytes())
        }),
        Some(Arc::new(move |buf: &[u8]| {
            let text = std::str::from_utf8(buf).map_err(|_| Errno::EINVAL)?;
            let v: i64 = text.trim().parse().map_err(|_| Errno::EINVAL)?;
            if v < min || v > max {
                return Err(Errno::EINVAL);
            }
            tuned().insert(key, v);
            Ok(buf.len())
        })),
    )
}

const INT: (i64, i64) = (i32::MIN as i64, i32::MAX as i64);

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
        let v = crate::syscalls::identity::CAP_LAST_CAP;
        sysctl(
            fs,
            0o444,
            Arc::new(move || Ok(format!("{v}\n").into_bytes())),
            None,
        )
    }),
    ("domainname", W, |fs, _| uts(fs, true)),
    ("hostname", W, |fs, _| uts(fs, false)),
    ("ngroups_max", R, |fs, _| value(fs, "65536")),
    ("osrelease", R, |fs, _| {
        sysctl(
            fs,
            0o444,
            Arc::new(|| Ok(bytes_line(crate::syscalls::identity::UTS_RELEASE.to_vec()))),
            None,
        )
    }),
    ("ostype", R, |fs, _| value(fs, "Linux")),
    ("overflowgid", W, |fs, _| {
        tunable(fs, "overflowgid", 65534, (0, 65535))
    }),
    ("overflowuid", W, |fs, _| {
        tunable(fs, "overflowuid", 65534, (0, 65535))
    }),
    ("pid_max", W, |fs, _| {
        tunable(fs, "pid_max", 4194304, (301, 4194304))
    }),
    ("random", D, |fs, _| {
        table_dir(fs, 0o555, Arc::new(|| (0, 0)), RANDOM, ())
    }),
    ("version", R, |fs, _| {
        sysctl(
            fs,
            0o444,
            Arc::new(|| Ok(bytes_line(crate::syscalls::identity::UTS_VERSION.to_vec()))),
            None,
        )
    }),
];

static VM: &[Entry<()>] = &[
    ("max_map_count", W, |fs, _| {
        tunable(fs, "max_map_count", 65530, (0, i32::MAX as i64))
    }),
    ("mmap_min_addr", W, |fs, _| {
        tunable(fs, "mmap_min_addr", 65536, (0, i64::MAX))
    }),
    ("overcommit_memory", W, |fs, _| {
        tunable(fs, "overcommit_memory", 0, (0, 2))
    }),
];

static INOTIFY: &[Entry<()>] = &[
    ("max_queued_events", W, |fs, _| {
        tunable(fs, "max_queued_events", 16384, (0, i32::MAX as i64))
    }),
    ("max_user_instances", W, |fs, _| {
        tunable(fs, "max_user_instances", 128, (0, i32::MAX as i64))
    }),
    ("max_user_watches", W, |fs, _| {
        tunable(fs, "max_user_watches", 8192, (0, i32::MAX as i64))
    }),
];

static FS: &[Entry<()>] = &[
    ("file-max", W, |fs, _| {
        tunable(fs, "file-max", i64::MAX, (0, i64::MAX))
    }),
    ("inotify", D, |fs, _| {
        table_dir(fs, 0o555, Arc::new(|| (0, 0)), INOTIFY, ())
    }),
    ("nr_open", W, |fs, _| {
        tunable(fs, "nr_open", 1048576, (64, 1 << 30))
    }),
    ("pipe-max-size", W, |fs, _| {
        tunable(fs, "pipe-max-size", 1048576, (4096, INT.1))
    }),
];

static SYS: &[Entry<()>] = &[
    ("fs", D, |fs, _| {
        table_dir(fs, 0o555, Arc::new(|| (0, 0)), FS, ())
    }),
    ("kernel", D, |fs, _| {
        table_dir(fs, 0o555, Arc::new(|| (0, 0)), KERNEL, ())
    }),
    ("vm", D, |fs, _| {
        table_dir(fs, 0o555, Arc::new(|| (0, 0)), VM, ())
    }),
];

/// `/proc/sys`.
pub fn sys_dir(fs: &Arc<SynthFs>) -> Arc<dyn Inode> {
    table_dir(fs, 0o555, Arc::new(|| (0, 0)), SYS, ())
}
