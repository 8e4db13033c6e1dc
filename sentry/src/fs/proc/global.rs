//! The procfs root: process directories, `self`, `thread-self` and the
//! system-wide files (cpuinfo, meminfo, stat, uptime, loadavg, mounts...).
//!
//! Memory figures are the host's (MemTotal is the host's RAM, as sysinfo(2)
//! reports it in the sandbox); the CPU count is the sandbox's
//! sched_getaffinity count and the model lines come from the host's first
//! CPU, read once at start.

use super::pid::{self, kernel, Pid};
use super::{text, Entry, ProcDir, ProcLink};
use crate::fs::synth::SynthFs;
use crate::vfs::Inode;
use std::fmt::Write as _;
use std::sync::{Arc, LazyLock};
use syscalls::consts::{S_IFDIR, S_IFLNK, S_IFREG};
use syscalls::Errno;

const R: u32 = S_IFREG | 0o444;
const L: u32 = S_IFLNK | 0o777;
const D: u32 = S_IFDIR | 0o555;

/// The fixed entries of `/proc`.
static ROOT: &[Entry<()>] = &[
    ("cmdline", R, |fs, _| {
        text(fs, || b"BOOT_IMAGE=/vmlinuz-runsc quiet\n".to_vec())
    }),
    ("cpuinfo", R, |fs, _| text(fs, cpuinfo)),
    ("filesystems", R, |fs, _| {
        text(fs, || {
            b"nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\nnodev\tpipefs\nnodev\tanon_inodefs\nnodev\t9p\nnodev\toverlay\n"
                .to_vec()
        })
    }),
    ("loadavg", R, |fs, _| text(fs, loadavg)),
    ("meminfo", R, |fs, _| text(fs, meminfo)),
    ("mounts", L, |fs, _| {
        ProcLink::new(
            fs,
            Arc::new(|| (0, 0)),
            Arc::new(|| Ok(b"self/mounts".to_vec())),
        )
    }),
    ("net", L, |fs, _| {
        ProcLink::new(
            fs,
            Arc::new(|| (0, 0)),
            Arc::new(|| Ok(b"self/net".to_vec())),
        )
    }),
    ("self", L, |fs, _| {
        ProcLink::new(
            fs,
            Arc::new(|| (0, 0)),
            Arc::new(|| {
                let t = crate::kernel::wait::current().ok_or(Errno::ENOENT)?;
                Ok(t.tgid.to_string().into_bytes())
            }),
        )
    }),
    ("stat", R, |fs, _| text(fs, stat)),
    ("sys", D, |fs, _| super::sys::sys_dir(fs)),
    ("sysvipc", D, |fs, _| {
        super::table_dir(fs, 0o555, Arc::new(|| (0, 0)), SYSVIPC, ())
    }),
    ("thread-self", L, |fs, _| {
        ProcLink::new(
            fs,
            Arc::new(|| (0, 0)),
            Arc::new(|| {
                let t = crate::kernel::wait::current().ok_or(Errno::ENOENT)?;
                Ok(format!("{}/task/{}", t.tgid, t.tid).into_bytes())
            }),
        )
    }),
    ("uptime", R, |fs, _| text(fs, uptime)),
    ("version", R, |fs, _| text(fs, version)),
];

/// `/proc/sysvipc`: the System V IPC objects in Linux's formats.
static SYSVIPC: &[Entry<()>] = &[
    ("msg", R, |fs, _| {
        text(fs, crate::kernel::ipc::msg::proc_listing)
    }),
    ("sem", R, |fs, _| {
        text(fs, crate::kernel::ipc::sem::proc_listing)
    }),
    ("shm", R, |fs, _| {
        text(fs, crate::kernel::ipc::shm::proc_listing)
    }),
];

/// Every process in the table (zombies included), sorted.
fn pids() -> Vec<i32> {
    let Ok(k) = kernel() else {
        return Vec::new();
    };
    let mut v: Vec<i32> = k.procs.lock().procs.keys().copied().collect();
    v.sort_unstable();
    v
}

