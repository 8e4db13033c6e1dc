//! gVisor-style strace output (`runsc do --strace`).
//!
//! One line per event through `tracing` with target `strace`:
//!
//! ```text
//! [   1:   1] cat E openat(AT_FDCWD, "/etc/hostname", O_RDONLY|O_CLOEXEC, 0o0)
//! [   1:   1] cat X openat(AT_FDCWD, "/etc/hostname", O_RDONLY|O_CLOEXEC, 0o0) = 3 (12.5µs)
//! [   1:   1] cat X openat(AT_FDCWD, "/nope", O_RDONLY, 0o0) = -1 ENOENT (No such file or directory) (8µs)
//! ```
//!
//! `[pid:tid]` are the sandbox's ids, `comm` the task's name, `E`/`X` entry
//! and exit. Arguments are decoded by [`syscalls::args`], reading app memory
//! through the task's memory manager (output buffers are shown at exit);
//! durations are printed as Go's `time.Duration` does, like gVisor's.
//! Nothing here panics, whatever the app passes.

use crate::kernel::task::Task;
use std::time::Duration;
use syscalls::args::{format_entry, format_exit, MemReader, NoMemory};

/// The most bytes one argument decode reads from the app.
const MAX_READ: usize = 1 << 20;

/// Reads the traced task's memory; a short read means an unmapped tail.
struct TaskMem<'a>(&'a Task);

impl MemReader for TaskMem<'_> {
    fn read(&self, addr: u64, len: usize) -> Option<Vec<u8>> {
        let mut buf = vec![0u8; len.min(MAX_READ)];
        let n = self.0.mm.copy_in_partial(addr, &mut buf);
        if n == 0 && !buf.is_empty() {
            return None;
        }
        buf.truncate(n);
        Some(buf)
    }
}

/// `[   1:   1] comm`, with the name escaped (it is app-controlled).
fn prefix_of(tgid: i32, tid: i32, comm: &[u8]) -> String {
    let mut name = String::new();
    for &b in comm.iter().take(64) {
        if (0x20..0x7f).contains(&b) && b != b'\\' {
            name.push(b as char);
        } else {
            name.push_str(&format!("\\x{b:02x}"));
        }
    }
    format!("[{:>4}:{:>4}] {name}", tgid, tid)
}

fn prefix(t: &Task) -> String {
    prefix_of(t.tgid, t.tid, &t.comm)
}

