//! runsc's options from flags, `dev.runsc.*` annotations and the config file
//! ($RUNSC_CONFIG), with their precedence and errors; the internal roles
//! refusing to run by hand; the standalone verbs spec, features, install and
//! uninstall (on temp files only).

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;
use systests::*;

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("systests-options-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `runsc ARGS` with $RUNSC_CONFIG set to a file holding `config`.
fn with_config(name: &str, config: &str, args: &[&str]) -> Output {
    let d = tmpdir(name);
    let f = d.join("config.toml");
    std::fs::write(&f, config).unwrap();
    let mut c = Command::new(runsc());
    c.args(args).env_clear().env("RUNSC_CONFIG", &f);
    if let Some(p) = std::env::var_os("PATH") {
        c.env("PATH", p);
    }
    let out = run_command(c, Duration::from_secs(60), None);
    let _ = std::fs::remove_dir_all(&d);
    out
}

fn traced(out: &Output) -> bool {
    out.stderr_str().contains("execve(")
}

#[test]
fn strace_from_annotation_file_and_flag_with_precedence() {
    if !sandbox_enabled("options_precedence") {
        return;
    }
    let echo = ["/bin/echo", "x"];
    // Annotation only.
    let out = runsc_cmd([
        "do",
        "--annotation",
        "dev.runsc.strace=true",
        echo[0],
        echo[1],
    ]);
    out.assert_no_panic().assert_code(0).assert_stdout("x\n");
    assert!(traced(&out), "annotation ignored\n{}", out.describe());
    // File only.
    let out = with_config("file", "strace = true\n", &["do", echo[0], echo[1]]);
    out.assert_code(0).assert_stdout("x\n");
    assert!(traced(&out), "config file ignored\n{}", out.describe());
    // Annotation beats file.
    let out = with_config(
        "ann",
        "strace = true\n",
        &[
            "do",
            "--annotation",
            "dev.runsc.strace=false",
            echo[0],
            echo[1],
        ],
    );
    out.assert_code(0);
    assert!(
        !traced(&out),
        "annotation must beat the file\n{}",
        out.describe()
    );
    // Flag beats annotation.
    let out = with_config(
        "flag",
        "",
        &[
            "--strace",
            "do",
            "--annotation",
            "dev.runsc.strace=false",
            echo[0],
            echo[1],
        ],
    );
    out.assert_code(0);
    assert!(
        traced(&out),
        "flag must beat the annotation\n{}",
        out.describe()
    );
}

#[test]
fn bad_options_are_one_line_errors() {
    let cases: [(&str, &[&str], &str); 5] = [
        (
            "bogus = true\n",
            &["do", "/bin/true"],
            "unknown option \"bogus\"",
        ),
        (
            "platform = \"kvm\"\n",
            &["do", "/bin/true"],
            "invalid value \"kvm\"",
        ),
        ("strace = \n", &["do", "/bin/true"], "line 1"),
        (
            "",
            &["do", "--annotation", "dev.runsc.nope=1", "/bin/true"],
            "annotation dev.runsc.nope",
        ),
        (
            "",
            &["--seccomp=maybe", "do", "/bin/true"],
            "expected kill or log",
        ),
    ];
    for (i, (file, args, want)) in cases.iter().enumerate() {
        let out = with_config(&format!("bad{i}"), file, args);
        out.assert_no_panic().assert_code(1);
        let err = out.stderr_str();
        assert!(
            err.contains(want),
            "case {i}: {want:?} missing\n{}",
            out.describe()
        );
        assert_eq!(
            err.trim_end().lines().count(),
            1,
            "case {i}: not one line\n{}",
            out.describe()
        );
    }
    // $RUNSC_CONFIG naming a missing file is an error too.
    let mut c = Command::new(runsc());
    c.args(["do", "/bin/true"])
        .env_clear()
        .env("RUNSC_CONFIG", "/nonexistent/runsc.toml");
    let out = run_command(c, Duration::from_secs(30), None);
    out.assert_code(1);
    assert!(
        out.stderr_str().contains("/nonexistent/runsc.toml"),
        "{}",
        out.describe()
    );
}

#[test]
fn debug_log_writes_one_file_per_process() {
    if !sandbox_enabled("debug_log") {
        return;
    }
    let d = tmpdir("debuglog");
    let out = runsc_cmd(["--debug-log", d.to_str().unwrap(), "do", "/bin/true"]);
    out.assert_no_panic().assert_code(0);
    let names: Vec<String> = std::fs::read_dir(&d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let _ = std::fs::remove_dir_all(&d);
    for role in ["do", "boot", "gofer"] {
        assert!(
            names
                .iter()
                .any(|n| n.starts_with(&format!("runsc.{role}."))),
            "no log of {role} in {names:?}"
        );
    }
}

#[test]
fn internal_roles_refuse_to_run_by_hand() {
    for args in [
        &["boot"][..],
        &["boot", "--config-fd", "3"],
        &["gofer", "--root", "/", "--channels", "1"],
        &["gofer"],
    ] {
        let out = runsc_cmd(args);
        out.assert_no_panic().assert_code(1);
        let err = out.stderr_str();
        assert!(err.contains("is internal"), "{args:?}\n{}", out.describe());
        assert_eq!(
            err.trim_end().lines().count(),
            1,
            "{args:?}\n{}",
            out.describe()
        );
    }
}

#[test]
fn spec_and_features() {
    let d = tmpdir("spec");
    let out = runsc_cmd(["spec", "--bundle", d.to_str().unwrap()]);
    out.assert_code(0);
    let spec = std::fs::read_to_string(d.join("config.json")).unwrap();
    assert!(
        spec.contains("\"hostname\": \"runsc\"") && spec.contains("\"ociVersion\""),
        "{spec}"
    );
    let out = runsc_cmd(["spec", "--bundle", d.to_str().unwrap()]);
    out.assert_code(1);
    assert!(out.stderr_str().contains("exists"), "{}", out.describe());
    let _ = std::fs::remove_dir_all(&d);

    let out = runsc_cmd(["features"]);
    out.assert_code(0);
    let f = out.stdout_str();
    for k in [
        "\"ociVersionMin\"",
        "\"ociVersionMax\"",
        "\"createRuntime\"",
        "\"CAP_SYS_ADMIN\"",
        "\"cgroup\"",
    ] {
        assert!(f.contains(k), "{k} missing\n{f}");
    }
}

#[test]
fn install_and_uninstall_on_a_temp_daemon_json() {
    let d = tmpdir("install");
    let f = d.join("daemon.json");
    std::fs::write(&f, "{\"storage-driver\": \"vfs\"}\n").unwrap();
    let fs = f.to_str().unwrap();
    let out = runsc_cmd([
        "install",
        "--config-file",
        fs,
        "--runtime",
        "rs-test",
        "--",
        "--strace",
    ]);
    out.assert_code(0);
    let text = std::fs::read_to_string(&f).unwrap();
    assert!(
        text.contains("\"rs-test\"") && text.contains("\"--strace\"") && text.contains("\"vfs\""),
        "{text}"
    );
    assert!(d.join("daemon.json.bak").exists());
    runsc_cmd(["uninstall", "--config-file", fs, "--runtime", "rs-test"]).assert_code(0);
    let text = std::fs::read_to_string(&f).unwrap();
    assert!(
        !text.contains("rs-test") && text.contains("\"vfs\""),
        "{text}"
    );
    let out = runsc_cmd(["uninstall", "--config-file", fs, "--runtime", "rs-test"]);
    out.assert_code(1);
    assert!(out.stderr_str().contains("not found"), "{}", out.describe());
    let _ = std::fs::remove_dir_all(&d);
}

/// The directory of cgroup `name` (relative to this process's cgroup) in the
/// pids hierarchy (v1) or the unified tree (v2).
fn pids_cgroup_dir(name: &str) -> Option<PathBuf> {
    let own = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    for l in own.lines() {
        let mut f = l.splitn(3, ':');
        let (_, ctl, path) = (f.next()?, f.next()?, f.next()?);
        if ctl.split(',').any(|c| c == "pids") {
            return Some(PathBuf::from(format!("/sys/fs/cgroup/pids{path}")).join(name));
        }
    }
    let v2 = own.lines().find_map(|l| l.strip_prefix("0::"))?;
    Some(PathBuf::from(format!("/sys/fs/cgroup{v2}")).join(name))
}

fn ppid(pid: u32) -> Option<u32> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    s[s.rfind(')')? + 2..].split(' ').nth(1)?.parse().ok()
}

/// `runsc do --cgroup-path`: the CLI, the gofer, the sentry and every stub
/// are in the cgroup while the sandbox runs; the resources apply; the cgroup
/// is gone afterwards.
#[test]
fn do_runs_the_whole_sandbox_in_a_cgroup() {
    use std::io::{BufRead, Write};
    if !sandbox_enabled("do_cgroup") || unsafe { libc::geteuid() } != 0 {
        return;
    }
    let name = format!("systests-do-{}", std::process::id());
    let Some(dir) = pids_cgroup_dir(&name) else {
        eprintln!("no pids cgroup: skipped");
        return;
    };
    let d = tmpdir("cgroup");
    let res = d.join("resources.json");
    std::fs::write(
        &res,
        r#"{"pids":{"limit":200},"memory":{"limit":536870912}}"#,
    )
    .unwrap();
    let mut child = Command::new(runsc())
        .args([
            "do",
            "--cgroup-path",
            &name,
            "--resources",
            res.to_str().unwrap(),
        ])
        .args(["/bin/sh", "-c", "echo ready; read x; echo done"])
        .env_clear()
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let cli = child.id();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let procs = std::fs::read_to_string(dir.join("cgroup.procs")).unwrap_or_default();
    let limit = std::fs::read_to_string(dir.join("pids.max")).unwrap_or_default();
    // Every descendant of the CLI (gofer, sentry, stubs).
    let mut family = vec![cli];
    let all: Vec<u32> = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    loop {
        let more: Vec<u32> = all
            .iter()
            .copied()
            .filter(|p| !family.contains(p) && ppid(*p).is_some_and(|pp| family.contains(&pp)))
            .collect();
        if more.is_empty() {
            break;
        }
        family.extend(more);
    }
    writeln!(child.stdin.take().unwrap(), "go").unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let st = child.wait().unwrap();
    let _ = std::fs::remove_dir_all(&d);
    assert_eq!(line, "ready\n");
    assert_eq!(rest, "done\n");
    assert!(st.success(), "{st:?}");
    assert_eq!(limit.trim(), "200");
    let in_cg: Vec<u32> = procs.lines().filter_map(|l| l.parse().ok()).collect();
    assert!(
        family.len() >= 4,
        "CLI, gofer, sentry and a stub expected: {family:?}"
    );
    for p in &family {
        assert!(
            in_cg.contains(p),
            "pid {p} of the sandbox is outside the cgroup: {in_cg:?} vs {family:?}"
        );
    }
    assert!(!dir.exists(), "{} left behind", dir.display());
}
