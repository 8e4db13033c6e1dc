//! OCI lifecycle benchmarks: the verbs a container engine calls, timed one
//! by one on a container whose init is `/bin/true`, in every runtime that
//! is an OCI runtime (runc, gVisor, ours), on the same bundle.
//!
//! One sample of `create`, `start` or `delete` runs the whole sequence
//! create → start → (wait until stopped) → delete and keeps the time of the
//! one verb; `run` is `run --bundle` of the container to its end (create,
//! start, wait and delete in one command). Natively, `run` is a plain
//! spawn of /bin/true and the other verbs have no equivalent.
//!
//! `exec` and the idle-memory rows use a container whose init sleeps
//! ([`IDLE_INIT`]): created and started untimed, then `exec ID /bin/true`
//! (the trailing-command form all three runtimes accept) once untimed and
//! `count` times timed, or the sandbox's host processes measured after a
//! settling delay; `delete --force` afterwards (untimed).

use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Which verb a lifecycle sample times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Create,
    Start,
    Delete,
    Run,
    /// `count` execs of /bin/true into a running container; the sample is
    /// their mean.
    Exec {
        count: u32,
    },
}

/// The init of the containers that `exec` and memory rows use: idle, and
/// gone on its own if the runner dies before deleting it.
pub const IDLE_INIT: [&str; 2] = ["/bin/sleep", "1000"];

impl Phase {
    pub fn verb(self) -> &'static str {
        match self {
            Phase::Create => "create",
            Phase::Start => "start",
            Phase::Delete => "delete",
            Phase::Run => "run",
            Phase::Exec { .. } => "exec",
        }
    }
}

/// How to call one OCI runtime: its binary with the global flags.
pub struct Oci<'a> {
    pub binary: &'a Path,
    pub global: Vec<String>,
    pub bundle: &'a Path,
}

/// One verb's result: its wall time, or why it failed.
struct Timed {
    ns: f64,
}

