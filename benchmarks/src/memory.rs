//! Memory of an idle container: which host processes make up the sandbox,
//! and their resident (RSS), proportional (PSS) and peak (VmHWM) memory
//! from `/proc`.
//!
//! The processes counted are the container's pid from `state` (runc: the
//! container's init; gVisor: `runsc-sandbox`; ours: the sentry), every
//! process started since `create` whose command line names the bundle
//! directory (gVisor's `runsc-gofer --bundle B`, our `runsc gofer --root
//! B/rootfs`; the runtime's verbs have all exited by then, and a process
//! leaked by an earlier container on the same bundle is not counted), and
//! all descendants of both (the platform's stub processes, the container's
//! children).

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Which number a memory row reports, in KiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Sum of `Rss` of every process (shared pages count once per process).
    Rss,
    /// Sum of `Pss` (shared pages split between the processes mapping
    /// them): the sandbox's share of physical memory.
    Pss,
    /// Sum of each process's `VmHWM` (its peak RSS; the peaks need not have
    /// happened at the same time).
    PeakRss,
    /// Memory allocated to the memfd files the processes hold open (the
    /// sandboxes' memory file, where application memory lives), each file
    /// once. Their pages appear in RSS/PSS only where a process maps them.
    Memfd,
}

impl Metric {
    fn index(self) -> usize {
        match self {
            Metric::Rss => 0,
            Metric::Pss => 1,
            Metric::PeakRss => 2,
            Metric::Memfd => 3,
        }
    }
}

/// The memory of a set of processes, in KiB.
#[derive(Debug, Clone, PartialEq)]
pub struct Usage {
    pub rss_kib: u64,
    pub pss_kib: u64,
    pub hwm_kib: u64,
    pub memfd_kib: u64,
    /// `pid name (RSS, PSS)` of every process counted.
    pub processes: Vec<String>,
}

impl Usage {
    pub fn get(&self, metric: Metric) -> f64 {
        (match metric {
            Metric::Rss => self.rss_kib,
            Metric::Pss => self.pss_kib,
            Metric::PeakRss => self.hwm_kib,
            Metric::Memfd => self.memfd_kib,
        }) as f64
    }
}

/// The value of `Key:   1234 kB` in a `/proc` file.
fn field_kib(text: &str, key: &str) -> Option<u64> {
    text.lines().find_map(|l| {
        let rest = l.strip_prefix(key)?.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// Whether one argument of a command line names `dir` or a path below it
/// (also as the value of `--flag=DIR`).
fn arg_names(arg: &str, dir: &str) -> bool {
    let value = match arg.split_once('=') {
        Some((flag, v)) if flag.starts_with('-') => v,
        _ => arg,
    };
    value == dir
        || value
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// One process in the `/proc` scan.
struct Proc {
    ppid: i32,
    /// Start time, in clock ticks since boot.
    start: u64,
    args: Vec<String>,
}

/// Clock ticks per second of `/proc/PID/stat` times (USER_HZ, 100 on
/// every architecture this runs on).
const USER_HZ: f64 = 100.0;

/// Now, in the clock ticks since boot of a process's start time in
/// `/proc/PID/stat` (rounded down, as those are).
pub fn ticks_since_boot() -> u64 {
    fs::read_to_string("/proc/uptime")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0, |secs| (secs * USER_HZ) as u64)
}

fn scan_proc() -> BTreeMap<i32, Proc> {
    let mut out = BTreeMap::new();
    let Ok(dir) = fs::read_dir("/proc") else {
        return out;
    };
    for entry in dir.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
            continue;
        };
        let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue; // gone meanwhile
        };
        // `pid (comm) state ppid ...`; comm may contain spaces and ')'.
        // After it: state is field 3 of stat(5), ppid 4, starttime 22.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace().collect())
            .unwrap_or_default();
        let (Some(ppid), Some(start)) = (
            fields.get(1).and_then(|p| p.parse().ok()),
            fields.get(19).and_then(|p| p.parse().ok()),
        ) else {
            continue;
        };
        let args = fs::read(format!("/proc/{pid}/cmdline"))
            .unwrap_or_default()
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        out.insert(pid, Proc { ppid, start, args });
    }
    out
}

