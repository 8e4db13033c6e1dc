//! The benchmarks: micro benchmarks (C programs timed from inside),
//! workloads (whole commands timed from outside) and the memory of an idle
//! container.

pub use crate::report::Section;

/// The shared header every micro benchmark includes.
pub const BENCH_H: &str = include_str!("../programs/bench.h");

/// How a benchmark is run and measured.
#[derive(Debug, Clone)]
pub enum Kind {
    /// A C program from `benchmarks/programs/`, run as
    /// `PROGRAM ITERATIONS [SCRATCH_DIR]`; it prints `ns_per_op X`.
    Micro {
        source: &'static str,
        iterations: u64,
        /// Where its scratch files go.
        location: Location,
    },
    /// A command whose whole wall-clock time (runtime start-up included) is
    /// the sample. `check` is a variant that prints [`CHECK_MARKER`]; it runs
    /// once per runtime before the measurements, so that a runtime which
    /// exits 0 without running anything is caught instead of looking fast.
    Workload {
        argv: Vec<String>,
        check: Vec<String>,
    },
    /// An OCI verb on a container running /bin/true, or `exec` into one
    /// whose init sleeps (see `lifecycle`).
    Lifecycle { phase: crate::lifecycle::Phase },
    /// The memory (KiB) of the host processes of an idle container,
    /// `settle_ms` after it started (see `memory`).
    Memory {
        metric: crate::memory::Metric,
        settle_ms: u64,
    },
}

/// The file system a micro benchmark's scratch directory is on. The same
/// program runs on each, so the rows compare file-system paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// No scratch directory argument (the program uses fixed host paths
    /// such as /etc/passwd, on the root file system).
    None,
    /// A tmpfs: /dev/shm natively, the container's or sandbox's /tmp.
    Tmpfs,
    /// The root file system: /var/tmp on the host's disk natively, the
    /// writable overlay of the sandboxes (in memory). runc's root is the
    /// host's `/` read-only, so it has no such row.
    Root,
    /// A host directory bind-mounted into the container at the same path
    /// (ours: `--volume`; gVisor's `runsc do` has none, so its root is made
    /// write-through with `--force-overlay=false` and the directory reached
    /// through it; runc: a read-write bind mount).
    Bind,
}

#[derive(Debug, Clone)]
pub struct Benchmark {
    /// Short id used by `--filter`, file names and the JSON.
    pub name: &'static str,
    /// What one operation is, for tables and charts.
    pub title: &'static str,
    pub kind: Kind,
}

impl Benchmark {
    /// The table (and chart) the benchmark appears in.
    pub fn section(&self) -> Section {
        match self.kind {
            Kind::Micro { .. } => Section::Micro,
            Kind::Workload { .. } | Kind::Lifecycle { .. } => Section::Workload,
            Kind::Memory { .. } => Section::Memory,
        }
    }

    /// Why the benchmark has no meaning in runtime `kind` (then it is not
    /// run there): natively, OCI verbs other than `run` and `exec`.
    pub fn not_applicable_to(&self, kind: crate::runtimes::RuntimeKind) -> Option<String> {
        use crate::lifecycle::Phase;
        match self.kind {
            Kind::Lifecycle {
                phase: phase @ (Phase::Create | Phase::Start | Phase::Delete),
            } if kind == crate::runtimes::RuntimeKind::Native => {
                Some(format!("no native equivalent of `{}`", phase.verb()))
            }
            _ => None,
        }
    }

    /// The runtime the ratios are computed against: native, except for
    /// memory, where native has no sandbox and runc's container is the
    /// plain process.
    pub fn baseline(&self) -> crate::runtimes::RuntimeKind {
        match self.kind {
            Kind::Memory { .. } => crate::runtimes::RuntimeKind::Runc,
            _ => crate::runtimes::RuntimeKind::Native,
        }
    }

    /// What a sample measures.
    pub fn unit(&self) -> &'static str {
        match self.kind {
            Kind::Micro { .. } => "ns per operation (measured inside the program)",
            Kind::Workload { .. } => "ns wall clock of the whole command",
            Kind::Lifecycle {
                phase: crate::lifecycle::Phase::Exec { .. },
            } => "ns wall clock of one exec command (mean of the execs into one container)",
            Kind::Lifecycle { .. } => "ns wall clock of the runtime command",
            Kind::Memory { .. } => "KiB",
        }
    }
}