impl Oci<'_> {
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(self.binary);
        c.args(&self.global).args(args);
        c.env_clear()
            .env("PATH", crate::runtimes::WORKLOAD_PATH)
            .current_dir("/");
        c
    }

    /// Runs one verb with stdio on /dev/null (a created container keeps
    /// the stdio it was created with, so pipes would never reach EOF) and
    /// stderr in a file, within `timeout`.
    fn verb(&self, args: &[&str], timeout: Duration) -> Result<Timed, String> {
        self.verb_to(args, timeout, Stdio::null())
    }

    /// [`Oci::verb`] with stdout to `stdout`.
    fn verb_to(&self, args: &[&str], timeout: Duration, stdout: Stdio) -> Result<Timed, String> {
        let err_path = self.bundle.join(format!("stderr-{}", args[0]));
        let err_file = File::create(&err_path).map_err(|e| format!("stderr file: {e}"))?;
        let mut cmd = self.command(args);
        cmd.stdin(Stdio::null()).stdout(stdout).stderr(err_file);
        let start = Instant::now();
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", self.binary.display()))?;
        let status = loop {
            match child.try_wait() {
                Ok(Some(st)) => break st,
                Ok(None) if start.elapsed() > timeout => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!("{} timed out", args[0]));
                }
                Ok(None) => std::thread::sleep(Duration::from_micros(200)),
                Err(e) => return Err(format!("waiting for {}: {e}", args[0])),
            }
        };
        let ns = start.elapsed().as_nanos() as f64;
        let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
        let _ = std::fs::remove_file(&err_path);
        if !status.success() {
            let line = crate::exec::first_line(&stderr).unwrap_or_default();
            return Err(format!("{} failed: {line} ({status})", args[0]));
        }
        Ok(Timed { ns })
    }

    /// Polls `state` until the container is stopped.
    fn wait_stopped(&self, id: &str, timeout: Duration) -> Result<(), String> {
        let start = Instant::now();
        while start.elapsed() < timeout {
            let out = self
                .command(&["state", id])
                .stdin(Stdio::null())
                .stderr(Stdio::null())
                .output()
                .map_err(|e| format!("state: {e}"))?;
            let state: serde_json::Value = serde_json::from_slice(&out.stdout)
                .map_err(|_| "state printed no JSON".to_string())?;
            if state["status"] == "stopped" {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        Err("the container did not stop".into())
    }

    /// The container's pid from `state`.
    fn state_pid(&self, id: &str) -> Result<i32, String> {
        let out = self
            .command(&["state", id])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .map_err(|e| format!("state: {e}"))?;
        let state: serde_json::Value =
            serde_json::from_slice(&out.stdout).map_err(|_| "state printed no JSON".to_string())?;
        state["pid"]
            .as_i64()
            .and_then(|p| i32::try_from(p).ok())
            .filter(|p| *p > 0)
            .ok_or_else(|| format!("state has no pid: {}", state["pid"]))
    }

    fn force_delete(&self, id: &str) {
        // A container that is gone already makes this fail harmlessly.
        let _ = self
            .command(&["delete", "--force", id])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }

    /// Creates and starts container `id` (init [`IDLE_INIT`] in the
    /// bundle), runs `body` on it and deletes it with `--force`, whatever
    /// `body` returned.
    fn with_running<T>(
        &self,
        id: &str,
        timeout: Duration,
        body: impl FnOnce() -> Result<T, String>,
    ) -> Result<T, String> {
        let bundle = self.bundle.to_string_lossy().into_owned();
        let result = self
            .verb(&["create", "--bundle", &bundle, id], timeout)
            .and_then(|_| self.verb(&["start", id], timeout))
            .and_then(|_| body());
        self.force_delete(id);
        result
    }

    /// Runs `exec ID /bin/echo MARKER` with stdout to a file and checks
    /// that the marker arrived: an exec that exits 0 without running
    /// anything must fail, not look fast.
    fn check_exec(&self, id: &str, timeout: Duration) -> Result<(), String> {
        let path = self.bundle.join("stdout-exec");
        let file = File::create(&path).map_err(|e| format!("stdout file: {e}"))?;
        let marker = crate::catalog::CHECK_MARKER;
        let ran = self.verb_to(&["exec", id, "/bin/echo", marker], timeout, file.into());
        let out = std::fs::read_to_string(&path).unwrap_or_default();
        let _ = std::fs::remove_file(&path);
        ran?;
        if out.contains(marker) {
            Ok(())
        } else {
            Err(format!(
                "exec exited 0 without running the command (printed {:?}, expected {marker})",
                out.trim()
            ))
        }
    }

    /// The memory of an idle container: created, started, left alone for
    /// `settle`, then its host processes measured (see `memory`).
    pub fn idle_memory(
        &self,
        id: &str,
        settle: Duration,
        timeout: Duration,
    ) -> Result<crate::memory::Usage, String> {
        let since = crate::memory::ticks_since_boot();
        self.with_running(id, timeout, || {
            std::thread::sleep(settle);
            let pid = self.state_pid(id)?;
            let pids = crate::memory::sandbox_processes(pid, Some((self.bundle, since)));
            crate::memory::usage_of(&pids)
        })
    }

    /// One sample of `phase` for a fresh container `id`.
    pub fn sample(&self, phase: Phase, id: &str, timeout: Duration) -> Result<f64, String> {
        let bundle = self.bundle.to_string_lossy().into_owned();
        if let Phase::Exec { count } = phase {
            return self.with_running(id, timeout, || {
                // Untimed: the check, and the warm-up of caches and
                // first-exec work.
                self.check_exec(id, timeout)?;
                let exec = ["exec", id, "/bin/true"];
                let mut total = 0.0;
                for _ in 0..count.max(1) {
                    total += self.verb(&exec, timeout)?.ns;
                }
                Ok(total / f64::from(count.max(1)))
            });
        }
        let result = (|| {
            if phase == Phase::Run {
                return Ok(self.verb(&["run", "--bundle", &bundle, id], timeout)?.ns);
            }
            let create = self.verb(&["create", "--bundle", &bundle, id], timeout)?;
            let start = self.verb(&["start", id], timeout)?;
            self.wait_stopped(id, timeout)?;
            let delete = self.verb(&["delete", id], timeout)?;
            Ok(match phase {
                Phase::Create => create.ns,
                Phase::Start => start.ns,
                _ => delete.ns,
            })
        })();
        if result.is_err() || phase == Phase::Run {
            // Leave nothing behind (untimed).
            self.force_delete(id);
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_are_the_oci_names() {
        let names: Vec<_> = [
            Phase::Create,
            Phase::Start,
            Phase::Delete,
            Phase::Run,
            Phase::Exec { count: 1 },
        ]
        .iter()
        .map(|p| p.verb())
        .collect();
        assert_eq!(names, ["create", "start", "delete", "run", "exec"]);
    }

    #[test]
    fn a_failing_runtime_reports_its_stderr() {
        let dir = std::env::temp_dir().join(format!("lifecycle-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let sh = Path::new("/bin/sh");
        let oci = Oci {
            binary: sh,
            global: vec!["-c".into(), "echo 'no such bundle' >&2; exit 1".into()],
            bundle: &dir,
        };
        let err = oci
            .sample(Phase::Create, "x", Duration::from_secs(10))
            .unwrap_err();
        assert!(err.contains("create failed: no such bundle"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A fake runtime: `sh -c SCRIPT sh VERB ARGS...` that logs each verb
    /// to `log`, prints a state with `pid` and runs `exec ID /bin/echo X`
    /// when `execs` (else exits 0 without running it).
    fn fake(dir: &Path, pid: u32, execs: bool) -> Vec<String> {
        let log = dir.join("log");
        let echo = if execs { "echo \"$4\"" } else { "true" };
        let script = format!(
            "echo \"$*\" >> {}; [ \"$1\" = state ] && echo '{{\"pid\": {pid}}}'; \
             [ \"$1 $3\" = 'exec /bin/echo' ] && {echo}; exit 0",
            log.display()
        );
        vec!["-c".into(), script, "sh".into()]
    }

    #[test]
    fn exec_runs_in_a_started_container_and_deletes_it() {
        let dir = std::env::temp_dir().join(format!("lifecycle-exec-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let oci = Oci {
            binary: Path::new("/bin/sh"),
            global: fake(&dir, 1, true),
            bundle: &dir,
        };
        let ns = oci
            .sample(Phase::Exec { count: 3 }, "c1", Duration::from_secs(10))
            .unwrap();
        assert!(ns > 0.0);
        let log = std::fs::read_to_string(dir.join("log")).unwrap();
        let verbs: Vec<_> = log.lines().collect();
        let bundle = dir.display().to_string();
        let create = format!("create --bundle {bundle} c1");
        let check = format!("exec c1 /bin/echo {}", crate::catalog::CHECK_MARKER);
        let exec = "exec c1 /bin/true";
        assert_eq!(
            verbs,
            [
                &create,
                "start c1",
                &check,
                exec,
                exec,
                exec,
                "delete --force c1"
            ]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_exec_that_runs_nothing_fails_and_deletes_the_container() {
        let dir = std::env::temp_dir().join(format!("lifecycle-noexec-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let oci = Oci {
            binary: Path::new("/bin/sh"),
            global: fake(&dir, 1, false),
            bundle: &dir,
        };
        let err = oci
            .sample(Phase::Exec { count: 3 }, "c3", Duration::from_secs(10))
            .unwrap_err();
        assert!(err.contains("without running the command"), "{err}");
        let log = std::fs::read_to_string(dir.join("log")).unwrap();
        assert!(log.ends_with("delete --force c3\n"), "{log}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn idle_memory_counts_the_state_pid() {
        let dir = std::env::temp_dir().join(format!("lifecycle-mem-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let me = std::process::id();
        let oci = Oci {
            binary: Path::new("/bin/sh"),
            global: fake(&dir, me, true),
            bundle: &dir,
        };
        let u = oci
            .idle_memory("c2", Duration::ZERO, Duration::from_secs(10))
            .unwrap();
        assert!(u.processes.iter().any(|p| p.starts_with(&format!("{me} "))));
        assert!(u.pss_kib > 0);
        let log = std::fs::read_to_string(dir.join("log")).unwrap();
        assert!(log.ends_with("state c2\ndelete --force c2\n"), "{log}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
