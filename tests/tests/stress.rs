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
