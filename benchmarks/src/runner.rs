//! The interleaved schedule: for each benchmark, rounds of one run per
//! runtime, the first round a warm-up.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::catalog::{Benchmark, Kind, Location, CHECK_MARKER};
use crate::exec;
use crate::report::{fmt_ratio, BenchResult, RuntimeResult, Status};
use crate::runtimes::{Runtime, RuntimeKind};
use crate::stats::{paired_ratios, Summary};

pub struct Plan {
    pub runs: usize,
    pub warmup: bool,
    pub timeout: Duration,
}

/// What happened to one benchmark in one runtime so far.
struct Series {
    samples: Vec<f64>,
    failure: Option<String>,
    /// Why the benchmark means nothing in this runtime (it is not run).
    not_applicable: Option<String>,
}

/// Runs every benchmark in every available runtime. Runtimes in `skipped`
/// (with the reason) appear in the results as skipped.
pub fn run_all(
    benches: &[Benchmark],
    programs: &BTreeMap<&'static str, PathBuf>,
    runtimes: &[Runtime],
    skipped: &[(RuntimeKind, String)],
    plan: &Plan,
) -> Vec<BenchResult> {
    benches
        .iter()
        .map(|b| run_one(b, programs, runtimes, skipped, plan))
        .collect()
}

fn argv_for(
    bench: &Benchmark,
    programs: &BTreeMap<&'static str, PathBuf>,
    rt: &Runtime,
) -> Result<Vec<String>, String> {
    Ok(match &bench.kind {
        Kind::Micro {
            iterations,
            location,
            ..
        } => {
            let mut argv = vec![
                programs[bench.name].to_string_lossy().into_owned(),
                iterations.to_string(),
            ];
            if *location != Location::None {
                argv.push(rt.scratch_base(*location)?);
            }
            argv
        }
        Kind::Workload { argv, .. } => argv.clone(),
        Kind::Lifecycle { .. } | Kind::Memory { .. } => Vec::new(),
    })
}

/// Where `bench` keeps its files.
fn location_of(bench: &Benchmark) -> Location {
    match bench.kind {
        Kind::Micro { location, .. } => location,
        Kind::Workload { .. } | Kind::Lifecycle { .. } | Kind::Memory { .. } => Location::None,
    }
}

/// Runs a workload's check command once: `Err` unless it exits 0 and
/// prints the marker.
fn check(check: &[String], rt: &Runtime, plan: &Plan) -> Result<(), String> {
    let mut cmd = rt
        .command(check, Location::None)
        .map_err(|e| format!("{e:#}"))?;
    let done = exec::run(&mut cmd, plan.timeout)?;
    if let Some(why) = done.failure() {
        return Err(why);
    }
    if done.stdout.contains(CHECK_MARKER) {
        return Ok(());
    }
    let said = exec::first_line(&done.stderr)
        .or_else(|| exec::first_line(&done.stdout))
        .unwrap_or_else(|| "nothing".into());
    Err(format!(
        "exited 0 without running the workload (check printed {said}, expected {CHECK_MARKER})"
    ))
}

/// One run: the sample (ns) or why it failed.
fn measure(bench: &Benchmark, argv: &[String], rt: &Runtime, plan: &Plan) -> Result<f64, String> {
    match bench.kind {
        Kind::Lifecycle { phase } => return rt.lifecycle(phase, plan.timeout),
        Kind::Memory { metric, settle_ms } => {
            return rt.idle_memory(metric, Duration::from_millis(settle_ms), plan.timeout)
        }
        _ => {}
    }
    let mut cmd = rt
        .command(argv, location_of(bench))
        .map_err(|e| format!("{e:#}"))?;
    let done = exec::run(&mut cmd, plan.timeout)?;
    if let Some(why) = done.failure() {
        return Err(why);
    }
    match bench.kind {
        Kind::Micro { .. } => exec::parse_ns_per_op(&done.stdout).ok_or_else(|| {
            let said = exec::first_line(&done.stderr)
                .or_else(|| exec::first_line(&done.stdout))
                .map_or_else(|| "no output".into(), |l| format!("output: {l}"));
            format!("exited 0 without printing a result ({said})")
        }),
        Kind::Workload { .. } | Kind::Lifecycle { .. } | Kind::Memory { .. } => Ok(done.wall_ns),
    }
}

