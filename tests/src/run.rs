//! Running a program natively or under `runsc do`: [`Cmd`], [`Output`],
//! time limits, process groups, terminals driven by `script`.

use super::*;

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

pub(crate) fn truncate_for_display(s: &str) -> String {
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

pub(crate) fn describe_command(c: &Command) -> String {
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
