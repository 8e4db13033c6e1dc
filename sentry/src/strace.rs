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
fn prefix(t: &Task) -> String {
    let mut comm = String::new();
    for &b in t.comm.iter().take(64) {
        if (0x20..0x7f).contains(&b) && b != b'\\' {
            comm.push(b as char);
        } else {
            comm.push_str(&format!("\\x{b:02x}"));
        }
    }
    format!("[{:>4}:{:>4}] {comm}", t.tgid, t.tid)
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
