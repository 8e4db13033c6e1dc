//! `runsc compat`: run a program exactly like `runsc do` and print its
//! syscall compatibility profile when it exits: every syscall it made with
//! counts, errnos and support level, the calls that hit ENOSYS or a partial
//! implementation (with the argument values that failed as unsupported), and
//! the paths under /proc, /sys and /dev it looked for that the sandbox does
//! not emulate.
//!
//! The sentry collects the profile (`sentry::compat`) and writes it as JSON
//! to a memfd created here and handed over before it confines itself.

use super::do_cmd::{launch, DoArgs};
use crate::Cli;
use anyhow::Context;
use clap::Args;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::os::unix::fs::FileExt;

#[derive(Args, Debug)]
pub struct CompatArgs {
    /// Profile format: text or json.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
    /// Write the profile to FILE ("-" for stdout) instead of stderr.
    #[arg(long)]
    pub out: Option<String>,
    #[command(flatten)]
    pub run: DoArgs,
}

/// The sentry's report (see `sentry::compat::report_json`).
#[derive(Deserialize, Debug, Default)]
pub struct Profile {
    pub syscalls: Vec<Syscall>,
    #[serde(default)]
    pub unknown: Vec<Unknown>,
    #[serde(default)]
    pub paths: Vec<PathHit>,
    #[serde(default)]
    pub enosys: Vec<String>,
    #[serde(default)]
    pub partial: Vec<String>,
    pub total: u64,
    #[serde(default)]
    pub truncated: bool,
}

#[derive(Deserialize, Debug)]
pub struct Syscall {
    pub nr: u64,
    pub name: String,
    pub count: u64,
    pub errors: BTreeMap<String, u64>,
    pub support: String,
    pub errno: Option<String>,
    pub note: String,
    #[serde(default)]
    pub args: Vec<ArgHit>,
}

#[derive(Deserialize, Debug)]
pub struct ArgHit {
    pub value: u64,
    pub text: String,
    pub errno: String,
    pub count: u64,
}

#[derive(Deserialize, Debug)]
pub struct Unknown {
    pub nr: u64,
    pub count: u64,
}

#[derive(Deserialize, Debug)]
pub struct PathHit {
    pub path: String,
    pub errno: String,
    pub count: u64,
}

pub fn run(cli: &Cli, a: &CompatArgs) -> anyhow::Result<i32> {
    let mem = nix::sys::memfd::memfd_create(
        c"runsc-compat",
        nix::sys::memfd::MemFdCreateFlag::MFD_CLOEXEC,
    )
    .context("memfd for the compat report")?;
    let theirs = mem.try_clone().context("dup the compat report fd")?;
    let code = launch(cli, &a.run, Some(theirs))?;

    let report = read_all(&std::fs::File::from(mem))?;
    let command: Vec<String> = a
        .run
        .command
        .iter()
        .map(|s| s.to_string_lossy().into_owned())
        .collect();
    let text = if report.trim().is_empty() {
        if a.format == "json" {
            let v = serde_json::json!({
                "command": command,
                "exit_code": code,
                "error": "the sandbox did not start the program",
            });
            format!("{}\n", serde_json::to_string_pretty(&v)?)
        } else {
            "runsc compat: no profile: the sandbox did not start the program\n".to_string()
        }
    } else {
        let mut v: serde_json::Value =
            serde_json::from_str(&report).context("bad compat report from the sentry")?;
        if a.format == "json" {
            if let Some(o) = v.as_object_mut() {
                o.insert("command".into(), serde_json::json!(command));
                o.insert("exit_code".into(), serde_json::json!(code));
            }
            format!("{}\n", serde_json::to_string_pretty(&v)?)
        } else {
            let p: Profile =
                serde_json::from_value(v).context("bad compat report from the sentry")?;
            render_text(&command, code, &p)
        }
    };
    match a.out.as_deref() {
        None => eprint!("{text}"),
        Some("-") => print!("{text}"),
        Some(path) => std::fs::write(path, &text).with_context(|| format!("write {path}"))?,
    }
    Ok(code)
}