macro_rules! micro {
    ($name:literal, $title:literal, $iterations:expr) => {
        (
            $name,
            $title,
            include_str!(concat!("../programs/", $name, ".c")),
            $iterations,
        )
    };
}

/// Micro benchmarks with their full iteration counts, chosen so that one run
/// takes roughly half a second on gVisor's ptrace platform (the slowest
/// runtime) and still a millisecond or more natively.
const MICRO: &[(&str, &str, &str, u64)] = &[
    micro!("getppid", "getppid", 20_000),
    micro!("clock_gettime", "clock_gettime (vDSO)", 10_000),
    micro!("write_devnull", "write 64 B to /dev/null", 5_000),
    micro!("open_close", "open+close", 5_000),
    micro!("stat", "stat", 5_000),
    micro!("pread_4k", "pread 4 KiB from a 64 MiB file", 20_000),
    micro!("mmap_munmap", "mmap+munmap 1 MiB", 3_000),
    micro!("mmap_touch", "mmap+touch+munmap 1 MiB", 300),
    micro!("pipe_threads", "pipe ping-pong, 2 threads", 2_000),
    micro!("pipe_procs", "pipe ping-pong, 2 processes", 1_000),
    micro!("futex_threads", "futex ping-pong, 2 threads", 3_000),
    micro!("signal", "signal delivery round trip", 2_000),
    micro!("fork_exit", "fork+exit+wait", 200),
    micro!("fork_cow_200m", "fork+exit+wait, 200 MiB touched", 100),
    micro!("fork_exec", "fork+execve /bin/true+wait", 50),
    micro!("getdents_10k", "getdents of 10,000 entries", 50),
    micro!("create_unlink", "create+unlink", 1_000),
    micro!("seq_write_32m", "32 MiB sequential write", 5),
    micro!("seq_read_32m", "32 MiB sequential read", 10),
];

/// The file benchmarks again on other file systems: (name, program, title,
/// iterations, location). The plain rows above are on tmpfs (or, for
/// open_close and stat, /etc/passwd on the root).
const FS_VARIANTS: &[(&str, &str, &str, u64, Location)] = &[
    (
        "open_close_tmpfs",
        "open_close",
        "open+close (tmpfs)",
        5_000,
        Location::Tmpfs,
    ),
    (
        "open_close_bind",
        "open_close",
        "open+close (bind mount)",
        5_000,
        Location::Bind,
    ),
    ("stat_tmpfs", "stat", "stat (tmpfs)", 5_000, Location::Tmpfs),
    (
        "stat_bind",
        "stat",
        "stat (bind mount)",
        5_000,
        Location::Bind,
    ),
    (
        "pread_4k_root",
        "pread_4k",
        "pread 4 KiB (root overlay)",
        20_000,
        Location::Root,
    ),
    (
        "pread_4k_bind",
        "pread_4k",
        "pread 4 KiB (bind mount)",
        20_000,
        Location::Bind,
    ),
    (
        "getdents_10k_root",
        "getdents_10k",
        "getdents of 10,000 entries (root overlay)",
        50,
        Location::Root,
    ),
    (
        "getdents_10k_bind",
        "getdents_10k",
        "getdents of 10,000 entries (bind mount)",
        50,
        Location::Bind,
    ),
    (
        "create_unlink_root",
        "create_unlink",
        "create+unlink (root overlay)",
        1_000,
        Location::Root,
    ),
    (
        "create_unlink_bind",
        "create_unlink",
        "create+unlink (bind mount)",
        1_000,
        Location::Bind,
    ),
    (
        "seq_write_32m_root",
        "seq_write_32m",
        "32 MiB sequential write (root overlay)",
        5,
        Location::Root,
    ),
    (
        "seq_write_32m_bind",
        "seq_write_32m",
        "32 MiB sequential write (bind mount)",
        5,
        Location::Bind,
    ),
    (
        "seq_read_32m_root",
        "seq_read_32m",
        "32 MiB sequential read (root overlay)",
        10,
        Location::Root,
    ),
    (
        "seq_read_32m_bind",
        "seq_read_32m",
        "32 MiB sequential read (bind mount)",
        10,
        Location::Bind,
    ),
];

/// The C source of the micro benchmark program `name`.
fn source_of(name: &str) -> Option<&'static str> {
    MICRO.iter().find(|m| m.0 == name).map(|m| m.2)
}

/// What a workload's check command prints.
pub const CHECK_MARKER: &str = "bench-check-ok";

/// Whether the program takes a scratch directory.
fn uses_files(name: &str) -> bool {
    source_of(name).is_some_and(|s| s.contains("scratch_dir("))
}

