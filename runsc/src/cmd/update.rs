//! `runsc update [flags] ID` / `runsc update -r resources.json ID`: change
//! the sandbox's cgroup limits, as runc does. With `-r FILE` (`-` for stdin)
//! the file's linux.resources JSON is applied and the flags are ignored;
//! otherwise only the flags given change.

use super::events::Target;
use crate::cgroup::Resources;
use anyhow::Context;
use clap::Args;

#[derive(Args, Debug, Default)]
pub struct UpdateArgs {
    /// linux.resources JSON file ("-" for stdin); the flags are then ignored.
    #[arg(long, short = 'r')]
    pub resources: Option<String>,
    /// Memory limit in bytes (suffixes k, m, g, t; -1 for unlimited).
    #[arg(long, value_parser = parse_bytes, allow_hyphen_values = true)]
    pub memory: Option<i64>,
    /// Memory soft limit in bytes.
    #[arg(long = "memory-reservation", value_parser = parse_bytes, allow_hyphen_values = true)]
    pub memory_reservation: Option<i64>,
    /// Memory + swap limit in bytes (-1 for unlimited).
    #[arg(long = "memory-swap", value_parser = parse_bytes, allow_hyphen_values = true)]
    pub memory_swap: Option<i64>,
    /// CPU shares (relative weight).
    #[arg(long = "cpu-share", alias = "cpu-shares")]
    pub cpu_share: Option<u64>,
    /// CPU CFS quota in microseconds per period (-1: none).
    #[arg(long = "cpu-quota", allow_hyphen_values = true)]
    pub cpu_quota: Option<i64>,
    /// CPU CFS period in microseconds.
    #[arg(long = "cpu-period")]
    pub cpu_period: Option<u64>,
    /// CPUs to run on (0-3, 0,1).
    #[arg(long = "cpuset-cpus")]
    pub cpuset_cpus: Option<String>,
    /// Memory nodes to allocate from.
    #[arg(long = "cpuset-mems")]
    pub cpuset_mems: Option<String>,
    /// Maximum number of tasks (0 or -1: unlimited).
    #[arg(long = "pids-limit", allow_hyphen_values = true)]
    pub pids_limit: Option<i64>,
    /// The container.
    pub id: String,
}

/// Bytes with an optional k/m/g/t suffix (binary, optionally followed by
/// "b"), as docker's RAMInBytes; "-1" means unlimited.
pub fn parse_bytes(s: &str) -> Result<i64, String> {
    let bad = || format!("invalid size {s:?}");
    let t = s.trim().to_ascii_lowercase();
    if t == "-1" {
        return Ok(-1);
    }
    let t = t.strip_suffix('b').unwrap_or(&t);
    let (num, mul) = match t.chars().last() {
        Some('k') => (&t[..t.len() - 1], 1i64 << 10),
        Some('m') => (&t[..t.len() - 1], 1 << 20),
        Some('g') => (&t[..t.len() - 1], 1 << 30),
        Some('t') => (&t[..t.len() - 1], 1 << 40),
        _ => (t, 1),
    };
    let v: f64 = num.parse().map_err(|_| bad())?;
    if !(0.0..=9.2e18).contains(&v) {
        return Err(bad());
    }
    Ok((v * mul as f64) as i64)
}

/// The resources an update asks for.
pub fn requested(a: &UpdateArgs) -> anyhow::Result<Resources> {
    if let Some(f) = &a.resources {
        let text = if f == "-" {
            std::io::read_to_string(std::io::stdin()).context("reading resources from stdin")?
        } else {
            std::fs::read_to_string(f).with_context(|| format!("cannot read {f}"))?
        };
        return serde_json::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{f}: invalid resources JSON: {e}"));
    }
    let mut r = Resources::default();
    if a.memory.is_some() || a.memory_reservation.is_some() || a.memory_swap.is_some() {
        r.memory = Some(crate::cgroup::resources::Memory {
            limit: a.memory,
            reservation: a.memory_reservation,
            swap: a.memory_swap,
            ..Default::default()
        });
    }
    if a.cpu_share.is_some()
        || a.cpu_quota.is_some()
        || a.cpu_period.is_some()
        || a.cpuset_cpus.is_some()
        || a.cpuset_mems.is_some()
    {
        r.cpu = Some(crate::cgroup::resources::Cpu {
            shares: a.cpu_share,
            quota: a.cpu_quota,
            period: a.cpu_period,
            cpus: a.cpuset_cpus.clone(),
            mems: a.cpuset_mems.clone(),
        });
    }
    if let Some(l) = a.pids_limit {
        r.pids = Some(crate::cgroup::resources_pids(l));
    }
    Ok(r)
}

