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

/// How a process ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Exited(i32),
    Signaled(i32),
}

impl Status {
    /// The status as a shell reports it: the exit code, or 128+N for a death by signal N.
    pub fn shell_code(self) -> i32 {
        match self {
            Status::Exited(c) => c,
            Status::Signaled(s) => 128 + s,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Exited(c) => write!(f, "exit status {c}"),
            Status::Signaled(s) => write!(f, "killed by signal {s} ({})", signal_name(*s)),
        }
    }
}

pub fn signal_name(s: i32) -> &'static str {
    match s {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        5 => "SIGTRAP",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        10 => "SIGUSR1",
        11 => "SIGSEGV",
        12 => "SIGUSR2",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        15 => "SIGTERM",
        31 => "SIGSYS",
        _ => "?",
    }
}

/// The outcome of one run.
#[derive(Clone, Debug)]
pub struct Output {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub status: Status,
    pub elapsed: Duration,
    /// True when the run hit its time limit and was killed.
    pub timed_out: bool,
    /// Human-readable command line, for messages.
    pub cmdline: String,
}

impl Output {
    pub fn stdout_str(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    pub fn stderr_str(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// A full description of the run: command, status, stdout and stderr.
    pub fn describe(&self) -> String {
        format!(
            "command: {}\nresult: {}{} after {:.2?}\n--- stdout ---\n{}\n--- stderr ---\n{}\n--------------",
            self.cmdline,
            self.status,
            if self.timed_out { " (TIMED OUT, killed)" } else { "" },
            self.elapsed,
            truncate_for_display(&self.stdout_str()),
            truncate_for_display(&self.stderr_str()),
        )
    }

    /// Panics (with the full description) unless the run ended with `code` as a shell
    /// would report it, without timing out.
    pub fn assert_code(&self, code: i32) -> &Self {
        if self.timed_out || self.status.shell_code() != code {
            panic!("expected exit status {code}\n{}", self.describe());
        }
        self
    }

    /// Panics unless stdout is exactly `expected`.
    pub fn assert_stdout(&self, expected: &str) -> &Self {
        if self.stdout != expected.as_bytes() {
            panic!(
                "stdout differs from the expected text\n{}\n{}",
                line_diff("expected", expected, "actual", &self.stdout_str()),
                self.describe()
            );
        }
        self
    }

    /// Panics if the sandbox's stderr shows a Rust panic.
    pub fn assert_no_panic(&self) -> &Self {
        let err = self.stderr_str();
        if err.contains("panicked") || err.contains("RUST_BACKTRACE") {
            panic!("the sandbox panicked\n{}", self.describe());
        }
        self
    }
}

fn truncate_for_display(s: &str) -> String {
    const MAX: usize = 20_000;
    if s.len() <= MAX {
        return s.to_string();
    }
    let mut cut = MAX;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}\n... ({} more bytes)", &s[..cut], s.len() - cut)
}

/// One command to run natively or in the sandbox.
#[derive(Clone, Debug)]
pub struct Cmd {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    /// The complete environment of the program (empty by default, like `runsc do`).
    pub env: Vec<(String, String)>,
    /// Working directory of the program (natively: the child's cwd; sandbox: `--cwd`).
    pub cwd: Option<PathBuf>,
    pub timeout: Duration,
    /// Extra `runsc do` options (e.g. `--rootfs DIR`), before the program.
    pub runsc_opts: Vec<OsString>,
    /// Bytes fed to stdin (default: stdin is /dev/null).
    pub stdin: Option<Vec<u8>>,
}

impl Cmd {
    pub fn new(program: impl Into<PathBuf>) -> Self {
        Cmd {
            program: program.into(),
            args: Vec::new(),
            env: Vec::new(),
            cwd: None,
            timeout: default_timeout(),
            runsc_opts: Vec::new(),
            stdin: None,
        }
    }
    pub fn arg(mut self, a: impl Into<OsString>) -> Self {
        self.args.push(a.into());
        self
    }
    pub fn args<I, S>(mut self, it: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(it.into_iter().map(Into::into));
        self
    }
    pub fn env(mut self, k: &str, v: &str) -> Self {
        self.env.push((k.to_string(), v.to_string()));
        self
    }
    pub fn cwd(mut self, d: impl Into<PathBuf>) -> Self {
        self.cwd = Some(d.into());
        self
    }
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }
    pub fn runsc_opt(mut self, o: impl Into<OsString>) -> Self {
        self.runsc_opts.push(o.into());
        self
    }

