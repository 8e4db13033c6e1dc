//! Tests on real cgroups under a test-specific path relative to the test
//! process's own cgroup; a guard kills the child and removes the cgroup
//! even when an assertion fails.
//!
//! Contains `unsafe`: fork and the child's raw syscalls.

use super::*;
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::{fork, ForkResult, Pid};
use std::os::fd::{AsRawFd, OwnedFd};

struct Guard {
    cg: Cgroup,
    child: Option<Pid>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(c) = self.child.take() {
            let _ = kill(c, Signal::SIGKILL);
            let _ = waitpid(c, None);
        }
        let _ = self.cg.freeze(false);
        let _ = self.cg.remove();
    }
}

fn test_path(name: &str) -> String {
    format!("runsc-test-{}-{name}", std::process::id())
}

/// A child blocked reading `r` until the test writes a byte; then it tries
/// to fork and exits with 0 (fork worked, reaped) or the errno.
fn forking_child(r: &OwnedFd) -> Pid {
    let rfd = r.as_raw_fd();
    // SAFETY: the child only makes raw syscalls and _exits.
    match unsafe { fork() }.unwrap() {
        ForkResult::Child => unsafe {
            let mut b = 0u8;
            libc::read(rfd, &mut b as *mut u8 as *mut libc::c_void, 1);
            let r = libc::syscall(
                libc::SYS_clone,
                libc::SIGCHLD as u64,
                0u64,
                0u64,
                0u64,
                0u64,
            );
            if r == 0 {
                libc::_exit(0);
            }
            if r > 0 {
                let mut st = 0;
                libc::waitpid(r as i32, &mut st, 0);
                libc::_exit(0);
            }
            libc::_exit(*libc::__errno_location());
        },
        ForkResult::Parent { child } => child,
    }
}

fn usable() -> bool {
    // Creating cgroups needs root and a mounted hierarchy.
    nix::unistd::geteuid().is_root() && Path::new("/proc/self/cgroup").exists()
}

#[test]
fn create_add_stats_pids_limit_freeze_remove() {
    if !usable() {
        eprintln!("skipped: not root");
        return;
    }
    let res: Resources = serde_json::from_str(
        r#"{"memory":{"limit":67108864,"reservation":33554432},
            "cpu":{"shares":512,"quota":50000,"period":100000},
            "pids":{"limit":100},
            "devices":[{"allow":false,"access":"rwm"}]}"#,
    )
    .unwrap();
    let cg = Cgroup::create(None, &test_path("life"), &res).unwrap();
    let mut g = Guard { cg, child: None };
    for d in &g.cg.dirs {
        assert!(d.path.is_dir(), "{} not created", d.path.display());
    }
    let (r, w) = nix::unistd::pipe().unwrap();
    let child = forking_child(&r);
    g.child = Some(child);
    g.cg.add_pid(child.as_raw()).unwrap();

    // The child is in every directory.
    for d in &g.cg.dirs {
        let procs = read(&d.path, "cgroup.procs").unwrap();
        assert!(
            procs.lines().any(|l| l == child.to_string()),
            "{}: {procs}",
            d.path.display()
        );
    }
    let s = g.cg.stats().unwrap();
    let ctls: Vec<&str> =
        g.cg.dirs
            .iter()
            .flat_map(|d| d.controllers.clone())
            .collect();
    if ctls.contains(&"pids") {
        assert_eq!(s.pids.current, 1, "{s:?}");
        assert_eq!(s.pids.limit, 100);
    }
    if ctls.contains(&"memory") {
        assert_eq!(s.memory.usage.limit, 64 << 20);
    }
    let json = serde_json::to_value(&s).unwrap();
    assert!(
        json["cpu"]["usage"]["kernel"].is_u64() && json["memory"]["usage"]["limit"].is_u64(),
        "{json}"
    );

    if ctls.contains(&"freezer") || g.cg.dirs.iter().any(|d| d.version == Version::V2) {
        g.cg.freeze(true).unwrap();
        if let Some(d) =
            g.cg.dirs
                .iter()
                .find(|d| d.controllers.contains(&"freezer"))
        {
            let st = read(&d.path, "freezer.state").unwrap();
            assert!(st.trim() == "FROZEN" || st.trim() == "FREEZING", "{st}");
        }
        g.cg.freeze(false).unwrap();
    }

    // runsc update: the pids limit drops to 1, so the child's fork fails.
    let upd = Resources {
        pids: Some(resources::Pids { limit: 1 }),
        ..Default::default()
    };
    g.cg.update(&upd).unwrap();
    assert_eq!(g.cg.stats().unwrap().pids.limit, 1);
    nix::unistd::write(&w, b"x").unwrap();
    let st = waitpid(child, None).unwrap();
    g.child = None;
    assert_eq!(
        st,
        WaitStatus::Exited(child, libc::EAGAIN),
        "fork must fail with EAGAIN"
    );

    // Empty now: removal works at once, and twice.
    g.cg.remove().unwrap();
    for d in &g.cg.dirs {
        assert!(!d.path.exists(), "{} left behind", d.path.display());
    }
    g.cg.remove().unwrap();
}

