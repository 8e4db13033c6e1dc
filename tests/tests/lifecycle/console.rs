//! Terminals: the console socket, keys and window size from the host
//! console, `runsc run` in the foreground and detached.

use super::*;

/// Accept one connection on a console socket and take the pty master from
/// it (runc's protocol: one message with the fd in SCM_RIGHTS).
fn recv_master(l: &std::os::unix::net::UnixListener) -> (std::fs::File, String) {
    use std::os::fd::{AsRawFd, FromRawFd};
    let (c, _) = l.accept().unwrap();
    let mut data = [0u8; 256];
    let mut cbuf = [0u64; 8];
    let mut iov = libc::iovec {
        iov_base: data.as_mut_ptr().cast(),
        iov_len: data.len(),
    };
    // SAFETY: a zeroed msghdr is valid; the pointers below outlive the call.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cbuf.as_mut_ptr().cast();
    msg.msg_controllen = std::mem::size_of_val(&cbuf);
    // SAFETY: msg points at live buffers of the sizes given.
    let n = unsafe { libc::recvmsg(c.as_raw_fd(), &mut msg, 0) };
    assert!(n > 0, "recvmsg: {}", std::io::Error::last_os_error());
    // SAFETY: the kernel filled msg; CMSG_FIRSTHDR/CMSG_DATA walk it.
    let fd = unsafe {
        let h = libc::CMSG_FIRSTHDR(&msg);
        assert!(
            !h.is_null() && (*h).cmsg_type == libc::SCM_RIGHTS,
            "no fd received"
        );
        std::ptr::read_unaligned(libc::CMSG_DATA(h) as *const i32)
    };
    let name = String::from_utf8_lossy(&data[..n as usize]).into_owned();
    // SAFETY: SCM_RIGHTS gave us this fd.
    (unsafe { std::fs::File::from_raw_fd(fd) }, name)
}