/// The sandbox's host processes: `root`, the processes started at or
/// after `since` ([`ticks_since_boot`]) whose command line names `bundle`
/// (or a path below it), and all their descendants.
pub fn sandbox_processes(root: i32, bundle: Option<(&Path, u64)>) -> Vec<i32> {
    let procs = scan_proc();
    let me = std::process::id() as i32;
    let bundle = bundle.map(|(b, since)| (b.to_string_lossy().into_owned(), since));
    let mut set: BTreeSet<i32> = procs
        .iter()
        .filter(|(pid, p)| {
            **pid == root
                || (**pid != me
                    && bundle.as_ref().is_some_and(|(b, since)| {
                        p.start >= *since && p.args.iter().any(|a| arg_names(a, b))
                    }))
        })
        .map(|(pid, _)| *pid)
        .collect();
    // Descendants, to a fixed point (the tree is shallow).
    loop {
        let before = set.len();
        for (pid, p) in &procs {
            if set.contains(&p.ppid) {
                set.insert(*pid);
            }
        }
        if set.len() == before {
            break;
        }
    }
    set.into_iter().collect()
}

/// Adds the allocated size (KiB) of every memfd `pid` has open that is not
/// in `seen` yet.
fn memfds_of(pid: i32, seen: &mut BTreeSet<(u64, u64)>) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
        return 0;
    };
    let mut kib = 0;
    for fd in fds.flatten() {
        let is_memfd = fs::read_link(fd.path())
            .is_ok_and(|target| target.to_string_lossy().starts_with("/memfd:"));
        if !is_memfd {
            continue;
        }
        // Through the magic link: the memfd itself.
        if let Ok(m) = fs::metadata(fd.path()) {
            if seen.insert((m.dev(), m.ino())) {
                kib += m.blocks() / 2; // 512-byte blocks
            }
        }
    }
    kib
}

/// Sums the memory of `pids`; processes that exited meanwhile count zero.
/// `Err` when none of them could be read.
pub fn usage_of(pids: &[i32]) -> Result<Usage, String> {
    let mut u = Usage {
        rss_kib: 0,
        pss_kib: 0,
        hwm_kib: 0,
        memfd_kib: 0,
        processes: Vec::new(),
    };
    let mut memfds = BTreeSet::new();
    for pid in pids {
        let Ok(rollup) = fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) else {
            continue;
        };
        let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let rss = field_kib(&rollup, "Rss").unwrap_or(0);
        let pss = field_kib(&rollup, "Pss").unwrap_or(0);
        u.rss_kib += rss;
        u.pss_kib += pss;
        u.hwm_kib += field_kib(&status, "VmHWM").unwrap_or(0);
        u.memfd_kib += memfds_of(*pid, &mut memfds);
        let name = status
            .lines()
            .find_map(|l| l.strip_prefix("Name:"))
            .map_or("?", str::trim);
        u.processes
            .push(format!("{pid} {name} (RSS {rss} KiB, PSS {pss} KiB)"));
    }
    if u.processes.is_empty() {
        return Err(format!("no readable process among {pids:?}"));
    }
    Ok(u)
}

/// Memory samples shared by the memory rows of one runtime: the k-th
/// sample of every row comes from the k-th idle container, so the rows
/// (RSS, PSS, peak) of a round describe the same sandbox and a container
/// is started once per round, not once per row.
#[derive(Default)]
pub struct Samples {
    taken: RefCell<Vec<Result<Usage, String>>>,
    used: RefCell<[usize; 4]>,
}

