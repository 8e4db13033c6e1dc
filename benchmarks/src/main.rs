//! Side-by-side benchmark runner: the same programs natively, in runc, in
//! gVisor and in our sandbox. See README.md.

mod catalog;
mod exec;
mod lifecycle;
mod memory;
mod programs;
mod report;
mod runner;
mod runtimes;
mod stats;
mod svg;
mod sysinfo;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Parser;

use runtimes::RuntimeKind;

#[derive(Parser, Debug)]
#[command(about = "Run the benchmarks natively, in runc, in gVisor and in our runsc, side by side")]
struct Cli {
    /// Only benchmarks whose name contains one of these comma-separated words.
    #[arg(long)]
    filter: Option<String>,
    /// Measured runs per benchmark and runtime (after one warm-up run);
    /// default 10, or 1 with --smoke.
    #[arg(long)]
    runs: Option<usize>,
    /// Runtimes to compare; native is always run, as the baseline.
    #[arg(long, value_delimiter = ',', default_value = "native,runc,gvisor,ours")]
    against: Vec<RuntimeKind>,
    /// Write results.json, results.md and the SVG charts to this directory,
    /// and the page embedding them to --page.
    #[arg(long)]
    out: Option<PathBuf>,
    /// The Markdown page to write with --out (default: DIR.md next to DIR,
    /// so `--out docs/performance` writes docs/performance.md).
    #[arg(long)]
    page: Option<PathBuf>,
    /// Tiny iteration counts, one run, no warm-up: checks that everything executes.
    #[arg(long)]
    smoke: bool,
    /// Our runsc (default: target/release/runsc of this workspace).
    #[arg(long)]
    ours: Option<PathBuf>,
    /// gVisor's runsc.
    #[arg(long, default_value = "/usr/bin/runsc")]
    gvisor: PathBuf,
    /// runc.
    #[arg(long, default_value = "runc")]
    runc: PathBuf,
    /// Kill a run that takes longer than this many seconds (it counts as failed).
    #[arg(long, default_value_t = 60)]
    timeout: u64,
    /// Exit with status 1 if any benchmark failed in an available runtime
    /// (for CI, once every runtime is expected to pass).
    #[arg(long)]
    strict: bool,
    /// List the benchmarks and exit.
    #[arg(long)]
    list: bool,
    /// Don't run anything: re-render the tables, charts and page from a
    /// results.json written earlier (use with --out).
    #[arg(long, value_name = "RESULTS_JSON")]
    render: Option<PathBuf>,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    // First, while the process is still single-threaded.
    let mount_ns_error = (cli.render.is_none()
        && !cli.list
        && cli.against.iter().any(|k| *k != RuntimeKind::Native))
    .then(runtimes::enter_private_mount_namespace)
    .and_then(Result::err);
    let benches = catalog::select(catalog::all(cli.smoke), cli.filter.as_deref());
    if cli.list {
        for b in &benches {
            println!("{:<15} {}", b.name, b.title);
        }
        return Ok(());
    }
    let report = match &cli.render {
        Some(path) => serde_json::from_str(&std::fs::read_to_string(path)?)?,
        None => measure(&cli, &benches, mount_ns_error)?,
    };
    output::write(
        &report,
        cli.out.as_deref(),
        cli.page.as_deref(),
        cli.render.as_deref(),
    )?;
    let failed = report
        .benchmarks
        .iter()
        .flat_map(|b| &b.results)
        .filter(|r| r.status == report::Status::Failed)
        .count();
    if cli.strict && failed > 0 {
        eprintln!("--strict: {failed} benchmark run(s) failed");
        std::process::exit(1);
    }
    Ok(())
}

/// Removes a scratch directory tree when dropped.
struct RemoveDirOnDrop(PathBuf);

impl Drop for RemoveDirOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn measure(
    cli: &Cli,
    benches: &[catalog::Benchmark],
    mount_ns_error: Option<String>,
) -> Result<report::Report> {
    anyhow::ensure!(!benches.is_empty(), "no benchmark matches --filter");
    let prog_dir = programs::default_dir()?;
    let programs = programs::compile(benches, &prog_dir)?;
    // The bind-mount benchmarks' host directory: on the root file system
    // (not /tmp, which every sandbox replaces), removed when done.
    let volume =
        std::path::PathBuf::from(format!("/var/tmp/benchmarks-vol-{}", std::process::id()));
    std::fs::create_dir_all(&volume).with_context(|| format!("creating {}", volume.display()))?;
    let _cleanup = RemoveDirOnDrop(volume.clone());
    let locations = runtimes::Locations {
        runc: cli.runc.clone(),
        gvisor: cli.gvisor.clone(),
        ours: cli.ours.clone(),
        binds: vec![prog_dir],
        mount_ns_error,
        volume,
    };
    let (runtimes, skipped, infos) = runtimes::detect_all(&cli.against, &locations);
    let runs = cli.runs.unwrap_or(if cli.smoke { 1 } else { 10 }).max(1);
    let plan = runner::Plan {
        runs,
        warmup: !cli.smoke,
        timeout: Duration::from_secs(cli.timeout),
    };
    eprintln!(
        "running {} benchmarks x {} runtimes, {} runs each{}",
        benches.len(),
        runtimes.len(),
        runs,
        if plan.warmup { " after a warm-up" } else { "" }
    );
    let results = runner::run_all(benches, &programs, &runtimes, &skipped, &plan);
    Ok(report::Report {
        meta: sysinfo::Meta::collect(runs, plan.warmup, cli.smoke),
        runtimes: infos,
        benchmarks: results,
    })
}

