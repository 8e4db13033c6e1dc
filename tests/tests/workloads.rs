//! Workload tests: unmodified host programs run with `runsc do` (the host's `/` as the
//! read-only root), checked against fixed expectations or against the same command run
//! natively.

use std::time::Duration;
use systests::{fixtures, line_diff, runsc_cmd, runsc_cmd_with, sandbox_enabled, Cmd, Output};

/// Runs `runsc do ARGS...`; returns None in native-only mode.
fn run_do(test: &str, args: &[&str]) -> Option<Output> {
    if !sandbox_enabled(test) {
        return None;
    }
    let mut all = vec!["do"];
    all.extend_from_slice(args);
    Some(runsc_cmd(all))
}

/// Runs `cmd` natively and under `runsc do`; stdout and exit status must match.
fn same_as_host(test: &str, program: &str, args: &[&str]) {
    let cmd = Cmd::new(program).args(args.iter().copied()).cwd("/");
    let native = cmd.run_native();
    if native.timed_out || native.status.shell_code() != 0 {
        panic!("the host run itself failed\n{}", native.describe());
    }
    if !sandbox_enabled(test) {
        return;
    }
    let sandbox = cmd.run_sandbox();
    sandbox.assert_no_panic();
    if native.stdout != sandbox.stdout || native.status.shell_code() != sandbox.status.shell_code()
    {
        panic!(
            "`{program} {}` differs between the host and the sandbox (host: {}, sandbox: {})\n{}\nsandbox run:\n{}",
            args.join(" "),
            native.status,
            sandbox.status,
            line_diff("host", &native.stdout_str(), "sandbox", &sandbox.stdout_str()),
            sandbox.describe()
        );
    }
}

fn assert_one_line_error(out: &Output, code: i32) {
    out.assert_code(code);
    let err = out.stderr_str();
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.len() != 1 {
        panic!(
            "expected exactly one line on stderr, got {}\n{}",
            lines.len(),
            out.describe()
        );
    }
    if !out.stdout.is_empty() {
        panic!("expected nothing on stdout\n{}", out.describe());
    }
}

#[test]
fn echo_hello() {
    if let Some(out) = run_do("echo_hello", &["/bin/echo", "hello"]) {
        out.assert_no_panic()
            .assert_code(0)
            .assert_stdout("hello\n");
    }
}

#[test]
fn sh_exit_7() {
    if let Some(out) = run_do("sh_exit_7", &["/bin/sh", "-c", "exit 7"]) {
        out.assert_no_panic().assert_code(7).assert_stdout("");
    }
}

#[test]
fn sh_builtins_and_arithmetic() {
    let script = "i=0; while [ $i -lt 5 ]; do i=$((i+1)); printf '%s,' $i; done; echo; \
                  echo err >&2; echo \"$0 $1 $#\"; exit 3";
    if let Some(out) = run_do(
        "sh_builtins_and_arithmetic",
        &["/bin/sh", "-c", script, "zero", "one"],
    ) {
        out.assert_no_panic()
            .assert_code(3)
            .assert_stdout("1,2,3,4,5,\nzero one 1\n");
        assert!(
            out.stderr_str().contains("err"),
            "stderr of the program is passed through\n{}",
            out.describe()
        );
    }
}

#[test]
fn ls_la_usr_bin_same_as_host() {
    same_as_host(
        "ls_la_usr_bin_same_as_host",
        "/bin/ls",
        &["-la", "/usr/bin"],
    );
}

#[test]
fn ls_la_fixtures_same_as_host() {
    let dir = fixtures();
    same_as_host(
        "ls_la_fixtures_same_as_host",
        "/bin/ls",
        &["-laR", "--time-style=full-iso", dir.to_str().unwrap()],
    );
}

#[test]
fn coreutils_same_as_host() {
    let dir = fixtures();
    let f = |n: &str| dir.join(n).to_string_lossy().into_owned();
    same_as_host("coreutils_cat", "/bin/cat", &[&f("small.txt"), &f("dir/a")]);
    same_as_host(
        "coreutils_sha256sum",
        "/usr/bin/sha256sum",
        &[&f("file.txt"), &f("big.bin")],
    );
    same_as_host(
        "coreutils_wc",
        "/usr/bin/wc",
        &[&f("file.txt"), &f("script.sh")],
    );
    same_as_host(
        "coreutils_head",
        "/usr/bin/head",
        &["-c", "4100", &f("big.bin")],
    );
    same_as_host(
        "coreutils_stat",
        "/usr/bin/stat",
        &[
            "-c",
            "%n %s %F %a %h",
            &f("file.txt"),
            &f("link_rel"),
            &f("dir"),
        ],
    );
    same_as_host(
        "coreutils_readlink",
        "/usr/bin/readlink",
        &["-f", &f("link_dir/link")],
    );
    same_as_host(
        "coreutils_ls_include",
        "/bin/ls",
        &["-1", "/usr/include/linux"],
    );
}

