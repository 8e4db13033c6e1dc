//! Escape tests (issue 5): a custom `--rootfs` and a `--volume` full of symlinks and hard
//! links that point out of them, a symlink swapped with a directory during walks (a
//! 10-second race against a host-side swapper), `/proc/self/root/..`, `/proc/self/fd/N/..`
//! of gofer files, and `openat2` with and without `RESOLVE_BENEATH`. Nothing outside the
//! rootfs and the volume may be reachable by name: no output of the probe may contain the
//! marker written outside them.
//!
//! Hard links made on the host to files outside the rootfs are legitimately the same inode
//! (their content is readable); the test checks that nothing *next to* them is reachable.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use systests::{compile_sandbox_program, runsc_cmd_with, sandbox_enabled, scratch_dir, Link};

const MARKER: &str = "ESCAPE-MARKER";

#[test]
fn nothing_outside_rootfs_and_volumes_is_reachable() {
    if !sandbox_enabled("escape") {
        return;
    }
    let x = scratch_dir("escape");
    let out = x.join("outside");
    let root = x.join("rootfs");
    let vol = x.join("vol");
    for d in [&out, &root, &vol, &root.join("inside"), &vol.join("race")] {
        fs::create_dir_all(d).unwrap();
    }
    fs::write(out.join("marker"), format!("{MARKER} outside\n")).unwrap();
    fs::write(out.join("f"), format!("{MARKER} race\n")).unwrap();
    fs::write(out.join("linked"), "HARDLINKED\n").unwrap();
    fs::write(root.join("inside/f"), "INSIDE\n").unwrap();
    fs::write(vol.join("race/f"), "INSIDE\n").unwrap();
    fs::write(vol.join("f"), "INSIDE\n").unwrap();
    let abs_marker = out.join("marker");
    symlink(&abs_marker, root.join("abs")).unwrap();
    symlink(&out, root.join("absdir")).unwrap();
    symlink("../outside/marker", root.join("rel")).unwrap();
    symlink("../outside", root.join("reldir")).unwrap();
    let climb = format!("{}{}", "../".repeat(12), abs_marker.display());
    symlink(&climb, root.join("deep")).unwrap();
    symlink("../outside", vol.join("race_alt")).unwrap();
    fs::hard_link(out.join("linked"), root.join("hl")).unwrap();
    symlink("../outside/marker", vol.join("up")).unwrap();
    symlink(&abs_marker, vol.join("abs")).unwrap();
    symlink("..", vol.join("updir")).unwrap();
    fs::copy(
        compile_sandbox_program("escape_probe", Link::Static),
        root.join("prog"),
    )
    .unwrap();
    // On the host these names do lead to the marker: the test can fail.
    for p in ["abs", "rel", "deep", "reldir/marker", "absdir/marker"] {
        let s = fs::read_to_string(root.join(p)).unwrap();
        assert!(s.contains(MARKER), "{p}");
    }
    assert!(fs::read_to_string(vol.join("up")).unwrap().contains(MARKER));

    // Swap /vol/race between the directory and a symlink that leads out on the host (the
    // volume is `shared`: every walk asks the gofer, so the walks race with the swaps).
    let stop = Arc::new(AtomicBool::new(false));
    let swapper = {
        let stop = stop.clone();
        let (a, b) = (vol.join("race"), vol.join("race_alt"));
        std::thread::spawn(move || {
            let mut swaps = 0u64;
            while !stop.load(Ordering::Relaxed) {
                nix::fcntl::renameat2(None, &a, None, &b, nix::fcntl::RenameFlags::RENAME_EXCHANGE)
                    .unwrap();
                swaps += 1;
                if swaps.is_multiple_of(64) {
                    std::thread::sleep(Duration::from_micros(50));
                }
            }
            swaps
        })
    };

    let probes = [
        "/abs",
        "/absdir/marker",
        "/rel",
        "/deep",
        "/reldir/marker",
        "/hl",
        "/hl/..",
        "/..",
        "/../outside/marker",
        "/proc/self/root/..",
        "/proc/self/root/../outside/marker",
        "/proc/self/cwd/../outside/marker",
        "fd:/inside/f:../outside/marker",
        "fd:/inside:../outside/marker",
        "fd:/inside:../../outside/marker",
        "fd:/hl:..",
        "fd:/vol/f:../../outside/marker",
        "fd:/vol:../outside/marker",
        "/vol/up",
        "/vol/abs",
        "/vol/updir",
        "/vol/updir/outside/marker",
        "/vol/..",
        "/vol/../../outside/marker",
        "at2:/:../outside/marker",
        "at2:/:abs",
        "at2:/:rel",
        "at2:/inside:../../outside/marker",
        "at2:/vol:../outside/marker",
        "at2:/vol:up",
        "race:10:/vol/race/f",
    ];
    let mut args: Vec<String> = vec![
        "do".into(),
        "--rootfs".into(),
        root.display().to_string(),
        "--volume".into(),
        format!("{}:/vol:rw,shared", vol.display()),
        "--cwd".into(),
        "/".into(),
        "/prog".into(),
    ];
    args.extend(probes.iter().map(|s| s.to_string()));
    let res = runsc_cmd_with(&args, Duration::from_secs(60), None);
    stop.store(true, Ordering::Relaxed);
    let swaps = swapper.join().unwrap();
    res.assert_no_panic().assert_code(0);
    let stdout = res.stdout_str();
    if std::env::var_os("SYSTESTS_KEEP_OUTPUT").is_some() {
        eprintln!("{swaps} swaps\n{}", res.describe());
    }
    assert!(swaps > 1000, "the swapper barely ran ({swaps})");
    assert!(
        !stdout.contains(MARKER),
        "a file outside the rootfs and volumes was reached:\n{}",
        res.describe()
    );
    // The host directory around the rootfs holds `outside`, `rootfs` and
    // `vol`; the sandbox's own root lists `vol` too (the volume's mount
    // point), so only the other two give an escape away.
    for l in stdout.lines() {
        assert!(
            !l.contains(" outside ") && !l.contains(" rootfs "),
            "a listing shows the host directory around the rootfs: {l}\n{}",
            res.describe()
        );
    }
    let line = |p: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{p}: ")))
            .unwrap_or_else(|| panic!("no line for {p}\n{}", res.describe()))
            .to_string()
    };
    assert_eq!(line("/hl"), "HARDLINKED ");
    assert_eq!(line("/hl/.."), "ENOTDIR");
    assert_eq!(line("/abs"), "ENOENT");
    assert_eq!(line("/deep"), "ENOENT");
    assert_eq!(line("/vol/up"), "ENOENT");
    assert_eq!(line("/vol/abs"), "ENOENT");
    assert_eq!(line("at2-beneath:/:../outside/marker"), "EXDEV");
    assert_eq!(line("at2-beneath:/vol:up"), "EXDEV");
    assert!(
        stdout.contains("race: opened 1 failed 1 escaped 0"),
        "{}",
        res.describe()
    );
    // The root listed through every way up is the rootfs itself.
    let root_list = line("/..");
    for name in ["abs", "hl", "inside", "prog", "rel"] {
        assert!(root_list.contains(&format!(" {name} ")), "{root_list}");
    }
    assert_eq!(line("/proc/self/root/.."), root_list);
    assert_eq!(line("/vol/.."), root_list);
    assert_eq!(line("/vol/updir"), root_list);
    let _ = fs::remove_dir_all(&x);
    assert!(!Path::new(&x).exists());
}

