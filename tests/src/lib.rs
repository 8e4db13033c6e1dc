//! systests: the harness behind the system tests.
//!
//! * [`compile`] builds a C program from `tests/conformance/` (or any C file) with the
//!   system `cc`, statically or dynamically linked, and caches the binary under
//!   `<target>/systests-bin/`.
//! * [`Cmd`] describes one run (program, arguments, environment, cwd, timeout);
//!   [`Cmd::run_native`] runs it directly on the host, [`Cmd::run_sandbox`] runs it under
//!   `runsc do`. Both capture stdout, stderr and the exit status, kill the whole process
//!   group on timeout and never hang.
//! * [`differential`] runs a conformance program both ways and compares stdout and the
//!   exit status (a death by signal N natively must show as exit status 128+N from
//!   `runsc`).
//! * [`fixtures`] is a directory tree of known files, directories and symlinks on the host
//!   that the programs read; since the sandbox's root is the host's `/` by default, every
//!   host path used here is the same path inside the sandbox.
//!
//! Environment variables:
//! * `RUNSC`: path of the `runsc` binary (default: `<target>/<profile>/runsc`, i.e. `../runsc`
//!   relative to the directory of the running test executable, built on first use with
//!   `cargo build -p runsc` unless `SYSTESTS_NO_BUILD=1`).
//! * `SYSTESTS_NATIVE_ONLY=1`: run only the native half of differential tests (to validate
//!   the programs themselves); sandbox-only tests are then skipped with a note.
//! * `SYSTESTS_BIN_DIR`: where compiled programs and fixtures go (default
//!   `<target>/systests-bin`).
//! * `SYSTESTS_KEEP_OUTPUT=1`: print both outputs even when they match.
//! * `SYSTESTS_TIMEOUT_SECS`: the default time limit of one run (60 s).

use std::collections::HashMap;
use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::io::Read;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

mod diff;
mod fixtures;
mod run;
pub use diff::*;
pub use fixtures::*;
pub use run::*;

