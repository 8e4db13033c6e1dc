//! POSIX message queues, sandbox only: `sandbox/mq_sysctl.c` writes the
//! `fs.mqueue` sysctls (natively that would change the host) and checks that new
//! queues follow them; the differential tests are `conformance/mq_*.c`.

use systests::{compile_sandbox_program, runsc_cmd, sandbox_enabled, Link};

#[test]
fn sysctls_govern_new_queues() {
    if !sandbox_enabled("mqueue sysctls") {
        return;
    }
    let bin = compile_sandbox_program("mq_sysctl", Link::Static);
    let out = runsc_cmd([std::ffi::OsStr::new("do"), bin.as_os_str()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status == systests::Status::Exited(0)
            && !stdout.contains("FAIL")
            && stdout.lines().count() >= 15,
        "status {:?}\nstdout:\n{stdout}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The OCI mount every engine asks for (`/dev/mqueue`, type mqueue): mounted in the
/// container as runc mounts it (mountinfo, mode, listed in /dev). Compared with runc when
/// runc can run the bundle on this machine, else checked against Linux's values.
#[test]
fn oci_dev_mqueue_mount() {
    if !sandbox_enabled("oci /dev/mqueue") {
        return;
    }
    let Some(bb) = ["/bin/busybox", "/usr/bin/busybox"]
        .iter()
        .map(std::path::Path::new)
        .find(|p| p.is_file())
    else {
        eprintln!("SKIP oci_dev_mqueue_mount: busybox-static is not installed");
        return;
    };
    let dir = systests::scratch_dir("mqueue_oci");
    let bin = dir.join("bundle/rootfs/bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::copy(bb, bin.join("busybox")).unwrap();
    for l in ["sh", "ls", "grep", "cut", "stat"] {
        std::os::unix::fs::symlink("busybox", bin.join(l)).unwrap();
    }
    let script = "grep ' /dev/mqueue ' /proc/self/mountinfo | cut -d' ' -f5-; \
                  ls /dev | grep mqueue; stat -c '%a %s %u' /dev/mqueue";
    let config = format!(
        r#"{{"ociVersion": "1.0.2",
  "process": {{"terminal": false, "user": {{"uid": 0, "gid": 0}},
    "args": ["sh", "-c", "{script}"], "env": ["PATH=/bin"], "cwd": "/"}},
  "root": {{"path": "rootfs", "readonly": true}},
  "hostname": "mq",
  "mounts": [
    {{"destination": "/proc", "type": "proc", "source": "proc"}},
    {{"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
      "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]}},
    {{"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
      "options": ["nosuid", "noexec", "nodev"]}}],
  "linux": {{"namespaces": [{{"type": "pid"}}, {{"type": "ipc"}}, {{"type": "uts"}},
    {{"type": "mount"}}, {{"type": "network"}}]}}}}"#
    );
    std::fs::write(dir.join("bundle/config.json"), config).unwrap();
    let run = |runtime: &str| -> Option<String> {
        let out = std::process::Command::new(runtime)
            .arg("--root")
            .arg(dir.join(format!("state-{}", runtime.replace('/', "_"))))
            .args(["run", "--bundle"])
            .arg(dir.join("bundle"))
            .arg("mqtest")
            .stdin(std::process::Stdio::null())
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let ours = run(systests::runsc().to_str().unwrap()).expect("runsc run failed");
    match run("runc") {
        Some(theirs) => {
            assert!(ours.contains(" - mqueue mqueue rw\n"), "runsc:\n{ours}");
            assert_eq!(ours, theirs, "runsc vs runc");
        }
        None => {
            eprintln!("runc cannot run the bundle here: checking Linux's values");
            assert_eq!(
                ours,
                "/dev/mqueue rw,nosuid,nodev,noexec,relatime - mqueue mqueue rw\nmqueue\n1777 40 0\n"
            );
        }
    }
}
