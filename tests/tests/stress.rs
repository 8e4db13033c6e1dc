//! Bounded stress tests of processes and threads (issue 4): each C program
//! in `tests/stress/` runs natively and in the sandbox, and stdout plus exit
//! status must match. They check counts, never times; the slowest (5,000
//! forks) takes a few seconds in the sandbox.

use systests::{compile_file, crate_dir, differential, Cmd, Link};

fn stress(name: &str) {
    let src = crate_dir().join("stress").join(format!("{name}.c"));
    let bin = compile_file(&src, Link::Static);
    differential(&Cmd::new(&bin).cwd("/"), 0);
}

/// 1,000 threads created and joined (100 alive at a time).
#[test]
fn threads_1000() {
    stress("threads_1000");
}

/// 5,000 fork + exit + wait with every status checked.
#[test]
fn fork_5000() {
    stress("fork_5000");
}

/// A fork bomb is stopped by RLIMIT_NPROC (EAGAIN) and cleaned up; the
/// sandbox survives it.
#[test]
fn fork_bomb_rlimit_nproc() {
    stress("fork_bomb");
}

/// A task blocked in a read of a host pipe (the sandbox's stdin, held open
/// and never written here) is still reachable by signals: the parent kills
/// it. Natively and in the sandbox alike the program must finish on its own.
#[test]
fn kill_child_blocked_on_host_stdin() {
    use std::process::{Command, Stdio};
    let src = crate_dir().join("stress").join("stdin_kill.c");
    let bin = compile_file(&src, Link::Static);
    let mut runs = vec![("native", Command::new(&bin))];
    if !systests::native_only() {
        let mut c = Command::new(systests::runsc());
        c.arg("do").arg(&bin);
        runs.push(("sandbox", c));
    }
    for (name, mut c) in runs {
        let mut child = c
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        // Hold stdin open: a read on it never returns by itself.
        let _stdin = child.stdin.take();
        let deadline = std::time::Instant::now() + systests::default_timeout();
        let status = loop {
            if let Some(st) = child.try_wait().expect("try_wait") {
                break st;
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{name}: the child blocked on stdin was never killed (timed out)");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let mut out = String::new();
        use std::io::Read;
        if let Some(mut o) = child.stdout.take() {
            let _ = o.read_to_string(&mut out);
        }
        assert!(status.success(), "{name}: {status}");
        assert_eq!(out, "child killed by 15\n", "{name}");
    }
}