/// Default time limit of one run (`SYSTESTS_TIMEOUT_SECS` overrides it).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The time limit of runs that do not choose their own: [`DEFAULT_TIMEOUT`] unless
/// `SYSTESTS_TIMEOUT_SECS` is set.
pub fn default_timeout() -> Duration {
    std::env::var("SYSTESTS_TIMEOUT_SECS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_TIMEOUT)
}

/// How long to wait for stdout/stderr to reach EOF after the child has exited (a
/// descendant that keeps the pipes open is killed with the process group first).
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

// ---------------------------------------------------------------------------------------
// Locations
// ---------------------------------------------------------------------------------------

/// The `tests/` directory of the workspace (this crate's manifest dir).
pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/conformance/`, where the C programs live.
pub fn conformance_dir() -> PathBuf {
    crate_dir().join("conformance")
}

/// `tests/sandbox/`, where the sandbox-only C programs live (never run natively).
pub fn sandbox_programs_dir() -> PathBuf {
    crate_dir().join("sandbox")
}

/// Compiles `tests/sandbox/<name>.c` (a sandbox-only program).
pub fn compile_sandbox_program(name: &str, link: Link) -> PathBuf {
    compile_file(&sandbox_programs_dir().join(format!("{name}.c")), link)
}

/// The profile directory of the running test executable (`<target>/<profile>`): test
/// executables live in `<target>/<profile>/deps/`.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let deps = exe
        .parent()
        .expect("test executable has a parent directory");
    match deps.parent() {
        Some(p) if deps.file_name().is_some_and(|n| n == "deps") => p.to_path_buf(),
        _ => deps.to_path_buf(),
    }
}

/// Where compiled programs, fixtures and scratch directories go.
pub fn bin_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = match std::env::var_os("SYSTESTS_BIN_DIR") {
            Some(d) => PathBuf::from(d),
            None => {
                let profile = profile_dir();
                let target = profile.parent().map(Path::to_path_buf).unwrap_or(profile);
                target.join("systests-bin")
            }
        };
        fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
        dir.canonicalize().expect("canonicalize bin dir")
    })
    .clone()
}

/// True when `SYSTESTS_NATIVE_ONLY` is set: differential tests only run natively.
pub fn native_only() -> bool {
    std::env::var_os("SYSTESTS_NATIVE_ONLY").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Path of the `runsc` binary: `$RUNSC`, else `../runsc` relative to the directory of the
/// test executable (`<target>/<profile>/runsc`).
///
/// `cargo test` does not build the binaries of other packages, so unless `RUNSC` or
/// `SYSTESTS_NO_BUILD=1` is set, the first call in a test process runs
/// `cargo build -p runsc` for the same target directory and profile (a no-op when it is
/// up to date; it also keeps a stale binary from being tested). A build failure or a
/// missing binary fails the calling test with an explanation: a missing product is a
/// failure, not a skip.
pub fn runsc() -> PathBuf {
    if let Some(p) = std::env::var_os("RUNSC") {
        let p = PathBuf::from(p);
        if !p.is_file() {
            panic!("RUNSC={} is not a file", p.display());
        }
        return p;
    }
    static BUILD: OnceLock<Result<(), String>> = OnceLock::new();
    let profile = profile_dir();
    let build_wanted = std::env::var_os("SYSTESTS_NO_BUILD").is_none_or(|v| v == "0");
    if build_wanted {
        if let Err(e) = BUILD.get_or_init(|| build_runsc(&profile)) {
            panic!("building runsc failed, so the sandbox side of this test cannot run:\n{e}");
        }
    }
    let path = profile.join("runsc");
    if !path.is_file() {
        panic!(
            "runsc binary not found at {} .\n\
             The sandbox side of this test needs it. Build it first (`cargo build -p runsc` \
             with the same CARGO_TARGET_DIR and profile as the tests), or point the RUNSC \
             environment variable at a runsc binary.\n\
             (SYSTESTS_NATIVE_ONLY=1 runs only the native half of the differential tests.)",
            path.display()
        );
    }
    path
}

fn build_runsc(profile: &Path) -> Result<(), String> {
    let Some(target) = profile.parent() else {
        return Err(format!("no target dir above {}", profile.display()));
    };
    let mut c = Command::new(env!("CARGO"));
    c.args(["build", "--quiet", "-p", "runsc", "--target-dir"])
        .arg(target)
        .current_dir(crate_dir());
    match profile.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => {}
        Some("release") => {
            c.arg("--release");
        }
        Some(other) => {
            c.args(["--profile", other]);
        }
    }
    let out = c
        .output()
        .map_err(|e| format!("could not run {}: {e}", env!("CARGO")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{} ({})\n{}{}",
            describe_command(&c),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

// ---------------------------------------------------------------------------------------
// Compilation
// ---------------------------------------------------------------------------------------

/// How a C program is linked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Link {
    Static,
    Dynamic,
}

impl Link {
    pub fn suffix(self) -> &'static str {
        match self {
            Link::Static => "static",
            Link::Dynamic => "dynamic",
        }
    }
}

fn mtime(p: &Path) -> Option<SystemTime> {
    fs::metadata(p).and_then(|m| m.modified()).ok()
}

static UNIQUE: AtomicU64 = AtomicU64::new(0);

/// A name unique to this process and call, for temporary files.
pub fn unique_name(prefix: &str) -> String {
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        UNIQUE.fetch_add(1, Ordering::Relaxed)
    )
}

/// Compiles `tests/conformance/<name>.c` and returns the binary's absolute path.
pub fn compile(name: &str, link: Link) -> PathBuf {
    compile_file(&conformance_dir().join(format!("{name}.c")), link)
}

/// Compiles a C file with `cc -O1 -Wall` (plus `-static` for [`Link::Static`]); the
/// binary is cached and rebuilt when the source or a header of its directory is newer.
/// Compile errors fail the calling test with the compiler's output.
pub fn compile_file(src: &Path, link: Link) -> PathBuf {
    // One compilation of a given output at a time within this process.
    static LOCKS: OnceLock<Mutex<HashMap<PathBuf, std::sync::Arc<Mutex<()>>>>> = OnceLock::new();
    let src = src
        .canonicalize()
        .unwrap_or_else(|e| panic!("C source {}: {e}", src.display()));
    let stem = src.file_stem().unwrap().to_string_lossy().to_string();
    let src_dir = src.parent().unwrap().to_path_buf();
    let dir_tag = src_dir.file_name().unwrap().to_string_lossy().to_string();
    let out_dir = bin_dir().join(dir_tag);
    fs::create_dir_all(&out_dir).unwrap();
    let out = out_dir.join(format!("{stem}-{}", link.suffix()));

    let lock = {
        let mut map = LOCKS.get_or_init(Default::default).lock().unwrap();
        map.entry(out.clone()).or_default().clone()
    };
    let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());

    // Newest input: the source itself and every header beside it or in conformance/.
    let mut newest = mtime(&src).expect("source mtime");
    for dir in [src_dir.clone(), conformance_dir()] {
        let Ok(rd) = fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "h") {
                if let Some(t) = mtime(&p) {
                    newest = newest.max(t);
                }
            }
        }
    }
    if let Some(t) = mtime(&out) {
        if t >= newest {
            return out;
        }
    }

    let tmp = out_dir.join(format!(".{}", unique_name(&stem)));
    let mut cmd = Command::new("cc");
    cmd.args(["-O1", "-Wall", "-D_GNU_SOURCE", "-g"]);
    if link == Link::Static {
        cmd.arg("-static");
    }
    cmd.arg("-I")
        .arg(&src_dir)
        .arg("-I")
        .arg(conformance_dir())
        .arg("-o")
        .arg(&tmp)
        .arg(&src);
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("could not run the C compiler `cc`: {e}"));
    if !output.status.success() {
        let _ = fs::remove_file(&tmp);
        panic!(
            "compiling {} ({}) failed: {:?}\n--- compiler output ---\n{}{}",
            src.display(),
            link.suffix(),
            cmd,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    fs::rename(&tmp, &out).unwrap_or_else(|e| panic!("rename {}: {e}", tmp.display()));
    out
}

// ---------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------
