//! Drop-in use under Docker and Podman (issue 6), where their daemons start
//! on this machine: a private dockerd (vfs storage, no iptables, no bridge,
//! its own data root and socket; our runtime registered with
//! `runsc install --config-file`) and rootful Podman with its own vfs
//! storage and containers.conf (this VM needs explicit ulimits). The same
//! scenario runs with runc, which checks the harness, and with our runsc.
//!
//! docker.io and podman come from apt (`.ci/run` installs them); when they
//! are missing, or runc itself fails the scenario on the machine, the test
//! says so and stops.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use systests::{run_command, runsc, sandbox_enabled, shell_quote, unmount_below, Output};

const TIMEOUT: Duration = Duration::from_secs(90);

fn which(prog: &str) -> Option<PathBuf> {
    ["/usr/bin", "/usr/sbin", "/usr/local/bin", "/bin", "/sbin"]
        .iter()
        .map(|d| Path::new(d).join(prog))
        .find(|p| p.exists())
}

/// A build context: busybox-static as /bin/busybox with a few applets.
fn build_context(dir: &Path) -> PathBuf {
    let ctx = dir.join("context");
    fs::create_dir_all(ctx.join("bin")).unwrap();
    fs::copy("/bin/busybox", ctx.join("bin/busybox")).unwrap();
    for applet in [
        "sh", "echo", "sleep", "cat", "tty", "true", "id", "ls", "mkdir",
    ] {
        symlink("busybox", ctx.join("bin").join(applet)).unwrap();
    }
    fs::write(
        ctx.join("Dockerfile"),
        "FROM scratch\nCOPY bin /bin\nCMD [\"/bin/sh\"]\n",
    )
    .unwrap();
    ctx
}

/// One engine's CLI with its environment, and the daemon behind it.
struct Engine {
    cli: PathBuf,
    env: Vec<(String, String)>,
    dir: PathBuf,
    daemon: Option<Child>,
    exec_root: Option<PathBuf>,
}

