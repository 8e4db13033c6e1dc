//! Compiling the micro-benchmark C programs with the system compiler as
//! static binaries, so they run unchanged in every runtime.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::catalog::{Benchmark, Kind, BENCH_H};

/// The compiler command; `CC` overrides it like in make.
fn compiler() -> String {
    std::env::var("CC").unwrap_or_else(|_| "cc".to_string())
}

/// The directory the binaries go to: next to the runner's own executable
/// (under the cargo target directory), never under /tmp, which runc and the
/// sandboxes replace with their own tmpfs or overlay.
pub fn default_dir() -> Result<PathBuf> {
    let exe = std::env::current_exe().context("locating the runner's executable")?;
    let parent = exe.parent().context("runner executable has no directory")?;
    Ok(parent.join("bench-programs"))
}

/// Writes the sources of the selected micro benchmarks into `dir` and
/// compiles each with `cc -O2 -static -pthread`, skipping programs whose
/// source and binary are already there and unchanged. Returns the path of
/// each binary by benchmark name.
pub fn compile(benches: &[Benchmark], dir: &Path) -> Result<BTreeMap<&'static str, PathBuf>> {
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let header = dir.join("bench.h");
    let header_changed = write_if_changed(&header, BENCH_H)?;
    let mut out = BTreeMap::new();
    for bench in benches {
        let Kind::Micro { source, .. } = bench.kind else {
            continue;
        };
        let src = dir.join(format!("{}.c", bench.name));
        let bin = dir.join(bench.name);
        let changed = write_if_changed(&src, source)?;
        if changed || header_changed || !bin.exists() {
            compile_one(&src, &bin)?;
        }
        out.insert(bench.name, bin);
    }
    Ok(out)
}

/// Writes `contents` to `path` unless it already holds exactly that.
/// Returns whether it wrote.
fn write_if_changed(path: &Path, contents: &str) -> Result<bool> {
    if fs::read_to_string(path).ok().as_deref() == Some(contents) {
        return Ok(false);
    }
    fs::write(path, contents).with_context(|| format!("writing {}", path.display()))?;
    Ok(true)
}

fn compile_one(src: &Path, bin: &Path) -> Result<()> {
    let cc = compiler();
    let tmp = bin.with_extension("tmp");
    let output = Command::new(&cc)
        .args(["-O2", "-static", "-pthread", "-Wall", "-o"])
        .arg(&tmp)
        .arg(src)
        .output()
        .with_context(|| {
            format!("running the C compiler `{cc}` (install it: apt-get install -y gcc libc6-dev)")
        })?;
    if !output.status.success() {
        // A failed build means a broken program or a missing static libc:
        // nothing can be measured, so this is fatal.
        bail!(
            "{cc} failed on {} ({}):\n{}",
            src.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    fs::rename(&tmp, bin).with_context(|| format!("moving {} into place", bin.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_if_changed_only_writes_differences() {
        let dir = std::env::temp_dir().join(format!("bench-prog-test-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let f = dir.join("a.c");
        assert!(write_if_changed(&f, "x").unwrap());
        assert!(!write_if_changed(&f, "x").unwrap());
        assert!(write_if_changed(&f, "y").unwrap());
        fs::remove_dir_all(&dir).unwrap();
    }
}