/// Timed execs per container in one `oci_exec` sample (after one untimed).
const EXECS_PER_CONTAINER: u32 = 5;

/// How long an idle container is left alone after `start` before its
/// memory is read: every runtime's init is asleep and our sentry and gofer
/// have trimmed their start-up pages (2 and 3 s after start, see
/// sentry/src/mm/trim.rs); the peak-RSS row still shows the start-up.
const IDLE_SETTLE_MS: u64 = 4000;

/// `--smoke` divides iteration counts by this (keeping at least 2).
const SMOKE_DIVISOR: u64 = 100;

/// Every benchmark, in report order. `smoke` scales the work down to a quick
/// check that everything executes.
pub fn all(smoke: bool) -> Vec<Benchmark> {
    let scale = |iterations: u64| {
        if smoke {
            (iterations / SMOKE_DIVISOR).max(2)
        } else {
            iterations
        }
    };
    let mut out: Vec<Benchmark> = MICRO
        .iter()
        .map(|&(name, title, source, iterations)| Benchmark {
            name,
            title,
            kind: Kind::Micro {
                source,
                iterations: scale(iterations),
                location: if matches!(name, "open_close" | "stat") || !uses_files(name) {
                    Location::None
                } else {
                    Location::Tmpfs
                },
            },
        })
        .collect();
    out.extend(
        FS_VARIANTS
            .iter()
            .filter_map(|&(name, program, title, iterations, location)| {
                Some(Benchmark {
                    name,
                    title,
                    kind: Kind::Micro {
                        source: source_of(program)?,
                        iterations: scale(iterations),
                        location,
                    },
                })
            }),
    );
    let loop_count = if smoke { 10 } else { 200 };
    let loop_script = format!("i=0; while [ $i -lt {loop_count} ]; do /bin/true; i=$((i+1)); done");
    let sh = |script: &str| vec!["/bin/sh".to_string(), "-c".to_string(), script.to_string()];
    let py = |code: &str| {
        vec![
            "/usr/bin/python3".to_string(),
            "-c".to_string(),
            code.to_string(),
        ]
    };
    let workloads: [(&str, &str, Vec<String>, Vec<String>); 5] = [
        (
            "true",
            "/bin/true (start-up)",
            vec!["/bin/true".into()],
            // exec, not a child: the check must not need fork when the
            // measured command does not.
            sh(&format!("echo {CHECK_MARKER} && exec /bin/true")),
        ),
        (
            "sh_true",
            "/bin/sh -c true",
            sh("true"),
            sh(&format!("true && echo {CHECK_MARKER}")),
        ),
        (
            "sh_loop",
            if smoke {
                "sh loop of 10 /bin/true"
            } else {
                "sh loop of 200 /bin/true"
            },
            sh(&loop_script),
            sh(&format!("{loop_script}; echo {CHECK_MARKER} $i")),
        ),
        (
            "python_pass",
            "python3 -c pass",
            py("pass"),
            py(&format!("print('{CHECK_MARKER}')")),
        ),
        (
            "python_imports",
            "python3 import json, re, subprocess",
            py("import json, re, subprocess"),
            py(&format!(
                "import json, re, subprocess; print('{CHECK_MARKER}')"
            )),
        ),
    ];
    use crate::lifecycle::Phase;
    out.extend(
        [
            ("oci_create", "OCI create (init /bin/true)", Phase::Create),
            ("oci_start", "OCI start", Phase::Start),
            (
                "oci_delete",
                "OCI delete of a stopped container",
                Phase::Delete,
            ),
            ("oci_run", "OCI run of /bin/true to its end", Phase::Run),
            (
                "oci_exec",
                "OCI exec of /bin/true into a running container",
                Phase::Exec {
                    count: if smoke { 1 } else { EXECS_PER_CONTAINER },
                },
            ),
        ]
        .into_iter()
        .map(|(name, title, phase)| Benchmark {
            name,
            title,
            kind: Kind::Lifecycle { phase },
        }),
    );
    use crate::memory::Metric;
    let settle_ms = if smoke { 100 } else { IDLE_SETTLE_MS };
    out.extend(
        [
            ("oci_idle_rss", "idle container: RSS (sum)", Metric::Rss),
            ("oci_idle_pss", "idle container: PSS (sum)", Metric::Pss),
            (
                "oci_idle_peak_rss",
                "idle container: peak RSS (sum of VmHWM)",
                Metric::PeakRss,
            ),
            (
                "oci_idle_memfd",
                "idle container: memfd files (allocated)",
                Metric::Memfd,
            ),
        ]
        .into_iter()
        .map(|(name, title, metric)| Benchmark {
            name,
            title,
            kind: Kind::Memory { metric, settle_ms },
        }),
    );
    out.extend(
        workloads
            .into_iter()
            .map(|(name, title, argv, check)| Benchmark {
                name,
                title,
                kind: Kind::Workload { argv, check },
            }),
    );
    out
}

