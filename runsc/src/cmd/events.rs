//! `runsc events [--stats] [--interval D] ID`: the container's resource usage
//! from its cgroup, as runc prints it: one JSON object per line,
//! `{"type":"stats","id":ID,"data":{"cpu":..,"memory":..,"pids":..}}`;
//! once with `--stats`, else every interval until the container is gone.
//! Between them, `{"type":"oom","id":ID}` each time the kernel's OOM killer
//! killed in the sandbox's cgroup (the `oom_kill` count rose: checked every
//! 100 ms, and once more when the container stops), as runc reports them.
//!
//! Needs the container's state: the caller passes a lookup from the id to a
//! [`Target`] (see docs/oci.md for the integration with crate::container).

use crate::cgroup::Cgroup;
use clap::Args;
use std::io::Write;
use std::time::Duration;

/// What `events` and `update` need to know about a container.
pub struct Target {
    /// OCI status: created, running, paused or stopped.
    pub status: String,
    /// The sandbox's cgroup (`Cgroup::locate(linux.cgroupsPath, id)`).
    pub cgroup: Cgroup,
}

#[derive(Args, Debug)]
pub struct EventsArgs {
    /// Print the statistics once and exit.
    #[arg(long)]
    pub stats: bool,
    /// Interval between statistics (Go duration: 5s, 500ms, 1m30s).
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    pub interval: Duration,
    /// The container.
    pub id: String,
}

/// A Go-style duration: one or more NUMBER UNIT pairs (ns, us, µs, ms, s, m, h).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let bad = || format!("invalid duration {s:?}");
    let mut rest = s.trim();
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        let v: f64 = rest[..n].parse().map_err(|_| bad())?;
        rest = &rest[n..];
        let u = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..u] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(bad()),
        };
        total += v * scale;
        rest = &rest[u..];
    }
    if total <= 0.0 {
        return Err(format!("duration {s:?} must be positive"));
    }
    Ok(Duration::from_secs_f64(total))
}

/// One `stats` event of container `id`.
pub fn stats_event(id: &str, cg: &Cgroup) -> anyhow::Result<serde_json::Value> {
    Ok(serde_json::json!({"type": "stats", "id": id, "data": cg.stats()?}))
}

// Registered in main.rs with crate::container::events_target as the lookup.
pub fn run(a: &EventsArgs, lookup: &dyn Fn(&str) -> anyhow::Result<Target>) -> anyhow::Result<i32> {
    let t = lookup(&a.id)?;
    if t.status == "stopped" {
        anyhow::bail!("container {} is not running", a.id);
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", stats_event(&a.id, &t.cgroup)?)?;
    if a.stats {
        return Ok(0);
    }
    let mut cg = t.cgroup;
    let mut ooms = cg.oom_kills();
    loop {
        out.flush()?;
        let next = std::time::Instant::now() + a.interval;
        // OOM kills show up within a poll period.
        loop {
            let now = std::time::Instant::now();
            if now >= next {
                break;
            }
            std::thread::sleep((next - now).min(OOM_POLL));
            report_ooms(&mut out, &a.id, &cg, &mut ooms)?;
        }
        // Gone or stopped: the stream ends (as runc's does).
        let t = match lookup(&a.id) {
            Ok(t) if t.status != "stopped" => t,
            _ => {
                report_ooms(&mut out, &a.id, &cg, &mut ooms)?;
                return Ok(0);
            }
        };
        cg = t.cgroup;
        match stats_event(&a.id, &cg) {
            Ok(ev) => writeln!(out, "{ev}")?,
            Err(_) => return Ok(0),
        }
    }
}

/// How often `events` looks for OOM kills.
const OOM_POLL: Duration = Duration::from_millis(100);

/// Print an `oom` event if the cgroup's OOM kill count rose since `seen`.
fn report_ooms(
    out: &mut impl Write,
    id: &str,
    cg: &Cgroup,
    seen: &mut Option<u64>,
) -> std::io::Result<()> {
    let now = cg.oom_kills();
    if let (Some(n), Some(before)) = (now, *seen) {
        if n > before {
            writeln!(out, "{}", serde_json::json!({"type": "oom", "id": id}))?;
            out.flush()?;
        }
    }
    if now.is_some() {
        *seen = now;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1.5h"), Ok(Duration::from_secs(5400)));
        for bad in ["", "5", "s", "5x", "0s", "-1s"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn event_shape_from_a_real_cgroup() {
        if !nix::unistd::geteuid().is_root() {
            return;
        }
        let name = format!("runsc-test-{}-events", std::process::id());
        let res = crate::cgroup::Resources {
            pids: Some(crate::cgroup::resources_pids(7)),
            ..Default::default()
        };
        let cg = Cgroup::create(None, &name, &res).unwrap();
        let ev = stats_event("c1", &cg);
        let _ = cg.remove();
        let ev = ev.unwrap();
        assert_eq!(ev["type"], "stats");
        assert_eq!(ev["id"], "c1");
        if cg.dirs.iter().any(|d| d.controllers.contains(&"pids")) {
            assert_eq!(ev["data"]["pids"]["limit"], 7, "{ev}");
        }
        assert!(ev["data"]["cpu"]["usage"]["user"].is_u64(), "{ev}");
        assert!(ev["data"]["memory"]["usage"]["limit"].is_u64(), "{ev}");
    }
}
