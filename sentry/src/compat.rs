//! The per-workload compatibility profile behind `runsc compat`: which
//! syscalls the app made, how often, which errnos they returned, their
//! support level in the dispatch table, the "command" arguments that made a
//! call fail as unsupported, and the paths under `/proc`, `/sys` and `/dev`
//! that the app looked for and the sandbox does not emulate.
//!
//! Collection is sandbox-wide and off by default. When off, the only cost is
//! one load of a relaxed bool per syscall (in [`crate::syscalls::dispatch`])
//! and per failed path component (in the VFS walk). When on, counting is one
//! relaxed atomic add per syscall; failures take a mutex.
//!
//! The report is JSON written by [`write_report`] to the fd the CLI handed
//! over (`BootConfig::compat_out`) when init exits.

use crate::syscalls::report::{self, push_json_str as json_str, Level};
use crate::vfs::Dentry;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use syscalls::args::ArgKind;
use syscalls::nr::NR_SYSCALLS;
use syscalls::Errno;

/// Distinct (syscall, argument value) pairs kept.
const MAX_ARGS: usize = 4096;
/// Distinct paths kept.
const MAX_PATHS: usize = 1024;
/// Distinct out-of-table syscall numbers kept.
const MAX_UNKNOWN: usize = 256;
/// Path prefixes whose failed lookups are reported.
const PREFIXES: [&[u8]; 3] = [b"/proc", b"/sys", b"/dev"];

static ENABLED: AtomicBool = AtomicBool::new(false);
static COUNTS: [AtomicU64; NR_SYSCALLS] = [const { AtomicU64::new(0) }; NR_SYSCALLS];
static DETAIL: Mutex<Detail> = Mutex::new(Detail::new());

/// What is recorded only for failures (rare), under one lock.
struct Detail {
    /// (nr, errno) → count.
    errors: BTreeMap<(u64, i32), u64>,
    /// (nr, command argument value) → (errno of the first failure, count).
    args: BTreeMap<(u64, u64), (i32, u64)>,
    /// Numbers past the table → (count, errno → count).
    unknown: BTreeMap<u64, u64>,
    /// (path, errno) → count.
    paths: BTreeMap<(Vec<u8>, i32), u64>,
    /// Some entries were dropped because a cap was reached.
    truncated: bool,
}

impl Detail {
    const fn new() -> Detail {
        Detail {
            errors: BTreeMap::new(),
            args: BTreeMap::new(),
            unknown: BTreeMap::new(),
            paths: BTreeMap::new(),
            truncated: false,
        }
    }
}

fn detail() -> std::sync::MutexGuard<'static, Detail> {
    DETAIL.lock().unwrap_or_else(|p| p.into_inner())
}

/// Whether the profile is being collected.
#[inline(always)]
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Start collecting (before the first app syscall).
pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

/// The errnos that say "this argument is not supported".
fn unsupported(e: Errno) -> bool {
    matches!(
        e,
        Errno::ENOSYS | Errno::EINVAL | Errno::EOPNOTSUPP | Errno::ENOTTY
    )
}

/// Index of a syscall's "command" argument: its first enumerated or flag
/// argument (ioctl's request, fcntl's cmd, prctl's option, open's flags).
fn command_arg(nr: u64) -> Option<usize> {
    let shape = syscalls::args::shape(nr)?;
    shape
        .args
        .iter()
        .position(|k| matches!(k, ArgKind::Enum(_) | ArgKind::Flags(_)))
}