mod output {
    //! Writing the results where they were asked for.

    use std::fs;
    use std::path::{Path, PathBuf};

    use anyhow::{Context, Result};

    use crate::report::{self, ChartLinks, Report, Section};

    const SECTIONS: [Section; 3] = [Section::Micro, Section::Workload, Section::Memory];
    use crate::svg;

    /// Hand-written Markdown in the output directory that the page
    /// includes after its introduction (the runner never writes it).
    pub const NOTES: &str = "notes.md";

    /// `rendered_from` is the results.json the report was read from (with
    /// --render); it is not rewritten, so that its numbers stay exactly
    /// as measured.
    pub fn write(
        report: &Report,
        out: Option<&Path>,
        page: Option<&Path>,
        rendered_from: Option<&Path>,
    ) -> Result<()> {
        for section in SECTIONS {
            println!("{}", report::tables(report, section));
        }
        let problems = report::problems(report);
        if !problems.is_empty() {
            println!("{problems}");
        }
        let Some(out) = out else {
            return Ok(());
        };
        fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
        let put = |name: &str, text: &str| {
            let path = out.join(name);
            fs::write(&path, text).with_context(|| format!("writing {}", path.display()))
        };
        let json_path = out.join("results.json");
        let same_file = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        if !rendered_from.is_some_and(|src| same_file(src, &json_path)) {
            put("results.json", &report.to_json())?;
        }
        let tables: Vec<String> = SECTIONS
            .iter()
            .map(|s| report::tables(report, *s))
            .filter(|t| !t.is_empty())
            .collect();
        let tables = tables.join("\n");
        put("results.md", &tables)?;
        let mut written = vec![];
        for (section, file, title) in [
            (
                Section::Micro,
                "micro.svg",
                "Micro benchmarks: time per operation relative to native",
            ),
            (
                Section::Workload,
                "workloads.svg",
                "Workloads: wall-clock time relative to native",
            ),
        ] {
            match svg::chart_from_report(report, section, title) {
                Some(chart) => {
                    put(file, &svg::render(&chart))?;
                    written.push(Some(file));
                }
                None => written.push(None),
            }
        }
        let page_path: PathBuf = match page {
            Some(p) => p.to_path_buf(),
            None => out.with_extension("md"),
        };
        // Links relative to the page's directory.
        let prefix = relative_dir(&page_path, out);
        let link = |f: &str| format!("{prefix}{f}");
        let links = ChartLinks {
            micro: written[0].map(link),
            workloads: written[1].map(link),
            json: link("results.json"),
        };
        // Hand-written notes on the numbers, kept across regenerations.
        let notes_path = out.join(NOTES);
        let notes = match fs::read_to_string(&notes_path) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(e).with_context(|| format!("reading {}", notes_path.display())),
        };
        fs::write(&page_path, report::page(report, &links, notes.as_deref()))
            .with_context(|| format!("writing {}", page_path.display()))?;
        eprintln!("wrote {} and {}", out.display(), page_path.display());
        Ok(())
    }

    /// `out` as seen from the directory of `page`, with a trailing slash
    /// (absolute if it is not below it).
    fn relative_dir(page: &Path, out: &Path) -> String {
        let abs = |p: &Path| {
            let p = if p.is_absolute() {
                p.to_path_buf()
            } else {
                std::env::current_dir().unwrap_or_default().join(p)
            };
            p.components().collect::<PathBuf>()
        };
        let base = abs(page.parent().unwrap_or(Path::new(".")));
        let target = abs(out);
        match target.strip_prefix(&base) {
            Ok(rel) if rel.as_os_str().is_empty() => String::new(),
            Ok(rel) => format!("{}/", rel.display()),
            Err(_) => format!("{}/", target.display()),
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn links_are_relative_to_the_page() {
            let p = Path::new("docs/performance.md");
            assert_eq!(
                relative_dir(p, Path::new("docs/performance")),
                "performance/"
            );
            assert_eq!(relative_dir(Path::new("/a/b/x.md"), Path::new("/a/b")), "");
            assert_eq!(relative_dir(Path::new("/a/b/x.md"), Path::new("/c")), "/c/");
        }
    }
}