/// What the pty master yields until `until` shows up (or EOF, or 20 s).
/// Not until EOF: the sentry may keep a host tty fd open (/dev/tty).
/// Read the pty master until `until` shows (or 20 s). The caller keeps the
/// master open: closing it hangs up the terminal, and SIGHUP would end a
/// process that has not exited yet.
fn read_master(m: &mut std::fs::File, until: &str) -> String {
    use std::io::Read;
    use std::os::fd::AsRawFd;
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(20) {
        if String::from_utf8_lossy(&out).contains(until) {
            break;
        }
        let mut p = libc::pollfd {
            fd: m.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        if unsafe { libc::poll(&mut p, 1, 200) } <= 0 {
            continue;
        }
        match m.read(&mut buf) {
            Ok(0) | Err(_) => break, // EIO once every slave fd is closed
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn console_socket() {
    let Some(e) = Env::new("lifecycle_tty", "while true; do sleep 1; done") else {
        return;
    };
    let sock = e.dir.join("console.sock");
    let l = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    // exec --tty --console-socket: the process's stdio is a terminal.
    let (pid, _) = e.create_start("t1");
    let reader = std::thread::spawn(move || {
        let (mut m, name) = recv_master(&l);
        (read_master(&mut m, "is-a-tty"), name, l, m)
    });
    let x = e.rs(&[
        "exec",
        "--tty",
        "--console-socket",
        sock.to_str().unwrap(),
        "t1",
        "sh",
        "-c",
        "[ -t 0 ] && [ -t 1 ] && echo is-a-tty; exit 9",
    ]);
    assert_eq!(x.code, 9, "{}", x.describe());
    let (out, name, l, master) = reader.join().unwrap();
    drop(master);
    assert_eq!(name, "/dev/ptmx");
    assert!(out.contains("is-a-tty"), "pty output: {out:?}");
    e.rs(&["kill", "t1", "9"]).ok();
    assert_eq!(wait_pid(pid), 137);
    e.rs(&["delete", "t1"]).ok();

    // create with process.terminal: init's stdio is the pty.
    let cfg = fs::read_to_string(e.bundle.join("config.json")).unwrap();
    fs::write(
        e.bundle.join("config.json"),
        cfg.replace("\"terminal\": false", "\"terminal\": true")
            .replace(
                "while true; do sleep 1; done",
                "[ -t 1 ] && echo init-tty; exit 2",
            ),
    )
    .unwrap();
    // Without a console socket, create refuses (it would detach).
    let pf = e.pid_file();
    let c = e.rs(&["create", "--bundle", e.b(), "t2"]);
    assert_bad(&e, &c, "console socket");
    let reader = std::thread::spawn(move || {
        let mut m = recv_master(&l).0;
        (read_master(&mut m, "init-tty"), m)
    });
    e.rs(&[
        "create",
        "--bundle",
        e.b(),
        "--console-socket",
        sock.to_str().unwrap(),
        "--pid-file",
        pf.to_str().unwrap(),
        "t2",
    ])
    .ok();
    let pid: i32 = fs::read_to_string(&pf).unwrap().trim().parse().unwrap();
    e.rs(&["start", "t2"]).ok();
    assert_eq!(wait_pid(pid), 2);
    let (out, master) = reader.join().unwrap();
    drop(master);
    assert!(out.contains("init-tty"), "pty output: {out:?}");
    e.rs(&["delete", "t2"]).ok();
    e.assert_clean("t2");
}

/// Where the terminal of [`console_scenario`] comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Init's, from `create --console-socket`.
    Init,
    /// A process's from `exec --detach --tty --console-socket`.
    Exec,
    /// `run` in the foreground on the caller's terminal.
    Run,
}

/// A pty master from a console socket, read as the steps of a scenario
/// need it.
struct Master {
    f: fs::File,
    seen: String,
}

impl Master {
    /// Read until `what` shows up in what was read so far; false after 10 s
    /// or at EOF.
    fn wait(&mut self, what: &str) -> bool {
        use std::io::Read;
        use std::os::fd::AsRawFd;
        let t = Instant::now();
        let mut buf = [0u8; 4096];
        while !self.seen.contains(what) {
            if t.elapsed() > Duration::from_secs(10) {
                return false;
            }
            let mut p = libc::pollfd {
                fd: self.f.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd.
            if unsafe { libc::poll(&mut p, 1, 200) } <= 0 {
                continue;
            }
            match self.f.read(&mut buf) {
                Ok(0) | Err(_) => return false,
                Ok(n) => self.seen.push_str(&String::from_utf8_lossy(&buf[..n])),
            }
        }
        true
    }

    fn type_keys(&mut self, keys: &[u8]) {
        use std::io::Write;
        self.f.write_all(keys).unwrap();
    }

    /// TIOCSWINSZ on the master, as containerd and Docker resize a console.
    fn resize(&self, rows: u16, cols: u16) {
        use std::os::fd::AsRawFd;
        let ws = libc::winsize {
            ws_row: rows,
            ws_col: cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: TIOCSWINSZ reads one winsize from a valid pointer.
        let r = unsafe { libc::ioctl(self.f.as_raw_fd(), libc::TIOCSWINSZ, &ws) };
        assert_eq!(r, 0, "TIOCSWINSZ: {}", std::io::Error::last_os_error());
    }
}

/// `tests/sandbox/tty_signals.c` as a container's init with a terminal,
/// run by `bin` (runc or runsc) with create --console-socket, driven
/// through the pty master: resize, ^C, ^\, ^Z, ^C to a job in the
/// foreground, then the master closes. Returns the program's report lines
/// and init's exit status (or a description of where it got stuck).
fn console_scenario(
    e: &Env,
    bin: &Path,
    name: &str,
    mode: Mode,
) -> Result<(Vec<String>, i32), String> {
    let exec = mode == Mode::Exec;
    let name = &format!("{name}-{mode:?}");
    let id = format!("con-{name}");
    // runc opens the pty in the container: it needs /dev/pts and /dev/ptmx.
    let cfg = serde_json("sleep 1000").replace(
        r#""mounts": ["#,
        r#""mounts": [{"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]},
                      {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},"#,
    );
    let cfg = if exec {
        cfg
    } else {
        cfg.replace("\"terminal\": false", "\"terminal\": true")
            .replace(r#"["sh", "-c", "sleep 1000"]"#, r#"["/bin/tty_signals"]"#)
    };
    fs::write(e.bundle.join("config.json"), cfg).unwrap();
    let root = e.dir.join(format!("root-{name}"));
    let sock = e.dir.join(format!("console-{name}.sock"));
    let pf = e.dir.join(format!("{name}.pid"));
    // Stderr to a file: the container keeps the stdio of `create` (a pipe
    // would never see EOF).
    let err = e.dir.join(format!("{name}.err"));
    let rt = |args: &[&str]| {
        let st = Command::new(bin)
            .arg("--root")
            .arg(&root)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(&err).unwrap())
            .status()
            .unwrap();
        (st.success(), fs::read_to_string(&err).unwrap_or_default())
    };
    if mode == Mode::Run {
        return run_on_own_tty(e, bin, &root, &id);
    }
    let l = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    let taker = std::thread::spawn(move || recv_master(&l).0);
    let (sock_s, pf_s) = (sock.to_str().unwrap(), pf.to_str().unwrap());
    let console = ["--console-socket", sock_s, "--pid-file", pf_s];
    let mut create = vec!["create", "--bundle", e.b()];
    if !exec {
        create.extend(console);
    }
    create.push(&id);
    let (ok, msg) = rt(&create);
    if !ok {
        return Err(format!("{name} create: {msg}"));
    }
    let (ok, msg) = rt(&["start", &id]);
    assert!(ok, "{name} start: {msg}");
    if exec {
        // As containerd's shim: exec --detach --tty with a console socket.
        let mut x = vec!["exec", "--detach", "--tty"];
        x.extend(console);
        x.extend([id.as_str(), "/bin/tty_signals"]);
        let (ok, msg) = rt(&x);
        if !ok {
            rt(&["delete", "--force", &id]);
            return Err(format!("{name} exec: {msg}"));
        }
    }
    let m = Master {
        f: taker.join().unwrap(),
        seen: String::new(),
    };
    let pid: i32 = fs::read_to_string(&pf).unwrap().trim().parse().unwrap();
    // The console goes away: a hangup of the session (SIGHUP to its
    // leader, which exits 7).
    let r = drive_console(m, pid, name, drop);
    rt(&["delete", "--force", &id]);
    reap_all();
    r
}

/// `bin run` in the foreground on a terminal of its own (the test holds
/// the master), as a user at a shell would start it: `process.terminal`
/// without a console socket.
fn run_on_own_tty(
    e: &Env,
    bin: &Path,
    root: &Path,
    id: &str,
) -> Result<(Vec<String>, i32), String> {
    use std::os::fd::FromRawFd;
    use std::os::unix::process::CommandExt;
    let (mut master, mut slave) = (-1, -1);
    // SAFETY: openpty writes two fds; no name, termios or size given.
    let r = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(r, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: openpty gave us these fds.
    let (master, slave) = unsafe { (fs::File::from_raw_fd(master), fs::File::from_raw_fd(slave)) };
    let mut c = Command::new(bin);
    c.arg("--root")
        .arg(root)
        .args(["run", "--bundle", e.b(), id])
        .stdin(slave.try_clone().unwrap())
        .stdout(slave.try_clone().unwrap())
        .stderr(slave);
    // SAFETY: setsid and ioctl are async-signal-safe.
    unsafe {
        c.pre_exec(|| {
            if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    // Waited for with waitpid by drive_console (a subreaper's wait_pid).
    let pid = c.spawn().unwrap().id() as i32;
    let m = Master {
        f: master,
        seen: String::new(),
    };
    // runc does not pass a hangup of its own terminal on: end with a kill.
    let kill = |_m: Master| {
        let st = Command::new(bin)
            .arg("--root")
            .arg(root)
            .args(["kill", id, "9"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(st.success(), "kill {id}");
    };
    let r = drive_console(m, pid, id, kill);
    reap_all();
    r
}

/// The steps of [`console_scenario`] on the master `m`; `pid` is the
/// process whose exit status is init's (waited for after the master is
/// closed).
fn drive_console(
    mut m: Master,
    pid: i32,
    name: &str,
    finish: impl FnOnce(Master),
) -> Result<(Vec<String>, i32), String> {
    let steps: &[(&[u8], &str)] = &[
        (b"", "ready"),
        (b"", "WINCH"),
        (b"\x03", "got INT"),
        (b"\x1c", "got QUIT"),
        (b"\x1a", "child ready"),
        (b"\x03", "fg back"),
    ];
    let mut stuck = None;
    for (keys, until) in steps {
        if *until == "WINCH" {
            m.resize(30, 100);
        } else {
            m.type_keys(keys);
        }
        if !m.wait(until) {
            stuck = Some(format!("{name}: no {until:?} in {:?}", m.seen));
            break;
        }
    }
    let seen = std::mem::take(&mut m.seen);
    let code = if stuck.is_none() {
        finish(m);
        wait_pid(pid)
    } else {
        // SAFETY: kill of a process we started (run) or that was
        // reparented to us.
        unsafe { libc::kill(pid, libc::SIGKILL) };
        -1
    };
    if let Some(s) = stuck {
        return Err(s);
    }
    // The line discipline echoes the keys (ECHOCTL: "^C") before or after
    // the program's line, depending on who runs first.
    let lines = seen
        .replace("^C", "")
        .replace("^\\", "")
        .replace("^Z", "")
        .lines()
        .map(str::trim)
        .filter(|l| {
            ["ids", "got", "child", "fg", "tcsetpgrp"]
                .iter()
                .any(|p| l.starts_with(p))
        })
        .map(str::to_string)
        .collect();
    Ok((lines, code))
}

/// The console's keys and size reach the sandbox as on Linux: the sentry
/// leads the pty's session, and passes the line discipline's signals on to
/// the sandbox's foreground process group (SIGWINCH with the new size,
/// ^C, ^\, ^Z; ^C to a job that took the foreground), and the master's
/// close hangs the session up (SIGHUP to init). Compared with runc on the
/// same bundle when runc works on the machine.
#[test]
fn console_signals() {
    let Some(e) = Env::new("lifecycle_console_signals", "true") else {
        return;
    };
    let prog = systests::compile_sandbox_program("tty_signals", systests::Link::Static);
    fs::copy(&prog, e.bundle.join("rootfs/bin/tty_signals")).unwrap();
    fs::create_dir_all(e.bundle.join("rootfs/dev")).unwrap();
    fs::create_dir_all(e.bundle.join("rootfs/proc")).unwrap();
    for mode in [Mode::Init, Mode::Exec, Mode::Run] {
        let exec = mode == Mode::Exec;
        let ids = format!("ids init={} session-leader=1 fg-is-mine=1", u8::from(!exec));
        let expected: Vec<String> = [
            ids.as_str(),
            "got WINCH 30x100",
            "got INT",
            "got QUIT",
            "got TSTP",
            "child ready",
            "child got INT",
            "child exit 3",
            "fg back mine=1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let what = format!("{mode:?}");
        let runc = Path::new("/usr/sbin/runc");
        if runc.exists() {
            match console_scenario(&e, runc, "runc", mode) {
                Ok(r) => assert_eq!(
                    r,
                    (expected.clone(), if mode == Mode::Run { 137 } else { 7 }),
                    "runc (the reference), {what}"
                ),
                Err(why) => eprintln!("runc cannot run the scenario here ({why}): no comparison"),
            }
        }
        let code = if mode == Mode::Run { 137 } else { 7 };
        let ours = console_scenario(&e, &runsc(), "runsc", mode);
        assert_eq!(ours, Ok((expected, code)), "{what}");
        assert!(live_children().is_empty(), "{:?}", live_children());
    }
}

#[test]
fn run_foreground_and_detached() {
    let Some(e) = Env::new("lifecycle_run", "echo ran; exit 5") else {
        return;
    };
    let r = e.rs(&["run", "--bundle", e.b(), "r1"]);
    assert_eq!(r.code, 5, "{}", r.describe());
    assert_eq!(r.stdout, "ran\n");
    // run without --detach removes the container.
    assert!(!e.root.join("r1").exists());
    // In the foreground, run passes its signals on to init.
    e.write_config("trap 'echo int; exit 4' INT; echo ready; while true; do sleep 0.05; done");
    let out = e.dir.join("run.out");
    let mut child = Command::new(runsc())
        .arg("--root")
        .arg(&e.root)
        .args(["run", "--bundle", e.b(), "r0"])
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for("ready", || file_has(&out, "ready"));
    // SAFETY: kill of our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    assert_eq!(child.wait().unwrap().code(), Some(4));
    assert!(file_has(&out, "int"));
    e.write_config("sleep 30");
    let pf = e.pid_file();
    e.rs(&[
        "run",
        "--detach",
        "--bundle",
        e.b(),
        "--pid-file",
        pf.to_str().unwrap(),
        "r2",
    ])
    .ok();
    assert_eq!(e.status("r2"), "running");
    let pid: i32 = fs::read_to_string(&pf).unwrap().trim().parse().unwrap();
    e.rs(&["delete", "--force", "r2"]).ok();
    assert_eq!(wait_pid(pid), 137);
    e.assert_clean("r2");
}