/// Record one syscall and the value it returned to the app.
pub fn record(nr: u64, args: &[u64; 6], ret: u64) {
    let slot = usize::try_from(nr).ok().and_then(|i| COUNTS.get(i));
    let errno = Errno::from_ret(ret);
    match slot {
        Some(c) => {
            c.fetch_add(1, Ordering::Relaxed);
        }
        None => {
            let mut d = detail();
            let n = d.unknown.len();
            match d.unknown.get_mut(&nr) {
                Some(c) => *c += 1,
                None if n < MAX_UNKNOWN => {
                    d.unknown.insert(nr, 1);
                }
                None => d.truncated = true,
            }
            return;
        }
    }
    let Some(e) = errno else { return };
    let mut d = detail();
    *d.errors.entry((nr, e.as_i32())).or_insert(0) += 1;
    if !unsupported(e) {
        return;
    }
    let Some(v) = command_arg(nr).and_then(|i| args.get(i)) else {
        return;
    };
    let n = d.args.len();
    match d.args.get_mut(&(nr, *v)) {
        Some((_, c)) => *c += 1,
        None if n < MAX_ARGS => {
            d.args.insert((nr, *v), (e.as_i32(), 1));
        }
        None => d.truncated = true,
    }
}

/// Hook of the VFS walk: `r` is the lookup of the first component of `rest`
/// in `dir`. Failures under [`PREFIXES`] are recorded with the whole path
/// that was being resolved. Returns `r` unchanged.
#[inline(always)]
pub fn lookup<T>(
    root: &Arc<Dentry>,
    dir: &Arc<Dentry>,
    rest: &[u8],
    r: Result<T, Errno>,
) -> Result<T, Errno> {
    if let Err(e) = &r {
        if enabled() {
            failed_lookup(root, dir, rest, *e);
        }
    }
    r
}

#[cold]
fn failed_lookup(root: &Arc<Dentry>, dir: &Arc<Dentry>, rest: &[u8], e: Errno) {
    if e != Errno::ENOENT {
        return;
    }
    let mut path = dir.path(root);
    if path.last() != Some(&b'/') {
        path.push(b'/');
    }
    path.extend_from_slice(rest);
    while path.len() > 1 && path.last() == Some(&b'/') {
        path.pop();
    }
    let under = PREFIXES
        .iter()
        .any(|p| path.starts_with(p) && matches!(path.get(p.len()), None | Some(b'/')));
    if !under {
        return;
    }
    let mut d = detail();
    let n = d.paths.len();
    let key = (path, e.as_i32());
    match d.paths.get_mut(&key) {
        Some(c) => *c += 1,
        None if n < MAX_PATHS => {
            d.paths.insert(key, 1);
        }
        None => d.truncated = true,
    }
}

fn errno_name(e: i32) -> String {
    match Errno::from_i32(e) {
        Some(e) => e.name().to_string(),
        None => format!("E{e}"),
    }
}

/// `"name":count` pairs of the errors of `nr`, in errno order.
fn errors_obj(out: &mut String, errors: &BTreeMap<(u64, i32), u64>, nr: u64) {
    out.push('{');
    let mut first = true;
    for ((_, e), c) in errors.range((nr, i32::MIN)..=(nr, i32::MAX)) {
        if !first {
            out.push(',');
        }
        first = false;
        json_str(out, &errno_name(*e));
        let _ = write!(out, ":{c}");
    }
    out.push('}');
}

