//! Drop-in test under containerd: a private containerd (own config, socket,
//! root and state under a scratch directory) runs containers through its
//! runc shim (`io.containerd.runc.v2`) with `--runc-binary` pointing at our
//! runsc, no wrapper. The root file system is a busybox-static directory
//! given with `ctr run --rootfs` (no image import yet). Skipped with a
//! message when containerd, ctr or busybox-static is missing (.ci/run
//! installs them).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use systests::{runsc, sandbox_enabled, scratch_dir};

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_string_lossy()
        .split(':')
        .map(|d| Path::new(d).join(name))
        .find(|p| p.is_file())
}

struct Containerd {
    child: Child,
    sock: PathBuf,
    rootfs: PathBuf,
}

impl Drop for Containerd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(d) = self.sock.parent() {
            let _ = fs::remove_dir_all(d);
        }
        // The shim's cgroup parent for our namespace (/<namespace>/<id>:
        // runsc removes the container's cgroup, the parent stays, as with
        // runc).
        let ns = format!("runsc-test-{}", std::process::id());
        if let Ok(rd) = fs::read_dir("/sys/fs/cgroup") {
            for h in rd.flatten() {
                let _ = fs::remove_dir(h.path().join(&ns));
            }
        }
    }
}

impl Containerd {
    fn start(test: &str) -> Option<Containerd> {
        if !sandbox_enabled(test) {
            return None;
        }
        let (Some(ctd), Some(_)) = (which("containerd"), which("ctr")) else {
            eprintln!("SKIP {test}: containerd/ctr not installed (apt-get install containerd)");
            return None;
        };
        let Some(bb) = ["/bin/busybox", "/usr/bin/busybox"]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
        else {
            eprintln!("SKIP {test}: busybox-static is not installed");
            return None;
        };
        let dir = scratch_dir(test);
        let rootfs = dir.join("rootfs");
        fs::create_dir_all(rootfs.join("bin")).unwrap();
        fs::copy(&bb, rootfs.join("bin/busybox")).unwrap();
        for l in ["sh", "sleep", "echo", "true"] {
            std::os::unix::fs::symlink("busybox", rootfs.join("bin").join(l)).unwrap();
        }
        // Unix socket paths are short: keep the sockets in /tmp.
        let sockdir = std::env::temp_dir().join(format!("ctd-{}", std::process::id()));
        fs::create_dir_all(&sockdir).unwrap();
        let sock = sockdir.join("c.sock");
        let cfg = dir.join("config.toml");
        fs::write(
            &cfg,
            format!(
                "version = 2\nroot = \"{}\"\nstate = \"{}\"\n\
                 disabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n\
                 [grpc]\n  address = \"{}\"\n[ttrpc]\n  address = \"{}\"\n",
                dir.join("root").display(),
                sockdir.join("state").display(),
                sock.display(),
                sockdir.join("t.sock").display()
            ),
        )
        .unwrap();
        let child = Command::new(ctd)
            .arg("--config")
            .arg(&cfg)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(dir.join("containerd.log")).unwrap())
            .spawn()
            .unwrap();
        let c = Containerd {
            child,
            sock,
            rootfs,
        };
        let t = Instant::now();
        while c.ctr(&["version"]).0 != 0 {
            assert!(
                t.elapsed() < Duration::from_secs(20),
                "containerd did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(c)
    }

    /// `ctr --address S --namespace N ARGS` (a namespace of our own, so the
    /// shim's runc root, /run/containerd/runc/N, is ours too).
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new("ctr");
        c.arg("--address")
            .arg(&self.sock)
            .arg("--namespace")
            .arg(format!("runsc-test-{}", std::process::id()))
            .args(args)
            .stdin(Stdio::null());
        c
    }

    /// Run ctr → (exit code, stdout + stderr).
    fn ctr(&self, args: &[&str]) -> (i32, String) {
        let o = self.command(args).output().unwrap();
        let mut s = String::from_utf8_lossy(&o.stdout).into_owned();
        s.push_str(&String::from_utf8_lossy(&o.stderr));
        (o.status.code().unwrap_or(-1), s)
    }

    fn run_args<'a>(&'a self, runsc: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
        let mut v = vec![
            "run",
            "--runtime",
            "io.containerd.runc.v2",
            "--runc-binary",
            runsc,
        ];
        v.extend_from_slice(extra);
        v.push("--rootfs");
        v.push(self.rootfs.to_str().unwrap());
        v
    }
}

#[test]
fn ctr_run_exec_ps_pause_kill() {
    let Some(c) = Containerd::start("containerd_ctr") else {
        return;
    };
    let bin = runsc();
    let r = bin.to_str().unwrap();
    // Foreground run: output and exit status.
    let mut a = c.run_args(r, &[]);
    a.extend(["c1", "sh", "-c", "echo hello from runsc; exit 3"]);
    let (code, out) = c.ctr(&a);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("hello from runsc"), "{out}");
    c.ctr(&["container", "rm", "c1"]);

    // Detached, then the task verbs.
    let mut a = c.run_args(r, &["-d"]);
    a.extend([
        "c2",
        "sh",
        "-c",
        "trap 'exit 7' TERM; while true; do sleep 0.1; done",
    ]);
    let (code, out) = c.ctr(&a);
    assert_eq!(code, 0, "{out}");
    let (code, out) = c.ctr(&[
        "task",
        "exec",
        "--exec-id",
        "e1",
        "c2",
        "sh",
        "-c",
        "echo in-exec; exit 4",
    ]);
    assert_eq!(code, 4, "{out}");
    assert!(out.contains("in-exec"), "{out}");
    let (code, out) = c.ctr(&["task", "ps", "c2"]);
    assert_eq!(code, 0, "{out}");
    let pids: Vec<i32> = out
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next()?.parse().ok())
        .collect();
    assert!(!pids.is_empty(), "{out}");
    for p in pids {
        assert!(
            Path::new(&format!("/proc/{p}")).exists(),
            "ctr task ps pid {p}: {out}"
        );
    }
    assert_eq!(c.ctr(&["task", "pause", "c2"]).0, 0);
    assert!(c.ctr(&["task", "ls"]).1.contains("PAUSED"));
    assert_eq!(c.ctr(&["task", "resume", "c2"]).0, 0);
    assert!(c.ctr(&["task", "ls"]).1.contains("RUNNING"));
    assert_eq!(c.ctr(&["task", "kill", "c2"]).0, 0);
    let t = Instant::now();
    while !c.ctr(&["task", "ls"]).1.contains("STOPPED") {
        assert!(t.elapsed() < Duration::from_secs(20), "task did not stop");
        std::thread::sleep(Duration::from_millis(50));
    }
    let (code, out) = c.ctr(&["task", "rm", "c2"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(c.ctr(&["container", "rm", "c2"]).0, 0);

    // kill -s 9 of a foreground run: ctr exits with the status the shim
    // reports, 137.
    let mut a = c.run_args(r, &[]);
    a.extend(["c3", "sleep", "100"]);
    let mut fg = c
        .command(&a)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t = Instant::now();
    while !c.ctr(&["task", "ls"]).1.contains("RUNNING") {
        assert!(t.elapsed() < Duration::from_secs(20), "c3 did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(c.ctr(&["task", "kill", "-s", "9", "c3"]).0, 0);
    assert_eq!(fg.wait().unwrap().code(), Some(137));
    c.ctr(&["container", "rm", "c3"]);
}