impl Samples {
    /// The next sample of `metric`, measuring a new container with
    /// `measure` when no other row has asked for this one yet.
    pub fn next(
        &self,
        metric: Metric,
        measure: impl FnOnce() -> Result<Usage, String>,
    ) -> Result<f64, String> {
        let k = {
            let mut used = self.used.borrow_mut();
            let k = used[metric.index()];
            used[metric.index()] = k + 1;
            k
        };
        if self.taken.borrow().len() <= k {
            let sample = measure();
            if let Ok(u) = &sample {
                if k == 0 {
                    eprintln!("  processes counted: {}", u.processes.join(", "));
                }
            }
            self.taken.borrow_mut().push(sample);
        }
        match self.taken.borrow().get(k) {
            Some(Ok(u)) => Ok(u.get(metric)),
            Some(Err(e)) => Err(e.clone()),
            None => Err("no memory sample".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_kib_fields() {
        let text = "Rss:                9740 kB\nPss:                6030 kB\nPss_Anon: 1 kB\n";
        assert_eq!(field_kib(text, "Rss"), Some(9740));
        assert_eq!(field_kib(text, "Pss"), Some(6030));
        assert_eq!(field_kib(text, "VmHWM"), None);
    }

    #[test]
    fn bundle_paths_match_whole_components() {
        let b = "/tmp/benchmarks-ours-12";
        assert!(arg_names("/tmp/benchmarks-ours-12", b));
        assert!(arg_names("/tmp/benchmarks-ours-12/rootfs", b));
        assert!(arg_names("--bundle=/tmp/benchmarks-ours-12", b));
        assert!(!arg_names("/tmp/benchmarks-ours-123", b));
        assert!(!arg_names("--bundle=/tmp/benchmarks-ours-123/rootfs", b));
        assert!(!arg_names("x=/tmp/benchmarks-ours-12", b));
    }

    #[test]
    fn a_child_process_is_counted_with_its_parent() {
        let mut child = std::process::Command::new("/bin/sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let me = std::process::id() as i32;
        let pids = sandbox_processes(me, None);
        let _ = child.kill();
        let _ = child.wait();
        assert!(pids.contains(&me));
        assert!(pids.contains(&(child.id() as i32)), "{pids:?}");
        let u = usage_of(&[me]).unwrap();
        assert!(
            u.rss_kib > 0 && u.pss_kib > 0 && u.hwm_kib >= u.rss_kib,
            "{u:?}"
        );
        assert!(usage_of(&[]).is_err());
    }

    #[test]
    fn memfds_count_their_allocated_pages_once() {
        use std::io::Write;
        use std::os::fd::FromRawFd;
        // SAFETY: memfd_create with a NUL-terminated name; the returned fd
        // is checked and owned by the File from here on.
        let mut file = unsafe {
            let fd = libc::memfd_create(c"bench-test".as_ptr(), libc::MFD_CLOEXEC);
            assert!(fd >= 0, "{}", std::io::Error::last_os_error());
            std::fs::File::from_raw_fd(fd)
        };
        file.write_all(&[1u8; 256 * 1024]).unwrap();
        let dup = file.try_clone().unwrap(); // a second fd, same file
        let me = std::process::id() as i32;
        let mut seen = BTreeSet::new();
        let kib = memfds_of(me, &mut seen);
        // Other tests may hold memfds too, never this much less.
        assert!(kib >= 256, "{kib}");
        assert_eq!(memfds_of(me, &mut seen), 0, "counted twice");
        drop(dup);
    }

    #[test]
    fn processes_naming_the_bundle_count_when_started_since() {
        use std::os::unix::process::CommandExt;
        let dir = std::env::temp_dir().join(format!("memory-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let since = ticks_since_boot();
        // A process whose command line names DIR: its argv[0].
        let arg = dir.join("x").display().to_string();
        let mut child = std::process::Command::new("/bin/sleep")
            .arg0(&arg)
            .arg("30")
            .spawn()
            .unwrap();
        let pid = child.id() as i32;
        // The /proc entry exists once spawn returned.
        let found = sandbox_processes(-1, Some((&dir, since)));
        let later = sandbox_processes(-1, Some((&dir, ticks_since_boot() + 1000)));
        let _ = child.kill();
        let _ = child.wait();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(found.contains(&pid), "{found:?}");
        assert!(!later.contains(&pid), "{later:?}");
    }

    #[test]
    fn rows_of_one_round_share_a_sample() {
        let s = Samples::default();
        let mut measured = 0;
        let mut measure = |rss| {
            measured += 1;
            Ok(Usage {
                rss_kib: rss,
                pss_kib: rss / 2,
                hwm_kib: rss * 2,
                memfd_kib: 0,
                processes: vec![],
            })
        };
        assert_eq!(s.next(Metric::Rss, || measure(100)), Ok(100.0));
        assert_eq!(s.next(Metric::Rss, || measure(200)), Ok(200.0));
        assert_eq!(s.next(Metric::Pss, || measure(999)), Ok(50.0));
        assert_eq!(s.next(Metric::Pss, || measure(999)), Ok(100.0));
        assert_eq!(s.next(Metric::PeakRss, || measure(999)), Ok(200.0));
        assert_eq!(measured, 2);
    }
}