/// The profile collected so far, as JSON:
///
/// ```text
/// {"total": N, "syscalls": [{"nr", "name", "count", "errors": {"ENOENT": n},
///   "support": "full|partial|errno|missing", "errno": "EPERM"|null, "note",
///   "args": [{"value", "text", "errno", "count"}]}],
///  "enosys": ["name"], "partial": ["name"], "unknown": [{"nr", "count"}],
///  "paths": [{"path", "errno", "count"}], "truncated": bool}
/// ```
///
/// `syscalls` is ordered by number; `args` are the values of the call's
/// command argument (first enum/flags argument) that failed with ENOSYS,
/// EINVAL, EOPNOTSUPP or ENOTTY.
pub fn report_json() -> String {
    let rows = report::rows();
    let d = detail();
    let mut out = String::with_capacity(16 * 1024);
    let mut total = 0u64;
    let mut enosys = Vec::new();
    let mut partial = Vec::new();
    out.push_str("{\"syscalls\":[");
    let mut first = true;
    for (nr, c) in COUNTS.iter().enumerate() {
        let count = c.load(Ordering::Relaxed);
        if count == 0 {
            continue;
        }
        total += count;
        let nr64 = nr as u64;
        let row = rows.iter().find(|r| r.nr == nr);
        let name = row.map_or_else(|| format!("syscall_{nr}"), |r| r.name.to_string());
        let (level, errno, note) = match row {
            Some(r) => (r.level, r.errno, r.note),
            None => (Level::Missing, None, ""),
        };
        if d.errors.contains_key(&(nr64, Errno::ENOSYS.as_i32())) {
            enosys.push(name.clone());
        }
        if level == Level::Partial {
            partial.push(name.clone());
        }
        if !first {
            out.push(',');
        }
        first = false;
        let _ = write!(out, "{{\"nr\":{nr},\"name\":");
        json_str(&mut out, &name);
        let _ = write!(out, ",\"count\":{count},\"errors\":");
        errors_obj(&mut out, &d.errors, nr64);
        out.push_str(",\"support\":");
        json_str(&mut out, level.name());
        out.push_str(",\"errno\":");
        match errno {
            Some(e) => json_str(&mut out, e),
            None => out.push_str("null"),
        }
        out.push_str(",\"note\":");
        json_str(&mut out, note);
        out.push_str(",\"args\":[");
        let kind =
            command_arg(nr64).and_then(|i| syscalls::args::shape(nr64).and_then(|s| s.args.get(i)));
        let mut first_arg = true;
        for ((_, v), (e, c)) in d.args.range((nr64, 0)..=(nr64, u64::MAX)) {
            if !first_arg {
                out.push(',');
            }
            first_arg = false;
            let text = match kind {
                Some(ArgKind::Enum(set)) => set.format_enum(*v),
                Some(ArgKind::Flags(set)) => set.format(*v),
                _ => format!("{v:#x}"),
            };
            let _ = write!(out, "{{\"value\":{v},\"text\":");
            json_str(&mut out, &text);
            out.push_str(",\"errno\":");
            json_str(&mut out, &errno_name(*e));
            let _ = write!(out, ",\"count\":{c}}}");
        }
        out.push_str("]}");
    }
    out.push_str("],\"unknown\":[");
    for (i, (nr, c)) in d.unknown.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        total += c;
        let _ = write!(out, "{{\"nr\":{nr},\"count\":{c}}}");
    }
    out.push_str("],\"paths\":[");
    for (i, ((p, e), c)) in d.paths.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"path\":");
        json_str(&mut out, &String::from_utf8_lossy(p));
        out.push_str(",\"errno\":");
        json_str(&mut out, &errno_name(*e));
        let _ = write!(out, ",\"count\":{c}}}");
    }
    out.push_str("],\"enosys\":[");
    for (i, n) in enosys.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_str(&mut out, n);
    }
    out.push_str("],\"partial\":[");
    for (i, n) in partial.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_str(&mut out, n);
    }
    let _ = writeln!(out, "],\"total\":{total},\"truncated\":{}}}", d.truncated);
    out
}

/// Write the report to `fd` (handed over by the CLI before confinement).
pub fn write_report(fd: OwnedFd) {
    use std::io::Write as _;
    let json = report_json();
    let mut f = std::fs::File::from(fd);
    if let Err(e) = f.write_all(json.as_bytes()) {
        tracing::warn!("cannot write the compat report: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_argument_of_ioctl_and_fcntl() {
        assert_eq!(command_arg(syscalls::nr::IOCTL as u64), Some(1));
        assert_eq!(command_arg(syscalls::nr::FCNTL as u64), Some(1));
        assert_eq!(command_arg(syscalls::nr::GETPID as u64), None);
    }

    #[test]
    fn json_escapes() {
        let mut s = String::new();
        json_str(&mut s, "a\"b\\\n\u{1}");
        assert_eq!(s, r#""a\"b\\\n\u0001""#);
    }
}