fn read_all(f: &std::fs::File) -> anyhow::Result<String> {
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = f
            .read_at(&mut chunk, buf.len() as u64)
            .context("read the compat report")?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

fn errors_text(errors: &BTreeMap<String, u64>) -> String {
    if errors.is_empty() {
        return "-".into();
    }
    let mut v: Vec<(&String, &u64)> = errors.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    v.iter()
        .map(|(e, c)| format!("{e}:{c}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn support_text(s: &Syscall) -> String {
    match &s.errno {
        Some(e) => format!("errno {e}"),
        None => s.support.clone(),
    }
}

/// The human-readable profile.
pub fn render_text(command: &[String], code: i32, p: &Profile) -> String {
    let mut o = String::new();
    let failed: u64 = p
        .syscalls
        .iter()
        .flat_map(|s| s.errors.values())
        .sum::<u64>()
        + p.unknown.iter().map(|u| u.count).sum::<u64>();
    let _ = writeln!(o, "runsc compat: {}", command.join(" "));
    let _ = writeln!(
        o,
        "exit status {code}; {} ({} distinct), {} failed",
        plural(p.total, "syscall", "syscalls"),
        p.syscalls.len() + p.unknown.len(),
        failed
    );

    let by_name = |n: &str| p.syscalls.iter().find(|s| s.name == n);
    let mut enosys: Vec<String> = p
        .enosys
        .iter()
        .filter_map(|n| by_name(n))
        .map(|s| {
            let why = if s.note.is_empty() {
                support_text(s)
            } else {
                format!("{}: {}", support_text(s), s.note)
            };
            format!(
                "  {:<20} {:>8}  {}\n",
                s.name,
                s.errors.get("ENOSYS").copied().unwrap_or(0),
                why
            )
        })
        .collect();
    enosys.extend(p.unknown.iter().map(|u| {
        format!(
            "  {:<20} {:>8}  not a syscall number\n",
            format!("#{}", u.nr),
            u.count
        )
    }));
    o.push_str("\nNot implemented (ENOSYS):\n");
    if enosys.is_empty() {
        o.push_str("  none\n");
    }
    enosys.iter().for_each(|l| o.push_str(l));

    let refused: Vec<&Syscall> = p
        .syscalls
        .iter()
        .filter(|s| s.support == "errno" && s.errno.as_deref() != Some("ENOSYS"))
        .collect();
    if !refused.is_empty() {
        o.push_str("\nRefused with a fixed errno:\n");
        for s in refused {
            let _ = writeln!(
                o,
                "  {:<20} {:>8}  {}: {}",
                s.name,
                s.count,
                support_text(s),
                s.note
            );
        }
    }

    o.push_str("\nPartial support used:\n");
    if p.partial.is_empty() {
        o.push_str("  none\n");
    }
    for s in p.partial.iter().filter_map(|n| by_name(n)) {
        let _ = writeln!(o, "  {:<20} {:>8}  {}", s.name, s.count, s.note);
    }

    let args: Vec<(&Syscall, &ArgHit)> = p
        .syscalls
        .iter()
        .flat_map(|s| s.args.iter().map(move |a| (s, a)))
        .collect();
    if !args.is_empty() {
        o.push_str(
            "\nArguments that failed as unsupported (ENOSYS, EINVAL, EOPNOTSUPP, ENOTTY):\n",
        );
        for (s, a) in args {
            let _ = writeln!(
                o,
                "  {:<20} {:<28} {:#x}  {}:{}",
                s.name, a.text, a.value, a.errno, a.count
            );
        }
    }

    o.push_str("\nNot emulated under /proc, /sys, /dev:\n");
    if p.paths.is_empty() {
        o.push_str("  none\n");
    }
    for h in &p.paths {
        let _ = writeln!(o, "  {:<40} {}:{}", h.path, h.errno, h.count);
    }

    o.push_str("\nSyscalls:\n");
    let _ = writeln!(
        o,
        "  {:<20} {:>8}  {:<24} SUPPORT",
        "NAME", "COUNT", "ERRORS"
    );
    let mut rows: Vec<&Syscall> = p.syscalls.iter().collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.nr.cmp(&b.nr)));
    for s in rows {
        let _ = writeln!(
            o,
            "  {:<20} {:>8}  {:<24} {}",
            s.name,
            s.count,
            errors_text(&s.errors),
            support_text(s)
        );
    }
    if p.truncated {
        o.push_str("\n(some entries were dropped: too many distinct paths or arguments)\n");
    }
    o
}
