//! The results: their JSON form (raw samples) and Markdown tables and page.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::stats::Summary;
use crate::sysinfo::Meta;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub meta: Meta,
    pub runtimes: Vec<RuntimeInfo>,
    pub benchmarks: Vec<BenchResult>,
}

/// A runtime that was asked for: found (with its version) or skipped.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RuntimeInfo {
    pub id: String,
    pub label: String,
    pub available: bool,
    pub version: Option<String>,
    pub binary: Option<String>,
    /// Why it was skipped.
    pub note: Option<String>,
}

/// The groups of benchmarks, each with its own table (and chart).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Time per operation inside a program.
    Micro,
    /// Wall-clock time of a command (OCI verbs included).
    Workload,
    /// KiB of an idle container's host processes.
    Memory,
}

impl Section {
    /// The `kind` in the JSON.
    pub fn kind(self) -> &'static str {
        match self {
            Section::Micro => "micro",
            Section::Workload => "workload",
            Section::Memory => "memory",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BenchResult {
    pub name: String,
    pub title: String,
    /// "micro", "workload" or "memory" ([`Section::kind`]).
    pub kind: String,
    pub unit: String,
    /// The runtime the ratios are against (absent in older results:
    /// native).
    #[serde(default)]
    pub baseline: Option<String>,
    /// Operations per run (micro benchmarks).
    pub iterations: Option<u64>,
    /// The command (workloads).
    pub command: Option<Vec<String>>,
    pub results: Vec<RuntimeResult>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Failed,
    Skipped,
    /// The runtime has no equivalent of the benchmark (native `create`).
    #[serde(rename = "n/a")]
    NotApplicable,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RuntimeResult {
    pub runtime: String,
    pub status: Status,
    /// One sample per measured run (warm-up excluded), in run order, in
    /// the benchmark's unit (ns, or KiB for memory).
    #[serde(alias = "samples_ns")]
    pub samples: Vec<f64>,
    pub summary: Option<Summary>,
    /// Per-round ratios to the baseline's sample of the same round
    /// (native, or the benchmark's `baseline`): median, min and max. The
    /// ratio reported is this median.
    #[serde(alias = "ratio_to_native")]
    pub ratio: Option<Summary>,
    /// First stderr line of the failed run, or why the runtime was skipped.
    pub error: Option<String>,
}

impl BenchResult {
    pub fn section(&self) -> Section {
        match self.kind.as_str() {
            "micro" => Section::Micro,
            "memory" => Section::Memory,
            _ => Section::Workload,
        }
    }

    /// The runtime id the ratios are against.
    pub fn baseline(&self) -> &str {
        self.baseline.as_deref().unwrap_or("native")
    }

    /// A sample or summary value with its unit.
    pub fn fmt(&self, v: f64) -> String {
        match self.section() {
            Section::Memory => fmt_kib(v),
            _ => fmt_ns(v),
        }
    }

    pub fn result(&self, runtime: &str) -> Option<&RuntimeResult> {
        self.results.iter().find(|r| r.runtime == runtime)
    }
}

impl Report {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("report serialises") + "\n"
    }

    pub fn label(&self, id: &str) -> String {
        self.runtimes
            .iter()
            .find(|r| r.id == id)
            .map_or_else(|| id.to_string(), |r| r.label.clone())
    }

    /// Runtime ids in column order.
    pub fn runtime_ids(&self) -> Vec<&str> {
        self.runtimes.iter().map(|r| r.id.as_str()).collect()
    }
}

/// A duration in ns with three significant digits and a fitting unit.
pub fn fmt_ns(ns: f64) -> String {
    let (v, unit) = if ns < 1e3 {
        (ns, "ns")
    } else if ns < 1e6 {
        (ns / 1e3, "µs")
    } else if ns < 1e9 {
        (ns / 1e6, "ms")
    } else {
        (ns / 1e9, "s")
    };
    format!("{} {unit}", three_digits(v))
}

/// An amount of memory given in KiB, with three significant digits:
/// `812 KiB`, `9.51 MiB`, `1.20 GiB`.
pub fn fmt_kib(kib: f64) -> String {
    if kib < 1024.0 {
        return format!("{kib:.0} KiB");
    }
    let (v, unit) = if kib < 1024.0 * 1024.0 {
        (kib / 1024.0, "MiB")
    } else {
        (kib / (1024.0 * 1024.0), "GiB")
    };
    format!("{} {unit}", three_digits(v))
}

/// A ratio such as `1.04×`, `12.3×` or `129×`.
pub fn fmt_ratio(r: f64) -> String {
    format!("{}×", three_digits(r))
}

fn three_digits(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// The text of one table cell.
fn cell(b: &BenchResult, r: Option<&RuntimeResult>, with_ratio: bool) -> String {
    let Some(r) = r else {
        return "–".into();
    };
    match (r.status, r.summary) {
        (Status::Ok, Some(s)) => match (with_ratio, r.ratio) {
            (true, Some(ratio)) => format!("{} ({})", b.fmt(s.median), fmt_ratio(ratio.median)),
            _ => b.fmt(s.median),
        },
        (Status::Skipped, _) => "not installed".into(),
        (Status::NotApplicable, _) => "–".into(),
        _ if r.runtime == "ours" => "not yet working".into(),
        _ => "failed".into(),
    }
}

fn spread_cell(b: &BenchResult, r: Option<&RuntimeResult>) -> String {
    match r.and_then(|r| r.summary) {
        Some(s) => format!("{} – {}", b.fmt(s.min), b.fmt(s.max)),
        None => "–".into(),
    }
}

/// Markdown tables: medians with ratios (to each row's baseline), then the
/// spread (min–max) of the samples, for the benchmarks of one section.
pub fn tables(report: &Report, section: Section) -> String {
    let benches: Vec<&BenchResult> = report
        .benchmarks
        .iter()
        .filter(|b| b.section() == section)
        .collect();
    if benches.is_empty() {
        return String::new();
    }
    let ids = report.runtime_ids();
    let mut out = String::new();
    let micro = section == Section::Micro;
    let first = match section {
        Section::Micro => "Benchmark (one op)",
        Section::Workload => "Workload",
        Section::Memory => "Memory (ratio to runc)",
    };
    let extra = if micro { " ops/run |" } else { "" };
    let _ = write!(out, "| {first} |{extra}");
    for id in &ids {
        let _ = write!(out, " {} |", report.label(id));
    }
    out.push_str("\n|---|");
    if micro {
        out.push_str("---:|");
    }
    out.push_str(&"---:|".repeat(ids.len()));
    out.push('\n');
    for b in &benches {
        let _ = write!(out, "| {} |", b.title);
        if micro {
            let _ = write!(out, " {} |", b.iterations.unwrap_or(0));
        }
        for id in &ids {
            let _ = write!(out, " {} |", cell(b, b.result(id), *id != b.baseline()));
        }
        out.push('\n');
    }
    out.push_str("\nSpread of the samples (min – max):\n\n");
    let _ = write!(out, "| {first} |");
    for id in &ids {
        let _ = write!(out, " {} |", report.label(id));
    }
    let _ = writeln!(out, "\n|---|{}", "---:|".repeat(ids.len()));
    for b in &benches {
        let _ = write!(out, "| {} |", b.title);
        for id in &ids {
            let _ = write!(out, " {} |", spread_cell(b, b.result(id)));
        }
        out.push('\n');
    }
    out
}

/// Failures and skips, grouped by runtime and message.
pub fn problems(report: &Report) -> String {
    let mut out = String::new();
    for rt in &report.runtimes {
        if let (false, Some(note)) = (rt.available, &rt.note) {
            let _ = writeln!(out, "- **{}** skipped: {note}", rt.label);
        }
    }
    for id in report.runtime_ids() {
        let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
        for b in &report.benchmarks {
            let Some(r) = b.result(id).filter(|r| r.status == Status::Failed) else {
                continue;
            };
            let msg = r.error.clone().unwrap_or_else(|| "no output".into());
            match groups.iter_mut().find(|(m, _)| *m == msg) {
                Some((_, names)) => names.push(&b.title),
                None => groups.push((msg, vec![&b.title])),
            }
        }
        for (msg, names) in groups {
            let _ = writeln!(
                out,
                "- **{}** failed `{}`: {}",
                report.label(id),
                msg.replace('`', "'"),
                names.join(", ")
            );
        }
    }
    out
}

/// Chart files written next to the JSON, and the page's links to them.
pub struct ChartLinks {
    pub micro: Option<String>,
    pub workloads: Option<String>,
    pub json: String,
}

/// The whole `docs/performance.md` page. `notes` is hand-written Markdown
/// (the interpretation of the numbers), placed after the introduction.
pub fn page(report: &Report, links: &ChartLinks, notes: Option<&str>) -> String {
    let m = &report.meta;
    let mut out = String::new();
    out.push_str("# Performance\n\n");
    let _ = writeln!(
        out,
        "Side-by-side numbers for the same programs run natively, in runc, in gVisor and in our \
         sandbox. Generated by the benchmark runner (`benchmarks/`, see its README) on {}; raw \
         samples in [{}]({}).\n",
        m.date, links.json, links.json
    );
    let _ = writeln!(out, "```\n{}\n```\n", m.command);
    if m.smoke {
        out.push_str(
            "**Smoke run**: tiny iteration counts and one run; these numbers only show that \
             everything executes.\n\n",
        );
    }
    if let Some(notes) = notes.map(str::trim).filter(|n| !n.is_empty()) {
        out.push_str(notes);
        out.push_str("\n\n");
    }
    out.push_str("## Setup\n\n| | |\n|---|---|\n");
    let _ = writeln!(
        out,
        "| machine | {} CPUs ({}), {:.1} GiB memory |",
        m.cpus, m.cpu, m.memory_gib
    );
    let _ = writeln!(out, "| kernel | Linux {} |", m.kernel);
    let _ = writeln!(out, "| OS | {} |", m.os);
    let _ = writeln!(out, "| compiler | {} (`-O2 -static`) |", m.cc);
    let _ = writeln!(out, "| python3 | {} |", m.python);
    for rt in &report.runtimes {
        let what = match (&rt.version, &rt.note) {
            (Some(v), _) if rt.available => v.clone(),
            (_, Some(n)) => format!("skipped: {n}"),
            _ => "unknown".into(),
        };
        let how = match rt.id.as_str() {
            "runc" => " — `runc run` of a bundle whose root is a read-only bind of the host's `/`",
            "gvisor" => " — `runsc --platform=ptrace --network=none do`",
            "ours" => " — `runsc do`",
            _ => "",
        };
        let _ = writeln!(out, "| {} | {what}{how} |", rt.label);
    }
    if let Some([one, five, fifteen]) = m.load_average {
        let _ = writeln!(
            out,
            "| load average | {one:.2} / {five:.2} / {fifteen:.2} (1 / 5 / 15 min, when the run ended) |"
        );
    }
    let _ = writeln!(
        out,
        "| runs | {} measured{} per benchmark and runtime, interleaved |\n",
        m.runs,
        if m.warmup { " after one warm-up" } else { "" }
    );
    out.push_str(METHOD);
    if let Some(link) = &links.micro {
        out.push_str("\n## Micro benchmarks\n\n");
        out.push_str(
            "Time per operation, measured inside the program (runtime start-up excluded).\n\n",
        );
        let _ = writeln!(
            out,
            "![Micro benchmarks: time relative to native]({link})\n"
        );
        out.push_str(&tables(report, Section::Micro));
    }
    if let Some(link) = &links.workloads {
        out.push_str("\n## Workloads\n\n");
        out.push_str("Wall-clock time of the whole command, runtime start-up included.\n\n");
        let _ = writeln!(out, "![Workloads: time relative to native]({link})\n");
        out.push_str(&tables(report, Section::Workload));
    }
    let memory = tables(report, Section::Memory);
    if !memory.is_empty() {
        out.push_str("\n## Memory of an idle container\n\n");
        out.push_str(MEMORY_METHOD);
        out.push_str(&memory);
    }
    let problems = problems(report);
    if !problems.is_empty() {
        out.push_str("\n## Failures and skipped runtimes\n\n");
        out.push_str(
            "A benchmark that fails in a runtime is not retried in that runtime; the first line \
             it wrote to stderr is kept.\n\n",
        );
        out.push_str(&problems);
    }
    out
}

const MEMORY_METHOD: &str = "\
A container whose init is `/bin/sleep 1000` is created and started, left alone for four seconds (our sentry and gofer trim their start-up pages after 2–3 s), \
then the memory of its host processes is read from `/proc/PID/smaps_rollup` (RSS, PSS) and \
`/proc/PID/status` (VmHWM, each process's peak RSS) and summed. Counted: the `pid` of `state` \
(runc: the container's process; gVisor: `runsc-sandbox`; ours: the sentry), every process started \
since `create` whose command line names the bundle directory (gVisor's `runsc-gofer`, our gofer) and all their \
descendants (the ptrace stubs). PSS splits shared pages between the processes that map them, so \
its sum is the sandbox's share of memory; RSS counts them once per process. Natively: the \
`sleep` process alone. Ratios are to runc, whose container is that same process with no runtime \
process left beside it. The memfd row is the memory allocated to the memfd files these processes \
hold open (each file once): the sandboxes' memory file holds the application's memory, and its \
pages show in RSS and PSS only where some process maps them.

";

const METHOD: &str = "\
## Method

- **Interleaved runs.** For each benchmark the runtimes take turns (native, runc, gVisor, ours, \
native, …): one warm-up round that is thrown away, then N measured rounds. Cells show the median \
of the N samples; the ratio is the median over rounds of (runtime's sample ÷ native's sample of \
the same round), so slow drifts of this noisy machine hit both sides alike. Lower is better.
- **Micro benchmarks** are small static C programs (`benchmarks/programs/`). Each does its setup, \
then times K iterations of one operation with `clock_gettime(CLOCK_MONOTONIC)` from inside, so \
the runtime's start-up is excluded.
- **Workloads** are timed from outside: wall clock from spawning the runtime to its exit, so they \
include the sandbox's start-up and teardown.
- **Files.** The plain rows create their files on memory file systems (`/dev/shm` natively, \
a tmpfs `/tmp` in runc, `/tmp` in gVisor and ours), so they compare system-call paths, not disks; \
`open_close` and `stat` use `/etc/passwd`, a host file reached through each runtime's own path \
(the gofer for gVisor and ours). Rows ending in `_tmpfs`, `_root` and `_bind` run the same \
program on a tmpfs, on the root file system (natively `/var/tmp` on disk; the sandboxes' \
in-memory overlay; runc's root is read-only here) and on a host directory bind-mounted into the \
container (ours: `--volume`; gVisor's `do` has none, so its root is made write-through with \
`--force-overlay=false`).
- **OCI lifecycle** rows (`oci_*`) time the runtimes' own `create`, `start`, `delete` and `run` \
verbs on one bundle whose init is `/bin/true`. `oci_exec` is `exec ID /bin/true` into a running \
container whose init is `/bin/sleep 1000`: per sample one container, one untimed exec, then the \
mean of 5 timed ones (natively: spawning `/bin/true`).
- Every program gets the same environment: only `PATH`, working directory `/`, stdin from \
`/dev/null`, stdout and stderr to pipes.
";

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(runtime: &str, samples: &[f64], native: &[f64]) -> RuntimeResult {
        let ratios = crate::stats::paired_ratios(samples, native);
        RuntimeResult {
            runtime: runtime.into(),
            status: Status::Ok,
            samples: samples.to_vec(),
            summary: Summary::of(samples),
            ratio: if runtime == "native" {
                None
            } else {
                Summary::of(&ratios)
            },
            error: None,
        }
    }

    pub(crate) fn sample_report() -> Report {
        let native = [100.0, 120.0, 110.0];
        let info = |id: &str, available| RuntimeInfo {
            id: id.into(),
            label: id.into(),
            available,
            version: Some("v1".into()),
            binary: None,
            note: (!available).then(|| "install it".into()),
        };
        Report {
            meta: Meta::collect(3, true, false),
            runtimes: vec![
                info("native", true),
                info("gvisor", true),
                info("ours", true),
            ],
            benchmarks: vec![BenchResult {
                name: "getppid".into(),
                title: "getppid".into(),
                kind: "micro".into(),
                unit: "ns".into(),
                baseline: None,
                iterations: Some(1000),
                command: None,
                results: vec![
                    ok("native", &native, &native),
                    ok("gvisor", &[20_000.0, 24_000.0, 22_000.0], &native),
                    RuntimeResult {
                        runtime: "ours".into(),
                        status: Status::Failed,
                        samples: vec![],
                        summary: None,
                        ratio: None,
                        error: Some("runsc: do: not implemented".into()),
                    },
                ],
            }],
        }
    }

    #[test]
    fn formats_durations_and_ratios() {
        assert_eq!(fmt_ns(163.3), "163 ns");
        assert_eq!(fmt_ns(21_125.4), "21.1 µs");
        assert_eq!(fmt_ns(8_787_003.9), "8.79 ms");
        assert_eq!(fmt_ns(2.5e9), "2.50 s");
        assert_eq!(fmt_ratio(1.0432), "1.04×");
        assert_eq!(fmt_ratio(129.4), "129×");
    }

    #[test]
    fn table_has_medians_ratios_and_failures() {
        let t = tables(&sample_report(), Section::Micro);
        assert!(
            t.contains("| getppid | 1000 | 110 ns | 22.0 µs (200×) | not yet working |"),
            "{t}"
        );
        assert!(t.contains("100 ns – 120 ns"), "{t}");
        assert_eq!(tables(&sample_report(), Section::Workload), "");
    }

    #[test]
    fn formats_memory() {
        assert_eq!(fmt_kib(812.0), "812 KiB");
        assert_eq!(fmt_kib(0.0), "0 KiB");
        assert_eq!(fmt_kib(9740.0), "9.51 MiB");
        assert_eq!(fmt_kib(1_258_291.2), "1.20 GiB");
    }

    #[test]
    fn memory_rows_have_their_own_table_with_ratios_to_runc() {
        let mut r = sample_report();
        r.runtimes.insert(
            1,
            RuntimeInfo {
                id: "runc".into(),
                label: "runc".into(),
                available: true,
                version: None,
                binary: None,
                note: None,
            },
        );
        let runc = [2048.0, 2048.0, 2048.0];
        let ours = ok("ours", &[8192.0, 8192.0, 10240.0], &runc);
        r.benchmarks.push(BenchResult {
            name: "oci_idle_pss".into(),
            title: "idle PSS".into(),
            kind: Section::Memory.kind().into(),
            unit: "KiB".into(),
            baseline: Some("runc".into()),
            iterations: None,
            command: None,
            results: vec![ok("runc", &runc, &runc), ours],
        });
        let t = tables(&r, Section::Memory);
        assert!(
            t.contains("| idle PSS | – | 2.00 MiB | – | 8.00 MiB (4.00×) |"),
            "{t}"
        );
        assert!(t.contains("8.00 MiB – 10.0 MiB"), "{t}");
        assert!(!tables(&r, Section::Micro).contains("idle"));
        let links = ChartLinks {
            micro: None,
            workloads: None,
            json: "x.json".into(),
        };
        let p = page(&r, &links, None);
        assert!(p.contains("## Memory of an idle container"), "{p}");
    }

    #[test]
    fn reads_results_written_before_memory_rows() {
        let old = r#"{"runtime": "gvisor", "status": "ok", "samples_ns": [1.0],
            "summary": null, "ratio_to_native": null, "error": null}"#;
        let r: RuntimeResult = serde_json::from_str(old).unwrap();
        assert_eq!(r.samples, [1.0]);
    }

    #[test]
    fn problems_group_failures() {
        let p = problems(&sample_report());
        assert!(
            p.contains("**ours** failed `runsc: do: not implemented`: getppid"),
            "{p}"
        );
    }

    #[test]
    fn json_round_trips() {
        let r = sample_report();
        let back: Report = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(
            back.benchmarks[0].results[1].samples,
            r.benchmarks[0].results[1].samples
        );
    }

    #[test]
    fn page_links_charts_and_states_the_machine() {
        let links = ChartLinks {
            micro: Some("performance/micro.svg".into()),
            workloads: None,
            json: "performance/results.json".into(),
        };
        let p = page(
            &sample_report(),
            &links,
            Some("## What the numbers say\n\nSlow.\n"),
        );
        assert!(p.contains("![Micro benchmarks: time relative to native](performance/micro.svg)"));
        let notes = p
            .find("## What the numbers say\n\nSlow.\n\n## Setup")
            .unwrap();
        assert!(notes < p.find("## Micro").unwrap());
        assert!(!page(&sample_report(), &links, None).contains("What the numbers"));
        assert!(p.contains("| kernel | Linux "));
        assert!(p.contains("## Failures"));
    }
}
