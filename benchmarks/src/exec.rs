//! Running one command with a time limit and timing it from the outside.

use std::os::unix::process::CommandExt;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A command that ran to completion (successfully or not).
#[derive(Debug)]
pub struct Finished {
    /// Wall-clock time from spawn to exit, in nanoseconds.
    pub wall_ns: f64,
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Finished {
    /// Why the run failed, in one line: the first non-empty stderr line
    /// and the exit status; `None` when it succeeded.
    pub fn failure(&self) -> Option<String> {
        if self.status.success() {
            return None;
        }
        Some(match first_line(&self.stderr) {
            Some(line) => format!("{line} ({})", describe(self.status)),
            None => describe(self.status),
        })
    }
}

/// The first non-empty line of `text`, trimmed and cut to 200 characters.
pub fn first_line(text: &str) -> Option<String> {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(|l| l.chars().take(200).collect())
}

fn describe(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit status {code}"),
        (None, Some(sig)) => format!("killed by signal {sig}"),
        _ => status.to_string(),
    }
}

/// Runs `cmd` with stdin from /dev/null and stdout/stderr captured, in a
/// process group of its own so that a hung run can be killed whole after
/// `timeout`. `Err` is a one-line reason (spawn failure or timeout).
pub fn run(cmd: &mut Command, timeout: Duration) -> Result<Finished, String> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let start = Instant::now();
    let child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", cmd.get_program().to_string_lossy()))?;
    let pgid = child.id() as libc::pid_t;
    let (tx, rx) = mpsc::channel();
    // Reading both pipes to the end and reaping happen on a helper thread so
    // this one can enforce the time limit.
    std::thread::spawn(move || {
        let result = child.wait_with_output();
        let end = Instant::now();
        let _ = tx.send((result, end));
    });
    match rx.recv_timeout(timeout) {
        Ok((Ok(out), end)) => Ok(Finished {
            wall_ns: (end - start).as_nanos() as f64,
            status: out.status,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }),
        Ok((Err(e), _)) => Err(format!("waiting for the command: {e}")),
        Err(_) => {
            // SAFETY: kill has no memory-safety preconditions; the negative
            // pid names the process group created for this child only.
            unsafe { libc::kill(-pgid, libc::SIGKILL) };
            let _ = rx.recv_timeout(Duration::from_secs(5));
            Err(format!("timed out after {} s (killed)", timeout.as_secs()))
        }
    }
}

/// The value of the `ns_per_op X` line a micro benchmark prints.
pub fn parse_ns_per_op(stdout: &str) -> Option<f64> {
    stdout.lines().rev().find_map(|l| {
        let v: f64 = l.trim().strip_prefix("ns_per_op")?.trim().parse().ok()?;
        (v.is_finite() && v >= 0.0).then_some(v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_result_line() {
        assert_eq!(parse_ns_per_op("ns_per_op 163.25\n"), Some(163.25));
        assert_eq!(parse_ns_per_op("noise\nns_per_op 2\n"), Some(2.0));
        assert_eq!(parse_ns_per_op("ns_per_op nan\n"), None);
        assert_eq!(parse_ns_per_op("hello\n"), None);
    }

    #[test]
    fn reports_first_stderr_line_of_a_failure() {
        let f = run(
            Command::new("/bin/sh").args(["-c", "echo; echo 'boom: no' >&2; echo two >&2; exit 3"]),
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(f.failure().unwrap(), "boom: no (exit status 3)");
    }

    #[test]
    fn success_is_timed_and_captured() {
        let f = run(
            Command::new("/bin/sh").args(["-c", "echo ns_per_op 5"]),
            Duration::from_secs(10),
        )
        .unwrap();
        assert!(f.failure().is_none());
        assert!(f.wall_ns > 0.0);
        assert_eq!(parse_ns_per_op(&f.stdout), Some(5.0));
    }

    #[test]
    fn hung_commands_time_out() {
        let start = Instant::now();
        let err = run(
            Command::new("/bin/sleep").arg("30"),
            Duration::from_millis(300),
        )
        .unwrap_err();
        assert!(err.contains("timed out"), "{err}");
        assert!(start.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn missing_program_is_a_spawn_error() {
        let err = run(
            &mut Command::new("/nonexistent/prog"),
            Duration::from_secs(1),
        )
        .unwrap_err();
        assert!(err.contains("cannot start"), "{err}");
    }
}