// Registered in main.rs with the container-state lookup when the
// lifecycle module (crate::container) is merged: see docs/oci.md.
#[allow(dead_code)]
pub fn run(a: &UpdateArgs, lookup: &dyn Fn(&str) -> anyhow::Result<Target>) -> anyhow::Result<i32> {
    let res = requested(a)?;
    let t = lookup(&a.id)?;
    if t.status == "stopped" {
        anyhow::bail!("container {} is stopped: nothing to update", a.id);
    }
    t.cgroup.update(&res)?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_bytes("100"), Ok(100));
        assert_eq!(parse_bytes("4k"), Ok(4096));
        assert_eq!(parse_bytes("64m"), Ok(64 << 20));
        assert_eq!(parse_bytes("1G"), Ok(1 << 30));
        assert_eq!(parse_bytes("2mb"), Ok(2 << 20));
        assert_eq!(parse_bytes("-1"), Ok(-1));
        for bad in ["", "x", "-2", "1q"] {
            assert!(parse_bytes(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn flags_and_file() {
        let a = UpdateArgs {
            memory: Some(64 << 20),
            pids_limit: Some(10),
            cpu_quota: Some(-1),
            id: "c".into(),
            ..Default::default()
        };
        let r = requested(&a).unwrap();
        assert_eq!(r.memory.as_ref().unwrap().limit, Some(64 << 20));
        assert_eq!(r.memory.as_ref().unwrap().swap, None);
        assert_eq!(r.pids.as_ref().unwrap().limit, 10);
        assert_eq!(r.cpu.as_ref().unwrap().quota, Some(-1));

        let f = std::env::temp_dir().join(format!("runsc-update-{}.json", std::process::id()));
        std::fs::write(&f, r#"{"pids":{"limit":3},"memory":{"limit":1048576}}"#).unwrap();
        let a = UpdateArgs {
            resources: Some(f.to_string_lossy().into_owned()),
            pids_limit: Some(99),
            ..Default::default()
        };
        let r = requested(&a).unwrap();
        assert_eq!(
            r.pids.as_ref().unwrap().limit,
            3,
            "the file wins; flags ignored"
        );
        std::fs::write(&f, r#"{"pids":{"limit":"x"}}"#).unwrap();
        let e = requested(&a).unwrap_err().to_string();
        assert!(e.contains("invalid resources JSON"), "{e}");
        let _ = std::fs::remove_file(&f);
    }

    #[test]
    fn update_changes_a_real_cgroup_and_refuses_stopped() {
        if !nix::unistd::geteuid().is_root() {
            return;
        }
        let name = format!("runsc-test-{}-update", std::process::id());
        let cg = crate::cgroup::Cgroup::create(None, &name, &Resources::default()).unwrap();
        let a = UpdateArgs {
            pids_limit: Some(5),
            id: name.clone(),
            ..Default::default()
        };
        let lookup = |status: &'static str| {
            let cg = cg.clone();
            move |_: &str| -> anyhow::Result<Target> {
                Ok(Target {
                    status: status.into(),
                    cgroup: cg.clone(),
                })
            }
        };
        let r = run(&a, &lookup("running"));
        let stats = cg.stats();
        let stopped = run(&a, &lookup("stopped"));
        let _ = cg.remove();
        r.unwrap();
        if cg.dirs.iter().any(|d| d.controllers.contains(&"pids")) {
            assert_eq!(stats.unwrap().pids.limit, 5);
        }
        assert!(stopped.unwrap_err().to_string().contains("stopped"));
    }
}
