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

#[test]
fn shim_sequence() {
    let script = "echo started; trap 'echo got TERM; exit 7' TERM; while true; do sleep 0.05; done";
    let Some(e) = Env::new("lifecycle_shim", script) else {
        return;
    };
    let id = "shim1";
    let pf = e.pid_file();
    let c = e.rs(&[
        "create",
        "--bundle",
        e.b(),
        "--pid-file",
        pf.to_str().unwrap(),
        id,
    ]);
    c.ok();
    let pid: i32 = fs::read_to_string(&pf).unwrap().trim().parse().unwrap();
    assert!(Path::new(&format!("/proc/{pid}")).exists());
    assert_eq!(e.status(id), "created");
    let st = e.rs(&["state", id]);
    assert!(
        st.stdout.contains(&format!("\"pid\": {pid}")),
        "{}",
        st.describe()
    );
    assert!(
        st.stdout.contains("\"org.example\": \"yes\""),
        "{}",
        st.describe()
    );
    assert!(st.stdout.contains("\"ociVersion\""), "{}", st.describe());
    // Nothing runs before start.
    std::thread::sleep(Duration::from_millis(100));
    assert!(!file_has(&c.stdout_path, "started"));
    e.rs(&["start", id]).ok();
    assert_eq!(e.status(id), "running");
    wait_for("init's output", || file_has(&c.stdout_path, "started"));
    // A second start is refused.
    assert_eq!(e.rs(&["start", id]).code, 1);

    // ps: host pids of the sandbox's processes.
    let ps = e.rs(&["ps", "--format", "json", id]);
    ps.ok();
    let pids = serde_like::int_array(&ps.stdout).unwrap_or_else(|| panic!("{}", ps.describe()));
    assert!(!pids.is_empty(), "{}", ps.describe());
    // The first is init's (sorted by sandbox pid): the host stub process
    // running its code. (Others, like the loop's sleeps, come and go.)
    let comm = fs::read_to_string(format!("/proc/{}/comm", pids[0])).unwrap_or_default();
    assert_eq!(
        comm.trim(),
        "runsc-stub",
        "ps pid {} is not init's stub",
        pids[0]
    );
    assert!(
        !pids.contains(&pid),
        "init has a stub, not the sentry's pid"
    );

    // exec --process F --detach --pid-file P: a relay stands for the process.
    let proc_json = e.dir.join("process.json");
    fs::write(
        &proc_json,
        r#"{"terminal": false, "user": {"uid": 0, "gid": 0}, "args": ["sh", "-c", "echo exec-out $HOME; exit 4"], "env": ["PATH=/bin", "HOME=/root"], "cwd": "/"}"#,
    )
    .unwrap();
    let ep = e.dir.join("exec.pid");
    let x = e.rs(&[
        "exec",
        "--process",
        proc_json.to_str().unwrap(),
        "--detach",
        "--pid-file",
        ep.to_str().unwrap(),
        id,
    ]);
    x.ok();
    let relay: i32 = fs::read_to_string(&ep).unwrap().trim().parse().unwrap();
    assert_eq!(wait_pid(relay), 4, "exec --detach status");
    assert!(
        file_has(&x.stdout_path, "exec-out /root"),
        "{}",
        x.describe()
    );

    // exec flags: --user, --env, --cwd (flags between the id and the command).
    let x3 = e.rs(&[
        "exec",
        "--user",
        "1000:1001",
        id,
        "--env",
        "FOO=bar",
        "--cwd",
        "/bin",
        "sh",
        "-c",
        "echo $(id -u) $(id -g) $FOO $(pwd) $PATH",
    ]);
    x3.ok();
    assert_eq!(x3.stdout, "1000 1001 bar /bin /bin\n", "{}", x3.describe());
    // exec without --detach, trailing-command form.
    let x2 = e.rs(&["exec", id, "sh", "-c", "echo fg; exit 3"]);
    assert_eq!(x2.code, 3, "{}", x2.describe());
    assert_eq!(x2.stdout, "fg\n");
    // A signal to the relay reaches the process.
    let ep2 = e.dir.join("exec2.pid");
    e.rs(&[
        "exec",
        "--detach",
        "--pid-file",
        ep2.to_str().unwrap(),
        id,
        "sleep",
        "30",
    ])
    .ok();
    let relay2: i32 = fs::read_to_string(&ep2).unwrap().trim().parse().unwrap();
    // SAFETY: kill of our own child.
    unsafe { libc::kill(relay2, libc::SIGTERM) };
    assert_eq!(wait_pid(relay2), 128 + libc::SIGTERM);

    // Paused: the init loop stops printing; resumed: it goes on.
    let e2 = e.dir.join("ticks.pid");
    let ticker = e.rs(&[
        "exec",
        "--detach",
        "--pid-file",
        e2.to_str().unwrap(),
        id,
        "sh",
        "-c",
        "while true; do echo tick; sleep 0.02; done",
    ]);
    ticker.ok();
    let ticks = || {
        fs::read_to_string(&ticker.stdout_path)
            .unwrap_or_default()
            .len()
    };
    wait_for("ticks", || ticks() > 0);
    e.rs(&["pause", id]).ok();
    assert_eq!(e.status(id), "paused");
    // A task finishes the syscall it is in before it parks: give it time.
    std::thread::sleep(Duration::from_millis(300));
    let frozen = ticks();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(ticks(), frozen, "output went on while paused");
    assert_eq!(e.rs(&["pause", id]).code, 1);
    e.rs(&["resume", id]).ok();
    assert_eq!(e.status(id), "running");
    wait_for("ticks after resume", || ticks() > frozen);
    let ticker_pid: i32 = fs::read_to_string(&e2).unwrap().trim().parse().unwrap();
    // SAFETY: kill of our own child (the relay), which forwards it.
    unsafe { libc::kill(ticker_pid, libc::SIGINT) };
    assert_eq!(wait_pid(ticker_pid), 128 + libc::SIGINT);

    let l = e.rs(&["list", "--format", "json"]);
    assert!(l.stdout.contains("\"id\":\"shim1\""), "{}", l.describe());
    let q = e.rs(&["list", "-q"]);
    assert_eq!(q.stdout, "shim1\n");

    e.rs(&["kill", id, "15"]).ok();
    assert_eq!(wait_pid(pid), 7, "init's trap exits 7");
    assert!(file_has(&c.stdout_path, "got TERM"));
    assert_eq!(e.status(id), "stopped");
    let s = e.rs(&["state", id]);
    assert!(s.stdout.contains("\"pid\": 0"), "{}", s.describe());
    e.rs(&["delete", id]).ok();
    e.assert_clean(id);
    // Only the two refusals above were logged as errors.
    let errs = e.log_errors();
    assert_eq!(errs.len(), 2, "errors logged: {errs:?}");
    assert!(
        errs[0].contains("cannot start an already running container"),
        "{errs:?}"
    );
    assert!(errs[1].contains("container not running"), "{errs:?}");
}

#[test]
fn kill_9_is_137_and_init_ignores_unhandled_sigterm() {
    let Some(e) = Env::new("lifecycle_kill", "while true; do sleep 1; done") else {
        return;
    };
    let (pid, _) = e.create_start("k9");
    e.rs(&["kill", "k9", "9"]).ok();
    assert_eq!(wait_pid(pid), 137);
    assert_eq!(e.status("k9"), "stopped");
    // Killing a stopped container: runc's message, which the shim maps to
    // "not found".
    let k = e.rs(&["kill", "k9", "KILL"]);
    assert_eq!(k.code, 1);
    assert!(
        k.stderr.contains("container not running"),
        "{}",
        k.describe()
    );
    e.rs(&["delete", "k9"]).ok();
    e.assert_clean("k9");

    // As with runc, init without a TERM handler ignores SIGTERM from
    // outside its pid namespace; another process gets it.
    let (pid, _) = e.create_start("k15");
    e.rs(&["kill", "k15", "SIGTERM"]).ok();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(e.status("k15"), "running");
    let rp = e.dir.join("relay.pid");
    e.rs(&[
        "exec",
        "--detach",
        "--pid-file",
        rp.to_str().unwrap(),
        "k15",
        "sleep",
        "30",
    ])
    .ok();
    let relay: i32 = fs::read_to_string(&rp).unwrap().trim().parse().unwrap();
    e.rs(&["kill", "--all", "k15", "TERM"]).ok();
    assert_eq!(
        wait_pid(relay),
        143,
        "kill --all reaches the exec'd process"
    );
    assert_eq!(e.status("k15"), "running");
    e.rs(&["kill", "k15", "KILL"]).ok();
    assert_eq!(wait_pid(pid), 137);
    e.rs(&["delete", "k15"]).ok();
    e.assert_clean("k15");
}

