//! The runc shim's call sequence, exit codes, delete, bad input, latency.

use super::*;

#[test]
fn shim_sequence() {
    let script = "echo started; trap 'echo got TERM; exit 7' TERM; while true; do sleep 0.05; done";
    let Some(e) = Env::new("lifecycle_shim", script) else {
        return;
    };
    let id = "shim1";
    let pf = e.pid_file();
    let c = e.rs(&[
        "create",
        "--bundle",
        e.b(),
        "--pid-file",
        pf.to_str().unwrap(),
        id,
    ]);
    c.ok();
    let pid: i32 = fs::read_to_string(&pf).unwrap().trim().parse().unwrap();
    assert!(Path::new(&format!("/proc/{pid}")).exists());
    assert_eq!(e.status(id), "created");
    let st = e.rs(&["state", id]);
    assert!(
        st.stdout.contains(&format!("\"pid\": {pid}")),
        "{}",
        st.describe()
    );
    assert!(
        st.stdout.contains("\"org.example\": \"yes\""),
        "{}",
        st.describe()
    );
    assert!(st.stdout.contains("\"ociVersion\""), "{}", st.describe());
    // Nothing runs before start.
    std::thread::sleep(Duration::from_millis(100));
    assert!(!file_has(&c.stdout_path, "started"));
    e.rs(&["start", id]).ok();
    assert_eq!(e.status(id), "running");
    wait_for("init's output", || file_has(&c.stdout_path, "started"));
    // A second start is refused.
    assert_eq!(e.rs(&["start", id]).code, 1);

    // ps: host pids of the sandbox's processes.
    let ps = e.rs(&["ps", "--format", "json", id]);
    ps.ok();
    let pids = serde_like::int_array(&ps.stdout).unwrap_or_else(|| panic!("{}", ps.describe()));
    assert!(!pids.is_empty(), "{}", ps.describe());
    // The first is init's (sorted by sandbox pid): the host stub process
    // running its code. (Others, like the loop's sleeps, come and go.)
    let comm = fs::read_to_string(format!("/proc/{}/comm", pids[0])).unwrap_or_default();
    assert_eq!(
        comm.trim(),
        "runsc-stub",
        "ps pid {} is not init's stub",
        pids[0]
    );
    assert!(
        !pids.contains(&pid),
        "init has a stub, not the sentry's pid"
    );

    // exec --process F --detach --pid-file P: a relay stands for the process.
    let proc_json = e.dir.join("process.json");
    fs::write(
        &proc_json,
        r#"{"terminal": false, "user": {"uid": 0, "gid": 0}, "args": ["sh", "-c", "echo exec-out $HOME; exit 4"], "env": ["PATH=/bin", "HOME=/root"], "cwd": "/"}"#,
    )
    .unwrap();
    let ep = e.dir.join("exec.pid");
    let x = e.rs(&[
        "exec",
        "--process",
        proc_json.to_str().unwrap(),
        "--detach",
        "--pid-file",
        ep.to_str().unwrap(),
        id,
    ]);
    x.ok();
    let relay: i32 = fs::read_to_string(&ep).unwrap().trim().parse().unwrap();
    assert_eq!(wait_pid(relay), 4, "exec --detach status");
    assert!(
        file_has(&x.stdout_path, "exec-out /root"),
        "{}",
        x.describe()
    );

    // exec flags: --user, --env, --cwd (flags between the id and the command).
    let x3 = e.rs(&[
        "exec",
        "--user",
        "1000:1001",
        id,
        "--env",
        "FOO=bar",
        "--cwd",
        "/bin",
        "sh",
        "-c",
        "echo $(id -u) $(id -g) $FOO $(pwd) $PATH",
    ]);
    x3.ok();
    assert_eq!(x3.stdout, "1000 1001 bar /bin /bin\n", "{}", x3.describe());
    // exec without --detach, trailing-command form.
    let x2 = e.rs(&["exec", id, "sh", "-c", "echo fg; exit 3"]);
    assert_eq!(x2.code, 3, "{}", x2.describe());
    assert_eq!(x2.stdout, "fg\n");
    // A signal to the relay reaches the process.
    let ep2 = e.dir.join("exec2.pid");
    e.rs(&[
        "exec",
        "--detach",
        "--pid-file",
        ep2.to_str().unwrap(),
        id,
        "sleep",
        "30",
    ])
    .ok();
    let relay2: i32 = fs::read_to_string(&ep2).unwrap().trim().parse().unwrap();
    // SAFETY: kill of our own child.
    unsafe { libc::kill(relay2, libc::SIGTERM) };
    assert_eq!(wait_pid(relay2), 128 + libc::SIGTERM);

    // Paused: the init loop stops printing; resumed: it goes on.
    let e2 = e.dir.join("ticks.pid");
    let ticker = e.rs(&[
        "exec",
        "--detach",
        "--pid-file",
        e2.to_str().unwrap(),
        id,
        "sh",
        "-c",
        "while true; do echo tick; sleep 0.02; done",
    ]);
    ticker.ok();
    let ticks = || {
        fs::read_to_string(&ticker.stdout_path)
            .unwrap_or_default()
            .len()
    };
    wait_for("ticks", || ticks() > 0);
    e.rs(&["pause", id]).ok();
    assert_eq!(e.status(id), "paused");
    // A task finishes the syscall it is in before it parks: give it time.
    std::thread::sleep(Duration::from_millis(300));
    let frozen = ticks();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(ticks(), frozen, "output went on while paused");
    assert_eq!(e.rs(&["pause", id]).code, 1);
    e.rs(&["resume", id]).ok();
    assert_eq!(e.status(id), "running");
    wait_for("ticks after resume", || ticks() > frozen);
    let ticker_pid: i32 = fs::read_to_string(&e2).unwrap().trim().parse().unwrap();
    // SAFETY: kill of our own child (the relay), which forwards it.
    unsafe { libc::kill(ticker_pid, libc::SIGINT) };
    assert_eq!(wait_pid(ticker_pid), 128 + libc::SIGINT);

    let l = e.rs(&["list", "--format", "json"]);
    assert!(l.stdout.contains("\"id\":\"shim1\""), "{}", l.describe());
    let q = e.rs(&["list", "-q"]);
    assert_eq!(q.stdout, "shim1\n");

    e.rs(&["kill", id, "15"]).ok();
    assert_eq!(wait_pid(pid), 7, "init's trap exits 7");
    assert!(file_has(&c.stdout_path, "got TERM"));
    assert_eq!(e.status(id), "stopped");
    let s = e.rs(&["state", id]);
    assert!(s.stdout.contains("\"pid\": 0"), "{}", s.describe());
    e.rs(&["delete", id]).ok();
    e.assert_clean(id);
    // Only the two refusals above were logged as errors.
    let errs = e.log_errors();
    assert_eq!(errs.len(), 2, "errors logged: {errs:?}");
    assert!(
        errs[0].contains("cannot start an already running container"),
        "{errs:?}"
    );
    assert!(errs[1].contains("container not running"), "{errs:?}");
}