/// The `/proc` directory.
pub fn root(fs: &Arc<SynthFs>) -> Arc<dyn Inode> {
    let fs2 = fs.clone();
    ProcDir::new(
        fs,
        0o555,
        Arc::new(|| (0, 0)),
        Arc::new(|| {
            let mut v: Vec<(Vec<u8>, u32)> = ROOT
                .iter()
                .map(|(n, m, _)| (n.as_bytes().to_vec(), *m))
                .collect();
            v.extend(pids().into_iter().map(|p| (p.to_string().into_bytes(), D)));
            v
        }),
        Arc::new(move |name| {
            if let Some((_, _, mk)) = ROOT.iter().find(|(n, _, _)| n.as_bytes() == name) {
                return Ok(mk(&fs2, &()));
            }
            let s = std::str::from_utf8(name).map_err(|_| Errno::ENOENT)?;
            if s.is_empty() || s.starts_with('0') || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Errno::ENOENT);
            }
            let n: i32 = s.parse().map_err(|_| Errno::ENOENT)?;
            let k = kernel().map_err(|_| Errno::ENOENT)?;
            if pid::exists(&k, n) {
                return Ok(pid::dir(
                    &fs2,
                    Pid {
                        tgid: n,
                        tid: n,
                        process: true,
                    },
                ));
            }
            // A thread id: reachable, though not listed.
            let t = k.tasks.get(n).ok_or(Errno::ENOENT)?;
            Ok(pid::dir(
                &fs2,
                Pid {
                    tgid: t.tgid,
                    tid: n,
                    process: false,
                },
            ))
        }),
    )
}

/// The CPUs the sandbox reports (sched_getaffinity's count).
pub fn cpu_count() -> usize {
    crate::syscalls::sched::host_cpu_count().max(1)
}

/// The host's first CPU description block of /proc/cpuinfo.
static CPU_MODEL: LazyLock<Vec<String>> = LazyLock::new(|| {
    let s = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let lines: Vec<String> = s
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| !l.starts_with("processor"))
        .map(str::to_string)
        .collect();
    if lines.is_empty() {
        vec![
            "vendor_id\t: unknown".into(),
            "model name\t: unknown".into(),
        ]
    } else {
        lines
    }
});

/// Read the host facts before the sentry's seccomp filter is installed.
pub fn prime() {
    LazyLock::force(&CPU_MODEL);
}

fn cpuinfo() -> Vec<u8> {
    let mut s = String::new();
    for i in 0..cpu_count() {
        let _ = writeln!(s, "processor\t: {i}");
        for l in CPU_MODEL.iter() {
            s.push_str(l);
            s.push('\n');
        }
        s.push('\n');
    }
    s.into_bytes()
}

fn meminfo() -> Vec<u8> {
    let (total, free, shared, buffers) = crate::syscalls::system::host_memory();
    let kb = |b: u64| b / 1024;
    let free = free.min(total);
    let mut s = String::new();
    for (name, v) in [
        ("MemTotal", kb(total)),
        ("MemFree", kb(free)),
        ("MemAvailable", kb(free)),
        ("Buffers", kb(buffers)),
        ("Cached", 0),
        ("SwapCached", 0),
        ("Active", 0),
        ("Inactive", 0),
        ("SwapTotal", 0),
        ("SwapFree", 0),
        ("Dirty", 0),
        ("Writeback", 0),
        ("AnonPages", 0),
        ("Mapped", 0),
        ("Shmem", kb(shared)),
        ("CommitLimit", kb(total)),
        ("Committed_AS", 0),
        ("VmallocTotal", 34_359_738_367),
        ("VmallocUsed", 0),
        ("VmallocChunk", 0),
    ] {
        let _ = writeln!(s, "{:<16}{v:>8} kB", format!("{name}:"));
    }
    s.into_bytes()
}

fn boot_secs() -> f64 {
    kernel()
        .map(|k| k.boot.elapsed().as_secs_f64())
        .unwrap_or(0.0)
}

fn stat() -> Vec<u8> {
    let n = cpu_count();
    let mut s = String::from("cpu  0 0 0 0 0 0 0 0 0 0\n");
    for i in 0..n {
        let _ = writeln!(s, "cpu{i} 0 0 0 0 0 0 0 0 0 0");
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    let btime = (now - boot_secs()).max(0.0) as u64;
    let procs = pids();
    let _ = write!(
        s,
        "intr 0\nctxt 0\nbtime {btime}\nprocesses {}\nprocs_running 1\nprocs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n",
        procs.last().copied().unwrap_or(1)
    );
    s.into_bytes()
}

fn uptime() -> Vec<u8> {
    format!("{:.2} 0.00\n", boot_secs()).into_bytes()
}

fn loadavg() -> Vec<u8> {
    let (threads, last) = match kernel() {
        Ok(k) => {
            let groups = k.tasks.all_groups();
            let n: usize = groups.iter().map(|g| g.members().len()).sum();
            (n, pids().last().copied().unwrap_or(1))
        }
        Err(_) => (1, 1),
    };
    format!("0.00 0.00 0.00 1/{threads} {last}\n").into_bytes()
}

fn version() -> Vec<u8> {
    let mut v = b"Linux version ".to_vec();
    v.extend_from_slice(crate::syscalls::system::UTS_RELEASE);
    v.extend_from_slice(b" (runsc@sandbox) ");
    v.extend_from_slice(crate::syscalls::system::UTS_VERSION);
    v.push(b'\n');
    v
}
