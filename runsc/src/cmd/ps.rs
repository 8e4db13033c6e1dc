//! `runsc ps [--format table|json] ID [-- PS_ARGS]`: the container's
//! processes as host pids.
//!
//! Which pids: each sandbox process runs its code in a host "stub" process,
//! so `ps --format json` reports the stub's host pid for every process of
//! the sandbox (init's stub included; before `start`, init is reported as
//! the sentry's pid; the sentry knows the stubs by their pids in its own
//! pid namespace, translated here through `NSpid`). These are real host pids that `docker top` /
//! `ctr task ps` can show with host `ps` (they appear as `runsc-stub`; CPU
//! time of the app's code is accounted to them). gVisor reports sandbox
//! pids here, which no host tool can resolve. The table format runs host
//! `ps` (default `-ef`) and keeps the header and the rows of those pids, as
//! runc does.

use crate::container::{client, Container, Status};
use crate::Cli;
use anyhow::Context;
use clap::Args;
use sentry::kernel::control::Request;

#[derive(Args, Debug)]
pub struct PsArgs {
    #[arg(long, short = 'f', default_value = "table", value_parser = ["table", "json"])]
    pub format: String,
    pub id: String,
    /// Arguments for host ps (table format).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub ps_args: Vec<String>,
}

/// Host pids of the container's processes.
pub fn host_pids(c: &Container) -> anyhow::Result<Vec<i32>> {
    let st = c.load()?;
    if st.status() == Status::Stopped {
        return Ok(Vec::new());
    }
    let r = client::call(&c.socket(), &Request::Ps)?;
    let map = ns_to_host(st.pid);
    Ok(r.procs
        .iter()
        .filter_map(|p| match map.get(&p.host_pid) {
            Some(h) => Some(*h),
            // Init before `start` (its stub not running yet): the sentry.
            None if p.pid == 1 => Some(st.pid),
            // A process starting or exiting right now: no stub to show.
            None => None,
        })
        .collect())
}

/// The stubs are the sentry's children in its pid namespace, where the
/// sentry numbers them: map those numbers to host pids (`NSpid` in
/// /proc/<pid>/status lists the pid in each namespace, outermost first).
fn ns_to_host(sentry: i32) -> std::collections::HashMap<i32, i32> {
    let mut m = std::collections::HashMap::new();
    let Ok(rd) = std::fs::read_dir("/proc") else {
        return m;
    };
    for e in rd.flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
            continue;
        };
        let field = |name: &str| -> Vec<i32> {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .map(|v| {
                    v.split_whitespace()
                        .filter_map(|x| x.parse().ok())
                        .collect()
                })
                .unwrap_or_default()
        };
        if field("PPid:").first() != Some(&sentry) {
            continue;
        }
        if let Some(inner) = field("NSpid:").last() {
            m.insert(*inner, pid);
        }
    }
    m
}

pub fn run(cli: &Cli, a: &PsArgs) -> anyhow::Result<i32> {
    let c = Container::open(std::path::Path::new(&cli.root), &a.id)?;
    let pids = host_pids(&c)?;
    if a.format == "json" {
        println!("{}", serde_json::to_string(&pids)?);
        return Ok(0);
    }
    let args = if a.ps_args.is_empty() {
        vec!["-ef".to_string()]
    } else {
        a.ps_args.clone()
    };
    let out = std::process::Command::new("ps")
        .args(&args)
        .output()
        .context("run ps")?;
    if !out.status.success() {
        anyhow::bail!(
            "ps {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    let head = lines.next().unwrap_or_default();
    let col = head
        .split_whitespace()
        .position(|h| h == "PID")
        .context("ps output has no PID column")?;
    println!("{head}");
    for l in lines {
        let pid = l
            .split_whitespace()
            .nth(col)
            .and_then(|p| p.parse::<i32>().ok());
        if pid.is_some_and(|p| pids.contains(&p)) {
            println!("{l}");
        }
    }
    Ok(0)
}