#[test]
fn kill_9_is_137_and_init_ignores_unhandled_sigterm() {
    let Some(e) = Env::new("lifecycle_kill", "while true; do sleep 1; done") else {
        return;
    };
    let (pid, _) = e.create_start("k9");
    e.rs(&["kill", "k9", "9"]).ok();
    assert_eq!(wait_pid(pid), 137);
    assert_eq!(e.status("k9"), "stopped");
    // Killing a stopped container: runc's message, which the shim maps to
    // "not found".
    let k = e.rs(&["kill", "k9", "KILL"]);
    assert_eq!(k.code, 1);
    assert!(
        k.stderr.contains("container not running"),
        "{}",
        k.describe()
    );
    e.rs(&["delete", "k9"]).ok();
    e.assert_clean("k9");

    // As with runc, init without a TERM handler ignores SIGTERM from
    // outside its pid namespace; another process gets it.
    let (pid, _) = e.create_start("k15");
    e.rs(&["kill", "k15", "SIGTERM"]).ok();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(e.status("k15"), "running");
    let rp = e.dir.join("relay.pid");
    e.rs(&[
        "exec",
        "--detach",
        "--pid-file",
        rp.to_str().unwrap(),
        "k15",
        "sleep",
        "30",
    ])
    .ok();
    let relay: i32 = fs::read_to_string(&rp).unwrap().trim().parse().unwrap();
    e.rs(&["kill", "--all", "k15", "TERM"]).ok();
    assert_eq!(
        wait_pid(relay),
        143,
        "kill --all reaches the exec'd process"
    );
    assert_eq!(e.status("k15"), "running");
    e.rs(&["kill", "k15", "KILL"]).ok();
    assert_eq!(wait_pid(pid), 137);
    e.rs(&["delete", "k15"]).ok();
    e.assert_clean("k15");
}