    /// Runs the program directly on the host.
    pub fn run_native(&self) -> Output {
        let mut c = Command::new(&self.program);
        c.args(&self.args).env_clear();
        for (k, v) in &self.env {
            c.env(k, v);
        }
        if let Some(d) = &self.cwd {
            c.current_dir(d);
        }
        run_command(c, self.timeout, self.stdin.as_deref())
    }

    /// The `runsc do ...` command line for this run.
    pub fn sandbox_command(&self) -> Command {
        let mut c = Command::new(runsc());
        c.arg("do");
        c.args(&self.runsc_opts);
        if let Some(d) = &self.cwd {
            c.arg("--cwd").arg(d);
        }
        for (k, v) in &self.env {
            c.arg("--env").arg(format!("{k}={v}"));
        }
        c.arg("--").arg(&self.program).args(&self.args);
        // runsc itself gets a minimal, fixed environment.
        c.env_clear();
        if let Some(p) = std::env::var_os("PATH") {
            c.env("PATH", p);
        }
        for k in ["RUST_LOG", "RUST_BACKTRACE"] {
            if let Some(v) = std::env::var_os(k) {
                c.env(k, v);
            }
        }
        c
    }

    /// Runs the program under `runsc do`.
    pub fn run_sandbox(&self) -> Output {
        run_command(self.sandbox_command(), self.timeout, self.stdin.as_deref())
    }
}

fn describe_command(c: &Command) -> String {
    let mut s = shell_quote(&c.get_program().to_string_lossy());
    for a in c.get_args() {
        s.push(' ');
        s.push_str(&shell_quote(&a.to_string_lossy()));
    }
    if let Some(d) = c.get_current_dir() {
        s = format!("(cd {} && {s})", shell_quote(&d.to_string_lossy()));
    }
    s
}

/// `s` quoted for a POSIX shell (as is when it needs no quoting).
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn spawn_reader<R: Read + Send + 'static>(mut r: R) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        let _ = tx.send(buf);
    });
    rx
}

fn kill_group(pgid: u32) {
    // SAFETY: plain syscall; a stale group id just gives ESRCH.
    unsafe {
        libc::kill(-(pgid as libc::pid_t), libc::SIGKILL);
    }
}