/// The benchmarks whose name contains one of the comma-separated `filter`
/// words (all of them without a filter).
pub fn select(benches: Vec<Benchmark>, filter: Option<&str>) -> Vec<Benchmark> {
    let Some(filter) = filter else {
        return benches;
    };
    let words: Vec<&str> = filter
        .split(',')
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .collect();
    benches
        .into_iter()
        .filter(|b| words.iter().any(|w| b.name.contains(w)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_programs_embedded() {
        let all = all(false);
        let mut names: Vec<_> = all.iter().map(|b| b.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), all.len());
        for b in &all {
            if let Kind::Micro { source, .. } = b.kind {
                assert!(source.contains("report("), "{} never reports", b.name);
            }
        }
    }

    #[test]
    fn fs_variants_have_programs_and_scratch_dirs() {
        let all = all(false);
        for v in FS_VARIANTS {
            let b = all.iter().find(|b| b.name == v.0).unwrap();
            match b.kind {
                Kind::Micro {
                    source, location, ..
                } => {
                    assert_eq!(Some(source), source_of(v.1));
                    assert!(source.contains("scratch_dir("), "{}", v.0);
                    assert_ne!(location, Location::None);
                }
                _ => panic!("{} is not a micro benchmark", v.0),
            }
        }
        let getppid = all.iter().find(|b| b.name == "getppid").unwrap();
        assert!(matches!(
            getppid.kind,
            Kind::Micro {
                location: Location::None,
                ..
            }
        ));
        let pread = all.iter().find(|b| b.name == "pread_4k").unwrap();
        assert!(matches!(
            pread.kind,
            Kind::Micro {
                location: Location::Tmpfs,
                ..
            }
        ));
    }

    #[test]
    fn smoke_scales_iterations_down() {
        let full = all(false);
        let smoke = all(true);
        for (f, s) in full.iter().zip(&smoke) {
            if let (Kind::Micro { iterations: a, .. }, Kind::Micro { iterations: b, .. }) =
                (&f.kind, &s.kind)
            {
                assert!(b < a && *b >= 2, "{}: {a} -> {b}", f.name);
            }
        }
    }

    #[test]
    fn workload_checks_print_the_marker() {
        for b in all(false) {
            if let Kind::Workload { argv, check } = b.kind {
                assert_ne!(argv, check);
                assert!(check.last().unwrap().contains(CHECK_MARKER), "{}", b.name);
            }
        }
    }

    #[test]
    fn native_has_no_oci_verbs_but_exec_and_memory() {
        use crate::runtimes::RuntimeKind::{Native, Ours};
        let all = all(false);
        let by_name = |n: &str| all.iter().find(|b| b.name == n).unwrap();
        for name in ["oci_create", "oci_start", "oci_delete"] {
            let why = by_name(name).not_applicable_to(Native).unwrap();
            assert!(why.contains("no native equivalent"), "{why}");
            assert_eq!(by_name(name).not_applicable_to(Ours), None);
        }
        for name in ["oci_run", "oci_exec", "oci_idle_pss", "getppid"] {
            assert_eq!(by_name(name).not_applicable_to(Native), None, "{name}");
        }
        assert_eq!(by_name("oci_idle_rss").section(), Section::Memory);
        assert_eq!(
            by_name("oci_idle_rss").baseline(),
            crate::runtimes::RuntimeKind::Runc
        );
        assert_eq!(by_name("oci_exec").section(), Section::Workload);
        assert_eq!(select(all.clone(), Some("oci_idle")).len(), 4);
    }

    #[test]
    fn filter_matches_substrings_of_any_word() {
        let picked = select(all(false), Some("getppid, python_pass"));
        let names: Vec<_> = picked.iter().map(|b| b.name).collect();
        assert_eq!(names, ["getppid", "python_pass"]);
        assert_eq!(select(all(false), Some("pipe")).len(), 2);
        assert_eq!(select(all(false), None).len(), all(false).len());
    }
}
