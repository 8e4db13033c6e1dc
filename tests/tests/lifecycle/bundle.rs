//! config.json features: hooks, bind mounts, masked and read-only paths,
//! sysctls, namespace paths, oom events, file-system mounts, seccomp.

use super::*;

#[test]
fn hooks_run_on_the_host_with_the_state() {
    let Some(e) = Env::new("lifecycle_hooks", "sleep 30") else {
        return;
    };
    let d = e.dir.display().to_string();
    let hook = |name: &str| {
        format!(r#"[{{"path": "/bin/sh", "args": ["sh", "-c", "cat > {d}/{name}.json"]}}]"#)
    };
    let cfg = fs::read_to_string(e.bundle.join("config.json")).unwrap();
    let with_hooks = cfg.replacen(
        "{\n  \"ociVersion\"",
        &format!(
            "{{\n  \"hooks\": {{\"prestart\": {}, \"createRuntime\": {}, \"poststart\": {}, \"poststop\": {}}},\n  \"ociVersion\"",
            hook("prestart"),
            hook("createRuntime"),
            hook("poststart"),
            hook("poststop")
        ),
        1,
    );
    assert_ne!(with_hooks, cfg);
    fs::write(e.bundle.join("config.json"), &with_hooks).unwrap();
    let (pid, _) = e.create_start("h1");
    let read = |n: &str| fs::read_to_string(e.dir.join(format!("{n}.json"))).unwrap_or_default();
    for (n, status) in [
        ("prestart", "creating"),
        ("createRuntime", "creating"),
        ("poststart", "running"),
    ] {
        let j = read(n);
        assert!(j.contains("\"id\":\"h1\""), "{n}: {j}");
        assert!(j.contains(&format!("\"status\":\"{status}\"")), "{n}: {j}");
        assert!(j.contains(&format!("\"pid\":{pid}")), "{n}: {j}");
    }
    assert!(read("poststop").is_empty());
    e.rs(&["delete", "--force", "h1"]).ok();
    assert_eq!(wait_pid(pid), 137);
    assert!(
        read("poststop").contains("\"status\":\"stopped\""),
        "{}",
        read("poststop")
    );
    e.assert_clean("h1");

    // A failing createRuntime hook fails create and leaves nothing.
    let failing = cfg.replacen(
        "{\n  \"ociVersion\"",
        "{\n  \"hooks\": {\"createRuntime\": [{\"path\": \"/bin/false\"}]},\n  \"ociVersion\"",
        1,
    );
    fs::write(e.bundle.join("config.json"), failing).unwrap();
    let o = e.rs(&["create", "--bundle", e.b(), "h2"]);
    assert_bad(&e, &o, "createRuntime");
    e.assert_clean("h2");
}

/// Directory bind mounts of config.json (`type: bind`, `rbind`, `ro`) are
/// gofer mounts: writes to a rw bind reach the host directory, a ro bind
/// gives EROFS, and the host files are visible inside.
#[test]
fn bind_mounts() {
    let Some(e) = Env::new(
        "lifecycle_binds",
        "cat /in/hello; echo made > /out/new; echo x > /in/nope || echo ro-refused",
    ) else {
        return;
    };
    let (rw, ro) = (e.dir.join("rw"), e.dir.join("ro"));
    fs::create_dir_all(&rw).unwrap();
    fs::create_dir_all(&ro).unwrap();
    fs::write(ro.join("hello"), "from the host\n").unwrap();
    let cfg = e.bundle.join("config.json");
    let text = fs::read_to_string(&cfg).unwrap();
    let binds = format!(
        r#""mounts": [{{"destination": "/out", "type": "bind", "source": "{}", "options": ["rbind", "rw"]}},
                      {{"destination": "/in", "type": "bind", "source": "{}", "options": ["rbind", "ro"]}},"#,
        rw.display(),
        ro.display()
    );
    assert!(text.contains(r#""mounts": ["#));
    fs::write(&cfg, text.replace(r#""mounts": ["#, &binds)).unwrap();
    let r = e.rs(&["run", "--bundle", e.b(), "b1"]);
    assert_eq!(r.code, 0, "{}", r.describe());
    assert_eq!(r.stdout, "from the host\nro-refused\n", "{}", r.describe());
    assert!(
        r.stderr.contains("Read-only file system"),
        "{}",
        r.describe()
    );
    assert_eq!(fs::read_to_string(rw.join("new")).unwrap(), "made\n");
    assert!(!ro.join("nope").exists());
    e.assert_clean("b1");
}

/// Bind mounts of host regular files (what Docker does for /etc/hosts,
/// /etc/hostname and /etc/resolv.conf), served by one files gofer: the
/// content is the host file's, a rw file is written through to the host, a
/// ro one gives EROFS (also for truncate), stat shows a regular file of the
/// host file's size, mountinfo lists both with their options, unlink and rename of a mount
/// point are EBUSY, and mount points missing from the rootfs (here /etc/hosts,
/// /data and /run, the target of the symlink /etc/resolv.conf) are made in the
/// overlay, not in the host rootfs.
#[test]
fn file_bind_mounts() {
    let Some(e) = Env::new(
        "lifecycle_filebinds",
        "cat /etc/hosts /data/ro.txt; echo appended >> /etc/hosts; \
         echo x > /data/ro.txt || echo ro-refused; \
         busybox truncate -s 0 /data/ro.txt || echo trunc-refused; \
         busybox stat -c '%F %s' /etc/hosts /data/ro.txt; \
         busybox grep -E ' /(etc/hosts|data/ro.txt) ' /proc/self/mountinfo | busybox cut -d' ' -f5,6; \
         busybox rm /etc/hosts || echo rm-busy; busybox mv /data/ro.txt /moved || echo mv-busy; \
         cat /etc/hosts; cat /etc/resolv.conf; busybox grep -c ' /run/resolv.conf ' /proc/self/mountinfo",
    ) else {
        return;
    };
    let (rw, ro) = (e.dir.join("hosts"), e.dir.join("ro.txt"));
    // A destination that is a symlink (as in systemd images) is resolved in
    // the rootfs: the file is mounted on its target, made in the overlay.
    let rootfs = e.bundle.join("rootfs");
    fs::create_dir_all(rootfs.join("etc")).unwrap();
    std::os::unix::fs::symlink("../../run/resolv.conf", rootfs.join("etc/resolv.conf")).unwrap();
    let resolv = e.dir.join("resolv.conf");
    fs::write(&resolv, "nameserver 10.0.0.53\n").unwrap();
    fs::write(&rw, "10.0.0.1 host-line\n").unwrap();
    fs::write(&ro, "ro content\n").unwrap();
    let cfg = e.bundle.join("config.json");
    let text = fs::read_to_string(&cfg).unwrap();
    let binds = format!(
        r#""mounts": [{{"destination": "/etc/hosts", "type": "bind", "source": "{}", "options": ["rbind", "rprivate"]}},
                      {{"destination": "/data/ro.txt", "type": "bind", "source": "{}", "options": ["rbind", "ro", "nosuid", "noexec"]}},
                      {{"destination": "/etc/resolv.conf", "type": "bind", "source": "{}", "options": ["rbind", "ro"]}},"#,
        rw.display(),
        ro.display(),
        resolv.display()
    );
    assert!(text.contains(r#""mounts": ["#));
    fs::write(&cfg, text.replace(r#""mounts": ["#, &binds)).unwrap();
    let r = e.rs(&["run", "--bundle", e.b(), "f1"]);
    assert_eq!(r.code, 0, "{}", r.describe());
    let after = "10.0.0.1 host-line\nappended\n";
    assert_eq!(fs::read_to_string(&rw).unwrap(), after);
    assert_eq!(fs::read_to_string(&ro).unwrap(), "ro content\n");
    let want = format!(
        "10.0.0.1 host-line\nro content\nro-refused\ntrunc-refused\nregular file {}\nregular file {}\n\
         /etc/hosts rw,relatime\n/data/ro.txt ro,nosuid,noexec,relatime\nrm-busy\nmv-busy\n{after}\
         nameserver 10.0.0.53\n1\n",
        fs::metadata(&rw).unwrap().len(),
        fs::metadata(&ro).unwrap().len(),
    );
    assert_eq!(r.stdout, want, "{}", r.describe());
    for msg in ["Read-only file system", "busy"] {
        assert!(r.stderr.contains(msg), "{msg}: {}", r.describe());
    }
    assert!(!rootfs.join("etc/hosts").exists() && !rootfs.join("data").exists());
    assert!(!rootfs.join("run").exists());
    // Nothing of the bind mounts is left in the state.
    e.assert_clean("f1");
}

/// `linux.maskedPaths` (an empty read-only directory, an empty file; a
/// missing path is skipped) and `linux.readonlyPaths` (EROFS below).
#[test]
fn masked_and_readonly_paths() {
    let Some(e) = Env::new(
        "lifecycle_masked",
        "ls /secret | wc -l; cat /secretfile; echo \"[$?]\"; echo x > /tmp/f || echo tmp-ro; \
         echo x > /secret/f || echo masked-ro",
    ) else {
        return;
    };
    let rootfs = e.bundle.join("rootfs");
    fs::create_dir_all(rootfs.join("secret")).unwrap();
    fs::write(rootfs.join("secret/key"), "hidden\n").unwrap();
    fs::write(rootfs.join("secretfile"), "hidden too\n").unwrap();
    let cfg = e.bundle.join("config.json");
    let text = fs::read_to_string(&cfg).unwrap();
    assert!(text.contains(r#""linux": {"#));
    let text = text.replace(
        r#""linux": {"#,
        r#""linux": {"maskedPaths": ["/secret", "/secretfile", "/proc/kcore", "/no/such"], "readonlyPaths": ["/tmp"], "#,
    );
    fs::write(&cfg, text).unwrap();
    let r = e.rs(&["run", "--bundle", e.b(), "m1"]);
    assert_eq!(r.code, 0, "{}", r.describe());
    assert_eq!(r.stdout, "0\n[0]\ntmp-ro\nmasked-ro\n", "{}", r.describe());
    e.assert_clean("m1");
}

/// Put `extra` (JSON members, comma-terminated) at the start of config.json's
/// `linux` object.
fn add_linux(e: &Env, extra: &str) {
    let cfg = e.bundle.join("config.json");
    let text = fs::read_to_string(&cfg).unwrap();
    assert!(text.contains(r#""linux": {"#));
    fs::write(
        &cfg,
        text.replace(r#""linux": {"#, &format!(r#""linux": {{{extra}"#)),
    )
    .unwrap();
}

/// `linux.sysctl` is set in the sandbox's /proc/sys before init runs:
/// Docker's two (`ip_unprivileged_port_start`, `ping_group_range`), an IPC
/// limit, somaxconn and the domain name (which uname reports); without
/// them the files hold Linux's defaults for a new namespace.
#[test]
fn sysctls() {
    let script = "cd /proc/sys; cat net/ipv4/ip_unprivileged_port_start net/ipv4/ping_group_range \
                  kernel/shmmax net/core/somaxconn kernel/domainname";
    let Some(e) = Env::new("lifecycle_sysctl", script) else {
        return;
    };
    let r = e.rs(&["run", "--bundle", e.b(), "s0"]);
    assert_eq!(
        r.stdout,
        "1024\n1\t0\n18446744073692774399\n4096\n(none)\n",
        "{}",
        r.describe()
    );
    add_linux(
        &e,
        r#""sysctl": {"net.ipv4.ip_unprivileged_port_start": "0",
                      "net.ipv4.ping_group_range": "0 2147483647",
                      "kernel.shmmax": "68719476736", "net.core.somaxconn": "128",
                      "kernel.domainname": "example.org"}, "#,
    );
    let r = e.rs(&["run", "--bundle", e.b(), "s1"]);
    assert_eq!(r.code, 0, "{}", r.describe());
    assert_eq!(
        r.stdout,
        "0\n0\t2147483647\n68719476736\n128\nexample.org\n",
        "{}",
        r.describe()
    );
    e.assert_clean("s1");
    // The OCI domainname is the same kernel value.
    e.write_config("cat /proc/sys/kernel/domainname");
    let cfg = e.bundle.join("config.json");
    let text = fs::read_to_string(&cfg).unwrap();
    fs::write(
        &cfg,
        text.replace(
            r#""hostname": "lifecycle","#,
            r#""hostname": "lifecycle", "domainname": "oci.example","#,
        ),
    )
    .unwrap();
    let r = e.rs(&["run", "--bundle", e.b(), "s2"]);
    assert_eq!(r.stdout, "oci.example\n", "{}", r.describe());
    e.assert_clean("s2");
}

/// A sysctl runc refuses (not namespaced), one the sandbox does not have,
/// a value Linux refuses and a missing namespace path: one line, exit 1,
/// nothing left.
#[test]
fn bad_sysctls_and_namespace_paths() {
    let Some(e) = Env::new("lifecycle_bad_sysctl", "true") else {
        return;
    };
    let cases = [
        (
            r#""sysctl": {"kernel.pid_max": "5"}, "#,
            "is not in a separate kernel namespace",
        ),
        (
            r#""sysctl": {"net.ipv4.no_such_key": "1"}, "#,
            "/proc/sys/net/ipv4/no_such_key: no such file or directory",
        ),
        (
            r#""sysctl": {"net.ipv4.ip_unprivileged_port_start": "70000"}, "#,
            "/proc/sys/net/ipv4/ip_unprivileged_port_start: invalid argument",
        ),
        (
            r#""namespaces": [{"type": "network", "path": "/no/such/netns"}], "#,
            "namespace path: lstat /no/such/netns: no such file or directory",
        ),
    ];
    for (i, (extra, needle)) in cases.iter().enumerate() {
        e.write_config("true");
        // A later "namespaces" member replaces the default one.
        let cfg = e.bundle.join("config.json");
        let text = fs::read_to_string(&cfg).unwrap();
        let text = if extra.contains("namespaces") {
            text.replace(r#""linux": {"namespaces": "#, r#""linux": {"ignored": "#)
        } else {
            text
        };
        fs::write(&cfg, text).unwrap();
        add_linux(&e, extra);
        let id = format!("bs{i}");
        let pf = e.dir.join("bs.pid");
        let o = e.rs(&[
            "create",
            "--bundle",
            e.b(),
            "--pid-file",
            pf.to_str().unwrap(),
            &id,
        ]);
        assert_bad(&e, &o, needle);
        assert!(!pf.exists(), "pid file written for {id}");
        e.assert_clean(&id);
    }
}

/// `linux.namespaces` `network` with a path: the sentry lives in that host
/// network namespace (here one held by an `unshare -n sleep`), as a
/// CNI-configured netns would be used.
#[test]
fn network_namespace_path() {
    let Some(e) = Env::new("lifecycle_netns", "sleep 30") else {
        return;
    };
    let mut holder = match Command::new("unshare")
        .args(["--net", "sleep", "60"])
        .stdin(Stdio::null())
        .spawn()
    {
        Ok(c) => c,
        Err(err) => {
            eprintln!("SKIP network_namespace_path: unshare: {err}");
            return;
        }
    };
    let ns = format!("/proc/{}/ns/net", holder.id());
    let mine = fs::read_link("/proc/self/ns/net").unwrap();
    wait_for("the new network namespace", || {
        fs::read_link(&ns).map(|l| l != mine).unwrap_or(false)
    });
    let target = fs::read_link(&ns).unwrap();
    let cfg = e.bundle.join("config.json");
    let text = fs::read_to_string(&cfg).unwrap();
    fs::write(
        &cfg,
        text.replace(
            r#"{"type": "pid"}, "#,
            &format!(r#"{{"type": "pid"}}, {{"type": "network", "path": "{ns}"}}, "#),
        ),
    )
    .unwrap();
    let (pid, _) = e.create_start("n1");
    let seen = fs::read_link(format!("/proc/{pid}/ns/net")).unwrap();
    let _ = holder.kill();
    let _ = holder.wait();
    assert_eq!(seen, target, "the sentry is not in the configured netns");
    e.rs(&["kill", "n1", "9"]).ok();
    assert_eq!(wait_pid(pid), 137);
    e.rs(&["delete", "n1"]).ok();
    e.assert_clean("n1");
}

/// `linux.readonlyPaths` covers the mounts below the path too (a bind
/// mount inside a bind mount: both EROFS, the inner one still visible),
/// and `linux.maskedPaths` masks a mount point reached through a symlink.
#[test]
fn readonly_paths_with_submounts() {
    let Some(e) = Env::new(
        "lifecycle_ro_sub",
        "cat /data/a /data/sub/b; echo x > /data/new || echo data-ro; \
         echo x > /data/sub/new || echo sub-ro; ls /in; echo end",
    ) else {
        return;
    };
    let (data, sub, inp) = (e.dir.join("data"), e.dir.join("sub"), e.dir.join("in"));
    for d in [&data, &sub, &inp] {
        fs::create_dir_all(d).unwrap();
    }
    fs::write(data.join("a"), "A\n").unwrap();
    fs::write(sub.join("b"), "B\n").unwrap();
    fs::write(inp.join("i"), "I\n").unwrap();
    let cfg = e.bundle.join("config.json");
    let text = fs::read_to_string(&cfg).unwrap();
    let binds = format!(
        r#""mounts": [{{"destination": "/data", "type": "bind", "source": "{}", "options": ["rbind", "rw"]}},
                      {{"destination": "/data/sub", "type": "bind", "source": "{}", "options": ["rbind", "rw"]}},
                      {{"destination": "/in", "type": "bind", "source": "{}", "options": ["rbind", "ro"]}},"#,
        data.display(),
        sub.display(),
        inp.display()
    );
    fs::write(&cfg, text.replace(r#""mounts": ["#, &binds)).unwrap();
    add_linux(
        &e,
        r#""readonlyPaths": ["/data", "/no/such"], "maskedPaths": ["/inlink", "/missing", "/dangling"], "#,
    );
    // Masked through a symlink (runc's mount follows it), a dangling one
    // skipped.
    let rootfs = e.bundle.join("rootfs");
    std::os::unix::fs::symlink("in", rootfs.join("inlink")).unwrap();
    std::os::unix::fs::symlink("/nowhere", rootfs.join("dangling")).unwrap();
    let r = e.rs(&["run", "--bundle", e.b(), "r1"]);
    assert_eq!(r.code, 0, "{}", r.describe());
    assert_eq!(r.stdout, "A\nB\ndata-ro\nsub-ro\nend\n", "{}", r.describe());
    assert!(!data.join("new").exists() && !sub.join("new").exists());
    e.assert_clean("r1");
}

/// A memory cgroup controller on this host (v1 or v2)?
fn has_memory_cgroup() -> bool {
    Path::new("/sys/fs/cgroup/memory/memory.limit_in_bytes").exists()
        || fs::read_to_string("/sys/fs/cgroup/cgroup.controllers")
            .map(|c| c.split_whitespace().any(|x| x == "memory"))
            .unwrap_or(false)
}

/// `runsc events` reports the kernel's OOM kills in the sandbox's cgroup
/// as runc does (`{"type":"oom","id":ID}`), then ends when the container
/// stops: init allocates past `linux.resources.memory.limit`.
#[test]
fn oom_event() {
    let Some(e) = Env::new(
        "lifecycle_oom",
        "sleep 1; dd if=/dev/zero of=/dev/null bs=300M count=1; sleep 1",
    ) else {
        return;
    };
    if unsafe { libc::geteuid() } != 0 || !has_memory_cgroup() {
        eprintln!("SKIP oom_event: needs root and a memory cgroup controller");
        return;
    }
    std::os::unix::fs::symlink("busybox", e.bundle.join("rootfs/bin/dd")).unwrap();
    add_linux(
        &e,
        r#""resources": {"memory": {"limit": 67108864}}, "cgroupsPath": "systests-oom-event", "#,
    );
    let pf = e.pid_file();
    e.rs(&[
        "create",
        "--bundle",
        e.b(),
        "--pid-file",
        pf.to_str().unwrap(),
        "o1",
    ])
    .ok();
    let pid: i32 = fs::read_to_string(&pf).unwrap().trim().parse().unwrap();
    let evout = e.dir.join("events.out");
    let mut events = Command::new(runsc())
        .arg("--root")
        .arg(&e.root)
        .args(["events", "--interval", "1s", "o1"])
        .stdin(Stdio::null())
        .stdout(fs::File::create(&evout).unwrap())
        .spawn()
        .unwrap();
    e.rs(&["start", "o1"]).ok();
    // The OOM killer picks the sandbox's biggest process: the sentry.
    assert_eq!(wait_pid(pid), 137);
    let t = Instant::now();
    while events.try_wait().unwrap().is_none() {
        assert!(t.elapsed() < Duration::from_secs(20), "events did not end");
        std::thread::sleep(Duration::from_millis(50));
    }
    let text = fs::read_to_string(&evout).unwrap();
    assert!(
        text.lines()
            .any(|l| l == r#"{"id":"o1","type":"oom"}"# || l == r#"{"type":"oom","id":"o1"}"#),
        "no oom event in:\n{text}"
    );
    assert!(text
        .lines()
        .next()
        .unwrap_or("")
        .contains(r#""type":"stats""#));
    e.rs(&["delete", "o1"]).ok();
    e.assert_clean("o1");
}

#[test]
fn oci_tmpfs_proc_mounts() {
    // Options of tmpfs mounts (size, mode, noexec) at a new place and at
    // one the sandbox provides (/dev/shm), as mountinfo and the file system
    // show them; compared with runc when it runs here.
    let Some(e) = Env::new(
        "lifecycle_mounts",
        "busybox stat -c %a /data; echo 'echo ran' > /data/x; busybox chmod +x /data/x; \
         /data/x 2>/dev/null || echo noexec; \
         busybox dd if=/dev/zero of=/data/big bs=1k count=2048 2>/dev/null || echo data-full; \
         busybox rm -f /data/big; \
         busybox dd if=/dev/zero of=/dev/shm/a bs=1k count=1024 2>/dev/null && echo shm-1m-ok; \
         busybox dd if=/dev/zero of=/dev/shm/b bs=1k count=2048 2>/dev/null || echo shm-full; \
         for m in /data /dev/shm /proc; do \
           busybox grep \" $m \" /proc/self/mountinfo | busybox cut -d' ' -f5,6,9; done",
    ) else {
        return;
    };
    let cfg = e.bundle.join("config.json");
    let text = fs::read_to_string(&cfg).unwrap();
    let mounts = r#""mounts": [{"destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=2m"]},
        {"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "noexec", "mode=700", "size=1m"]}]"#;
    let text = text.replace(
        r#""mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}]"#,
        mounts,
    );
    assert!(text.contains("size=1m"));
    fs::write(&cfg, text).unwrap();
    let want = "700\nnoexec\ndata-full\nshm-1m-ok\nshm-full\n\
                /data rw,nosuid,noexec,relatime tmpfs\n\
                /dev/shm rw,nosuid,nodev,noexec,relatime shm\n\
                /proc rw,nosuid,nodev,noexec,relatime proc\n";
    let r = e.rs(&["run", "--bundle", e.b(), "mt1"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, want), "{}", r.describe());
    e.assert_clean("mt1");
    // runc makes missing mount points in the rootfs (this read-only one
    // must exist); runc 1.1 then gives the tmpfs the directory's mode
    // instead of mode= (fixed in later runc), so it gets 0700 here.
    fs::create_dir_all(e.bundle.join("rootfs/data")).unwrap();
    fs::set_permissions(
        e.bundle.join("rootfs/data"),
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .unwrap();
    if let Some((code, out)) = runc_run(&e, "mt1-runc") {
        assert_eq!((code, out.as_str()), (0, want), "runc differs");
    }
}

/// A `linux.seccomp` profile: default ALLOW; mkdir/mkdirat EPERM (the
/// default errnoRet); kill(_, 0) EINVAL and personality(PER_LINUX32) EACCES
/// (argument filters); sync kills the caller. The same bundle under runc
/// and under runsc, `run` and `exec` (which gets the container's profile
/// too), must print the same and exit alike.
#[test]
fn seccomp_profile_like_runc() {
    let script = "mkdir /tmp/d; echo mkdir=$?; kill -0 $$; echo kill0=$?; kill -CONT $$; \
                  echo cont=$?; linux32 true; echo linux32=$?; sync; echo sync=$?; \
                  busybox grep Seccomp /proc/self/status; echo done";
    let Some(e) = Env::new("lifecycle_seccomp", script) else {
        return;
    };
    let profile = r#""seccomp": {"defaultAction": "SCMP_ACT_ALLOW",
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        "syscalls": [
          {"names": ["mkdir", "mkdirat", "no_such_syscall"], "action": "SCMP_ACT_ERRNO"},
          {"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22,
           "args": [{"index": 1, "value": 0, "op": "SCMP_CMP_EQ"}]},
          {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
           "args": [{"index": 0, "value": 255, "valueTwo": 8, "op": "SCMP_CMP_MASKED_EQ"}]},
          {"names": ["sync"], "action": "SCMP_ACT_KILL"}
        ]}, "#;
    let cfg = e.bundle.join("config.json");
    let with_profile =
        |text: String| text.replace(r#""linux": {"#, &format!(r#""linux": {{{profile}"#));
    let text = with_profile(fs::read_to_string(&cfg).unwrap());
    assert!(text.contains("SCMP_ACT_KILL"));
    fs::write(&cfg, &text).unwrap();
    let ours = run_bundle(&runsc(), &e.dir.join("state-run"), &e.bundle, "sc1");
    assert_eq!(ours.0, 0, "{ours:?}");
    assert!(ours.1.contains("mkdir=1\n"), "{ours:?}");
    assert!(ours.1.contains("kill0=1\ncont=0\n"), "{ours:?}");
    assert!(ours.1.contains("sync=159\n"), "{ours:?}");
    assert!(
        ours.1.ends_with("Seccomp:\t2\nSeccomp_filters:\t1\ndone\n"),
        "{ours:?}"
    );
    // exec gets the container's profile (init sleeps meanwhile).
    let exec_script = "mkdir /tmp/e; echo exec-mkdir=$?; sync; echo exec-sync=$?";
    let sleeper = with_profile(serde_json("sleep 30"));
    let ours_exec = {
        fs::write(&cfg, &sleeper).unwrap();
        let (pid, _) = e.create_start("sc2");
        let o = e.rs(&["exec", "sc2", "sh", "-c", exec_script]);
        e.rs(&["kill", "sc2", "KILL"]).ok();
        wait_pid(pid);
        e.rs(&["delete", "--force", "sc2"]).ok();
        (
            o.code,
            fs::read_to_string(&o.stdout_path).unwrap_or_default(),
        )
    };
    assert_eq!(
        ours_exec,
        (0, "exec-mkdir=1\nexec-sync=159\n".to_string()),
        "runsc exec"
    );
    fs::write(&cfg, &text).unwrap();
    let runc = working_runc(&e);
    if let Some(runc) = &runc {
        let theirs = run_bundle(runc, &e.dir.join("state-runc"), &e.bundle, "sc1");
        assert_eq!((ours.0, &ours.1), (theirs.0, &theirs.1), "runsc vs runc");
        // runc exec, for the record of the same expectation.
        fs::write(&cfg, &sleeper).unwrap();
        let root = e.dir.join("state-runc");
        let rc = |args: &[&str]| {
            Command::new(runc)
                .arg("--root")
                .arg(&root)
                .args(args)
                .stdin(Stdio::null())
                .output()
                .unwrap()
        };
        // Detached: its stdio must not be our pipes (the container keeps them).
        let started = Command::new(runc)
            .arg("--root")
            .arg(&root)
            .args(["run", "--detach", "--bundle", e.b(), "sc2"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(started.success());
        let o = rc(&["exec", "sc2", "sh", "-c", exec_script]);
        rc(&["delete", "--force", "sc2"]);
        reap_all();
        assert_eq!(
            ours_exec,
            (
                o.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&o.stdout).into_owned()
            ),
            "runsc exec vs runc exec"
        );
    }
    // A profile that refuses execve stops the container's process from
    // starting at all (runc: "exec /bin/sh: operation not permitted").
    let deny_exec = text.replace(
        r#"{"names": ["sync"], "action": "SCMP_ACT_KILL"}"#,
        r#"{"names": ["sync"], "action": "SCMP_ACT_KILL"},
           {"names": ["execve", "execveat"], "action": "SCMP_ACT_ERRNO"}"#,
    );
    assert_ne!(deny_exec, text);
    fs::write(&cfg, &deny_exec).unwrap();
    let denied = run_bundle(&runsc(), &e.dir.join("state-run"), &e.bundle, "sc3");
    assert_ne!(denied.0, 0, "{denied:?}");
    assert!(!denied.1.contains("mkdir"), "{denied:?}");
    assert!(denied.2.contains("Operation not permitted"), "{denied:?}");
    if let Some(runc) = &runc {
        let theirs = run_bundle(runc, &e.dir.join("state-runc"), &e.bundle, "sc3");
        assert_ne!(theirs.0, 0, "{theirs:?}");
        assert!(
            theirs.2.to_lowercase().contains("operation not permitted"),
            "{theirs:?}"
        );
    }
    // A profile runsc cannot honour fails the create: one line, no state.
    let notify = text.replace(
        r#""action": "SCMP_ACT_KILL""#,
        r#""action": "SCMP_ACT_NOTIFY""#,
    );
    assert_ne!(notify, text);
    fs::write(&cfg, &notify).unwrap();
    let o = e.rs(&["create", "--bundle", e.b(), "sc4"]);
    assert_bad(&e, &o, "SCMP_ACT_NOTIFY");
    e.assert_clean("sc4");
    e.assert_clean("sc1");
}

/// process.oomScoreAdj: the container sees it in /proc/self/oom_score_adj,
/// and every host process of the sandbox carries it for the host's OOM
/// killer (runc sets it on the container's init).
#[test]
fn oom_score_adj() {
    let Some(e) = Env::new(
        "lifecycle_oom_adj",
        "cat /proc/self/oom_score_adj; sleep 30",
    ) else {
        return;
    };
    let cfg = e.bundle.join("config.json");
    let text = fs::read_to_string(&cfg).unwrap();
    let text = text.replace(
        r#""terminal": false,"#,
        r#""terminal": false, "oomScoreAdj": 500,"#,
    );
    assert!(text.contains("oomScoreAdj"));
    fs::write(&cfg, text).unwrap();
    let (_pid, out) = e.create_start("oom1");
    wait_for("init's output", || file_has(&out, "\n"));
    assert_eq!(fs::read_to_string(&out).unwrap(), "500\n");
    let procs = live_children();
    assert!(procs.len() >= 2, "{procs:?}");
    for (pid, name) in &procs {
        let v = fs::read_to_string(format!("/proc/{pid}/oom_score_adj")).unwrap_or_default();
        assert_eq!(v.trim(), "500", "{pid} {name}");
    }
    e.rs(&["delete", "--force", "oom1"]).ok();
    e.assert_clean("oom1");
}