/// The shell command line `shell` with a terminal (under `script`), typed
/// `keys` once `ready` shows in its output, as a user at the keyboard
/// would. Returns the output (without `\r` and NULs) and the exit status
/// (-1 if `ready` never came or it did not end within `timeout`).
pub fn script_with_keys(shell: &str, ready: &str, keys: &[u8], timeout: Duration) -> (String, i32) {
    use std::io::Write;
    let mut child = Command::new("script")
        .args(["-qec", shell, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start script");
    let mut stdin = child.stdin.take().expect("script stdin");
    let mut stdout = child.stdout.take().expect("script stdout");
    let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
    thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut out = Vec::new();
    let start = Instant::now();
    let mut typed = false;
    let code = loop {
        while let Ok(chunk) = rx.recv_timeout(Duration::from_millis(50)) {
            out.extend_from_slice(&chunk);
        }
        if !typed && String::from_utf8_lossy(&out).contains(ready) {
            let _ = stdin.write_all(keys);
            typed = true;
        }
        if let Ok(Some(st)) = child.try_wait() {
            break if typed {
                st.code().unwrap_or_else(|| 128 + st.signal().unwrap_or(0))
            } else {
                -1
            };
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            break -1;
        }
    };
    while let Ok(chunk) = rx.recv_timeout(Duration::from_millis(100)) {
        out.extend_from_slice(&chunk);
    }
    out.retain(|&b| b != b'\r' && b != 0);
    (String::from_utf8_lossy(&out).into_owned(), code)
}

/// Runs a command in its own process group with stdout/stderr captured, stdin from
/// `stdin` (or /dev/null), inherited fds other than 0-2 closed, and a time limit after
/// which the whole group is killed.
pub fn run_command(mut c: Command, timeout: Duration, stdin: Option<&[u8]>) -> Output {
    let cmdline = describe_command(&c);
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    c.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    c.process_group(0);
    // SAFETY: the closure only makes an async-signal-safe syscall.
    unsafe {
        c.pre_exec(|| {
            // Whatever the test runner inherited must not leak into the program: fd
            // numbers are part of what the conformance programs print.
            libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, 0u32);
            Ok(())
        });
    }
    let start = Instant::now();
    let mut child = c
        .spawn()
        .unwrap_or_else(|e| panic!("could not start `{cmdline}`: {e}"));
    let pgid = child.id();
    if let Some(data) = stdin {
        let mut w = child.stdin.take().unwrap();
        let data = data.to_vec();
        thread::spawn(move || {
            use std::io::Write;
            let _ = w.write_all(&data);
        });
    }
    let out_rx = spawn_reader(child.stdout.take().unwrap());
    let err_rx = spawn_reader(child.stderr.take().unwrap());

    let mut timed_out = false;
    let status = loop {
        match child.try_wait().expect("wait for child") {
            Some(st) => break st,
            None => {
                if start.elapsed() >= timeout {
                    timed_out = true;
                    kill_group(pgid);
                    let _ = child.kill();
                    break child.wait().expect("wait for killed child");
                }
                thread::sleep(Duration::from_millis(5));
            }
        }
    };
    let elapsed = start.elapsed();
    // Anything left in the group (e.g. sandbox helper processes) goes now.
    kill_group(pgid);
    let collect = |rx: mpsc::Receiver<Vec<u8>>, what: &str| -> Vec<u8> {
        match rx.recv_timeout(DRAIN_TIMEOUT) {
            Ok(b) => b,
            Err(_) => {
                let mut b = format!(
                    "[systests: {what} still open {DRAIN_TIMEOUT:?} after the process ended; \
                     a descendant outside the process group keeps it open]"
                )
                .into_bytes();
                b.push(b'\n');
                b
            }
        }
    };
    let stdout = collect(out_rx, "stdout");
    let stderr = collect(err_rx, "stderr");
    let status = match (status.code(), status.signal()) {
        (Some(c), _) => Status::Exited(c),
        (None, Some(s)) => Status::Signaled(s),
        _ => Status::Exited(-1),
    };
    Output {
        stdout,
        stderr,
        status,
        elapsed,
        timed_out,
        cmdline,
    }
}

// ---------------------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------------------

/// A line diff of two texts in a unified-like format (`-` only in `a`, `+` only in `b`,
/// with a little context). Large inputs fall back to showing the first difference.
pub fn line_diff(a_name: &str, a: &str, b_name: &str, b: &str) -> String {
    let al: Vec<&str> = a.split_inclusive('\n').collect();
    let bl: Vec<&str> = b.split_inclusive('\n').collect();
    let mut out = format!("--- {a_name}\n+++ {b_name}\n");
    // Trim the common prefix and suffix, then LCS on the middle if it is small enough.
    let mut pre = 0;
    while pre < al.len() && pre < bl.len() && al[pre] == bl[pre] {
        pre += 1;
    }
    let mut suf = 0;
    while suf < al.len() - pre
        && suf < bl.len() - pre
        && al[al.len() - 1 - suf] == bl[bl.len() - 1 - suf]
    {
        suf += 1;
    }
    let am = &al[pre..al.len() - suf];
    let bm = &bl[pre..bl.len() - suf];
    let ctx = 3;
    for l in &al[pre.saturating_sub(ctx)..pre] {
        out.push_str(&format!(" {}", show_line(l)));
    }
    if am.len() * bm.len() <= 4_000_000 {
        // Classic LCS table.
        let (n, m) = (am.len(), bm.len());
        let mut t = vec![0u32; (n + 1) * (m + 1)];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                t[i * (m + 1) + j] = if am[i] == bm[j] {
                    t[(i + 1) * (m + 1) + j + 1] + 1
                } else {
                    t[(i + 1) * (m + 1) + j].max(t[i * (m + 1) + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && am[i] == bm[j] {
                out.push_str(&format!(" {}", show_line(am[i])));
                i += 1;
                j += 1;
            } else if i < n && (j == m || t[(i + 1) * (m + 1) + j] >= t[i * (m + 1) + j + 1]) {
                out.push_str(&format!("-{}", show_line(am[i])));
                i += 1;
            } else {
                out.push_str(&format!("+{}", show_line(bm[j])));
                j += 1;
            }
        }
    } else {
        out.push_str(&format!(
            "@@ first difference at line {} ({} vs {} differing lines) @@\n",
            pre + 1,
            am.len(),
            bm.len()
        ));
        for l in am.iter().take(20) {
            out.push_str(&format!("-{}", show_line(l)));
        }
        for l in bm.iter().take(20) {
            out.push_str(&format!("+{}", show_line(l)));
        }
    }
    let tail_start = al.len() - suf;
    for l in &al[tail_start..(tail_start + ctx).min(al.len())] {
        out.push_str(&format!(" {}", show_line(l)));
    }
    if out.len() > 40_000 {
        truncate_for_display(&out)
    } else {
        out
    }
}

fn show_line(l: &str) -> String {
    if l.ends_with('\n') {
        l.to_string()
    } else {
        format!("{l}\n\\ No newline at end of text\n")
    }
}

/// Checks that a native run of a conformance program is sane: none of its own consistency
/// checks may have failed (lines ending in `: FAIL` or starting with `FAIL`) and it must
/// end with `expected` (as a shell code).
pub fn assert_native_sane(native: &Output, expected: i32) {
    if native.timed_out || native.status.shell_code() != expected {
        panic!(
            "the program does not behave as expected NATIVELY (expected exit status {expected}); \
             the test program itself is wrong or the host differs\n{}",
            native.describe()
        );
    }
    let out = native.stdout_str();
    // CHECK() prints "<cond>: FAIL"; explicit failures are lines starting with "FAIL".
    if let Some(l) = out
        .lines()
        .find(|l| l.ends_with(": FAIL") || l.starts_with("FAIL"))
    {
        panic!(
            "the program reports a failed check NATIVELY: {l}\nthe test program itself is wrong or the host differs\n{}",
            native.describe()
        );
    }
}

/// The differential check: runs `cmd` natively and under `runsc do`; stdout and the exit
/// status (as a shell reports it) must be equal. `expected` is the exit status the native
/// run must have (0 for most programs, 139 for a SIGSEGV death, ...).
pub fn differential(cmd: &Cmd, expected: i32) -> (Output, Option<Output>) {
    differential_pair(cmd, cmd, expected)
}

/// [`differential`] with different command lines natively and in the sandbox (e.g. a
/// scratch directory of its own for each run, mounted with `--volume` in the sandbox).
pub fn differential_pair(native_cmd: &Cmd, cmd: &Cmd, expected: i32) -> (Output, Option<Output>) {
    let native = native_cmd.run_native();
    assert_native_sane(&native, expected);
    if native_only() {
        eprintln!(
            "SYSTESTS_NATIVE_ONLY: native run ok ({}, {} bytes of stdout); sandbox run skipped",
            native.status,
            native.stdout.len()
        );
        return (native, None);
    }
    let sandbox = cmd.run_sandbox();
    let same_out = native.stdout == sandbox.stdout;
    let same_status =
        native.status.shell_code() == sandbox.status.shell_code() && !sandbox.timed_out;
    if !same_out || !same_status {
        let mut msg = String::from("native and sandbox runs differ:\n");
        if !same_status {
            msg.push_str(&format!(
                "  status: native {} (shell code {}), sandbox {} (shell code {}){}\n",
                native.status,
                native.status.shell_code(),
                sandbox.status,
                sandbox.status.shell_code(),
                if sandbox.timed_out {
                    " -- the sandbox run TIMED OUT and was killed"
                } else {
                    ""
                }
            ));
        }
        if !same_out {
            msg.push_str("  stdout differs:\n");
            msg.push_str(&line_diff(
                "native",
                &native.stdout_str(),
                "sandbox",
                &sandbox.stdout_str(),
            ));
        }
        msg.push_str(&format!(
            "\nsandbox run:\n{}\nnative stderr:\n{}",
            sandbox.describe(),
            native.stderr_str()
        ));
        panic!("{msg}");
    }
    if std::env::var_os("SYSTESTS_KEEP_OUTPUT").is_some() {
        eprintln!("{}\n{}", native.describe(), sandbox.describe());
    }
    (native, Some(sandbox))
}

/// Runs `runsc <args...>` (e.g. `["do", "/bin/echo", "hi"]`) with the default time limit.
pub fn runsc_cmd<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    runsc_cmd_with(args, default_timeout(), None)
}

/// Like [`runsc_cmd`] with a time limit and optional stdin bytes.
pub fn runsc_cmd_with<I, S>(args: I, timeout: Duration, stdin: Option<&[u8]>) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut c = Command::new(runsc());
    c.args(args).env_clear();
    if let Some(p) = std::env::var_os("PATH") {
        c.env("PATH", p);
    }
    run_command(c, timeout, stdin)
}

/// For sandbox-only tests: returns false (after printing a note) in native-only mode.
pub fn sandbox_enabled(test: &str) -> bool {
    if native_only() {
        eprintln!("SYSTESTS_NATIVE_ONLY: sandbox-only test {test} skipped");
        false
    } else {
        true
    }
}

// ---------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------

/// Bumped whenever the fixture tree changes, so stale trees are not reused.
const FIXTURE_VERSION: u32 = 1;

/// The byte at offset `i` of `file.txt` and `big.bin`.
pub fn pattern_byte(i: usize) -> u8 {
    b'a' + ((i * 7 + i / 251) % 26) as u8
}

/// A directory tree of known content on the host, shared by all tests (created once):
///
/// ```text
/// file.txt        10000 bytes of pattern_byte(), mode 0644
/// big.bin         3*4096+100 bytes of pattern_byte(), 0644
/// small.txt       "hello, world\n", 0644
/// empty           0 bytes, 0644
/// mode0000        "secret\n", mode 0000
/// exec_text       "just some text\n", 0755 (not ELF, no #!)
/// exec_empty      empty, 0755
/// noexec.sh       "#!/bin/sh\necho hi\n", 0644 (no x bit)
/// script.sh       "#!/bin/sh -e\necho script-ran \"$0\" \"$@\"\n", 0755
/// script_badinterp "#!/nonexistent/interpreter\n", 0755
/// dir/            a b c (files: "A\n" "B\n" "C\n"), sub/ (dir), link -> a
/// link_rel -> file.txt, link_abs -> <abs>/file.txt, link_dir -> dir,
/// link_dangling -> nonexistent, loop1 -> loop2, loop2 -> loop1
/// ```
pub fn fixtures() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = bin_dir().join(format!("fixtures-v{FIXTURE_VERSION}"));
        if dir.join(".complete").exists() {
            return dir;
        }
        let tmp = bin_dir().join(format!(".{}", unique_name("fixtures")));
        build_fixtures(&tmp, &dir);
        fs::write(tmp.join(".complete"), "").unwrap();
        if fs::rename(&tmp, &dir).is_err() {
            // Another process won the race (or a partial old tree is in the way).
            if !dir.join(".complete").exists() {
                let _ = fs::remove_dir_all(&dir);
                fs::rename(&tmp, &dir).expect("install fixtures");
            } else {
                let _ = fs::remove_dir_all(&tmp);
            }
        }
        dir
    })
    .clone()
}

