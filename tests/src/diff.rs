//! Comparing a native run with a sandboxed one: [`differential`],
//! [`line_diff`]; running the `runsc` CLI itself.

use super::*;

/// A line diff of two texts in a unified-like format (`-` only in `a`, `+` only in `b`,
/// with a little context). Large inputs fall back to showing the first difference.
pub fn line_diff(a_name: &str, a: &str, b_name: &str, b: &str) -> String {
    let al: Vec<&str> = a.split_inclusive('\n').collect();
    let bl: Vec<&str> = b.split_inclusive('\n').collect();
    let mut out = format!("--- {a_name}\n+++ {b_name}\n");
    // Trim the common prefix and suffix, then LCS on the middle if it is small enough.
    let mut pre = 0;
    while pre < al.len() && pre < bl.len() && al[pre] == bl[pre] {
        pre += 1;
    }
    let mut suf = 0;
    while suf < al.len() - pre
        && suf < bl.len() - pre
        && al[al.len() - 1 - suf] == bl[bl.len() - 1 - suf]
    {
        suf += 1;
    }
    let am = &al[pre..al.len() - suf];
    let bm = &bl[pre..bl.len() - suf];
    let ctx = 3;
    for l in &al[pre.saturating_sub(ctx)..pre] {
        out.push_str(&format!(" {}", show_line(l)));
    }
    if am.len() * bm.len() <= 4_000_000 {
        // Classic LCS table.
        let (n, m) = (am.len(), bm.len());
        let mut t = vec![0u32; (n + 1) * (m + 1)];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                t[i * (m + 1) + j] = if am[i] == bm[j] {
                    t[(i + 1) * (m + 1) + j + 1] + 1
                } else {
                    t[(i + 1) * (m + 1) + j].max(t[i * (m + 1) + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && am[i] == bm[j] {
                out.push_str(&format!(" {}", show_line(am[i])));
                i += 1;
                j += 1;
            } else if i < n && (j == m || t[(i + 1) * (m + 1) + j] >= t[i * (m + 1) + j + 1]) {
                out.push_str(&format!("-{}", show_line(am[i])));
                i += 1;
            } else {
                out.push_str(&format!("+{}", show_line(bm[j])));
                j += 1;
            }
        }
    } else {
        out.push_str(&format!(
            "@@ first difference at line {} ({} vs {} differing lines) @@\n",
            pre + 1,
            am.len(),
            bm.len()
        ));
        for l in am.iter().take(20) {
            out.push_str(&format!("-{}", show_line(l)));
        }
        for l in bm.iter().take(20) {
            out.push_str(&format!("+{}", show_line(l)));
        }
    }
    let tail_start = al.len() - suf;
    for l in &al[tail_start..(tail_start + ctx).min(al.len())] {
        out.push_str(&format!(" {}", show_line(l)));
    }
    if out.len() > 40_000 {
        truncate_for_display(&out)
    } else {
        out
    }
}

fn show_line(l: &str) -> String {
    if l.ends_with('\n') {
        l.to_string()
    } else {
        format!("{l}\n\\ No newline at end of text\n")
    }
}

/// Checks that a native run of a conformance program is sane: none of its own consistency
/// checks may have failed (lines ending in `: FAIL` or starting with `FAIL`) and it must
/// end with `expected` (as a shell code).
pub fn assert_native_sane(native: &Output, expected: i32) {
    if native.timed_out || native.status.shell_code() != expected {
        panic!(
            "the program does not behave as expected NATIVELY (expected exit status {expected}); \
             the test program itself is wrong or the host differs\n{}",
            native.describe()
        );
    }
    let out = native.stdout_str();
    // CHECK() prints "<cond>: FAIL"; explicit failures are lines starting with "FAIL".
    if let Some(l) = out
        .lines()
        .find(|l| l.ends_with(": FAIL") || l.starts_with("FAIL"))
    {
        panic!(
            "the program reports a failed check NATIVELY: {l}\nthe test program itself is wrong or the host differs\n{}",
            native.describe()
        );
    }
}

/// The differential check: runs `cmd` natively and under `runsc do`; stdout and the exit
/// status (as a shell reports it) must be equal. `expected` is the exit status the native
/// run must have (0 for most programs, 139 for a SIGSEGV death, ...).
pub fn differential(cmd: &Cmd, expected: i32) -> (Output, Option<Output>) {
    differential_pair(cmd, cmd, expected)
}

/// [`differential`] with different command lines natively and in the sandbox (e.g. a
/// scratch directory of its own for each run, mounted with `--volume` in the sandbox).
pub fn differential_pair(native_cmd: &Cmd, cmd: &Cmd, expected: i32) -> (Output, Option<Output>) {
    let native = native_cmd.run_native();
    assert_native_sane(&native, expected);
    if native_only() {
        eprintln!(
            "SYSTESTS_NATIVE_ONLY: native run ok ({}, {} bytes of stdout); sandbox run skipped",
            native.status,
            native.stdout.len()
        );
        return (native, None);
    }
    let sandbox = cmd.run_sandbox();
    let same_out = native.stdout == sandbox.stdout;
    let same_status =
        native.status.shell_code() == sandbox.status.shell_code() && !sandbox.timed_out;
    if !same_out || !same_status {
        let mut msg = String::from("native and sandbox runs differ:\n");
        if !same_status {
            msg.push_str(&format!(
                "  status: native {} (shell code {}), sandbox {} (shell code {}){}\n",
                native.status,
                native.status.shell_code(),
                sandbox.status,
                sandbox.status.shell_code(),
                if sandbox.timed_out {
                    " -- the sandbox run TIMED OUT and was killed"
                } else {
                    ""
                }
            ));
        }
        if !same_out {
            msg.push_str("  stdout differs:\n");
            msg.push_str(&line_diff(
                "native",
                &native.stdout_str(),
                "sandbox",
                &sandbox.stdout_str(),
            ));
        }
        msg.push_str(&format!(
            "\nsandbox run:\n{}\nnative stderr:\n{}",
            sandbox.describe(),
            native.stderr_str()
        ));
        panic!("{msg}");
    }
    if std::env::var_os("SYSTESTS_KEEP_OUTPUT").is_some() {
        eprintln!("{}\n{}", native.describe(), sandbox.describe());
    }
    (native, Some(sandbox))
}

/// Runs `runsc <args...>` (e.g. `["do", "/bin/echo", "hi"]`) with the default time limit.
pub fn runsc_cmd<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    runsc_cmd_with(args, default_timeout(), None)
}

/// Like [`runsc_cmd`] with a time limit and optional stdin bytes.
pub fn runsc_cmd_with<I, S>(args: I, timeout: Duration, stdin: Option<&[u8]>) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut c = Command::new(runsc());
    c.args(args).env_clear();
    if let Some(p) = std::env::var_os("PATH") {
        c.env("PATH", p);
    }
    run_command(c, timeout, stdin)
}

/// For sandbox-only tests: returns false (after printing a note) in native-only mode.
pub fn sandbox_enabled(test: &str) -> bool {
    if native_only() {
        eprintln!("SYSTESTS_NATIVE_ONLY: sandbox-only test {test} skipped");
        false
    } else {
        true
    }
}

// ---------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------