#[test]
fn remove_of_a_populated_cgroup_fails_then_works() {
    if !usable() {
        return;
    }
    let cg = Cgroup::create(None, &test_path("busy"), &Resources::default()).unwrap();
    let mut g = Guard { cg, child: None };
    let (r, _w) = nix::unistd::pipe().unwrap();
    let child = forking_child(&r);
    g.child = Some(child);
    g.cg.add_pid(child.as_raw()).unwrap();
    assert!(g.cg.remove().is_err(), "a cgroup with a task cannot go");
    kill(child, Signal::SIGKILL).unwrap();
    waitpid(child, None).unwrap();
    g.child = None;
    g.cg.remove().unwrap();
}

#[test]
fn invalid_values_fail_and_leave_nothing() {
    if !usable() {
        return;
    }
    let res = Resources {
        cpu: Some(resources::Cpu {
            cpus: Some("9999".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let name = test_path("bad");
    let e = Cgroup::create(None, &name, &res).unwrap_err();
    assert!(format!("{e:#}").contains("cpuset.cpus"), "{e:#}");
    let cg = Cgroup::locate(None, &name).unwrap();
    for d in &cg.dirs {
        assert!(!d.path.exists(), "{} left behind", d.path.display());
    }
}

#[test]
fn paths() {
    assert_eq!(plain_path("/a/b"), "/a/b");
    assert_eq!(plain_path("rel/x"), "rel/x");
    assert_eq!(
        plain_path("system.slice:docker:abc"),
        "/system.slice/docker-abc.scope"
    );
    assert_eq!(
        plain_path("kubepods-besteffort-pod1.slice:cri-containerd:abc"),
        "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-abc.scope"
    );
    assert!(Cgroup::locate(Some("/a/../../etc"), "x").is_err());
    if usable() {
        let cg = Cgroup::locate(Some("/runsc-abs/x"), "id").unwrap();
        for d in &cg.dirs {
            assert!(d.path.ends_with("runsc-abs/x"), "{}", d.path.display());
        }
    }
}

#[test]
fn update_merges_and_converts() {
    let mut a: Resources =
        serde_json::from_str(r#"{"memory":{"limit":100,"swap":200},"pids":{"limit":5}}"#).unwrap();
    let b: Resources =
        serde_json::from_str(r#"{"memory":{"limit":150},"cpu":{"shares":1024}}"#).unwrap();
    a.merge(&b);
    let m = a.memory.as_ref().unwrap();
    assert_eq!((m.limit, m.swap), (Some(150), Some(200)));
    assert_eq!(a.cpu.as_ref().unwrap().shares, Some(1024));
    assert_eq!(a.pids.as_ref().unwrap().limit, 5);
    assert_eq!(resources::shares_to_weight(1024), 39);
    assert_eq!(resources::shares_to_weight(2), 1);
    assert_eq!(resources::shares_to_weight(262_144), 10_000);
}

/// blockIO throttles and hugepage limits reach the blkio/io and hugetlb
/// files; their directories exist only for a sandbox that sets them.
#[test]
fn blkio_and_hugetlb_only_when_asked() {
    if !usable() {
        eprintln!("skipped: not root");
        return;
    }
    // A whole disk (throttles take no partitions).
    let Some(disk) = std::fs::read_dir("/sys/block").ok().and_then(|r| {
        r.flatten()
            .filter(|e| !e.file_name().to_string_lossy().starts_with("loop"))
            .find_map(|e| std::fs::read_to_string(e.path().join("dev")).ok())
    }) else {
        eprintln!("skipped: no block device");
        return;
    };
    let (major, minor) = disk.trim().split_once(':').unwrap();
    let plain = Cgroup::create(None, &test_path("noblk"), &Resources::default()).unwrap();
    let g0 = Guard {
        cg: plain,
        child: None,
    };
    assert!(g0.cg.dirs.iter().all(|d| !d.optional()), "{:?}", g0.cg.dirs);
    drop(g0);
    let huge = std::path::Path::new("/sys/kernel/mm/hugepages/hugepages-2048kB").exists();
    let hp = if huge {
        r#", "hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}]"#
    } else {
        ""
    };
    let res: Resources = serde_json::from_str(&format!(
        r#"{{"blockIO": {{"throttleReadBpsDevice": [{{"major": {major}, "minor": {minor}, "rate": 1048576}}]}}{hp}}}"#
    ))
    .unwrap();
    let cg = Cgroup::create(None, &test_path("blk"), &res).unwrap();
    let g = Guard { cg, child: None };
    let found = Cgroup::locate(None, &test_path("blk")).unwrap();
    assert_eq!(found.dirs.len(), g.cg.dirs.len());
    for d in &g.cg.dirs {
        match d.version {
            Version::V1 if d.controllers.contains(&"blkio") => {
                let v = read(&d.path, "blkio.throttle.read_bps_device").unwrap();
                assert_eq!(v.trim(), format!("{}:{} 1048576", major, minor));
            }
            Version::V2 if d.controllers.contains(&"io") => {
                let v = read(&d.path, "io.max").unwrap();
                assert!(v.contains("rbps=1048576"), "{v}");
            }
            _ => {}
        }
        if huge && d.controllers.contains(&"hugetlb") {
            let f = match d.version {
                Version::V1 => "hugetlb.2MB.limit_in_bytes",
                Version::V2 => "hugetlb.2MB.max",
            };
            assert_eq!(read(&d.path, f).unwrap().trim(), "4194304");
        }
    }
}