fn write_mode(path: &Path, content: &[u8], mode: u32) {
    fs::write(path, content).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

fn build_fixtures(tmp: &Path, final_dir: &Path) {
    fs::create_dir_all(tmp.join("dir/sub")).unwrap();
    let pat = |n: usize| (0..n).map(pattern_byte).collect::<Vec<u8>>();
    write_mode(&tmp.join("file.txt"), &pat(10000), 0o644);
    write_mode(&tmp.join("big.bin"), &pat(3 * 4096 + 100), 0o644);
    write_mode(&tmp.join("small.txt"), b"hello, world\n", 0o644);
    write_mode(&tmp.join("empty"), b"", 0o644);
    write_mode(&tmp.join("mode0000"), b"secret\n", 0o000);
    write_mode(&tmp.join("exec_text"), b"just some text\n", 0o755);
    write_mode(&tmp.join("exec_empty"), b"", 0o755);
    write_mode(&tmp.join("noexec.sh"), b"#!/bin/sh\necho hi\n", 0o644);
    write_mode(
        &tmp.join("script.sh"),
        b"#!/bin/sh -e\necho script-ran \"$0\" \"$@\"\n",
        0o755,
    );
    write_mode(
        &tmp.join("script_badinterp"),
        b"#!/nonexistent/interpreter\n",
        0o755,
    );
    for (n, c) in [("a", "A\n"), ("b", "B\n"), ("c", "C\n")] {
        write_mode(&tmp.join("dir").join(n), c.as_bytes(), 0o644);
    }
    fs::set_permissions(tmp.join("dir"), fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(tmp.join("dir/sub"), fs::Permissions::from_mode(0o755)).unwrap();
    symlink("a", tmp.join("dir/link")).unwrap();
    symlink("file.txt", tmp.join("link_rel")).unwrap();
    symlink(final_dir.join("file.txt"), tmp.join("link_abs")).unwrap();
    symlink("dir", tmp.join("link_dir")).unwrap();
    symlink("nonexistent", tmp.join("link_dangling")).unwrap();
    symlink("loop2", tmp.join("loop1")).unwrap();
    symlink("loop1", tmp.join("loop2")).unwrap();
    fs::set_permissions(tmp, fs::Permissions::from_mode(0o755)).unwrap();
}

/// Detach every mount whose mount point is below one of `prefixes`
/// (deepest first): what container engines' shims leave behind.
pub fn unmount_below(prefixes: &[&Path]) {
    let info = fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let prefixes: Vec<String> = prefixes
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let mut points: Vec<String> = info
        .lines()
        .filter_map(|l| l.split(' ').nth(4).map(str::to_string))
        .filter(|p| prefixes.iter().any(|x| p.starts_with(x.as_str())))
        .collect();
    points.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for p in points {
        let Ok(c) = std::ffi::CString::new(p) else {
            continue;
        };
        // SAFETY: a valid NUL-terminated path; umount2 touches no memory of ours.
        unsafe { libc::umount2(c.as_ptr(), libc::MNT_DETACH) };
    }
}

/// A fresh, empty scratch directory under the bin dir (not removed automatically).
pub fn scratch_dir(tag: &str) -> PathBuf {
    let d = bin_dir().join("scratch").join(unique_name(tag));
    fs::create_dir_all(&d).unwrap();
    d
}

// ---------------------------------------------------------------------------------------
// Host process inspection (isolation tests)
// ---------------------------------------------------------------------------------------

/// `(pid, ppid, comm)` of every process on the host.
pub fn host_processes() -> Vec<(i32, i32, String)> {
    let mut v = Vec::new();
    let Ok(rd) = fs::read_dir("/proc") else {
        return v;
    };
    for e in rd.flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // pid (comm) state ppid ...; comm may contain spaces and parentheses.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let comm = stat[open + 1..close].to_string();
        let rest: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        let Some(ppid) = rest.get(1).and_then(|s| s.parse().ok()) else {
            continue;
        };
        v.push((pid, ppid, comm));
    }
    v
}

/// All descendants of `root` (not including it) as `(pid, comm)`.
pub fn descendants(root: i32) -> Vec<(i32, String)> {
    let procs = host_processes();
    let mut out = Vec::new();
    let mut frontier = vec![root];
    while let Some(p) = frontier.pop() {
        for (pid, ppid, comm) in &procs {
            if *ppid == p && !out.iter().any(|(q, _)| q == pid) {
                out.push((*pid, comm.clone()));
                frontier.push(*pid);
            }
        }
    }
    out
}
