//! OCI hooks, run on the host as runc runs them: `path` executed with `args`
//! (args[0] is argv[0]; without args argv[0] is the path) and exactly `env`,
//! the container's OCI state JSON on stdin, stdout and stderr captured for the
//! error message, and `timeout` seconds after which the hook (its whole
//! process group) is killed and the hook fails.
//!
//! Failure semantics (runtime-spec config.md#posix-platform-hooks):
//! createRuntime, createContainer, startContainer and prestart failures are
//! errors (the caller stops the lifecycle step and cleans up); poststart and
//! poststop failures are logged as warnings and the remaining hooks still run.
//!
//! Single-threaded (a CLI that unshared a pid namespace cannot create
//! threads): the hook's stdout, stderr and a pidfd are polled together.
//! Contains `unsafe`: `pidfd_open`.
//!
//! The sandbox never runs host code inside the container, so createContainer
//! and startContainer also run on the host, in runsc's namespaces (gVisor
//! does the same).

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use serde::Deserialize;
use std::io::Write;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::Duration;

/// One hook of config.json.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct Hook {
    pub path: String,
    #[serde(default)]
    pub args: Option<Vec<String>>,
    #[serde(default)]
    pub env: Option<Vec<String>>,
    /// Seconds; must be > 0 when present.
    #[serde(default)]
    pub timeout: Option<i64>,
}

/// config.json's `hooks` object.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Hooks {
    #[serde(default)]
    pub prestart: Vec<Hook>,
    #[serde(default)]
    pub create_runtime: Vec<Hook>,
    #[serde(default)]
    pub create_container: Vec<Hook>,
    #[serde(default)]
    pub start_container: Vec<Hook>,
    #[serde(default)]
    pub poststart: Vec<Hook>,
    #[serde(default)]
    pub poststop: Vec<Hook>,
}

/// The points of the lifecycle where hooks run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookKind {
    /// `create`, after the sandbox exists, before pivot (runc: after
    /// createRuntime's slot); deprecated but used by Docker's libnetwork.
    Prestart,
    /// `create`, after the sandbox's namespaces exist.
    CreateRuntime,
    /// `create`, after createRuntime.
    CreateContainer,
    /// `start`, before the user process runs.
    StartContainer,
    /// `start`, after the user process started.
    Poststart,
    /// `delete`, after the sandbox is gone.
    Poststop,
}

impl HookKind {
    pub fn name(self) -> &'static str {
        match self {
            HookKind::Prestart => "prestart",
            HookKind::CreateRuntime => "createRuntime",
            HookKind::CreateContainer => "createContainer",
            HookKind::StartContainer => "startContainer",
            HookKind::Poststart => "poststart",
            HookKind::Poststop => "poststop",
        }
    }

    /// Whether a failure stops the lifecycle (else: a warning).
    pub fn fatal(self) -> bool {
        !matches!(self, HookKind::Poststart | HookKind::Poststop)
    }
}

impl Hooks {
    pub fn get(&self, kind: HookKind) -> &[Hook] {
        match kind {
            HookKind::Prestart => &self.prestart,
            HookKind::CreateRuntime => &self.create_runtime,
            HookKind::CreateContainer => &self.create_container,
            HookKind::StartContainer => &self.start_container,
            HookKind::Poststart => &self.poststart,
            HookKind::Poststop => &self.poststop,
        }
    }

    /// Run every hook of `kind` in order with `state` (the OCI state JSON)
    /// on stdin. A fatal kind stops at the first failure and returns it; a
    /// non-fatal kind logs each failure and returns Ok.
    pub fn run(&self, kind: HookKind, state: &[u8]) -> anyhow::Result<()> {
        for (i, h) in self.get(kind).iter().enumerate() {
            if let Err(e) = run_hook(h, state) {
                let msg = format!("{} hook #{i} ({}): {e:#}", kind.name(), h.path);
                if kind.fatal() {
                    anyhow::bail!("{msg}");
                }
                tracing::warn!("{msg}");
            }
        }
        Ok(())
    }
}