#[test]
fn delete_force_and_killed_sandboxes() {
    let Some(e) = Env::new("lifecycle_delete", "while true; do sleep 1; done") else {
        return;
    };
    // A running container needs --force.
    let (pid, _) = e.create_start("d1");
    let d = e.rs(&["delete", "d1"]);
    assert_eq!(d.code, 1);
    assert!(d.stderr.contains("not stopped"), "{}", d.describe());
    let t = Instant::now();
    e.rs(&["delete", "--force", "d1"]).ok();
    eprintln!("delete --force of a running sandbox: {:?}", t.elapsed());
    assert_eq!(wait_pid(pid), 137);
    e.assert_clean("d1");
    // Flags after the id.
    let pf = e.pid_file();
    e.rs(&[
        "create",
        "d2",
        "--bundle",
        e.b(),
        "--pid-file",
        pf.to_str().unwrap(),
    ])
    .ok();
    let pid: i32 = fs::read_to_string(&pf).unwrap().trim().parse().unwrap();
    // A created (never started) container is deleted without --force.
    e.rs(&["delete", "d2"]).ok();
    assert_eq!(wait_pid(pid), 137);
    e.assert_clean("d2");

    // kill -9 of the sentry from outside, then delete.
    let (pid, _) = e.create_start("d3");
    // SAFETY: kill of our own child.
    unsafe { libc::kill(pid, libc::SIGKILL) };
    assert_eq!(wait_pid(pid), 137);
    assert_eq!(e.status("d3"), "stopped");
    e.rs(&["delete", "d3"]).ok();
    e.assert_clean("d3");

    // kill -9 of the gofer, then delete --force.
    let (pid, _) = e.create_start("d4");
    let state = fs::read_to_string(e.root.join("d4/state.json")).unwrap();
    let gofer: i32 = serde_like::parse(&state)
        .get_str("gofer_pid")
        .parse()
        .unwrap();
    assert!(gofer > 0);
    // SAFETY: kill of our own descendant.
    unsafe { libc::kill(gofer, libc::SIGKILL) };
    e.rs(&["delete", "--force", "d4"]).ok();
    assert_eq!(wait_pid(pid), 137);
    e.assert_clean("d4");
    // Deleting a missing container with --force is fine; without, an error.
    e.rs(&["delete", "--force", "d4"]).ok();
    assert_eq!(e.rs(&["delete", "d4"]).code, 1);

    // Two shims deleting at once (the lock serialises them) while others
    // read the state: every call succeeds or says the container is gone.
    let (pid, _) = e.create_start("d5");
    let spawn = |args: &[&str]| {
        Command::new(runsc())
            .arg("--root")
            .arg(&e.root)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let deleters: Vec<_> = (0..2)
        .map(|_| spawn(&["delete", "--force", "d5"]))
        .collect();
    let readers: Vec<_> = (0..4).map(|_| spawn(&["state", "d5"])).collect();
    for d in deleters {
        let o = d.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    for r in readers {
        let o = r.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            o.status.success() || err.contains("does not exist"),
            "state: {err}"
        );
    }
    assert_eq!(wait_pid(pid), 137);
    e.assert_clean("d5");
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

#[test]
fn bad_input() {
    let Some(e) = Env::new("lifecycle_bad", "sleep 1") else {
        return;
    };
    let create = |e: &Env, bundle: &str, id: &str| {
        let pf = e.dir.join("bad.pid");
        e.rs(&[
            "create",
            "--bundle",
            bundle,
            "--pid-file",
            pf.to_str().unwrap(),
            id,
        ])
    };
    let b = e.b().to_string();
    // Missing config.json.
    let empty = e.dir.join("empty");
    fs::create_dir_all(&empty).unwrap();
    assert_bad(
        &e,
        &create(&e, empty.to_str().unwrap(), "x1"),
        "config.json",
    );
    // Malformed and wrongly typed config.json.
    let bad = e.dir.join("badjson");
    fs::create_dir_all(bad.join("rootfs")).unwrap();
    fs::write(bad.join("config.json"), "{ not json").unwrap();
    assert_bad(&e, &create(&e, bad.to_str().unwrap(), "x2"), "config.json");
    fs::write(
        bad.join("config.json"),
        r#"{"ociVersion": "1.0.2", "process": {"args": "sh", "cwd": "/", "user": {"uid": 0, "gid": 0}}, "root": {"path": "rootfs"}}"#,
    )
    .unwrap();
    assert_bad(&e, &create(&e, bad.to_str().unwrap(), "x3"), "config.json");
    // Nonexistent bundle and rootfs.
    assert_bad(
        &e,
        &create(&e, "/nonexistent/bundle", "x4"),
        "/nonexistent/bundle",
    );
    fs::write(
        bad.join("config.json"),
        r#"{"ociVersion": "1.0.2", "process": {"args": ["sh"], "cwd": "/", "user": {"uid": 0, "gid": 0}}, "root": {"path": "nowhere"}}"#,
    )
    .unwrap();
    assert_bad(&e, &create(&e, bad.to_str().unwrap(), "x5"), "nowhere");
    // A program that does not exist fails create.
    e.write_config("exit 0");
    let cfg = fs::read_to_string(e.bundle.join("config.json")).unwrap();
    fs::write(
        e.bundle.join("config.json"),
        cfg.replace(r#"["sh", "-c", "exit 0"]"#, r#"["/bin/nope"]"#),
    )
    .unwrap();
    assert_bad(&e, &create(&e, &b, "x6"), "nope");
    // A pid file in a missing directory.
    e.write_config("sleep 1");
    let o = e.rs(&[
        "create",
        "--bundle",
        &b,
        "--pid-file",
        "/nonexistent/dir/p.pid",
        "x7",
    ]);
    assert_bad(&e, &o, "/nonexistent/dir");
    // None of these left state.
    for id in ["x1", "x2", "x3", "x4", "x5", "x6", "x7"] {
        assert!(!e.root.join(id).exists(), "partial state for {id}");
    }
    reap_all();
    assert!(live_children().is_empty(), "{:?}", live_children());
    // Duplicate id.
    let (pid, _) = e.create_start("dup");
    assert_bad(&e, &create(&e, &b, "dup"), "exists");
    // Unknown signal.
    assert_bad(&e, &e.rs(&["kill", "dup", "SIGNOPE"]), "unknown signal");
    assert_eq!(wait_pid(pid), 0);
    // Exec into a stopped container.
    assert_bad(&e, &e.rs(&["exec", "dup", "true"]), "stopped");
    // Unknown container.
    assert_bad(&e, &e.rs(&["state", "ghost"]), "does not exist");
    e.rs(&["delete", "dup"]).ok();
    e.assert_clean("dup");
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// create / start / delete latencies (medians of 10), against runc when it
/// is installed. A measurement, not a check: `-- --ignored` runs it.
#[test]
#[ignore = "measurement: run with --ignored --nocapture"]
fn latency() {
    let Some(e) = Env::new("lifecycle_latency", "sleep 5") else {
        return;
    };
    let runc = Path::new("/usr/sbin/runc")
        .exists()
        .then(|| PathBuf::from("/usr/sbin/runc"));
    let mut rows = Vec::new();
    for (name, bin) in [("runsc", Some(runsc())), ("runc", runc)] {
        let Some(bin) = bin else {
            eprintln!("runc not installed: no comparison");
            continue;
        };
        let (mut c, mut s, mut d) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..10 {
            let id = format!("lat{i}");
            let root = e.dir.join(format!("root-{name}"));
            let run = |args: &[&str]| {
                let t = Instant::now();
                let st = Command::new(&bin)
                    .arg("--root")
                    .arg(&root)
                    .args(args)
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .unwrap();
                assert!(st.success(), "{name} {args:?}");
                t.elapsed()
            };
            c.push(run(&["create", "--bundle", e.b(), &id]));
            s.push(run(&["start", &id]));
            d.push(run(&["delete", "--force", &id]));
            reap_all();
        }
        rows.push(format!(
            "{name:6} create {:?}  start {:?}  delete --force {:?}",
            median(c),
            median(s),
            median(d)
        ));
    }
    for r in rows {
        eprintln!("{r}");
    }
}

/// Accept one connection on a console socket and take the pty master from
/// it (runc's protocol: one message with the fd in SCM_RIGHTS).
fn recv_master(l: &std::os::unix::net::UnixListener) -> (std::fs::File, String) {
    use std::os::fd::{AsRawFd, FromRawFd};
    let (c, _) = l.accept().unwrap();
    let mut data = [0u8; 256];
    let mut cbuf = [0u64; 8];
    let mut iov = libc::iovec {
        iov_base: data.as_mut_ptr().cast(),
        iov_len: data.len(),
    };
    // SAFETY: a zeroed msghdr is valid; the pointers below outlive the call.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cbuf.as_mut_ptr().cast();
    msg.msg_controllen = std::mem::size_of_val(&cbuf);
    // SAFETY: msg points at live buffers of the sizes given.
    let n = unsafe { libc::recvmsg(c.as_raw_fd(), &mut msg, 0) };
    assert!(n > 0, "recvmsg: {}", std::io::Error::last_os_error());
    // SAFETY: the kernel filled msg; CMSG_FIRSTHDR/CMSG_DATA walk it.
    let fd = unsafe {
        let h = libc::CMSG_FIRSTHDR(&msg);
        assert!(
            !h.is_null() && (*h).cmsg_type == libc::SCM_RIGHTS,
            "no fd received"
        );
        std::ptr::read_unaligned(libc::CMSG_DATA(h) as *const i32)
    };
    let name = String::from_utf8_lossy(&data[..n as usize]).into_owned();
    // SAFETY: SCM_RIGHTS gave us this fd.
    (unsafe { std::fs::File::from_raw_fd(fd) }, name)
}

/// What the pty master yields until `until` shows up (or EOF, or 20 s).
/// Not until EOF: the sentry may keep a host tty fd open (/dev/tty).
fn read_master(m: std::fs::File, until: &str) -> String {
    use std::io::Read;
    use std::os::fd::AsRawFd;
    let mut m = m;
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(20) {
        if String::from_utf8_lossy(&out).contains(until) {
            break;
        }
        let mut p = libc::pollfd {
            fd: m.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        if unsafe { libc::poll(&mut p, 1, 200) } <= 0 {
            continue;
        }
        match m.read(&mut buf) {
            Ok(0) | Err(_) => break, // EIO once every slave fd is closed
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn console_socket() {
    let Some(e) = Env::new("lifecycle_tty", "while true; do sleep 1; done") else {
        return;
    };
    let sock = e.dir.join("console.sock");
    let l = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    // exec --tty --console-socket: the process's stdio is a terminal.
    let (pid, _) = e.create_start("t1");
    let reader = std::thread::spawn(move || {
        let (m, name) = recv_master(&l);
        (read_master(m, "is-a-tty"), name, l)
    });
    let x = e.rs(&[
        "exec",
        "--tty",
        "--console-socket",
        sock.to_str().unwrap(),
        "t1",
        "sh",
        "-c",
        "[ -t 0 ] && [ -t 1 ] && echo is-a-tty; exit 9",
    ]);
    assert_eq!(x.code, 9, "{}", x.describe());
    let (out, name, l) = reader.join().unwrap();
    assert_eq!(name, "/dev/ptmx");
    assert!(out.contains("is-a-tty"), "pty output: {out:?}");
    e.rs(&["kill", "t1", "9"]).ok();
    assert_eq!(wait_pid(pid), 137);
    e.rs(&["delete", "t1"]).ok();

    // create with process.terminal: init's stdio is the pty.
    let cfg = fs::read_to_string(e.bundle.join("config.json")).unwrap();
    fs::write(
        e.bundle.join("config.json"),
        cfg.replace("\"terminal\": false", "\"terminal\": true")
            .replace(
                "while true; do sleep 1; done",
                "[ -t 1 ] && echo init-tty; exit 2",
            ),
    )
    .unwrap();
    // Without a console socket, create refuses (it would detach).
    let pf = e.pid_file();
    let c = e.rs(&["create", "--bundle", e.b(), "t2"]);
    assert_bad(&e, &c, "console socket");
    let reader = std::thread::spawn(move || read_master(recv_master(&l).0, "init-tty"));
    e.rs(&[
        "create",
        "--bundle",
        e.b(),
        "--console-socket",
        sock.to_str().unwrap(),
        "--pid-file",
        pf.to_str().unwrap(),
        "t2",
    ])
    .ok();
    let pid: i32 = fs::read_to_string(&pf).unwrap().trim().parse().unwrap();
    e.rs(&["start", "t2"]).ok();
    assert_eq!(wait_pid(pid), 2);
    let out = reader.join().unwrap();
    assert!(out.contains("init-tty"), "pty output: {out:?}");
    e.rs(&["delete", "t2"]).ok();
    e.assert_clean("t2");
}

/// Where the terminal of [`console_scenario`] comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Init's, from `create --console-socket`.
    Init,
    /// A process's from `exec --detach --tty --console-socket`.
    Exec,
    /// `run` in the foreground on the caller's terminal.
    Run,
}

/// A pty master from a console socket, read as the steps of a scenario
/// need it.
struct Master {
    f: fs::File,
    seen: String,
}

impl Master {
    /// Read until `what` shows up in what was read so far; false after 10 s
    /// or at EOF.
    fn wait(&mut self, what: &str) -> bool {
        use std::io::Read;
        use std::os::fd::AsRawFd;
        let t = Instant::now();
        let mut buf = [0u8; 4096];
        while !self.seen.contains(what) {
            if t.elapsed() > Duration::from_secs(10) {
                return false;
            }
            let mut p = libc::pollfd {
                fd: self.f.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd.
            if unsafe { libc::poll(&mut p, 1, 200) } <= 0 {
                continue;
            }
            match self.f.read(&mut buf) {
                Ok(0) | Err(_) => return false,
                Ok(n) => self.seen.push_str(&String::from_utf8_lossy(&buf[..n])),
            }
        }
        true
    }

    fn type_keys(&mut self, keys: &[u8]) {
        use std::io::Write;
        self.f.write_all(keys).unwrap();
    }

    /// TIOCSWINSZ on the master, as containerd and Docker resize a console.
    fn resize(&self, rows: u16, cols: u16) {
        use std::os::fd::AsRawFd;
        let ws = libc::winsize {
            ws_row: rows,
            ws_col: cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: TIOCSWINSZ reads one winsize from a valid pointer.
        let r = unsafe { libc::ioctl(self.f.as_raw_fd(), libc::TIOCSWINSZ, &ws) };
        assert_eq!(r, 0, "TIOCSWINSZ: {}", std::io::Error::last_os_error());
    }
}

/// `tests/sandbox/tty_signals.c` as a container's init with a terminal,
/// run by `bin` (runc or runsc) with create --console-socket, driven
/// through the pty master: resize, ^C, ^\, ^Z, ^C to a job in the
/// foreground, then the master closes. Returns the program's report lines
/// and init's exit status (or a description of where it got stuck).
fn console_scenario(
    e: &Env,
    bin: &Path,
    name: &str,
    mode: Mode,
) -> Result<(Vec<String>, i32), String> {
    let exec = mode == Mode::Exec;
    let name = &format!("{name}-{mode:?}");
    let id = format!("con-{name}");
    // runc opens the pty in the container: it needs /dev/pts and /dev/ptmx.
    let cfg = serde_json("sleep 1000").replace(
        r#""mounts": ["#,
        r#""mounts": [{"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]},
                      {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},"#,
    );
    let cfg = if exec {
        cfg
    } else {
        cfg.replace("\"terminal\": false", "\"terminal\": true")
            .replace(r#"["sh", "-c", "sleep 1000"]"#, r#"["/bin/tty_signals"]"#)
    };
    fs::write(e.bundle.join("config.json"), cfg).unwrap();
    let root = e.dir.join(format!("root-{name}"));
    let sock = e.dir.join(format!("console-{name}.sock"));
    let pf = e.dir.join(format!("{name}.pid"));
    // Stderr to a file: the container keeps the stdio of `create` (a pipe
    // would never see EOF).
    let err = e.dir.join(format!("{name}.err"));
    let rt = |args: &[&str]| {
        let st = Command::new(bin)
            .arg("--root")
            .arg(&root)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(&err).unwrap())
            .status()
            .unwrap();
        (st.success(), fs::read_to_string(&err).unwrap_or_default())
    };
    if mode == Mode::Run {
        return run_on_own_tty(e, bin, &root, &id);
    }
    let l = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    let taker = std::thread::spawn(move || recv_master(&l).0);
    let (sock_s, pf_s) = (sock.to_str().unwrap(), pf.to_str().unwrap());
    let console = ["--console-socket", sock_s, "--pid-file", pf_s];
    let mut create = vec!["create", "--bundle", e.b()];
    if !exec {
        create.extend(console);
    }
    create.push(&id);
    let (ok, msg) = rt(&create);
    if !ok {
        return Err(format!("{name} create: {msg}"));
    }
    let (ok, msg) = rt(&["start", &id]);
    assert!(ok, "{name} start: {msg}");
    if exec {
        // As containerd's shim: exec --detach --tty with a console socket.
        let mut x = vec!["exec", "--detach", "--tty"];
        x.extend(console);
        x.extend([id.as_str(), "/bin/tty_signals"]);
        let (ok, msg) = rt(&x);
        if !ok {
            rt(&["delete", "--force", &id]);
            return Err(format!("{name} exec: {msg}"));
        }
    }
    let m = Master {
        f: taker.join().unwrap(),
        seen: String::new(),
    };
    let pid: i32 = fs::read_to_string(&pf).unwrap().trim().parse().unwrap();
    // The console goes away: a hangup of the session (SIGHUP to its
    // leader, which exits 7).
    let r = drive_console(m, pid, name, drop);
    rt(&["delete", "--force", &id]);
    reap_all();
    r
}

/// `bin run` in the foreground on a terminal of its own (the test holds
/// the master), as a user at a shell would start it: `process.terminal`
/// without a console socket.
fn run_on_own_tty(
    e: &Env,
    bin: &Path,
    root: &Path,
    id: &str,
) -> Result<(Vec<String>, i32), String> {
    use std::os::fd::FromRawFd;
    use std::os::unix::process::CommandExt;
    let (mut master, mut slave) = (-1, -1);
    // SAFETY: openpty writes two fds; no name, termios or size given.
    let r = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(r, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: openpty gave us these fds.
    let (master, slave) = unsafe { (fs::File::from_raw_fd(master), fs::File::from_raw_fd(slave)) };
    let mut c = Command::new(bin);
    c.arg("--root")
        .arg(root)
        .args(["run", "--bundle", e.b(), id])
        .stdin(slave.try_clone().unwrap())
        .stdout(slave.try_clone().unwrap())
        .stderr(slave);
    // SAFETY: setsid and ioctl are async-signal-safe.
    unsafe {
        c.pre_exec(|| {
            if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    // Waited for with waitpid by drive_console (a subreaper's wait_pid).
    let pid = c.spawn().unwrap().id() as i32;
    let m = Master {
        f: master,
        seen: String::new(),
    };
    // runc does not pass a hangup of its own terminal on: end with a kill.
    let kill = |_m: Master| {
        let st = Command::new(bin)
            .arg("--root")
            .arg(root)
            .args(["kill", id, "9"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(st.success(), "kill {id}");
    };
    let r = drive_console(m, pid, id, kill);
    reap_all();
    r
}

/// The steps of [`console_scenario`] on the master `m`; `pid` is the
/// process whose exit status is init's (waited for after the master is
/// closed).
fn drive_console(
    mut m: Master,
    pid: i32,
    name: &str,
    finish: impl FnOnce(Master),
) -> Result<(Vec<String>, i32), String> {
    let steps: &[(&[u8], &str)] = &[
        (b"", "ready"),
        (b"", "WINCH"),
        (b"\x03", "got INT"),
        (b"\x1c", "got QUIT"),
        (b"\x1a", "child ready"),
        (b"\x03", "fg back"),
    ];
    let mut stuck = None;
    for (keys, until) in steps {
        if *until == "WINCH" {
            m.resize(30, 100);
        } else {
            m.type_keys(keys);
        }
        if !m.wait(until) {
            stuck = Some(format!("{name}: no {until:?} in {:?}", m.seen));
            break;
        }
    }
    let seen = std::mem::take(&mut m.seen);
    let code = if stuck.is_none() {
        finish(m);
        wait_pid(pid)
    } else {
        // SAFETY: kill of a process we started (run) or that was
        // reparented to us.
        unsafe { libc::kill(pid, libc::SIGKILL) };
        -1
    };
    if let Some(s) = stuck {
        return Err(s);
    }
    // The line discipline echoes the keys (ECHOCTL: "^C") before or after
    // the program's line, depending on who runs first.
    let lines = seen
        .replace("^C", "")
        .replace("^\\", "")
        .replace("^Z", "")
        .lines()
        .map(str::trim)
        .filter(|l| {
            ["ids", "got", "child", "fg", "tcsetpgrp"]
                .iter()
                .any(|p| l.starts_with(p))
        })
        .map(str::to_string)
        .collect();
    Ok((lines, code))
}

/// The console's keys and size reach the sandbox as on Linux: the sentry
/// leads the pty's session, and passes the line discipline's signals on to
/// the sandbox's foreground process group (SIGWINCH with the new size,
/// ^C, ^\, ^Z; ^C to a job that took the foreground), and the master's
/// close hangs the session up (SIGHUP to init). Compared with runc on the
/// same bundle when runc works on the machine.
#[test]
fn console_signals() {
    let Some(e) = Env::new("lifecycle_console_signals", "true") else {
        return;
    };
    let prog = systests::compile_sandbox_program("tty_signals", systests::Link::Static);
    fs::copy(&prog, e.bundle.join("rootfs/bin/tty_signals")).unwrap();
    fs::create_dir_all(e.bundle.join("rootfs/dev")).unwrap();
    fs::create_dir_all(e.bundle.join("rootfs/proc")).unwrap();
    for mode in [Mode::Init, Mode::Exec, Mode::Run] {
        let exec = mode == Mode::Exec;
        let ids = format!("ids init={} session-leader=1 fg-is-mine=1", u8::from(!exec));
        let expected: Vec<String> = [
            ids.as_str(),
            "got WINCH 30x100",
            "got INT",
            "got QUIT",
            "got TSTP",
            "child ready",
            "child got INT",
            "child exit 3",
            "fg back mine=1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let what = format!("{mode:?}");
        let runc = Path::new("/usr/sbin/runc");
        if runc.exists() {
            match console_scenario(&e, runc, "runc", mode) {
                Ok(r) => assert_eq!(
                    r,
                    (expected.clone(), if mode == Mode::Run { 137 } else { 7 }),
                    "runc (the reference), {what}"
                ),
                Err(why) => eprintln!("runc cannot run the scenario here ({why}): no comparison"),
            }
        }
        let code = if mode == Mode::Run { 137 } else { 7 };
        let ours = console_scenario(&e, &runsc(), "runsc", mode);
        assert_eq!(ours, Ok((expected, code)), "{what}");
        assert!(live_children().is_empty(), "{:?}", live_children());
    }
}

#[test]
fn run_foreground_and_detached() {
    let Some(e) = Env::new("lifecycle_run", "echo ran; exit 5") else {
        return;
    };
    let r = e.rs(&["run", "--bundle", e.b(), "r1"]);
    assert_eq!(r.code, 5, "{}", r.describe());
    assert_eq!(r.stdout, "ran\n");
    // run without --detach removes the container.
    assert!(!e.root.join("r1").exists());
    // In the foreground, run passes its signals on to init.
    e.write_config("trap 'echo int; exit 4' INT; echo ready; while true; do sleep 0.05; done");
    let out = e.dir.join("run.out");
    let mut child = Command::new(runsc())
        .arg("--root")
        .arg(&e.root)
        .args(["run", "--bundle", e.b(), "r0"])
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for("ready", || file_has(&out, "ready"));
    // SAFETY: kill of our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    assert_eq!(child.wait().unwrap().code(), Some(4));
    assert!(file_has(&out, "int"));
    e.write_config("sleep 30");
    let pf = e.pid_file();
    e.rs(&[
        "run",
        "--detach",
        "--bundle",
        e.b(),
        "--pid-file",
        pf.to_str().unwrap(),
        "r2",
    ])
    .ok();
    assert_eq!(e.status("r2"), "running");
    let pid: i32 = fs::read_to_string(&pf).unwrap().trim().parse().unwrap();
    e.rs(&["delete", "--force", "r2"]).ok();
    assert_eq!(wait_pid(pid), 137);
    e.assert_clean("r2");
}

#[test]
fn hooks_run_on_the_host_with_the_state() {
    let Some(e) = Env::new("lifecycle_hooks", "sleep 30") else {
        return;
    };
    let d = e.dir.display().to_string();
    let hook = |name: &str| {
        format!(r#"[{{"path": "/bin/sh", "args": ["sh", "-c", "cat > {d}/{name}.json"]}}]"#)
    };
    let cfg = fs::read_to_string(e.bundle.join("config.json")).unwrap();
    let with_hooks = cfg.replacen(
        "{\n  \"ociVersion\"",
        &format!(
            "{{\n  \"hooks\": {{\"prestart\": {}, \"createRuntime\": {}, \"poststart\": {}, \"poststop\": {}}},\n  \"ociVersion\"",
            hook("prestart"),
            hook("createRuntime"),
            hook("poststart"),
            hook("poststop")
        ),
        1,
    );
    assert_ne!(with_hooks, cfg);
    fs::write(e.bundle.join("config.json"), &with_hooks).unwrap();
    let (pid, _) = e.create_start("h1");
    let read = |n: &str| fs::read_to_string(e.dir.join(format!("{n}.json"))).unwrap_or_default();
    for (n, status) in [
        ("prestart", "creating"),
        ("createRuntime", "creating"),
        ("poststart", "running"),
    ] {
        let j = read(n);
        assert!(j.contains("\"id\":\"h1\""), "{n}: {j}");
        assert!(j.contains(&format!("\"status\":\"{status}\"")), "{n}: {j}");
        assert!(j.contains(&format!("\"pid\":{pid}")), "{n}: {j}");
    }
    assert!(read("poststop").is_empty());
    e.rs(&["delete", "--force", "h1"]).ok();
    assert_eq!(wait_pid(pid), 137);
    assert!(
        read("poststop").contains("\"status\":\"stopped\""),
        "{}",
        read("poststop")
    );
    e.assert_clean("h1");

    // A failing createRuntime hook fails create and leaves nothing.
    let failing = cfg.replacen(
        "{\n  \"ociVersion\"",
        "{\n  \"hooks\": {\"createRuntime\": [{\"path\": \"/bin/false\"}]},\n  \"ociVersion\"",
        1,
    );
    fs::write(e.bundle.join("config.json"), failing).unwrap();
    let o = e.rs(&["create", "--bundle", e.b(), "h2"]);
    assert_bad(&e, &o, "createRuntime");
    e.assert_clean("h2");
}

/// Directory bind mounts of config.json (`type: bind`, `rbind`, `ro`) are
/// gofer mounts: writes to a rw bind reach the host directory, a ro bind
/// gives EROFS, and the host files are visible inside.
#[test]
fn bind_mounts() {
    let Some(e) = Env::new(
        "lifecycle_binds",
        "cat /in/hello; echo made > /out/new; echo x > /in/nope || echo ro-refused",
    ) else {
        return;
    };
    let (rw, ro) = (e.dir.join("rw"), e.dir.join("ro"));
    fs::create_dir_all(&rw).unwrap();
    fs::create_dir_all(&ro).unwrap();
    fs::write(ro.join("hello"), "from the host\n").unwrap();
    let cfg = e.bundle.join("config.json");
    let text = fs::read_to_string(&cfg).unwrap();
    let binds = format!(
        r#""mounts": [{{"destination": "/out", "type": "bind", "source": "{}", "options": ["rbind", "rw"]}},
                      {{"destination": "/in", "type": "bind", "source": "{}", "options": ["rbind", "ro"]}},"#,
        rw.display(),
        ro.display()
    );
    assert!(text.contains(r#""mounts": ["#));
    fs::write(&cfg, text.replace(r#""mounts": ["#, &binds)).unwrap();
    let r = e.rs(&["run", "--bundle", e.b(), "b1"]);
    assert_eq!(r.code, 0, "{}", r.describe());
    assert_eq!(r.stdout, "from the host\nro-refused\n", "{}", r.describe());
    assert!(
        r.stderr.contains("Read-only file system"),
        "{}",
        r.describe()
    );
    assert_eq!(fs::read_to_string(rw.join("new")).unwrap(), "made\n");
    assert!(!ro.join("nope").exists());
    e.assert_clean("b1");
}

/// Bind mounts of host regular files (what Docker does for /etc/hosts,
/// /etc/hostname and /etc/resolv.conf), served by one files gofer: the
/// content is the host file's, a rw file is written through to the host, a
/// ro one gives EROFS (also for truncate), stat shows a regular file of the
/// host file's size, mountinfo lists both with their options, unlink and rename of a mount
/// point are EBUSY, and mount points missing from the rootfs (here /etc/hosts,
/// /data and /run, the target of the symlink /etc/resolv.conf) are made in the
/// overlay, not in the host rootfs.
#[test]
fn file_bind_mounts() {
    let Some(e) = Env::new(
        "lifecycle_filebinds",
        "cat /etc/hosts /data/ro.txt; echo appended >> /etc/hosts; \
         echo x > /data/ro.txt || echo ro-refused; \
         busybox truncate -s 0 /data/ro.txt || echo trunc-refused; \
         busybox stat -c '%F %s' /etc/hosts /data/ro.txt; \
         busybox grep -E ' /(etc/hosts|data/ro.txt) ' /proc/self/mountinfo | busybox cut -d' ' -f5,6; \
         busybox rm /etc/hosts || echo rm-busy; busybox mv /data/ro.txt /moved || echo mv-busy; \
         cat /etc/hosts; cat /etc/resolv.conf; busybox grep -c ' /run/resolv.conf ' /proc/self/mountinfo",
    ) else {
        return;
    };
    let (rw, ro) = (e.dir.join("hosts"), e.dir.join("ro.txt"));
    // A destination that is a symlink (as in systemd images) is resolved in
    // the rootfs: the file is mounted on its target, made in the overlay.
    let rootfs = e.bundle.join("rootfs");
    fs::create_dir_all(rootfs.join("etc")).unwrap();
    std::os::unix::fs::symlink("../../run/resolv.conf", rootfs.join("etc/resolv.conf")).unwrap();
    let resolv = e.dir.join("resolv.conf");
    fs::write(&resolv, "nameserver 10.0.0.53\n").unwrap();
    fs::write(&rw, "10.0.0.1 host-line\n").unwrap();
    fs::write(&ro, "ro content\n").unwrap();
    let cfg = e.bundle.join("config.json");
    let text = fs::read_to_string(&cfg).unwrap();
    let binds = format!(
        r#""mounts": [{{"destination": "/etc/hosts", "type": "bind", "source": "{}", "options": ["rbind", "rprivate"]}},
                      {{"destination": "/data/ro.txt", "type": "bind", "source": "{}", "options": ["rbind", "ro", "nosuid", "noexec"]}},
                      {{"destination": "/etc/resolv.conf", "type": "bind", "source": "{}", "options": ["rbind", "ro"]}},"#,
        rw.display(),
        ro.display(),
        resolv.display()
    );
    assert!(text.contains(r#""mounts": ["#));
    fs::write(&cfg, text.replace(r#""mounts": ["#, &binds)).unwrap();
    let r = e.rs(&["run", "--bundle", e.b(), "f1"]);
    assert_eq!(r.code, 0, "{}", r.describe());
    let after = "10.0.0.1 host-line\nappended\n";
    assert_eq!(fs::read_to_string(&rw).unwrap(), after);
    assert_eq!(fs::read_to_string(&ro).unwrap(), "ro content\n");
    let want = format!(
        "10.0.0.1 host-line\nro content\nro-refused\ntrunc-refused\nregular file {}\nregular file {}\n\
         /etc/hosts rw,relatime\n/data/ro.txt ro,nosuid,noexec,relatime\nrm-busy\nmv-busy\n{after}\
         nameserver 10.0.0.53\n1\n",
        fs::metadata(&rw).unwrap().len(),
        fs::metadata(&ro).unwrap().len(),
    );
    assert_eq!(r.stdout, want, "{}", r.describe());
    for msg in ["Read-only file system", "busy"] {
        assert!(r.stderr.contains(msg), "{msg}: {}", r.describe());
    }
    assert!(!rootfs.join("etc/hosts").exists() && !rootfs.join("data").exists());
    assert!(!rootfs.join("run").exists());
    // Nothing of the bind mounts is left in the state.
    e.assert_clean("f1");
}

/// `linux.maskedPaths` (an empty read-only directory, an empty file; a
/// missing path is skipped) and `linux.readonlyPaths` (EROFS below).
#[test]
fn masked_and_readonly_paths() {
    let Some(e) = Env::new(
        "lifecycle_masked",
        "ls /secret | wc -l; cat /secretfile; echo \"[$?]\"; echo x > /tmp/f || echo tmp-ro; \
         echo x > /secret/f || echo masked-ro",
    ) else {
        return;
    };
    let rootfs = e.bundle.join("rootfs");
    fs::create_dir_all(rootfs.join("secret")).unwrap();
    fs::write(rootfs.join("secret/key"), "hidden\n").unwrap();
    fs::write(rootfs.join("secretfile"), "hidden too\n").unwrap();
    let cfg = e.bundle.join("config.json");
    let text = fs::read_to_string(&cfg).unwrap();
    assert!(text.contains(r#""linux": {"#));
    let text = text.replace(
        r#""linux": {"#,
        r#""linux": {"maskedPaths": ["/secret", "/secretfile", "/proc/kcore", "/no/such"], "readonlyPaths": ["/tmp"], "#,
    );
    fs::write(&cfg, text).unwrap();
    let r = e.rs(&["run", "--bundle", e.b(), "m1"]);
    assert_eq!(r.code, 0, "{}", r.describe());
    assert_eq!(r.stdout, "0\n[0]\ntmp-ro\nmasked-ro\n", "{}", r.describe());
    e.assert_clean("m1");
}

/// Put `extra` (JSON members, comma-terminated) at the start of config.json's
/// `linux` object.
fn add_linux(e: &Env, extra: &str) {
    let cfg = e.bundle.join("config.json");
    let text = fs::read_to_string(&cfg).unwrap();
    assert!(text.contains(r#""linux": {"#));
    fs::write(
        &cfg,
        text.replace(r#""linux": {"#, &format!(r#""linux": {{{extra}"#)),
    )
    .unwrap();
}

/// `linux.sysctl` is set in the sandbox's /proc/sys before init runs:
/// Docker's two (`ip_unprivileged_port_start`, `ping_group_range`), an IPC
/// limit, somaxconn and the domain name (which uname reports); without
/// them the files hold Linux's defaults for a new namespace.
#[test]
fn sysctls() {
    let script = "cd /proc/sys; cat net/ipv4/ip_unprivileged_port_start net/ipv4/ping_group_range \
                  kernel/shmmax net/core/somaxconn kernel/domainname";
    let Some(e) = Env::new("lifecycle_sysctl", script) else {
        return;
    };
    let r = e.rs(&["run", "--bundle", e.b(), "s0"]);
    assert_eq!(
        r.stdout,
        "1024\n1\t0\n18446744073692774399\n4096\n(none)\n",
        "{}",
        r.describe()
    );
    add_linux(
        &e,
        r#""sysctl": {"net.ipv4.ip_unprivileged_port_start": "0",
                      "net.ipv4.ping_group_range": "0 2147483647",
                      "kernel.shmmax": "68719476736", "net.core.somaxconn": "128",
                      "kernel.domainname": "example.org"}, "#,
    );
    let r = e.rs(&["run", "--bundle", e.b(), "s1"]);
    assert_eq!(r.code, 0, "{}", r.describe());
    assert_eq!(
        r.stdout,
        "0\n0\t2147483647\n68719476736\n128\nexample.org\n",
        "{}",
        r.describe()
    );
    e.assert_clean("s1");
    // The OCI domainname is the same kernel value.
    e.write_config("cat /proc/sys/kernel/domainname");
    let cfg = e.bundle.join("config.json");
    let text = fs::read_to_string(&cfg).unwrap();
    fs::write(
        &cfg,
        text.replace(
            r#""hostname": "lifecycle","#,
            r#""hostname": "lifecycle", "domainname": "oci.example","#,
        ),
    )
    .unwrap();
    let r = e.rs(&["run", "--bundle", e.b(), "s2"]);
    assert_eq!(r.stdout, "oci.example\n", "{}", r.describe());
    e.assert_clean("s2");
}

/// A sysctl runc refuses (not namespaced), one the sandbox does not have,
/// a value Linux refuses and a missing namespace path: one line, exit 1,
/// nothing left.
#[test]
fn bad_sysctls_and_namespace_paths() {
    let Some(e) = Env::new("lifecycle_bad_sysctl", "true") else {
        return;
    };
    let cases = [
        (
            r#""sysctl": {"kernel.pid_max": "5"}, "#,
            "is not in a separate kernel namespace",
        ),
        (
            r#""sysctl": {"net.ipv4.no_such_key": "1"}, "#,
            "/proc/sys/net/ipv4/no_such_key: no such file or directory",
        ),
        (
            r#""sysctl": {"net.ipv4.ip_unprivileged_port_start": "70000"}, "#,
            "/proc/sys/net/ipv4/ip_unprivileged_port_start: invalid argument",
        ),
        (
            r#""namespaces": [{"type": "network", "path": "/no/such/netns"}], "#,
            "namespace path: lstat /no/such/netns: no such file or directory",
        ),
    ];
    for (i, (extra, needle)) in cases.iter().enumerate() {
        e.write_config("true");
        // A later "namespaces" member replaces the default one.
        let cfg = e.bundle.join("config.json");
        let text = fs::read_to_string(&cfg).unwrap();
        let text = if extra.contains("namespaces") {
            text.replace(r#""linux": {"namespaces": "#, r#""linux": {"ignored": "#)
        } else {
            text
        };
        fs::write(&cfg, text).unwrap();
        add_linux(&e, extra);
        let id = format!("bs{i}");
        let pf = e.dir.join("bs.pid");
        let o = e.rs(&[
            "create",
            "--bundle",
            e.b(),
            "--pid-file",
            pf.to_str().unwrap(),
            &id,
        ]);
        assert_bad(&e, &o, needle);
        assert!(!pf.exists(), "pid file written for {id}");
        e.assert_clean(&id);
    }
}

/// `linux.namespaces` `network` with a path: the sentry lives in that host
/// network namespace (here one held by an `unshare -n sleep`), as a
/// CNI-configured netns would be used.
#[test]
fn network_namespace_path() {
    let Some(e) = Env::new("lifecycle_netns", "sleep 30") else {
        return;
    };
    let mut holder = match Command::new("unshare")
        .args(["--net", "sleep", "60"])
        .stdin(Stdio::null())
        .spawn()
    {
        Ok(c) => c,
        Err(err) => {
            eprintln!("SKIP network_namespace_path: unshare: {err}");
            return;
        }
    };
    let ns = format!("/proc/{}/ns/net", holder.id());
    let mine = fs::read_link("/proc/self/ns/net").unwrap();
    wait_for("the new network namespace", || {
        fs::read_link(&ns).map(|l| l != mine).unwrap_or(false)
    });
    let target = fs::read_link(&ns).unwrap();
    let cfg = e.bundle.join("config.json");
    let text = fs::read_to_string(&cfg).unwrap();
    fs::write(
        &cfg,
        text.replace(
            r#"{"type": "pid"}, "#,
            &format!(r#"{{"type": "pid"}}, {{"type": "network", "path": "{ns}"}}, "#),
        ),
    )
    .unwrap();
    let (pid, _) = e.create_start("n1");
    let seen = fs::read_link(format!("/proc/{pid}/ns/net")).unwrap();
    let _ = holder.kill();
    let _ = holder.wait();
    assert_eq!(seen, target, "the sentry is not in the configured netns");
    e.rs(&["kill", "n1", "9"]).ok();
    assert_eq!(wait_pid(pid), 137);
    e.rs(&["delete", "n1"]).ok();
    e.assert_clean("n1");
}

/// `linux.readonlyPaths` covers the mounts below the path too (a bind
/// mount inside a bind mount: both EROFS, the inner one still visible),
/// and `linux.maskedPaths` masks a mount point reached through a symlink.
#[test]
fn readonly_paths_with_submounts() {
    let Some(e) = Env::new(
        "lifecycle_ro_sub",
        "cat /data/a /data/sub/b; echo x > /data/new || echo data-ro; \
         echo x > /data/sub/new || echo sub-ro; ls /in; echo end",
    ) else {
        return;
    };
    let (data, sub, inp) = (e.dir.join("data"), e.dir.join("sub"), e.dir.join("in"));
    for d in [&data, &sub, &inp] {
        fs::create_dir_all(d).unwrap();
    }
    fs::write(data.join("a"), "A\n").unwrap();
    fs::write(sub.join("b"), "B\n").unwrap();
    fs::write(inp.join("i"), "I\n").unwrap();
    let cfg = e.bundle.join("config.json");
    let text = fs::read_to_string(&cfg).unwrap();
    let binds = format!(
        r#""mounts": [{{"destination": "/data", "type": "bind", "source": "{}", "options": ["rbind", "rw"]}},
                      {{"destination": "/data/sub", "type": "bind", "source": "{}", "options": ["rbind", "rw"]}},
                      {{"destination": "/in", "type": "bind", "source": "{}", "options": ["rbind", "ro"]}},"#,
        data.display(),
        sub.display(),
        inp.display()
    );
    fs::write(&cfg, text.replace(r#""mounts": ["#, &binds)).unwrap();
    add_linux(
        &e,
        r#""readonlyPaths": ["/data", "/no/such"], "maskedPaths": ["/inlink", "/missing", "/dangling"], "#,
    );
    // Masked through a symlink (runc's mount follows it), a dangling one
    // skipped.
    let rootfs = e.bundle.join("rootfs");
    std::os::unix::fs::symlink("in", rootfs.join("inlink")).unwrap();
    std::os::unix::fs::symlink("/nowhere", rootfs.join("dangling")).unwrap();
    let r = e.rs(&["run", "--bundle", e.b(), "r1"]);
    assert_eq!(r.code, 0, "{}", r.describe());
    assert_eq!(r.stdout, "A\nB\ndata-ro\nsub-ro\nend\n", "{}", r.describe());
    assert!(!data.join("new").exists() && !sub.join("new").exists());
    e.assert_clean("r1");
}

/// A memory cgroup controller on this host (v1 or v2)?
fn has_memory_cgroup() -> bool {
    Path::new("/sys/fs/cgroup/memory/memory.limit_in_bytes").exists()
        || fs::read_to_string("/sys/fs/cgroup/cgroup.controllers")
            .map(|c| c.split_whitespace().any(|x| x == "memory"))
            .unwrap_or(false)
}

/// `runsc events` reports the kernel's OOM kills in the sandbox's cgroup
/// as runc does (`{"type":"oom","id":ID}`), then ends when the container
/// stops: init allocates past `linux.resources.memory.limit`.
#[test]
fn oom_event() {
    let Some(e) = Env::new(
        "lifecycle_oom",
        "sleep 1; dd if=/dev/zero of=/dev/null bs=300M count=1; sleep 1",
    ) else {
        return;
    };
    if unsafe { libc::geteuid() } != 0 || !has_memory_cgroup() {
        eprintln!("SKIP oom_event: needs root and a memory cgroup controller");
        return;
    }
    std::os::unix::fs::symlink("busybox", e.bundle.join("rootfs/bin/dd")).unwrap();
    add_linux(
        &e,
        r#""resources": {"memory": {"limit": 67108864}}, "cgroupsPath": "systests-oom-event", "#,
    );
    let pf = e.pid_file();
    e.rs(&[
        "create",
        "--bundle",
        e.b(),
        "--pid-file",
        pf.to_str().unwrap(),
        "o1",
    ])
    .ok();
    let pid: i32 = fs::read_to_string(&pf).unwrap().trim().parse().unwrap();
    let evout = e.dir.join("events.out");
    let mut events = Command::new(runsc())
        .arg("--root")
        .arg(&e.root)
        .args(["events", "--interval", "1s", "o1"])
        .stdin(Stdio::null())
        .stdout(fs::File::create(&evout).unwrap())
        .spawn()
        .unwrap();
    e.rs(&["start", "o1"]).ok();
    // The OOM killer picks the sandbox's biggest process: the sentry.
    assert_eq!(wait_pid(pid), 137);
    let t = Instant::now();
    while events.try_wait().unwrap().is_none() {
        assert!(t.elapsed() < Duration::from_secs(20), "events did not end");
        std::thread::sleep(Duration::from_millis(50));
    }
    let text = fs::read_to_string(&evout).unwrap();
    assert!(
        text.lines()
            .any(|l| l == r#"{"id":"o1","type":"oom"}"# || l == r#"{"type":"oom","id":"o1"}"#),
        "no oom event in:\n{text}"
    );
    assert!(text
        .lines()
        .next()
        .unwrap_or("")
        .contains(r#""type":"stats""#));
    e.rs(&["delete", "o1"]).ok();
    e.assert_clean("o1");
}

/// `runc run` of the bundle as it is (its own state root under the test
/// dir): stdout and exit code, or None when runc is not installed or cannot
/// run a container on this machine (checked with the same bundle).
fn runc_run(e: &Env, id: &str) -> Option<(i32, String)> {
    let runc = ["/usr/sbin/runc", "/usr/bin/runc"]
        .into_iter()
        .map(Path::new)
        .find(|p| p.exists())?;
    let out = Command::new(runc)
        .arg("--root")
        .arg(e.dir.join("runc-state"))
        .args(["run", "--bundle", e.b(), id])
        .stdin(Stdio::null())
        .output()
        .ok()?;
    let code = out.status.code().unwrap_or(-1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("runc run failed") || stderr.contains("unable to start container") {
        eprintln!("runc cannot run containers here (harness check): {stderr}");
        return None;
    }
    Some((code, String::from_utf8_lossy(&out.stdout).into_owned()))
}

#[test]
fn oci_tmpfs_proc_mounts() {
    // Options of tmpfs mounts (size, mode, noexec) at a new place and at
    // one the sandbox provides (/dev/shm), as mountinfo and the file system
    // show them; compared with runc when it runs here.
    let Some(e) = Env::new(
        "lifecycle_mounts",
        "busybox stat -c %a /data; echo 'echo ran' > /data/x; busybox chmod +x /data/x; \
         /data/x 2>/dev/null || echo noexec; \
         busybox dd if=/dev/zero of=/data/big bs=1k count=2048 2>/dev/null || echo data-full; \
         busybox rm -f /data/big; \
         busybox dd if=/dev/zero of=/dev/shm/a bs=1k count=1024 2>/dev/null && echo shm-1m-ok; \
         busybox dd if=/dev/zero of=/dev/shm/b bs=1k count=2048 2>/dev/null || echo shm-full; \
         for m in /data /dev/shm /proc; do \
           busybox grep \" $m \" /proc/self/mountinfo | busybox cut -d' ' -f5,6,9; done",
    ) else {
        return;
    };
    let cfg = e.bundle.join("config.json");
    let text = fs::read_to_string(&cfg).unwrap();
    let mounts = r#""mounts": [{"destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=2m"]},
        {"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "noexec", "mode=700", "size=1m"]}]"#;
    let text = text.replace(
        r#""mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}]"#,
        mounts,
    );
    assert!(text.contains("size=1m"));
    fs::write(&cfg, text).unwrap();
    let want = "700\nnoexec\ndata-full\nshm-1m-ok\nshm-full\n\
                /data rw,nosuid,noexec,relatime tmpfs\n\
                /dev/shm rw,nosuid,nodev,noexec,relatime shm\n\
                /proc rw,nosuid,nodev,noexec,relatime proc\n";
    let r = e.rs(&["run", "--bundle", e.b(), "mt1"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, want), "{}", r.describe());
    e.assert_clean("mt1");
    // runc makes missing mount points in the rootfs (this read-only one
    // must exist); runc 1.1 then gives the tmpfs the directory's mode
    // instead of mode= (fixed in later runc), so it gets 0700 here.
    fs::create_dir_all(e.bundle.join("rootfs/data")).unwrap();
    fs::set_permissions(
        e.bundle.join("rootfs/data"),
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .unwrap();
    if let Some((code, out)) = runc_run(&e, "mt1-runc") {
        assert_eq!((code, out.as_str()), (0, want), "runc differs");
    }
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

/// A `linux.seccomp` profile: default ALLOW; mkdir/mkdirat EPERM (the
/// default errnoRet); kill(_, 0) EINVAL and personality(PER_LINUX32) EACCES
/// (argument filters); sync kills the caller. The same bundle under runc
/// and under runsc, `run` and `exec` (which gets the container's profile
/// too), must print the same and exit alike.
#[test]
fn seccomp_profile_like_runc() {
    let script = "mkdir /tmp/d; echo mkdir=$?; kill -0 $$; echo kill0=$?; kill -CONT $$; \
                  echo cont=$?; linux32 true; echo linux32=$?; sync; echo sync=$?; \
                  busybox grep Seccomp /proc/self/status; echo done";
    let Some(e) = Env::new("lifecycle_seccomp", script) else {
        return;
    };
    let profile = r#""seccomp": {"defaultAction": "SCMP_ACT_ALLOW",
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        "syscalls": [
          {"names": ["mkdir", "mkdirat", "no_such_syscall"], "action": "SCMP_ACT_ERRNO"},
          {"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22,
           "args": [{"index": 1, "value": 0, "op": "SCMP_CMP_EQ"}]},
          {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
           "args": [{"index": 0, "value": 255, "valueTwo": 8, "op": "SCMP_CMP_MASKED_EQ"}]},
          {"names": ["sync"], "action": "SCMP_ACT_KILL"}
        ]}, "#;
    let cfg = e.bundle.join("config.json");
    let with_profile =
        |text: String| text.replace(r#""linux": {"#, &format!(r#""linux": {{{profile}"#));
    let text = with_profile(fs::read_to_string(&cfg).unwrap());
    assert!(text.contains("SCMP_ACT_KILL"));
    fs::write(&cfg, &text).unwrap();
    let ours = run_bundle(&runsc(), &e.dir.join("state-run"), &e.bundle, "sc1");
    assert_eq!(ours.0, 0, "{ours:?}");
    assert!(ours.1.contains("mkdir=1\n"), "{ours:?}");
    assert!(ours.1.contains("kill0=1\ncont=0\n"), "{ours:?}");
    assert!(ours.1.contains("sync=159\n"), "{ours:?}");
    assert!(
        ours.1.ends_with("Seccomp:\t2\nSeccomp_filters:\t1\ndone\n"),
        "{ours:?}"
    );
    // exec gets the container's profile (init sleeps meanwhile).
    let exec_script = "mkdir /tmp/e; echo exec-mkdir=$?; sync; echo exec-sync=$?";
    let sleeper = with_profile(serde_json("sleep 30"));
    let ours_exec = {
        fs::write(&cfg, &sleeper).unwrap();
        let (pid, _) = e.create_start("sc2");
        let o = e.rs(&["exec", "sc2", "sh", "-c", exec_script]);
        e.rs(&["kill", "sc2", "KILL"]).ok();
        wait_pid(pid);
        e.rs(&["delete", "--force", "sc2"]).ok();
        (
            o.code,
            fs::read_to_string(&o.stdout_path).unwrap_or_default(),
        )
    };
    assert_eq!(
        ours_exec,
        (0, "exec-mkdir=1\nexec-sync=159\n".to_string()),
        "runsc exec"
    );
    fs::write(&cfg, &text).unwrap();
    let runc = working_runc(&e);
    if let Some(runc) = &runc {
        let theirs = run_bundle(runc, &e.dir.join("state-runc"), &e.bundle, "sc1");
        assert_eq!((ours.0, &ours.1), (theirs.0, &theirs.1), "runsc vs runc");
        // runc exec, for the record of the same expectation.
        fs::write(&cfg, &sleeper).unwrap();
        let root = e.dir.join("state-runc");
        let rc = |args: &[&str]| {
            Command::new(runc)
                .arg("--root")
                .arg(&root)
                .args(args)
                .stdin(Stdio::null())
                .output()
                .unwrap()
        };
        // Detached: its stdio must not be our pipes (the container keeps them).
        let started = Command::new(runc)
            .arg("--root")
            .arg(&root)
            .args(["run", "--detach", "--bundle", e.b(), "sc2"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(started.success());
        let o = rc(&["exec", "sc2", "sh", "-c", exec_script]);
        rc(&["delete", "--force", "sc2"]);
        reap_all();
        assert_eq!(
            ours_exec,
            (
                o.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&o.stdout).into_owned()
            ),
            "runsc exec vs runc exec"
        );
    }
    // A profile that refuses execve stops the container's process from
    // starting at all (runc: "exec /bin/sh: operation not permitted").
    let deny_exec = text.replace(
        r#"{"names": ["sync"], "action": "SCMP_ACT_KILL"}"#,
        r#"{"names": ["sync"], "action": "SCMP_ACT_KILL"},
           {"names": ["execve", "execveat"], "action": "SCMP_ACT_ERRNO"}"#,
    );
    assert_ne!(deny_exec, text);
    fs::write(&cfg, &deny_exec).unwrap();
    let denied = run_bundle(&runsc(), &e.dir.join("state-run"), &e.bundle, "sc3");
    assert_ne!(denied.0, 0, "{denied:?}");
    assert!(!denied.1.contains("mkdir"), "{denied:?}");
    assert!(denied.2.contains("Operation not permitted"), "{denied:?}");
    if let Some(runc) = &runc {
        let theirs = run_bundle(runc, &e.dir.join("state-runc"), &e.bundle, "sc3");
        assert_ne!(theirs.0, 0, "{theirs:?}");
        assert!(
            theirs.2.to_lowercase().contains("operation not permitted"),
            "{theirs:?}"
        );
    }
    // A profile runsc cannot honour fails the create: one line, no state.
    let notify = text.replace(
        r#""action": "SCMP_ACT_KILL""#,
        r#""action": "SCMP_ACT_NOTIFY""#,
    );
    assert_ne!(notify, text);
    fs::write(&cfg, &notify).unwrap();
    let o = e.rs(&["create", "--bundle", e.b(), "sc4"]);
    assert_bad(&e, &o, "SCMP_ACT_NOTIFY");
    e.assert_clean("sc4");
    e.assert_clean("sc1");
}