#[test]
fn python3_argv_and_pid() {
    if let Some(out) = run_do(
        "python3_argv_and_pid",
        &[
            "/usr/bin/python3",
            "-c",
            "import json,sys,os; print(json.dumps(sys.argv), os.getpid())",
            "a",
            "b",
        ],
    ) {
        out.assert_no_panic()
            .assert_code(0)
            .assert_stdout("[\"-c\", \"a\", \"b\"] 1\n");
    }
}

#[test]
fn env_exactly_what_was_given() {
    if let Some(out) = run_do(
        "env_exactly_what_was_given",
        &["--env", "A=1", "/usr/bin/env"],
    ) {
        out.assert_no_panic().assert_code(0).assert_stdout("A=1\n");
    }
}

#[test]
fn env_empty_by_default() {
    // env prints nothing at all for an empty environment; the exit status
    // proves it ran.
    if let Some(out) = run_do("env_empty_by_default", &["--cwd", "/", "/usr/bin/env"]) {
        out.assert_no_panic().assert_code(0).assert_stdout("");
    }
}

#[test]
fn env_several_in_order() {
    if let Some(out) = run_do(
        "env_several_in_order",
        &[
            "--env",
            "B=2",
            "--env",
            "A=x y",
            "--env",
            "EMPTY=",
            "/usr/bin/env",
        ],
    ) {
        out.assert_no_panic()
            .assert_code(0)
            .assert_stdout("B=2\nA=x y\nEMPTY=\n");
    }
}

#[test]
fn missing_program_exits_127_with_one_line() {
    if let Some(out) = run_do("missing_program_abs", &["/nonexistent/program", "arg"]) {
        out.assert_no_panic();
        assert_one_line_error(&out, 127);
    }
    if let Some(out) = run_do("missing_program_path", &["no-such-program-xyz"]) {
        out.assert_no_panic();
        assert_one_line_error(&out, 127);
    }
}

#[test]
fn path_lookup_like_a_shell() {
    if let Some(out) = run_do("path_lookup_default", &["echo", "hi"]) {
        out.assert_no_panic().assert_code(0).assert_stdout("hi\n");
    }
    if let Some(out) = run_do(
        "path_lookup_env",
        &["--env", "PATH=/nonexistent:/usr/bin", "env"],
    ) {
        out.assert_no_panic()
            .assert_code(0)
            .assert_stdout("PATH=/nonexistent:/usr/bin\n");
    }
    if let Some(out) = run_do("path_lookup_sh", &["sh", "-c", "echo $0", "named"]) {
        out.assert_no_panic()
            .assert_code(0)
            .assert_stdout("named\n");
    }
}

#[test]
fn not_executable_files_exit_126() {
    let dir = fixtures();
    for name in ["exec_text", "exec_empty", "noexec.sh", "dir"] {
        let p = dir.join(name);
        if let Some(out) = run_do("not_executable_files_exit_126", &[p.to_str().unwrap()]) {
            out.assert_no_panic();
            assert_one_line_error(&out, 126);
        }
    }
}

#[test]
fn cwd_option() {
    if let Some(out) = run_do("cwd_option", &["--cwd", "/usr/include", "/bin/pwd"]) {
        out.assert_no_panic()
            .assert_code(0)
            .assert_stdout("/usr/include\n");
    }
    let dir = fixtures();
    if let Some(out) = run_do(
        "cwd_option_relative_open",
        &["--cwd", dir.to_str().unwrap(), "/bin/cat", "small.txt"],
    ) {
        out.assert_no_panic()
            .assert_code(0)
            .assert_stdout("hello, world\n");
    }
}

#[test]
fn stdin_is_inherited() {
    if !sandbox_enabled("stdin_is_inherited") {
        return;
    }
    let out = runsc_cmd_with(
        ["do", "/bin/cat"],
        Duration::from_secs(60),
        Some(b"line one\nline two\n"),
    );
    out.assert_no_panic()
        .assert_code(0)
        .assert_stdout("line one\nline two\n");
}

#[test]
fn double_dash_separates_program_options() {
    if let Some(out) = run_do("double_dash", &["--", "/bin/echo", "--env", "x"]) {
        out.assert_no_panic()
            .assert_code(0)
            .assert_stdout("--env x\n");
    }
}

#[test]
fn strace_logs_syscalls_and_keeps_stdout_clean() {
    if let Some(out) = run_do("strace", &["--strace", "/bin/echo", "traced"]) {
        out.assert_no_panic()
            .assert_code(0)
            .assert_stdout("traced\n");
        let err = out.stderr_str();
        assert!(
            err.contains("write(") && err.contains("execve("),
            "--strace should log the syscalls (write, execve) on stderr\n{}",
            out.describe()
        );
    }
}