/// A string argument as strace quotes it, cut after [`syscalls::args::MAX_STR`] bytes.
fn quote(s: &[u8]) -> String {
    let max = syscalls::args::MAX_STR;
    let mut out = String::from("\"");
    for &b in s.iter().take(max) {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            b'\r' => out.push_str("\\r"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
    if s.len() > max {
        out.push_str("...");
    }
    out
}

/// The call line of the sandbox's first execve, which the boot code does
/// on the init task's behalf (there is no syscall to trace):
/// `execve("/bin/echo", ["echo", "hi"], /* 3 vars */)`.
pub fn initial_exec_call(path: &[u8], argv: &[Vec<u8>], envc: usize) -> String {
    let shown = syscalls::args::MAX_ELEMS;
    let mut args: Vec<String> = argv.iter().take(shown).map(|a| quote(a)).collect();
    if argv.len() > shown {
        args.push("...".to_string());
    }
    format!(
        "execve({}, [{}], /* {envc} vars */)",
        quote(path),
        args.join(", ")
    )
}

/// Log the sandbox's first execve like a traced one: an entry line and an
/// exit line with `ret` (0 or `-errno`) and the time it took. The boot code
/// calls this when `--strace` is on, after the exec (so `comm` is the new
/// program's).
pub fn initial_exec(t: &Task, path: &[u8], argv: &[Vec<u8>], envc: usize, ret: u64, d: Duration) {
    let call = initial_exec_call(path, argv, envc);
    let p = prefix(t);
    tracing::info!(target: "strace", "{p} E {call}");
    let r = syscalls::args::format_ret(syscalls::args::Ret::Dec, ret);
    tracing::info!(target: "strace", "{p} X {call} = {r} ({})", go_duration(d));
}

/// The line logged at syscall entry.
pub fn entry_line(t: &Task, nr: u64, args: &[u64; 6]) -> String {
    format!("{} E {}", prefix(t), format_entry(nr, args, &TaskMem(t)))
}

/// The line logged at syscall exit.
pub fn exit_line(t: &Task, nr: u64, args: &[u64; 6], ret: u64, d: Duration) -> String {
    // After a successful execve the old image's pointers mean nothing.
    let call = if t.regs_replaced {
        format_exit(nr, args, ret, &NoMemory)
    } else {
        format_exit(nr, args, ret, &TaskMem(t))
    };
    format!("{} X {} ({})", prefix(t), call, go_duration(d))
}

pub fn entry(t: &Task, nr: u64, args: &[u64; 6]) {
    tracing::info!(target: "strace", "{}", entry_line(t, nr, args));
}

pub fn exit(t: &Task, nr: u64, args: &[u64; 6], ret: u64, d: Duration) {
    tracing::info!(target: "strace", "{}", exit_line(t, nr, args, ret, d));
}

/// `v / 10^prec` with the fraction's trailing zeros removed.
fn frac(v: u128, prec: u32) -> String {
    let p = 10u128.pow(prec);
    let (int, f) = (v / p, v % p);
    if f == 0 {
        return int.to_string();
    }
    let digits = format!("{f:0width$}", width = prec as usize);
    format!("{int}.{}", digits.trim_end_matches('0'))
}

/// A duration as Go's `time.Duration.String()`: `0s`, `850ns`, `1.5µs`,
/// `12.034ms`, `2.5s`, `1m3.2s`, `1h0m0s`.
pub fn go_duration(d: Duration) -> String {
    const MINUTE: u128 = 60_000_000_000;
    let ns = d.as_nanos();
    match ns {
        0 => "0s".to_string(),
        1..=999 => format!("{ns}ns"),
        1_000..=999_999 => format!("{}µs", frac(ns, 3)),
        1_000_000..=999_999_999 => format!("{}ms", frac(ns, 6)),
        _ => {
            let (mins, rest) = (ns / MINUTE, ns % MINUTE);
            let mut s = String::new();
            if mins > 0 {
                if mins >= 60 {
                    s.push_str(&format!("{}h", mins / 60));
                }
                s.push_str(&format!("{}m", mins % 60));
            }
            s.push_str(&format!("{}s", frac(rest, 9)));
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_and_exec_lines() {
        assert_eq!(prefix_of(1, 1, b"sh"), "[   1:   1] sh");
        assert_eq!(prefix_of(12345, 7, b"a\nb\\"), "[12345:   7] a\\x0ab\\x5c");
        assert_eq!(
            initial_exec_call(
                b"/bin/echo",
                &[b"echo".to_vec(), b"say \"hi\"\n".to_vec()],
                2
            ),
            "execve(\"/bin/echo\", [\"echo\", \"say \\\"hi\\\"\\n\"], /* 2 vars */)"
        );
        let many: Vec<Vec<u8>> = (0..40).map(|i| format!("{i}").into_bytes()).collect();
        let line = initial_exec_call(b"/x", &many, 0);
        assert!(line.ends_with("\"15\", ...], /* 0 vars */)"), "{line}");
        let long = vec![b'a'; 1000];
        assert!(initial_exec_call(&long, &[], 0).contains("aaa\"...,"));
    }

    #[test]
    fn durations_like_go() {
        assert_eq!(go_duration(Duration::ZERO), "0s");
        assert_eq!(go_duration(Duration::from_nanos(850)), "850ns");
        assert_eq!(go_duration(Duration::from_nanos(1_000)), "1µs");
        assert_eq!(go_duration(Duration::from_nanos(1_500)), "1.5µs");
        assert_eq!(go_duration(Duration::from_nanos(12_034_000)), "12.034ms");
        assert_eq!(go_duration(Duration::from_millis(2_500)), "2.5s");
        assert_eq!(go_duration(Duration::from_millis(63_200)), "1m3.2s");
        assert_eq!(go_duration(Duration::from_secs(3600)), "1h0m0s");
        assert_eq!(go_duration(Duration::new(1, 1)), "1.000000001s");
    }
}
