//! OCI lifecycle tests: `runsc` driven exactly as containerd's runc shim
//! drives it (global flags `--root R --log B/log.json --log-format json`
//! before every verb; create, start, ps, exec, pause, resume, kill, delete),
//! with a busybox-static root file system.
//!
//! The test process is a child subreaper, like the shim: the sentry and the
//! exec relays that `runsc create` / `runsc exec --detach` leave behind are
//! reparented to it, and it waits on the pid from the pid file to see the
//! container's exit status. Tests in this file run one at a time (a lock),
//! since each reaps every leftover child.
//!
//! The tests: `shim` (the shim's call sequence, kill, delete, bad input,
//! latency), `console` (console socket, terminal keys and size, `run` in the
//! foreground), `bundle` (config.json features: hooks, mounts, masks,
//! sysctls, namespaces, cgroup events, seccomp) — against runc where it runs.

mod bundle;
mod console;
mod shim;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use systests::{runsc, sandbox_enabled, scratch_dir};

static SERIAL: Mutex<()> = Mutex::new(());

/// The host's static busybox (installed by .ci/run; `apt-get install
/// busybox-static` otherwise).
fn busybox() -> Option<PathBuf> {
    ["/bin/busybox", "/usr/bin/busybox"]
        .iter()
        .map(PathBuf::from)
        .find(|p| {
            p.is_file()
                && Command::new("file")
                    .arg(p)
                    .output()
                    .map(|o| !String::from_utf8_lossy(&o.stdout).contains("dynamically"))
                    .unwrap_or(true)
        })
}

struct Env {
    dir: PathBuf,
    root: PathBuf,
    bundle: PathBuf,
    log: PathBuf,
    n: std::cell::Cell<u32>,
    _guard: std::sync::MutexGuard<'static, ()>,
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
    /// Where stdout went (the container's output for create/exec).
    stdout_path: PathBuf,
    cmdline: String,
}

impl Out {
    fn ok(&self) -> &Self {
        assert_eq!(self.code, 0, "{}", self.describe());
        self
    }
    fn describe(&self) -> String {
        format!(
            "command: {}\nexit {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.cmdline, self.code, self.stdout, self.stderr
        )
    }
}

/// Become a subreaper (once) and reap whatever exited.
fn subreaper() {
    // SAFETY: prctl with integer arguments.
    unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) };
}

fn reap_all() {
    loop {
        let mut st = 0;
        // SAFETY: waitpid with a valid status pointer.
        let r = unsafe { libc::waitpid(-1, &mut st, libc::WNOHANG) };
        if r <= 0 {
            return;
        }
    }
}

/// Wait for `pid` (our child by reparenting); returns the shell-style code.
fn wait_pid(pid: i32) -> i32 {
    let mut st = 0;
    // SAFETY: waitpid with a valid status pointer.
    let r = unsafe { libc::waitpid(pid, &mut st, 0) };
    assert_eq!(
        r,
        pid,
        "waitpid({pid}): {}",
        std::io::Error::last_os_error()
    );
    if libc::WIFEXITED(st) {
        libc::WEXITSTATUS(st)
    } else {
        128 + libc::WTERMSIG(st)
    }
}

/// Living processes whose parent is this test process (zombies excluded).
fn live_children() -> Vec<(i32, String)> {
    let me = std::process::id() as i32;
    systests::descendants(me)
        .into_iter()
        .filter(|(pid, _)| {
            fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|s| s.rfind(')').map(|i| s[i + 2..].starts_with('Z')))
                == Some(false)
        })
        .collect()
}

fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    let t = Instant::now();
    while !f() {
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

impl Env {
    /// A bundle whose init runs `sh -c script`; None (skip) without busybox.
    fn new(test: &str, script: &str) -> Option<Env> {
        if !sandbox_enabled(test) {
            return None;
        }
        let guard = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
        let Some(bb) = busybox() else {
            eprintln!(
                "SKIP {test}: busybox-static is not installed (apt-get install busybox-static)"
            );
            return None;
        };
        subreaper();
        reap_all();
        let dir = scratch_dir(test);
        let bundle = dir.join("bundle");
        let bin = bundle.join("rootfs/bin");
        fs::create_dir_all(&bin).unwrap();
        fs::copy(&bb, bin.join("busybox")).unwrap();
        for l in ["sh", "sleep", "echo", "cat", "true", "false", "ls", "id"] {
            std::os::unix::fs::symlink("busybox", bin.join(l)).unwrap();
        }
        let e = Env {
            root: dir.join("state"),
            log: bundle.join("log.json"),
            bundle,
            dir,
            n: std::cell::Cell::new(0),
            _guard: guard,
        };
        e.write_config(script);
        Some(e)
    }

    fn write_config(&self, script: &str) {
        let cfg = serde_json(script);
        fs::write(self.bundle.join("config.json"), cfg).unwrap();
    }

    /// `runsc --root R --log L --log-format json ARGS`, stdio to files.
    fn rs(&self, args: &[&str]) -> Out {
        let n = self.n.get() + 1;
        self.n.set(n);
        let out = self.dir.join(format!("out.{n}"));
        let err = self.dir.join(format!("err.{n}"));
        let mut c = Command::new(runsc());
        c.arg("--root")
            .arg(&self.root)
            .arg("--log")
            .arg(&self.log)
            .arg("--log-format")
            .arg("json")
            .args(args)
            .stdin(Stdio::null())
            .stdout(fs::File::create(&out).unwrap())
            .stderr(fs::File::create(&err).unwrap());
        let cmdline = format!("runsc {}", args.join(" "));
        let st = c.status().unwrap();
        Out {
            code: st
                .code()
                .unwrap_or(128 + std::os::unix::process::ExitStatusExt::signal(&st).unwrap_or(0)),
            stdout: fs::read_to_string(&out).unwrap_or_default(),
            stderr: fs::read_to_string(&err).unwrap_or_default(),
            stdout_path: out,
            cmdline,
        }
    }

    fn b(&self) -> &str {
        self.bundle.to_str().unwrap()
    }

    fn pid_file(&self) -> PathBuf {
        self.bundle.join("init.pid")
    }

    /// create + start; returns (sentry pid, container stdout path).
    fn create_start(&self, id: &str) -> (i32, PathBuf) {
        let pf = self.pid_file();
        let c = self.rs(&[
            "create",
            "--bundle",
            self.b(),
            "--pid-file",
            pf.to_str().unwrap(),
            id,
        ]);
        c.ok();
        let pid: i32 = fs::read_to_string(&pf).unwrap().trim().parse().unwrap();
        self.rs(&["start", id]).ok();
        (pid, c.stdout_path)
    }

    fn status(&self, id: &str) -> String {
        let o = self.rs(&["state", id]);
        o.ok();
        let v: serde_like::Value = serde_like::parse(&o.stdout);
        v.get_str("status")
    }

    fn log_errors(&self) -> Vec<String> {
        fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("\"level\":\"error\""))
            .map(str::to_string)
            .collect()
    }

    /// Nothing of the container is left: no state, no processes.
    fn assert_clean(&self, id: &str) {
        assert!(
            !self.root.join(id).exists(),
            "state dir of {id} left behind"
        );
        reap_all();
        let left = live_children();
        assert!(left.is_empty(), "processes left behind: {left:?}");
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        for (pid, _) in live_children() {
            // SAFETY: kill on a pid that is our own descendant.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        reap_all();
    }
}

fn serde_json(script: &str) -> String {
    let esc = script.replace('\\', "\\\\").replace('"', "\\\"");
    format!(
        r#"{{
  "ociVersion": "1.0.2",
  "process": {{
    "terminal": false,
    "user": {{"uid": 0, "gid": 0}},
    "args": ["sh", "-c", "{esc}"],
    "env": ["PATH=/bin", "TERM=xterm"],
    "cwd": "/",
    "capabilities": {{"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]}},
    "rlimits": [{{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}}],
    "noNewPrivileges": true
  }},
  "root": {{"path": "rootfs", "readonly": true}},
  "hostname": "lifecycle",
  "mounts": [{{"destination": "/proc", "type": "proc", "source": "proc"}}],
  "annotations": {{"org.example": "yes"}},
  "linux": {{"namespaces": [{{"type": "pid"}}, {{"type": "mount"}}, {{"type": "uts"}}, {{"type": "ipc"}}]}}
}}"#
    )
}

/// A tiny JSON reader for the few fields the tests look at (the test crate
/// has no serde).
mod serde_like {
    pub struct Value(String);
    pub fn parse(s: &str) -> Value {
        Value(s.to_string())
    }
    impl Value {
        pub fn get_str(&self, key: &str) -> String {
            let pat = format!("\"{key}\":");
            let Some(i) = self.0.find(&pat) else {
                return String::new();
            };
            let rest = self.0[i + pat.len()..].trim_start();
            let rest = rest.strip_prefix('"').unwrap_or(rest);
            rest.chars()
                .take_while(|c| *c != '"' && *c != ',' && *c != '\n')
                .collect()
        }
    }
    /// `[1,2,3]` → the numbers.
    pub fn int_array(s: &str) -> Option<Vec<i32>> {
        let t = s.trim().strip_prefix('[')?.strip_suffix(']')?;
        if t.trim().is_empty() {
            return Some(Vec::new());
        }
        t.split(',').map(|x| x.trim().parse().ok()).collect()
    }
}

fn file_has(p: &Path, what: &str) -> bool {
    fs::read_to_string(p).unwrap_or_default().contains(what)
}

/// `runc run` of the bundle as it is (its own state root under the test
/// dir): exit code and stdout, or None when runc is not installed or cannot
/// run a container on this machine.
fn runc_run(e: &Env, id: &str) -> Option<(i32, String)> {
    let runc = working_runc(e)?;
    let (code, out, _) = run_bundle(&runc, &e.dir.join("runc-state"), &e.bundle, id);
    Some((code, out))
}

/// `BIN --root ROOT run --bundle B ID` (runsc or runc), stdin closed;
/// (exit code, stdout, stderr).
fn run_bundle(bin: &Path, root: &Path, bundle: &Path, id: &str) -> (i32, String, String) {
    let o = Command::new(bin)
        .arg("--root")
        .arg(root)
        .args(["run", "--bundle"])
        .arg(bundle)
        .arg(id)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let code = o
        .status
        .code()
        .unwrap_or(128 + std::os::unix::process::ExitStatusExt::signal(&o.status).unwrap_or(0));
    (
        code,
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// runc, when it is installed and runs a plain container on this machine
/// (a harness check, so a machine where runc cannot run is not our fault).
fn working_runc(e: &Env) -> Option<PathBuf> {
    let runc = ["/usr/sbin/runc", "/usr/bin/runc"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())?;
    let probe = e.dir.join("probe");
    fs::create_dir_all(&probe).unwrap();
    let rootfs = e.bundle.join("rootfs");
    let cfg = serde_json("echo ok").replace(
        r#""path": "rootfs""#,
        &format!(r#""path": "{}""#, rootfs.display()),
    );
    fs::write(probe.join("config.json"), cfg).unwrap();
    let r = run_bundle(&runc, &e.dir.join("runc-probe"), &probe, "probe");
    if r.0 != 0 || r.1 != "ok\n" {
        eprintln!("runc does not run a container on this machine ({r:?}): no comparison");
        return None;
    }
    Some(runc)
}

/// One runc-style line on stderr, the same message in the JSON log, exit 1.
fn assert_bad(e: &Env, o: &Out, needle: &str) {
    assert_eq!(o.code, 1, "{}", o.describe());
    let lines: Vec<&str> = o.stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(
        lines.len(),
        1,
        "one line on stderr expected\n{}",
        o.describe()
    );
    assert!(
        lines[0].contains(needle),
        "{:?} does not mention {needle:?}",
        lines[0]
    );
    let log = e.log_errors();
    let last = log.last().cloned().unwrap_or_default();
    assert!(
        last.contains(needle),
        "JSON log's last error {last:?} lacks {needle:?}"
    );
    assert!(last.contains("\"time\":"), "{last}");
}
