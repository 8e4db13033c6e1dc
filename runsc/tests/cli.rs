//! CLI behaviour of the `runsc` binary (also makes `cargo test` build it
//! for the system tests in tests/).

use std::process::Command;

fn runsc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_runsc"))
}

#[test]
fn unknown_verb_is_one_line_and_exit_nonzero() {
    let out = runsc().arg("no-such-verb").output().unwrap();
    assert!(!out.status.success());
    assert!(!out.stderr.is_empty());
}

#[test]
fn bad_rootfs_is_one_clear_line() {
    let out = runsc()
        .args(["do", "--rootfs", "/no/such/dir", "/bin/true"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("runsc: "), "{err}");
}

#[test]
fn json_log_records_the_error() {
    let dir = std::env::temp_dir().join(format!("runsc-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("log.json");
    let out = runsc()
        .args([
            "--log",
            log.to_str().unwrap(),
            "--log-format",
            "json",
            "do",
            "--rootfs",
            "/no/such",
            "x",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = std::fs::read_to_string(&log).unwrap();
    let last = text.lines().last().unwrap();
    let v: serde_json::Value = serde_json::from_str(last).unwrap();
    assert_eq!(v["level"], "error");
    assert!(v["msg"].as_str().unwrap().contains("/no/such"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// docs/compatibility.md must be what `runsc syscalls --format markdown`
/// prints today: changing a handler's support level without regenerating
/// the page fails here. Regenerate with:
/// `cargo run -p runsc -- syscalls --format markdown > docs/compatibility.md`
#[test]
fn compatibility_page_is_current() {
    let out = runsc()
        .args(["syscalls", "--format", "markdown"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let page = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/compatibility.md");
    let checked_in = std::fs::read_to_string(&page).unwrap_or_default();
    assert!(
        checked_in == String::from_utf8_lossy(&out.stdout),
        "docs/compatibility.md is stale: regenerate it with `runsc syscalls --format markdown`"
    );
}

#[test]
fn syscalls_rejects_unknown_format() {
    let out = runsc()
        .args(["syscalls", "--format", "xml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}
