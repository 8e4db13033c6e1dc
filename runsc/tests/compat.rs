//! `runsc compat`: the per-workload compatibility profile (needs root, like
//! every test that starts a sandbox, and `cc`).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn runsc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_runsc"))
}

fn scratch(name: &str) -> PathBuf {
    // Not the host's /tmp: the sandbox mounts its own tmpfs there.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("runsc-compat-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Run `runsc compat --format json --out FILE -- argv` and parse the profile.
fn profile(dir: &Path, argv: &[&str]) -> (Output, Value) {
    let out_file = dir.join("profile.json");
    let out = runsc()
        .args(["compat", "--format", "json", "--out"])
        .arg(&out_file)
        .arg("--")
        .args(argv)
        .output()
        .unwrap();
    let text = std::fs::read_to_string(&out_file).unwrap_or_else(|e| {
        panic!(
            "no profile ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out, serde_json::from_str(&text).unwrap())
}

fn syscall<'a>(p: &'a Value, name: &str) -> Option<&'a Value> {
    p["syscalls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
}

#[test]
fn ls_lists_getdents64() {
    let dir = scratch("ls");
    let (out, p) = profile(&dir, &["/bin/ls", "/"]);
    assert_eq!(out.status.code(), Some(0));
    // The workload's output is untouched by the profile.
    assert!(String::from_utf8_lossy(&out.stdout)
        .lines()
        .any(|l| l == "bin"));
    let g = syscall(&p, "getdents64").expect("getdents64 in the profile");
    assert!(g["count"].as_u64().unwrap() > 0, "{g}");
    assert!(g["support"] == "full" || g["support"] == "partial", "{g}");
    assert_eq!(p["exit_code"], 0);
    assert_eq!(p["command"][0], "/bin/ls");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A program without libc whose syscalls are known exactly.
const KNOWN: &str = r#"
static long sys(long n, long a, long b, long c) {
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c)
                     : "rcx", "r11", "memory");
    return r;
}
void _start(void) {
    for (int i = 0; i < 3; i++)
        sys(110, 0, 0, 0);              /* getppid */
    sys(180, 0, 0, 0);                  /* nfsservctl: ENOSYS */
    sys(72, 1, 0x7eadbeef, 0);          /* fcntl, bad cmd: EINVAL */
    sys(21, (long)"/proc/no-such", 0, 0); /* access: ENOENT */
    sys(1000, 0, 0, 0);                 /* not a syscall number */
    sys(1, 1, (long)"hi\n", 3);         /* write */
    sys(231, 7, 0, 0);                  /* exit_group(7) */
    for (;;) {}
}
"#;

#[test]
fn known_program_profile_is_exact() {
    let dir = scratch("known");
    let src = dir.join("known.c");
    let bin = dir.join("known");
    std::fs::write(&src, KNOWN).unwrap();
    let cc = Command::new("cc")
        .args(["-O1", "-static", "-nostdlib", "-fno-pie", "-no-pie"])
        .args(["-fno-stack-protector", "-o"])
        .arg(&bin)
        .arg(&src)
        .output()
        .expect("cc");
    assert!(
        cc.status.success(),
        "{}",
        String::from_utf8_lossy(&cc.stderr)
    );

    let (out, p) = profile(&dir, &[bin.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(7), "exit status is the workload's");
    assert_eq!(out.stdout, b"hi\n");
    assert_eq!(p["exit_code"], 7);

    let mut got: Vec<(String, u64, String)> = p["syscalls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["count"].as_u64().unwrap(),
                s["errors"].to_string(),
            )
        })
        .collect();
    got.sort();
    let want = [
        ("access", 1, r#"{"ENOENT":1}"#),
        ("execve", 1, "{}"),
        ("exit_group", 1, "{}"),
        ("fcntl", 1, r#"{"EINVAL":1}"#),
        ("getppid", 3, "{}"),
        ("nfsservctl", 1, r#"{"ENOSYS":1}"#),
        ("write", 1, "{}"),
    ];
    let want: Vec<(String, u64, String)> = want
        .iter()
        .map(|(n, c, e)| (n.to_string(), *c, e.to_string()))
        .collect();
    assert_eq!(got, want);
    assert_eq!(p["total"], 10);
    assert_eq!(p["unknown"], serde_json::json!([{"nr": 1000, "count": 1}]));

    assert_eq!(p["enosys"], serde_json::json!(["nfsservctl"]));
    let nfs = syscall(&p, "nfsservctl").unwrap();
    assert_eq!(nfs["support"], "missing");

    // The command argument that made fcntl fail.
    let fcntl = syscall(&p, "fcntl").unwrap();
    assert_eq!(fcntl["args"][0]["value"], 0x7ead_beef_u64);
    assert_eq!(fcntl["args"][0]["errno"], "EINVAL");

    // The /proc path the sandbox does not emulate.
    let paths = p["paths"].as_array().unwrap();
    assert!(
        paths
            .iter()
            .any(|h| h["path"] == "/proc/no-such" && h["errno"] == "ENOENT"),
        "{paths:?}"
    );

    // The text form goes to stderr by default and names the same things.
    let out = runsc().args(["compat", "--"]).arg(&bin).output().unwrap();
    assert_eq!(out.status.code(), Some(7));
    assert_eq!(out.stdout, b"hi\n");
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("Not implemented (ENOSYS):"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("nfsservctl") && l.contains("missing")),
        "{text}"
    );
    assert!(text.contains("/proc/no-such"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn python_ctypes_enosys() {
    if !Path::new("/usr/bin/python3").exists() {
        eprintln!("no /usr/bin/python3: skipped");
        return;
    }
    let dir = scratch("py");
    let (out, p) = profile(
        &dir,
        &[
            "/usr/bin/python3",
            "-c",
            "import ctypes; ctypes.CDLL(None).syscall(180)",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let nfs = syscall(&p, "nfsservctl").expect("nfsservctl in the profile");
    assert_eq!(nfs["errors"]["ENOSYS"], 1);
    assert!(p["enosys"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n == "nfsservctl"));
    std::fs::remove_dir_all(&dir).unwrap();
}