/// The processes issue's headline: pipelines, background jobs, wait, traps
/// run by signals, exit status.
#[test]
fn shell_pipeline_job_trap() {
    let script = "echo a | tr a b; (sleep 0.2; echo sub) & wait; trap \"echo trapped\" USR1; kill -USR1 $$; exit 5";
    if let Some(out) = run_do(
        "shell_pipeline_job_trap",
        &["--cwd", "/", "/bin/sh", "-c", script],
    ) {
        out.assert_no_panic()
            .assert_code(5)
            .assert_stdout("b\nsub\ntrapped\n");
    }
}

/// 200 fork+exec+wait from a bash loop (the command, verbatim).
#[test]
fn shell_loop_of_true() {
    let script = "for i in $(seq 1 200); do /bin/true; done; echo done";
    if let Some(out) = run_do(
        "shell_loop_of_true",
        &["--cwd", "/", "/bin/bash", "-c", script],
    ) {
        out.assert_no_panic().assert_code(0).assert_stdout("done\n");
    }
}

/// procps's `ps` reads the sandbox's procfs: it lists the sandbox's
/// processes only (a shell, its background sleep, and ps itself), with
/// their parents and command lines. Skipped when procps is not installed.
#[test]
fn ps_lists_sandbox_processes() {
    if !std::path::Path::new("/bin/ps").exists() {
        eprintln!("skipped: /bin/ps (procps) is not installed");
        return;
    }
    let script = "sleep 5 & /bin/ps -e -o pid=,ppid=,comm=,args=; kill $!";
    if let Some(out) = run_do(
        "ps_lists_sandbox_processes",
        &["--cwd", "/", "/bin/sh", "-c", script],
    ) {
        out.assert_no_panic().assert_code(0);
        let stdout = out.stdout_str();
        let rows: Vec<Vec<String>> = stdout
            .lines()
            .map(|l| l.split_whitespace().map(str::to_string).collect())
            .collect();
        let summary: Vec<String> = rows
            .iter()
            .map(|r| r.get(2).cloned().unwrap_or_default())
            .collect();
        assert_eq!(summary, ["sh", "sleep", "ps"], "{}", out.describe());
        // pid 1 is the shell; the others are its children.
        assert_eq!(rows[0][0], "1", "{}", out.describe());
        assert!(rows[1..].iter().all(|r| r[1] == "1"), "{}", out.describe());
        assert_eq!(rows[1][3..], ["sleep", "5"], "{}", out.describe());
        assert_eq!(
            rows[2][3..],
            ["/bin/ps", "-e", "-o", "pid=,ppid=,comm=,args="]
        );
    }
}

/// PostgreSQL (its postmaster's System V shared memory segment, attached by
/// every backend): initdb, start, a query through psql over a unix socket,
/// stop; the segment is listed by ipcs while the server runs and gone after.
/// Skipped when PostgreSQL is not installed.
#[test]
fn postgres_sysv_shm() {
    let Some(bin) = std::fs::read_dir("/usr/lib/postgresql").ok().and_then(|d| {
        d.filter_map(Result::ok)
            .map(|e| e.path().join("bin"))
            .find(|b| b.join("initdb").exists())
    }) else {
        eprintln!("skipped: PostgreSQL is not installed");
        return;
    };
    if !std::path::Path::new("/usr/bin/ipcs").exists() {
        eprintln!("skipped: ipcs (util-linux) is not installed");
        return;
    }
    let b = bin.display();
    let script = format!(
        "set -e; mkdir /tmp/pg; chown postgres /tmp/pg; \
         su postgres -s /bin/sh -c '{b}/initdb -D /tmp/pg/data -A trust >/tmp/pg/initdb.log 2>&1'; \
         su postgres -s /bin/sh -c \"{b}/pg_ctl -D /tmp/pg/data -o '-k /tmp/pg -c listen_addresses=' -l /tmp/pg/log -w start >/dev/null\"; \
         ipcs -m | awk '$3 == \"postgres\" && $6 > 0 {{ print \"segment attached\" }}'; \
         su postgres -s /bin/sh -c \"{b}/psql -At -h /tmp/pg -d postgres -c 'create table t(x int)' -c 'insert into t select generate_series(1, 1000)' -c 'select count(*), sum(x) from t'\"; \
         su postgres -s /bin/sh -c '{b}/pg_ctl -D /tmp/pg/data -w stop >/dev/null'; \
         ipcs -m | awk '$3 == \"postgres\" {{ print \"segment left\" }}'; echo done"
    );
    if let Some(out) = run_do(
        "postgres_sysv_shm",
        &[
            "--cwd",
            "/",
            "--env",
            "PATH=/usr/bin:/bin",
            "--env",
            "HOME=/tmp",
            "/bin/sh",
            "-c",
            &script,
        ],
    ) {
        out.assert_no_panic()
            .assert_code(0)
            .assert_stdout("segment attached\nCREATE TABLE\nINSERT 0 1000\n1000|500500\ndone\n");
    }
}