/// A pidfd of `pid` (readable once it exited).
fn pidfd_open(pid: i32) -> std::io::Result<OwnedFd> {
    // SAFETY: pidfd_open takes plain integers and returns a new fd or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: the kernel just returned this fd; nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

/// Run one hook; Err on a start failure, a non-zero exit, death by a signal
/// or the timeout.
pub fn run_hook(h: &Hook, state: &[u8]) -> anyhow::Result<()> {
    let timeout = match h.timeout {
        Some(t) if t <= 0 => anyhow::bail!("timeout must be greater than zero, got {t}"),
        Some(t) => Some(Duration::from_secs(t as u64)),
        None => None,
    };
    let mut cmd = Command::new(&h.path);
    if let Some([argv0, rest @ ..]) = h.args.as_deref() {
        cmd.arg0(argv0).args(rest);
    }
    cmd.env_clear();
    for kv in h.env.iter().flatten() {
        match kv.split_once('=') {
            Some((k, v)) => cmd.env(k, v),
            None => cmd.env(kv, ""),
        };
    }
    // Its own process group, so that a timeout kills what it started too.
    cmd.process_group(0)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| anyhow::anyhow!("cannot start: {e}"))?;
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    if let Some(mut stdin) = child.stdin.take() {
        // A hook that does not read its stdin is fine (EPIPE is ignored; the
        // state is far smaller than a pipe buffer).
        let _ = stdin.write_all(state);
    }
    // One thread (the CLI may be in a state where it cannot create threads:
    // after unshare(CLONE_NEWPID)): poll the two pipes and a pidfd of the
    // hook until it exited, or the timeout.
    let pidfd = pidfd_open(pid.as_raw()).map_err(|e| anyhow::anyhow!("pidfd_open: {e}"))?;
    let deadline = timeout.map(|t| std::time::Instant::now() + t);
    let mut out = Vec::new();
    let mut err = Vec::new();
    let mut pipes = [
        child.stdout.take().map(OwnedFd::from),
        child.stderr.take().map(OwnedFd::from),
    ];
    let mut exited = false;
    let mut timed_out = false;
    loop {
        if exited && pipes.iter().all(Option::is_none) {
            break;
        }
        let wait_ms: i32 = if exited {
            0 // only drain what is already there
        } else {
            match deadline {
                Some(d) => d
                    .saturating_duration_since(std::time::Instant::now())
                    .as_millis()
                    .min(i32::MAX as u128) as i32,
                None => -1,
            }
        };
        let mut fds: Vec<PollFd> = vec![PollFd::new(pidfd.as_fd(), PollFlags::POLLIN)];
        for p in pipes.iter().flatten() {
            fds.push(PollFd::new(p.as_fd(), PollFlags::POLLIN));
        }
        let n = match poll(
            &mut fds,
            PollTimeout::try_from(wait_ms).unwrap_or(PollTimeout::NONE),
        ) {
            Ok(n) => n,
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => anyhow::bail!("poll: {e}"),
        };
        if n == 0 {
            if !exited {
                timed_out = true;
                // Not reaped yet (we reap below), so the group still exists.
                let _ = nix::sys::signal::killpg(pid, nix::sys::signal::Signal::SIGKILL);
            }
            break;
        }
        let ready: Vec<bool> = fds
            .iter()
            .map(|f| f.revents().is_some_and(|r| !r.is_empty()))
            .collect();
        drop(fds);
        if ready[0] {
            exited = true;
        }
        let mut i = 1;
        for (slot, buf) in pipes.iter_mut().zip([&mut out, &mut err]) {
            let Some(fd) = slot else { continue };
            if ready[i] {
                let mut chunk = [0u8; 4096];
                match nix::unistd::read(fd.as_raw_fd(), &mut chunk) {
                    Ok(0) | Err(nix::errno::Errno::EBADF) => *slot = None,
                    Ok(k) => buf.extend_from_slice(&chunk[..k]),
                    Err(nix::errno::Errno::EINTR | nix::errno::Errno::EAGAIN) => {}
                    Err(_) => *slot = None,
                }
            }
            i += 1;
        }
    }
    let st = child.wait().map_err(|e| anyhow::anyhow!("wait: {e}"))?;
    let detail = || {
        let o = String::from_utf8_lossy(&out);
        let e = String::from_utf8_lossy(&err);
        format!("stdout: {:?}, stderr: {:?}", o.trim_end(), e.trim_end())
    };
    if timed_out {
        anyhow::bail!(
            "timed out after {}s and was killed, {}",
            h.timeout.unwrap_or(0),
            detail()
        );
    }
    if !st.success() {
        anyhow::bail!("{st}, {}", detail());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::path::PathBuf;

    struct TmpDir(PathBuf);
    impl Drop for TmpDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
    fn tmpdir(name: &str) -> TmpDir {
        let d = std::env::temp_dir().join(format!("runsc-hooks-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        TmpDir(d)
    }
    fn script(dir: &TmpDir, name: &str, body: &str) -> String {
        let p = dir.0.join(name);
        std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        p.to_string_lossy().into_owned()
    }
    fn hook(path: &str, args: &[&str], env: &[&str], timeout: Option<i64>) -> Hook {
        Hook {
            path: path.into(),
            args: (!args.is_empty()).then(|| args.iter().map(|s| s.to_string()).collect()),
            env: (!env.is_empty()).then(|| env.iter().map(|s| s.to_string()).collect()),
            timeout,
        }
    }

    const STATE: &[u8] =
        br#"{"ociVersion":"1.0.2","id":"c1","status":"creating","pid":42,"bundle":"/b"}"#;

    #[test]
    fn args_env_and_state_on_stdin() {
        let d = tmpdir("args");
        let out = d.0.join("out");
        let p = script(
            &d,
            "h",
            &format!(
                "{{ echo \"argv0=$0\"; echo \"args=$*\"; env | sort; cat; }} > {}",
                out.display()
            ),
        );
        let h = hook(
            &p,
            &["my-hook", "a", "b c"],
            &["FOO=bar", "PATH=/usr/bin:/bin"],
            None,
        );
        run_hook(&h, STATE).unwrap();
        let got = std::fs::read_to_string(&out).unwrap();
        assert!(got.contains("args=a b c\n"), "{got}");
        assert!(got.contains("FOO=bar\n"), "{got}");
        assert!(!got.contains("HOME="), "env not cleared: {got}");
        assert!(got.ends_with(std::str::from_utf8(STATE).unwrap()), "{got}");

        // argv[0] as given (a script's own argv[0] is replaced by the #!
        // mechanism, so ask a shell directly).
        let h = hook(
            "/bin/sh",
            &[
                "custom-argv0",
                "-c",
                &format!("echo $0 > {}", out.display()),
            ],
            &[],
            None,
        );
        run_hook(&h, STATE).unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "custom-argv0\n");
    }

    #[test]
    fn failure_is_fatal_only_for_the_early_kinds() {
        let d = tmpdir("fail");
        let marker = d.0.join("second-ran");
        let bad = script(&d, "bad", "echo to-stdout; echo to-stderr >&2; exit 3");
        let good = script(&d, "good", &format!("touch {}", marker.display()));
        let hooks = |list: Vec<Hook>| Hooks {
            prestart: list.clone(),
            create_runtime: list.clone(),
            create_container: list.clone(),
            start_container: list.clone(),
            poststart: list.clone(),
            poststop: list,
        };
        let hs = hooks(vec![
            hook(&bad, &[], &[], None),
            hook(&good, &[], &[], None),
        ]);
        for kind in [
            HookKind::Prestart,
            HookKind::CreateRuntime,
            HookKind::CreateContainer,
            HookKind::StartContainer,
        ] {
            let e = format!("{:#}", hs.run(kind, STATE).unwrap_err());
            assert!(e.contains(kind.name()), "{e}");
            assert!(e.contains("exit status: 3"), "{e}");
            assert!(e.contains("to-stderr") && e.contains("to-stdout"), "{e}");
            assert!(
                !marker.exists(),
                "{}: hooks after a failed one ran",
                kind.name()
            );
        }
        for kind in [HookKind::Poststart, HookKind::Poststop] {
            hs.run(kind, STATE).unwrap();
            assert!(
                marker.exists(),
                "{}: the next hook must still run",
                kind.name()
            );
            std::fs::remove_file(&marker).unwrap();
        }
    }

    #[test]
    fn missing_binary_and_signal_death_fail() {
        let e = run_hook(&hook("/nonexistent/hook", &[], &[], None), STATE).unwrap_err();
        assert!(format!("{e}").contains("cannot start"), "{e}");
        let e = run_hook(
            &hook("/bin/sh", &["sh", "-c", "kill -9 $$"], &[], None),
            STATE,
        )
        .unwrap_err();
        assert!(format!("{e}").contains("signal: 9"), "{e}");
        let e = run_hook(&hook("/bin/true", &[], &[], Some(0)), STATE).unwrap_err();
        assert!(format!("{e}").contains("greater than zero"), "{e}");
    }

    #[test]
    fn timeout_kills_the_hook_and_its_children() {
        let d = tmpdir("timeout");
        let pidfile = d.0.join("child.pid");
        let p = script(
            &d,
            "slow",
            &format!("sleep 30 & echo $! > {}; wait", pidfile.display()),
        );
        let t0 = std::time::Instant::now();
        let e = run_hook(&hook(&p, &[], &[], Some(1)), STATE).unwrap_err();
        let took = t0.elapsed();
        assert!(format!("{e}").contains("timed out after 1s"), "{e}");
        assert!(took < Duration::from_secs(10), "took {took:?}");
        // The background sleep was in the hook's process group: gone (or a
        // zombie of an init that has not reaped it yet). SIGKILL takes
        // effect when the child next runs: on a loaded machine, give it time.
        // (Under extreme load the shell may not have got as far as starting
        // it within the timeout; then there is no child to check.)
        if let Ok(text) = std::fs::read_to_string(&pidfile) {
            let child: i32 = text.trim().parse().unwrap();
            let dead = || {
                let stat =
                    std::fs::read_to_string(format!("/proc/{child}/stat")).unwrap_or_default();
                stat.is_empty() || stat.contains(") Z ")
            };
            let t = std::time::Instant::now();
            while !dead() && t.elapsed() < Duration::from_secs(10) {
                std::thread::sleep(Duration::from_millis(20));
            }
            assert!(dead(), "child {child} still alive");
        }
        // Non-fatal kinds only warn on timeout.
        let hs = Hooks {
            poststop: vec![hook(&p, &[], &[], Some(1))],
            ..Hooks::default()
        };
        hs.run(HookKind::Poststop, STATE).unwrap();
    }

    #[test]
    fn hooks_parse_from_config_json() {
        let v: serde_json::Value = serde_json::from_str(
            r#"{"prestart":[{"path":"/usr/bin/libnetwork-setkey","args":["libnetwork-setkey","-exec-root=/var/run/docker","abc","def"]}],
                "poststop":[{"path":"/bin/true","env":["A=B"],"timeout":5}]}"#,
        )
        .unwrap();
        let h: Hooks = serde_json::from_value(v).unwrap();
        assert_eq!(h.prestart[0].args.as_ref().unwrap()[0], "libnetwork-setkey");
        assert_eq!(h.poststop[0].timeout, Some(5));
        assert!(h.create_runtime.is_empty());
    }
}