/// The gofer of a volume runs confined: seccomp filter mode, no_new_privs, only the five
/// file capabilities, and its own network namespace — while serving a real workload.
#[test]
fn volume_gofer_is_confined() {
    if !sandbox_enabled("escape") {
        return;
    }
    let vol = scratch_dir("confined-gofer");
    let vol_s = vol.display().to_string();
    let child = std::process::Command::new(systests::runsc())
        .args([
            "do",
            "--volume",
            &format!("{vol_s}:/v"),
            "/bin/sh",
            "-c",
            "echo served > /v/out && sleep 3 && cat /v/out",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Find the gofer serving this volume.
    let found = find_confined_gofer(|cmd| cmd.contains(&vol_s));
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "served\n");
    assert_eq!(fs::read_to_string(vol.join("out")).unwrap(), "served\n");
    let g = found.expect("no confined gofer (seccomp mode 2) serves the volume");
    let (st, net, field) = (&g.status, g.net.clone(), |k: &str| g.field(k));
    assert_eq!(field("Seccomp:"), "2", "{st}");
    assert_eq!(field("NoNewPrivs:"), "1", "{st}");
    // CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID = bits 0..4.
    assert_eq!(field("CapEff:"), "000000000000001f", "{st}");
    assert_eq!(field("CapPrm:"), "000000000000001f", "{st}");
    assert_eq!(field("CapBnd:"), "000000000000001f", "{st}");
    let host_net = fs::read_link("/proc/self/ns/net").unwrap();
    assert_ne!(net.expect("gofer net ns"), host_net);
}

/// A running gofer as the host sees it.
struct GoferSeen {
    status: String,
    net: Option<std::path::PathBuf>,
    /// The names in its root directory, sorted.
    root: Vec<String>,
}

impl GoferSeen {
    /// A field of /proc/PID/status (`"Seccomp:"`), trimmed.
    fn field(&self, key: &str) -> String {
        self.status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    }
}

/// Polls (up to 5 s) for a `runsc gofer` process whose command line
/// satisfies `matches` and that has installed its seccomp filter.
fn find_confined_gofer(matches: impl Fn(&str) -> bool) -> Option<GoferSeen> {
    for _ in 0..100 {
        std::thread::sleep(Duration::from_millis(50));
        for e in fs::read_dir("/proc").unwrap().flatten() {
            let Ok(cmd) = fs::read(e.path().join("cmdline")) else {
                continue;
            };
            let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
            if !cmd.contains(" gofer ") || !matches(&cmd) {
                continue;
            }
            let status = fs::read_to_string(e.path().join("status")).unwrap_or_default();
            if !status.contains("Seccomp:\t2") {
                continue;
            }
            let mut root: Vec<String> = fs::read_dir(e.path().join("root"))
                .map(|d| {
                    d.flatten()
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            root.sort();
            return Some(GoferSeen {
                status,
                net: fs::read_link(e.path().join("ns/net")).ok(),
                root,
            });
        }
    }
    None
}

/// The files gofer (file volumes and OCI file binds) runs confined like any gofer, and its
/// root holds nothing but the bound files (entries `0`, `1`, ...).
#[test]
fn files_gofer_is_confined() {
    if !sandbox_enabled("escape") {
        return;
    }
    let dir = scratch_dir("confined-files-gofer");
    let file = dir.join("bound");
    fs::write(&file, "bound\n").unwrap();
    let file_s = file.display().to_string();
    let child = std::process::Command::new(systests::runsc())
        .args([
            "do",
            "--volume",
            &format!("{file_s}:/etc/bound"),
            "/bin/sh",
            "-c",
            "sleep 3 && cat /etc/bound",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let found = find_confined_gofer(|cmd| cmd.contains("--bind-file") && cmd.contains(&file_s));
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "bound\n");
    let g = found.expect("no confined files gofer (seccomp mode 2) found");
    let (st, net, root, field) = (&g.status, g.net.clone(), g.root.clone(), |k: &str| {
        g.field(k)
    });
    assert_eq!(field("NoNewPrivs:"), "1", "{st}");
    assert_eq!(field("CapEff:"), "000000000000001f", "{st}");
    assert_eq!(field("CapBnd:"), "000000000000001f", "{st}");
    assert_ne!(
        net.expect("gofer net ns"),
        fs::read_link("/proc/self/ns/net").unwrap()
    );
    assert_eq!(root, ["0"]);
}
