//! OCI lifecycle benchmarks: the verbs a container engine calls, timed one
//! by one on a container whose init is `/bin/true`, in every runtime that
//! is an OCI runtime (runc, gVisor, ours), on the same bundle.
//!
//! One sample of `create`, `start` or `delete` runs the whole sequence
//! create → start → (wait until stopped) → delete and keeps the time of the
//! one verb; `run` is `run --bundle` of the container to its end (create,
//! start, wait and delete in one command). Natively, `run` is a plain
//! spawn of /bin/true and the other verbs have no equivalent.

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
}

impl Phase {
    pub fn verb(self) -> &'static str {
        match self {
            Phase::Create => "create",
            Phase::Start => "start",
            Phase::Delete => "delete",
            Phase::Run => "run",
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
        let err_path = self.bundle.join(format!("stderr-{}", args[0]));
        let err_file = File::create(&err_path).map_err(|e| format!("stderr file: {e}"))?;
        let mut cmd = self.command(args);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(err_file);
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

    /// One sample of `phase` for a fresh container `id`.
    pub fn sample(&self, phase: Phase, id: &str, timeout: Duration) -> Result<f64, String> {
        let bundle = self.bundle.to_string_lossy().into_owned();
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
            // Leave nothing behind (untimed); a container that is gone
            // already makes this fail harmlessly.
            let _ = self
                .command(&["delete", "--force", id])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_are_the_oci_names() {
        let names: Vec<_> = [Phase::Create, Phase::Start, Phase::Delete, Phase::Run]
            .iter()
            .map(|p| p.verb())
            .collect();
        assert_eq!(names, ["create", "start", "delete", "run"]);
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
}