#[test]
fn delete_force_and_killed_sandboxes() {
    let Some(e) = Env::new("lifecycle_delete", "while true; do sleep 1; done") else {
        return;
    };
    // A running container needs --force.
    let (pid, _) = e.create_start("d1");
    let d = e.rs(&["delete", "d1"]);
    assert_eq!(d.code, 1);
    assert!(d.stderr.contains("not stopped"), "{}", d.describe());
    let t = Instant::now();
    e.rs(&["delete", "--force", "d1"]).ok();
    eprintln!("delete --force of a running sandbox: {:?}", t.elapsed());
    assert_eq!(wait_pid(pid), 137);
    e.assert_clean("d1");
    // Flags after the id.
    let pf = e.pid_file();
    e.rs(&[
        "create",
        "d2",
        "--bundle",
        e.b(),
        "--pid-file",
        pf.to_str().unwrap(),
    ])
    .ok();
    let pid: i32 = fs::read_to_string(&pf).unwrap().trim().parse().unwrap();
    // A created (never started) container is deleted without --force.
    e.rs(&["delete", "d2"]).ok();
    assert_eq!(wait_pid(pid), 137);
    e.assert_clean("d2");

    // kill -9 of the sentry from outside, then delete.
    let (pid, _) = e.create_start("d3");
    // SAFETY: kill of our own child.
    unsafe { libc::kill(pid, libc::SIGKILL) };
    assert_eq!(wait_pid(pid), 137);
    assert_eq!(e.status("d3"), "stopped");
    e.rs(&["delete", "d3"]).ok();
    e.assert_clean("d3");

    // kill -9 of the gofer, then delete --force.
    let (pid, _) = e.create_start("d4");
    let state = fs::read_to_string(e.root.join("d4/state.json")).unwrap();
    let gofer: i32 = serde_like::parse(&state)
        .get_str("gofer_pid")
        .parse()
        .unwrap();
    assert!(gofer > 0);
    // SAFETY: kill of our own descendant.
    unsafe { libc::kill(gofer, libc::SIGKILL) };
    e.rs(&["delete", "--force", "d4"]).ok();
    assert_eq!(wait_pid(pid), 137);
    e.assert_clean("d4");
    // Deleting a missing container with --force is fine; without, an error.
    e.rs(&["delete", "--force", "d4"]).ok();
    assert_eq!(e.rs(&["delete", "d4"]).code, 1);

    // Two shims deleting at once (the lock serialises them) while others
    // read the state: every call succeeds or says the container is gone.
    let (pid, _) = e.create_start("d5");
    let spawn = |args: &[&str]| {
        Command::new(runsc())
            .arg("--root")
            .arg(&e.root)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let deleters: Vec<_> = (0..2)
        .map(|_| spawn(&["delete", "--force", "d5"]))
        .collect();
    let readers: Vec<_> = (0..4).map(|_| spawn(&["state", "d5"])).collect();
    for d in deleters {
        let o = d.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    for r in readers {
        let o = r.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            o.status.success() || err.contains("does not exist"),
            "state: {err}"
        );
    }
    assert_eq!(wait_pid(pid), 137);
    e.assert_clean("d5");
}

#[test]
fn bad_input() {
    let Some(e) = Env::new("lifecycle_bad", "sleep 1") else {
        return;
    };
    let create = |e: &Env, bundle: &str, id: &str| {
        let pf = e.dir.join("bad.pid");
        e.rs(&[
            "create",
            "--bundle",
            bundle,
            "--pid-file",
            pf.to_str().unwrap(),
            id,
        ])
    };
    let b = e.b().to_string();
    // Missing config.json.
    let empty = e.dir.join("empty");
    fs::create_dir_all(&empty).unwrap();
    assert_bad(
        &e,
        &create(&e, empty.to_str().unwrap(), "x1"),
        "config.json",
    );
    // Malformed and wrongly typed config.json.
    let bad = e.dir.join("badjson");
    fs::create_dir_all(bad.join("rootfs")).unwrap();
    fs::write(bad.join("config.json"), "{ not json").unwrap();
    assert_bad(&e, &create(&e, bad.to_str().unwrap(), "x2"), "config.json");
    fs::write(
        bad.join("config.json"),
        r#"{"ociVersion": "1.0.2", "process": {"args": "sh", "cwd": "/", "user": {"uid": 0, "gid": 0}}, "root": {"path": "rootfs"}}"#,
    )
    .unwrap();
    assert_bad(&e, &create(&e, bad.to_str().unwrap(), "x3"), "config.json");
    // Nonexistent bundle and rootfs.
    assert_bad(
        &e,
        &create(&e, "/nonexistent/bundle", "x4"),
        "/nonexistent/bundle",
    );
    fs::write(
        bad.join("config.json"),
        r#"{"ociVersion": "1.0.2", "process": {"args": ["sh"], "cwd": "/", "user": {"uid": 0, "gid": 0}}, "root": {"path": "nowhere"}}"#,
    )
    .unwrap();
    assert_bad(&e, &create(&e, bad.to_str().unwrap(), "x5"), "nowhere");
    // A program that does not exist fails create.
    e.write_config("exit 0");
    let cfg = fs::read_to_string(e.bundle.join("config.json")).unwrap();
    fs::write(
        e.bundle.join("config.json"),
        cfg.replace(r#"["sh", "-c", "exit 0"]"#, r#"["/bin/nope"]"#),
    )
    .unwrap();
    assert_bad(&e, &create(&e, &b, "x6"), "nope");
    // A pid file in a missing directory.
    e.write_config("sleep 1");
    let o = e.rs(&[
        "create",
        "--bundle",
        &b,
        "--pid-file",
        "/nonexistent/dir/p.pid",
        "x7",
    ]);
    assert_bad(&e, &o, "/nonexistent/dir");
    // None of these left state.
    for id in ["x1", "x2", "x3", "x4", "x5", "x6", "x7"] {
        assert!(!e.root.join(id).exists(), "partial state for {id}");
    }
    reap_all();
    assert!(live_children().is_empty(), "{:?}", live_children());
    // Duplicate id.
    let (pid, _) = e.create_start("dup");
    assert_bad(&e, &create(&e, &b, "dup"), "exists");
    // Unknown signal.
    assert_bad(&e, &e.rs(&["kill", "dup", "SIGNOPE"]), "unknown signal");
    assert_eq!(wait_pid(pid), 0);
    // Exec into a stopped container.
    assert_bad(&e, &e.rs(&["exec", "dup", "true"]), "stopped");
    // Unknown container.
    assert_bad(&e, &e.rs(&["state", "ghost"]), "does not exist");
    e.rs(&["delete", "dup"]).ok();
    e.assert_clean("dup");
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// create / start / delete latencies (medians of 10), against runc when it
/// is installed. A measurement, not a check: `-- --ignored` runs it.
#[test]
#[ignore = "measurement: run with --ignored --nocapture"]
fn latency() {
    let Some(e) = Env::new("lifecycle_latency", "sleep 5") else {
        return;
    };
    let runc = Path::new("/usr/sbin/runc")
        .exists()
        .then(|| PathBuf::from("/usr/sbin/runc"));
    let mut rows = Vec::new();
    for (name, bin) in [("runsc", Some(runsc())), ("runc", runc)] {
        let Some(bin) = bin else {
            eprintln!("runc not installed: no comparison");
            continue;
        };
        let (mut c, mut s, mut d) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..10 {
            let id = format!("lat{i}");
            let root = e.dir.join(format!("root-{name}"));
            let run = |args: &[&str]| {
                let t = Instant::now();
                let st = Command::new(&bin)
                    .arg("--root")
                    .arg(&root)
                    .args(args)
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .unwrap();
                assert!(st.success(), "{name} {args:?}");
                t.elapsed()
            };
            c.push(run(&["create", "--bundle", e.b(), &id]));
            s.push(run(&["start", &id]));
            d.push(run(&["delete", "--force", &id]));
            reap_all();
        }
        rows.push(format!(
            "{name:6} create {:?}  start {:?}  delete --force {:?}",
            median(c),
            median(s),
            median(d)
        ));
    }
    for r in rows {
        eprintln!("{r}");
    }
}

/// The boot configuration holds the container's environment (often
/// secrets): no host process of the sandbox may carry it on its command
/// line, which every host user can read in /proc/PID/cmdline.
#[test]
fn environment_is_not_on_host_command_lines() {
    let Some(e) = Env::new("lifecycle_env_private", "sleep 30") else {
        return;
    };
    let cfg = e.bundle.join("config.json");
    let text = fs::read_to_string(&cfg).unwrap();
    let text = text.replace(
        r#""env": ["PATH=/bin""#,
        r#""env": ["SECRET_TOKEN=hunter2-marker", "PATH=/bin""#,
    );
    assert!(text.contains("hunter2-marker"));
    fs::write(&cfg, text).unwrap();
    let (_pid, _) = e.create_start("env1");
    let mut seen = Vec::new();
    for (pid, _) in live_children() {
        let cmd = fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        // The env in JSON as strings, or as the byte arrays serde writes.
        let marker: String = "hunter2"
            .bytes()
            .map(|b| b.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let text = String::from_utf8_lossy(&cmd);
        if text.contains("hunter2") || text.contains(&marker) {
            seen.push(pid);
        }
    }
    e.rs(&["delete", "--force", "env1"]).ok();
    assert!(
        seen.is_empty(),
        "the environment is on the command line of {seen:?}"
    );
    e.assert_clean("env1");
}
