//! `/proc/sys`: the sysctls the sandbox reports. Like Linux's, their modes
//! bind root too: writing a read-only sysctl is EACCES for everyone.

use super::pid::kernel;
use super::{table_dir, Entry, Gen, ProcFile, Put};
use crate::fs::synth::SynthFs;
use crate::vfs::Inode;
use std::sync::{Arc, LazyLock};
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
    ("overflowgid", R, |fs, _| value(fs, "65534")),
    ("overflowuid", R, |fs, _| value(fs, "65534")),
    ("pid_max", R, |fs, _| value(fs, "4194304")),
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
    ("max_map_count", R, |fs, _| value(fs, "65530")),
    ("mmap_min_addr", R, |fs, _| value(fs, "65536")),
    ("overcommit_memory", R, |fs, _| value(fs, "0")),
];

static INOTIFY: &[Entry<()>] = &[
    ("max_queued_events", R, |fs, _| value(fs, "16384")),
    ("max_user_instances", R, |fs, _| value(fs, "128")),
    ("max_user_watches", R, |fs, _| value(fs, "8192")),
];

static FS: &[Entry<()>] = &[
    ("file-max", R, |fs, _| value(fs, "9223372036854775807")),
    ("inotify", D, |fs, _| {
        table_dir(fs, 0o555, Arc::new(|| (0, 0)), INOTIFY, ())
    }),
    ("nr_open", R, |fs, _| value(fs, "1048576")),
    ("pipe-max-size", R, |fs, _| value(fs, "1048576")),
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
