//! Isolation: what the host sees of a running sandbox, and what the sandbox sees of the
//! host.

use std::fs;
use std::os::unix::fs::symlink;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};
use systests::{
    compile_sandbox_program, descendants, runsc, runsc_cmd, sandbox_enabled, scratch_dir, Link,
};

/// Kills the process group of a background child when dropped (also on panic).
struct Background(Child);

impl Drop for Background {
    fn drop(&mut self) {
        // SAFETY: plain kill(2) of the group we created.
        unsafe {
            libc::kill(-(self.0.id() as i32), libc::SIGKILL);
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn is_allowed_stub_mapping(line: &str) -> bool {
    // address perms offset dev inode [path]
    let path = line.split_whitespace().nth(5).unwrap_or("");
    line.contains("memfd:runsc-stub")
        || line.contains("memfd:runsc-memfile")
        || path == "[vsyscall]"
}

#[test]
fn stub_address_space_holds_only_stub_code_and_memory_file() {
    if !sandbox_enabled("stub_address_space") {
        return;
    }
    let mut c = Command::new(runsc());
    c.args(["do", "/bin/sleep", "3"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0);
    let child = Background(c.spawn().expect("spawn runsc do /bin/sleep 3"));
    let root = child.0.id() as i32;

    // Wait for the stubs to appear (and settle: the first look may catch a stub while it
    // is still being set up), then inspect each one's maps.
    let start = Instant::now();
    let mut stubs = Vec::new();
    while start.elapsed() < Duration::from_millis(2500) {
        stubs = descendants(root)
            .into_iter()
            .filter(|(_, comm)| comm == "runsc-stub")
            .collect::<Vec<_>>();
        if !stubs.is_empty() {
            break;
        }
        thread::sleep(Duration::from_millis(20));
    }
    if stubs.is_empty() {
        let all = descendants(root);
        panic!(
            "no process named runsc-stub among the descendants of `runsc do /bin/sleep 3` \
             within 2.5 s; descendants: {all:?}"
        );
    }
    thread::sleep(Duration::from_millis(300));
    let stubs: Vec<(i32, String)> = descendants(root)
        .into_iter()
        .filter(|(_, comm)| comm == "runsc-stub")
        .collect();
    assert!(
        !stubs.is_empty(),
        "the stubs went away while the workload should still sleep"
    );
    let mut report = String::new();
    let mut bad = false;
    for (pid, _) in &stubs {
        let maps = match fs::read_to_string(format!("/proc/{pid}/maps")) {
            Ok(m) => m,
            Err(e) => {
                report.push_str(&format!("stub {pid}: cannot read maps: {e}\n"));
                bad = true;
                continue;
            }
        };
        let has_code = maps.lines().any(|l| l.contains("memfd:runsc-stub"));
        if !has_code {
            bad = true;
            report.push_str(&format!("stub {pid}: no memfd:runsc-stub code mapping\n"));
        }
        for l in maps.lines().filter(|l| !is_allowed_stub_mapping(l)) {
            bad = true;
            report.push_str(&format!("stub {pid}: unexpected mapping: {l}\n"));
        }
        report.push_str(&format!("--- /proc/{pid}/maps ---\n{maps}"));
    }
    if bad {
        panic!(
            "stub address spaces hold more than the stub code and memory-file mappings:\n{report}"
        );
    }
}

#[test]
fn init_is_pid_1() {
    if !sandbox_enabled("init_is_pid_1") {
        return;
    }
    for link in [Link::Static, Link::Dynamic] {
        let bin = compile_sandbox_program("getpid", link);
        let out = runsc_cmd([std::ffi::OsStr::new("do"), bin.as_os_str()]);
        out.assert_no_panic()
            .assert_code(0)
            .assert_stdout("getpid 1\ngettid 1\ngetppid 0\n");
    }
}

/// A rootfs with a marker /etc/hostname, an absolute symlink /escape -> /etc, relative
/// symlinks that climb far above the root, and the probe program at /prog.
fn make_rootfs() -> std::path::PathBuf {
    let dir = scratch_dir("rootfs");
    fs::create_dir_all(dir.join("etc")).unwrap();
    fs::create_dir_all(dir.join("a/b")).unwrap();
    fs::create_dir_all(dir.join("dev")).unwrap();
    fs::write(dir.join("etc/hostname"), "sandbox-marker\n").unwrap();
    fs::write(dir.join("inside.txt"), "inside\n").unwrap();
    symlink("/etc", dir.join("escape")).unwrap();
    symlink("../../../../..", dir.join("up")).unwrap();
    symlink("../../../../../../../etc", dir.join("a/b/deep")).unwrap();
    symlink("/../../..", dir.join("a/rootlink")).unwrap();
    let probe = compile_sandbox_program("rootfs_probe", Link::Static);
    fs::copy(&probe, dir.join("prog")).unwrap();
    dir
}

#[test]
fn rootfs_confines_paths_and_symlinks() {
    // The files this test expects to be unreachable do exist on the host.
    assert!(std::path::Path::new("/etc/passwd").exists());
    assert!(std::path::Path::new("/usr/bin/ls").exists());
    if !sandbox_enabled("rootfs_confines") {
        return;
    }
    let dir = make_rootfs();
    let host_marker = dir.join("etc/hostname");
    let host_marker = host_marker.to_str().unwrap();
    let probes = [
        "/etc/hostname",
        "/escape/hostname",
        "/up/etc/hostname",
        "/a/b/deep/hostname",
        "/a/rootlink/etc/hostname",
        "/../../etc/hostname",
        "/etc/../../../etc/hostname",
        "/inside.txt",
        "/etc/passwd",
        "/escape/passwd",
        "/up/etc/passwd",
        "/a/b/deep/passwd",
        "/usr/bin/ls",
        host_marker,
        "/proc/self/root/etc/passwd",
        "ls:/",
        "ls:/..",
        "ls:/up",
        "ls:/a/rootlink",
        "ls:/escape",
    ];
    let mut args: Vec<String> = vec![
        "do".into(),
        "--rootfs".into(),
        dir.to_str().unwrap().into(),
        "--cwd".into(),
        "/".into(),
        "/prog".into(),
    ];
    args.extend(probes.iter().map(|s| s.to_string()));
    let out = runsc_cmd(&args);
    out.assert_no_panic().assert_code(0);
    let expected = format!(
        "/etc/hostname: \"sandbox-marker\"\n\
         /escape/hostname: \"sandbox-marker\"\n\
         /up/etc/hostname: \"sandbox-marker\"\n\
         /a/b/deep/hostname: \"sandbox-marker\"\n\
         /a/rootlink/etc/hostname: \"sandbox-marker\"\n\
         /../../etc/hostname: \"sandbox-marker\"\n\
         /etc/../../../etc/hostname: \"sandbox-marker\"\n\
         /inside.txt: \"inside\"\n\
         /etc/passwd: ENOENT\n\
         /escape/passwd: ENOENT\n\
         /up/etc/passwd: ENOENT\n\
         /a/b/deep/passwd: ENOENT\n\
         /usr/bin/ls: ENOENT\n\
         {host_marker}: ENOENT\n\
         /proc/self/root/etc/passwd: ENOENT\n\
         ls:/escape: . .. hostname\n\
         cwd: /\n"
    );
    // Directory listings of the root, reached in several ways, are the rootfs's own (the
    // sandbox may add mount points such as /proc, but nothing of the host's root).
    let stdout = out.stdout_str();
    let (listings, rest): (Vec<&str>, Vec<&str>) = stdout
        .lines()
        .partition(|l| l.starts_with("ls:/") && !l.starts_with("ls:/escape"));
    let rest = rest.iter().map(|l| format!("{l}\n")).collect::<String>();
    if rest != expected {
        panic!(
            "what the program sees inside --rootfs differs from the expectation\n{}\n{}",
            systests::line_diff("expected", &expected, "sandbox", &rest),
            out.describe()
        );
    }
    assert_eq!(listings.len(), 4, "{}", out.describe());
    let first = listings[0].split_once(": ").map(|x| x.1).unwrap_or("");
    for l in &listings {
        let names: Vec<&str> = l
            .split_once(": ")
            .map(|x| x.1)
            .unwrap_or("")
            .split(' ')
            .collect();
        for must in [".", "..", "a", "etc", "escape", "inside.txt", "prog", "up"] {
            assert!(
                names.contains(&must),
                "{l}: {must} missing\n{}",
                out.describe()
            );
        }
        for host_only in ["usr", "bin", "work", "root", "home", "var", "lib", "boot"] {
            assert!(
                !names.contains(&host_only),
                "{l}: the host's /{host_only} is visible\n{}",
                out.describe()
            );
        }
        assert_eq!(
            l.split_once(": ").map(|x| x.1).unwrap_or(""),
            first,
            "{}",
            out.describe()
        );
    }
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn rootfs_program_outside_is_not_found() {
    if !sandbox_enabled("rootfs_program_outside") {
        return;
    }
    let dir = make_rootfs();
    // /bin/echo exists on the host but not in the rootfs.
    let out = runsc_cmd(["do", "--rootfs", dir.to_str().unwrap(), "/bin/echo", "x"]);
    out.assert_no_panic().assert_code(127).assert_stdout("");
    let _ = fs::remove_dir_all(&dir);
}

/// The sandbox's /tmp and /dev/shm are its own tmpfs: files of the host's are not
/// visible, and files the sandbox creates there never reach the host.
#[test]
fn tmp_and_dev_shm_are_private_tmpfs() {
    if !sandbox_enabled("tmp_private") {
        return;
    }
    let name = format!("systests-isolation-{}", std::process::id());
    let host_tmp = std::path::Path::new("/tmp").join(&name);
    fs::write(&host_tmp, b"host").unwrap();
    let script = format!(
        "test -e /tmp/{name} && echo visible; echo sandbox > /tmp/{name}.new && \
         echo sandbox > /dev/shm/{name}.new && stat -f -c %T /tmp /dev/shm && \
         stat -c %a /tmp /dev/shm"
    );
    let out = runsc_cmd(["do", "/bin/sh", "-c", &script]);
    out.assert_no_panic()
        .assert_code(0)
        .assert_stdout("tmpfs\ntmpfs\n1777\n1777\n");
    assert!(!std::path::Path::new("/tmp")
        .join(format!("{name}.new"))
        .exists());
    assert!(!std::path::Path::new("/dev/shm")
        .join(format!("{name}.new"))
        .exists());
    let _ = fs::remove_file(&host_tmp);
}