impl Engine {
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.cli);
        c.args(args);
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        run_command(self.command(args), TIMEOUT, None)
    }

    /// With a terminal (under `script`), `\r` and NULs removed.
    fn run_tty(&self, args: &[&str]) -> Output {
        let mut line: String = self
            .env
            .iter()
            .map(|(k, v)| format!("{k}={} ", shell_quote(v)))
            .collect();
        line.push_str(&shell_quote(&self.cli.to_string_lossy()));
        for a in args {
            line.push(' ');
            line.push_str(&shell_quote(a));
        }
        let mut c = Command::new("script");
        c.args(["-qec", &line, "/dev/null"]);
        let mut out = run_command(c, TIMEOUT, None);
        out.stdout.retain(|&b| b != b'\r' && b != 0);
        out
    }

    /// With a terminal typed `keys` once `ready` shows
    /// ([`systests::script_with_keys`]).
    fn run_tty_keys(&self, args: &[&str], ready: &str, keys: &[u8]) -> (String, i32) {
        let mut line: String = self
            .env
            .iter()
            .map(|(k, v)| format!("{k}={} ", shell_quote(v)))
            .collect();
        line.push_str(&shell_quote(&self.cli.to_string_lossy()));
        for a in args {
            line.push(' ');
            line.push_str(&shell_quote(a));
        }
        systests::script_with_keys(&line, ready, keys, TIMEOUT)
    }

    fn status_of(&self, id: &str) -> String {
        self.run(&["inspect", "--format", "{{.State.Status}}", id])
            .stdout_str()
            .trim()
            .to_string()
    }

    fn wait_status(&self, id: &str, want: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.status_of(id);
            if s == want || start.elapsed() > TIMEOUT {
                return s;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        if let Some(mut d) = self.daemon.take() {
            // SAFETY: kill has no memory-safety preconditions.
            unsafe { libc::kill(d.id() as i32, libc::SIGTERM) };
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(20) {
                if let Ok(Some(_)) = d.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = d.kill();
            let _ = d.wait();
        }
        // Mounts left under our directories.
        match &self.exec_root {
            Some(e) => unmount_below(&[&self.dir, e]),
            None => unmount_below(&[&self.dir]),
        }
        let _ = fs::remove_dir_all(&self.dir);
        if let Some(e) = &self.exec_root {
            let _ = fs::remove_dir_all(e);
        }
    }
}

fn args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// The scenario with `runtime` (a `--runtime` value): observations.
fn scenario(e: &Engine, runtime: &str, tag: &str) -> Vec<String> {
    let mut seen = Vec::new();
    let rt = format!("--runtime={runtime}");
    let base = ["run", rt.as_str(), "--network=none"];
    let with = |extra: &[&str]| {
        let mut v: Vec<String> = base.iter().map(|s| s.to_string()).collect();
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };

    let v = with(&["--rm", "local/bb", "/bin/echo", "hello"]);
    let out = e.run(&args(&v));
    seen.push(format!(
        "run: {:?} status {}",
        out.stdout_str(),
        out.status.shell_code()
    ));
    let v = with(&["--rm", "local/bb", "/bin/sh", "-c", "echo err >&2; exit 7"]);
    let out = e.run(&args(&v));
    seen.push(format!(
        "run exit: status {} stderr {:?}",
        out.status.shell_code(),
        out.stderr_str().trim()
    ));
    let v = with(&[
        "--rm",
        "-t",
        "local/bb",
        "/bin/sh",
        "-c",
        "tty >/dev/null && echo run-tty-ok",
    ]);
    let out = e.run_tty(&args(&v));
    seen.push(format!(
        "run -t: {}",
        out.stdout_str().lines().any(|l| l.ends_with("run-tty-ok"))
    ));

    // ^C typed at `run -it`: SIGINT for the container's foreground group.
    let v = with(&[
        "--rm",
        "-it",
        "local/bb",
        "/bin/sh",
        "-c",
        "trap 'echo got-int; exit 5' INT; echo ready; while :; do sleep 0.1; done",
    ]);
    let (out, code) = e.run_tty_keys(&args(&v), "ready", b"\x03");
    seen.push(format!(
        "run -it ^C: trap ran {} status {code}",
        out.lines().any(|l| l.ends_with("got-int"))
    ));
    // The engine's default seccomp profile (Docker's and Podman's are
    // passed in every config.json) lets mkdir through; a profile of our
    // own denies it with the errno it names.
    let v = with(&[
        "--rm",
        "local/bb",
        "/bin/sh",
        "-c",
        "mkdir /d; echo mkdir=$?",
    ]);
    let out = e.run(&args(&v));
    seen.push(format!(
        "default seccomp: {:?} status {}",
        out.stdout_str(),
        out.status.shell_code()
    ));
    let profile = e.dir.join(format!("deny-mkdir-{tag}.json"));
    fs::write(
        &profile,
        r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
            {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}"#,
    )
    .unwrap();
    let opt = format!("seccomp={}", profile.display());
    let v = with(&[
        "--rm",
        "--security-opt",
        &opt,
        "local/bb",
        "/bin/sh",
        "-c",
        "mkdir /d; echo mkdir=$?",
    ]);
    let out = e.run(&args(&v));
    seen.push(format!(
        "seccomp=FILE: {:?} {:?} status {}",
        out.stdout_str(),
        out.stderr_str().trim(),
        out.status.shell_code()
    ));

    let id = format!("{tag}-long");
    let v = with(&["-d", "--name", &id, "local/bb", "/bin/sleep", "1000"]);
    let out = e.run(&args(&v));
    seen.push(format!("run -d: status {}", out.status.shell_code()));
    seen.push(format!("status: {}", e.wait_status(&id, "running")));
    let out = e.run(&["exec", &id, "/bin/sh", "-c", "echo exec-ok; exit 4"]);
    seen.push(format!(
        "exec: {:?} status {}",
        out.stdout_str(),
        out.status.shell_code()
    ));
    let out = e.run_tty(&[
        "exec",
        "-t",
        &id,
        "/bin/sh",
        "-c",
        "tty >/dev/null && echo exec-tty-ok",
    ]);
    seen.push(format!(
        "exec -t: {}",
        out.stdout_str().lines().any(|l| l.ends_with("exec-tty-ok"))
    ));
    let out = e.run(&["top", &id]);
    seen.push(format!(
        "top: status {} shows sleep {}",
        out.status.shell_code(),
        out.stdout_str()
            .lines()
            .skip(1)
            .any(|l| !l.trim().is_empty())
    ));
    e.run(&["pause", &id]);
    seen.push(format!("paused: {}", e.wait_status(&id, "paused")));
    e.run(&["unpause", &id]);
    seen.push(format!("unpaused: {}", e.wait_status(&id, "running")));
    let out = e.run(&["exec", &id, "/bin/echo", "after-unpause"]);
    seen.push(format!("exec after unpause: {:?}", out.stdout_str()));
    e.run(&["kill", &id]);
    seen.push(format!("killed: {}", e.wait_status(&id, "exited")));
    let code = e.run(&["inspect", "--format", "{{.State.ExitCode}}", &id]);
    seen.push(format!("exit code: {}", code.stdout_str().trim()));
    let out = e.run(&["rm", &id]);
    seen.push(format!("rm: status {}", out.status.shell_code()));
    seen.push(engine_files(e, &with, tag));
    seen
}

/// The files the engine binds into every container (/etc/hostname,
/// /etc/hosts, /etc/resolv.conf, file bind mounts): inside they are the
/// engine's host files, and a write to /etc/hosts reaches the host file.
fn engine_files(e: &Engine, with: &dyn Fn(&[&str]) -> Vec<String>, tag: &str) -> String {
    let id = format!("{tag}-files");
    let v = with(&[
        "--name",
        &id,
        "--hostname",
        "filebind-host",
        "--add-host",
        "extra-host:10.1.2.3",
        "local/bb",
        "/bin/sh",
        "-c",
        "cat /etc/hostname; echo ===; cat /etc/hosts; echo ===; cat /etc/resolv.conf; \
         echo '10.9.9.9 written-inside' >> /etc/hosts",
    ]);
    let out = e.run(&args(&v));
    let text = out.stdout_str();
    let parts: Vec<&str> = text.split("===\n").collect();
    // Podman makes no resolv.conf without a network (an empty path).
    let host_file = |field: &str| {
        let f = format!("{{{{.{field}}}}}");
        let p = e.run(&["inspect", "--format", &f, &id]).stdout_str();
        match p.trim() {
            "" => String::new(),
            p => fs::read_to_string(p).unwrap_or_else(|err| format!("{field} {p:?}: {err}")),
        }
    };
    let (hostname, hosts, resolv) = (
        host_file("HostnamePath"),
        host_file("HostsPath"),
        host_file("ResolvConfPath"),
    );
    e.run(&["rm", &id]);
    let [in_hostname, in_hosts, in_resolv] = parts[..] else {
        return format!(
            "files: unexpected output {text:?} status {}",
            out.status.shell_code()
        );
    };
    format!(
        "files: status {} hostname {} hosts {} written {} resolv.conf {}",
        out.status.shell_code(),
        in_hostname == hostname && hostname.trim_end() == "filebind-host",
        in_hosts.contains("10.1.2.3\textra-host") && hosts.starts_with(in_hosts),
        hosts == format!("{in_hosts}10.9.9.9 written-inside\n"),
        in_resolv == resolv,
    )
}

const EXPECTED: [&str; 18] = [
    "run: \"hello\\n\" status 0",
    "run exit: status 7 stderr \"err\"",
    "run -t: true",
    "run -it ^C: trap ran true status 5",
    "default seccomp: \"mkdir=0\\n\" status 0",
    "seccomp=FILE: \"mkdir=1\\n\" \"mkdir: can't create directory '/d': Permission denied\" status 0",
    "run -d: status 0",
    "status: running",
    "exec: \"exec-ok\\n\" status 4",
    "exec -t: true",
    "top: status 0 shows sleep true",
    "paused: paused",
    "unpaused: running",
    "exec after unpause: \"after-unpause\\n\"",
    "killed: exited",
    "exit code: 137",
    "rm: status 0",
    "files: status 0 hostname true hosts true written true resolv.conf true",
];

fn expected() -> Vec<String> {
    EXPECTED.iter().map(|s| s.to_string()).collect()
}

#[test]
fn docker_runs_our_runtime_like_runc() {
    if !sandbox_enabled("docker") {
        return;
    }
    let (Some(dockerd), Some(docker), Some(runc)) =
        (which("dockerd"), which("docker"), which("runc"))
    else {
        eprintln!(
            "dockerd/docker/runc not installed (apt-get install docker.io runc): test not run"
        );
        return;
    };
    let dir = PathBuf::from(format!("/tmp/dkr-{}", std::process::id()));
    let exec_root = PathBuf::from(format!("/run/dkr-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let config = dir.join("daemon.json");
    fs::write(
        &config,
        format!(
            r#"{{"storage-driver":"vfs","iptables":false,"bridge":"none","ip-forward":false,"ip-masq":false,"runtimes":{{"runc-test":{{"path":"{}"}}}}}}"#,
            runc.display()
        ),
    )
    .unwrap();
    // Our runtime is registered the way users do it.
    let install = run_command(
        {
            let mut c = Command::new(runsc());
            c.args(["install", "--config-file"])
                .arg(&config)
                .args(["--runtime", "runsc-test"]);
            c
        },
        TIMEOUT,
        None,
    );
    let sock = format!("unix://{}/d.sock", dir.display());
    let log = fs::File::create(dir.join("dockerd.log")).unwrap();
    let daemon = Command::new(dockerd)
        .arg("--config-file")
        .arg(&config)
        .arg("--data-root")
        .arg(dir.join("root"))
        .arg("--exec-root")
        .arg(&exec_root)
        .arg("--pidfile")
        .arg(dir.join("d.pid"))
        .args(["-H", &sock])
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("start dockerd");
    let e = Engine {
        cli: docker,
        env: vec![("DOCKER_HOST".into(), sock)],
        dir: dir.clone(),
        daemon: Some(daemon),
        exec_root: Some(exec_root),
    };
    let start = Instant::now();
    while e.run(&["version"]).status.shell_code() != 0 {
        if start.elapsed() > TIMEOUT {
            eprintln!(
                "dockerd does not start on this machine: test not run\n{}",
                fs::read_to_string(dir.join("dockerd.log")).unwrap_or_default()
            );
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let ctx = build_context(&dir);
    e.run(&["build", "-q", "-t", "local/bb", &ctx.to_string_lossy()])
        .assert_code(0);
    let with_runc = scenario(&e, "runc-test", "runc");
    if with_runc != expected() {
        eprintln!("docker with runc misbehaves on this machine (harness check): test not run\n{with_runc:?}");
        return;
    }
    install.assert_code(0);
    let ours = scenario(&e, "runsc-test", "ours");
    assert_eq!(
        ours,
        expected(),
        "docker with our runsc differs from runc; dockerd log:\n{}",
        fs::read_to_string(dir.join("dockerd.log")).unwrap_or_default()
    );
}

#[test]
fn podman_runs_our_runtime_like_runc() {
    if !sandbox_enabled("podman") {
        return;
    }
    let (Some(podman), Some(runc)) = (which("podman"), which("runc")) else {
        eprintln!("podman/runc not installed (apt-get install podman runc): test not run");
        return;
    };
    let dir = PathBuf::from(format!("/tmp/pdm-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let d = dir.display();
    fs::write(
        dir.join("containers.conf"),
        "[containers]\n# this VM's limits cannot be copied as they are\n\
         default_ulimits = [\"nofile=1024:1024\", \"nproc=4096:4096\"]\nnetns = \"none\"\n\
         [engine]\ncgroup_manager = \"cgroupfs\"\nevents_logger = \"file\"\n",
    )
    .unwrap();
    fs::write(
        dir.join("storage.conf"),
        format!("[storage]\ndriver = \"vfs\"\nrunroot = \"{d}/run\"\ngraphroot = \"{d}/root\"\n"),
    )
    .unwrap();
    let e = Engine {
        cli: podman,
        env: vec![
            ("CONTAINERS_CONF".into(), format!("{d}/containers.conf")),
            (
                "CONTAINERS_STORAGE_CONF".into(),
                format!("{d}/storage.conf"),
            ),
        ],
        dir: dir.clone(),
        daemon: None,
        exec_root: None,
    };
    let ctx = build_context(&dir);
    let built = e.run(&["build", "-q", "-t", "local/bb", &ctx.to_string_lossy()]);
    if built.status.shell_code() != 0 {
        eprintln!(
            "podman cannot build here: test not run\n{}",
            built.describe()
        );
        return;
    }
    let with_runc = scenario(&e, &runc.to_string_lossy(), "runc");
    if with_runc != expected() {
        eprintln!("podman with runc misbehaves on this machine (harness check): test not run\n{with_runc:?}");
        return;
    }
    let ours = scenario(&e, &runsc().to_string_lossy(), "ours");
    let want = expected();
    assert_eq!(ours, want, "podman with our runsc differs from runc");
}