fn run_one(
    bench: &Benchmark,
    programs: &BTreeMap<&'static str, PathBuf>,
    runtimes: &[Runtime],
    skipped: &[(RuntimeKind, String)],
    plan: &Plan,
) -> BenchResult {
    let mut series: Vec<Series> = runtimes
        .iter()
        .map(|rt| Series {
            samples: Vec::new(),
            failure: None,
            not_applicable: bench.not_applicable_to(rt.kind),
        })
        .collect();
    if let Kind::Workload { check: argv, .. } = &bench.kind {
        for (rt, s) in runtimes.iter().zip(series.iter_mut()) {
            if s.not_applicable.is_none() {
                s.failure = check(argv, rt, plan).err();
            }
        }
    }
    let rounds = plan.runs + usize::from(plan.warmup);
    for round in 0..rounds {
        for (rt, s) in runtimes.iter().zip(series.iter_mut()) {
            if s.failure.is_some() || s.not_applicable.is_some() {
                continue; // failed once: don't spend time on it again
            }
            let measured =
                argv_for(bench, programs, rt).and_then(|argv| measure(bench, &argv, rt, plan));
            match measured {
                Ok(v) if round >= usize::from(plan.warmup) => s.samples.push(v),
                Ok(_) => {}
                Err(why) => s.failure = Some(why),
            }
        }
    }

    let baseline = bench.baseline();
    let base: Vec<f64> = runtimes
        .iter()
        .zip(&series)
        .find(|(rt, _)| rt.kind == baseline)
        .map(|(_, s)| s.samples.clone())
        .unwrap_or_default();
    let mut results: Vec<RuntimeResult> = runtimes
        .iter()
        .zip(series)
        .map(|(rt, s)| {
            let ratio = (rt.kind != baseline && !base.is_empty())
                .then(|| Summary::of(&paired_ratios(&s.samples, &base)))
                .flatten();
            RuntimeResult {
                runtime: rt.kind.id().into(),
                status: if s.not_applicable.is_some() {
                    Status::NotApplicable
                } else if s.failure.is_some() {
                    Status::Failed
                } else {
                    Status::Ok
                },
                summary: Summary::of(&s.samples),
                samples: s.samples,
                ratio,
                error: s.failure.or(s.not_applicable),
            }
        })
        .collect();
    for (kind, why) in skipped {
        results.push(RuntimeResult {
            runtime: kind.id().into(),
            status: Status::Skipped,
            samples: vec![],
            summary: None,
            ratio: None,
            error: Some(why.clone()),
        });
    }
    results.sort_by_key(|r| {
        RuntimeKind::ALL
            .iter()
            .position(|k| k.id() == r.runtime)
            .unwrap_or(usize::MAX)
    });

    let result = BenchResult {
        name: bench.name.into(),
        title: bench.title.into(),
        kind: bench.section().kind().into(),
        unit: bench.unit().into(),
        baseline: Some(baseline.id().into()),
        iterations: match bench.kind {
            Kind::Micro { iterations, .. } => Some(iterations),
            Kind::Workload { .. } | Kind::Lifecycle { .. } | Kind::Memory { .. } => None,
        },
        command: match &bench.kind {
            Kind::Workload { argv, .. } => Some(argv.clone()),
            Kind::Micro { .. } | Kind::Lifecycle { .. } | Kind::Memory { .. } => None,
        },
        results,
    };
    eprintln!("{}", progress_line(&result));
    result
}

/// `getppid  native 163 ns | gvisor 21.1 µs (129×) | ours failed: ...`
fn progress_line(b: &BenchResult) -> String {
    let cells: Vec<String> = b
        .results
        .iter()
        .map(|r| match (r.status, r.summary) {
            (Status::Ok, Some(s)) => match r.ratio {
                Some(ratio) => format!(
                    "{} {} ({})",
                    r.runtime,
                    b.fmt(s.median),
                    fmt_ratio(ratio.median)
                ),
                None => format!("{} {}", r.runtime, b.fmt(s.median)),
            },
            (Status::Skipped, _) => format!("{} skipped", r.runtime),
            (Status::NotApplicable, _) => format!("{} n/a", r.runtime),
            _ => format!(
                "{} failed: {}",
                r.runtime,
                r.error.as_deref().unwrap_or("no samples")
            ),
        })
        .collect();
    format!("{:<15} {}", b.name, cells.join(" | "))
}
