//! Resource usage of the sandbox's cgroup in runc's `events --stats` JSON
//! shape (runc's types/events.go): cpu (ns), memory (bytes), pids.

use super::{read, Cgroup, Version};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Stats {
    pub cpu: Cpu,
    pub memory: Memory,
    pub pids: Pids,
}

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Cpu {
    pub usage: CpuUsage,
    pub throttling: Throttling,
}

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct CpuUsage {
    #[serde(skip_serializing_if = "is_zero")]
    pub total: u64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub percpu: Vec<u64>,
    pub kernel: u64,
    pub user: u64,
}

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Throttling {
    #[serde(skip_serializing_if = "is_zero")]
    pub periods: u64,
    #[serde(skip_serializing_if = "is_zero")]
    pub throttled_periods: u64,
    #[serde(skip_serializing_if = "is_zero")]
    pub throttled_time: u64,
}

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Memory {
    #[serde(skip_serializing_if = "is_zero")]
    pub cache: u64,
    pub usage: MemoryEntry,
    pub swap: MemoryEntry,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub raw: BTreeMap<String, u64>,
}

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct MemoryEntry {
    pub limit: u64,
    #[serde(skip_serializing_if = "is_zero")]
    pub usage: u64,
    #[serde(skip_serializing_if = "is_zero")]
    pub max: u64,
    pub failcnt: u64,
}

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Pids {
    #[serde(skip_serializing_if = "is_zero")]
    pub current: u64,
    #[serde(skip_serializing_if = "is_zero")]
    pub limit: u64,
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

/// A number file ("max" reads as u64::MAX, a missing file as 0).
fn num(dir: &Path, file: &str) -> u64 {
    match read(dir, file) {
        Ok(s) if s.trim() == "max" => u64::MAX,
        Ok(s) => s.trim().parse().unwrap_or(0),
        Err(_) => 0,
    }
}

/// A "key value" per line file.
fn keyed(dir: &Path, file: &str) -> BTreeMap<String, u64> {
    read(dir, file)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let (k, v) = l.split_once(' ')?;
            Some((k.to_string(), v.trim().parse().ok()?))
        })
        .collect()
}

/// USER_HZ ticks (cpuacct.stat) to nanoseconds.
const NS_PER_TICK: u64 = 1_000_000_000 / syscalls::consts::CLK_TCK;

pub(super) fn read_stats(cg: &Cgroup) -> Stats {
    let mut s = Stats::default();
    for d in &cg.dirs {
        let p = &d.path;
        let has = |c: &str| d.controllers.contains(&c);
        match d.version {
            Version::V1 => {
                if has("cpuacct") {
                    s.cpu.usage.total = num(p, "cpuacct.usage");
                    s.cpu.usage.percpu = read(p, "cpuacct.usage_percpu")
                        .unwrap_or_default()
                        .split_whitespace()
                        .filter_map(|v| v.parse().ok())
                        .collect();
                    let st = keyed(p, "cpuacct.stat");
                    s.cpu.usage.user = st.get("user").copied().unwrap_or(0) * NS_PER_TICK;
                    s.cpu.usage.kernel = st.get("system").copied().unwrap_or(0) * NS_PER_TICK;
                }
                if has("cpu") {
                    let st = keyed(p, "cpu.stat");
                    s.cpu.throttling = Throttling {
                        periods: st.get("nr_periods").copied().unwrap_or(0),
                        throttled_periods: st.get("nr_throttled").copied().unwrap_or(0),
                        throttled_time: st.get("throttled_time").copied().unwrap_or(0),
                    };
                }
                if has("memory") {
                    s.memory.usage = MemoryEntry {
                        limit: num(p, "memory.limit_in_bytes"),
                        usage: num(p, "memory.usage_in_bytes"),
                        max: num(p, "memory.max_usage_in_bytes"),
                        failcnt: num(p, "memory.failcnt"),
                    };
                    s.memory.swap = MemoryEntry {
                        limit: num(p, "memory.memsw.limit_in_bytes"),
                        usage: num(p, "memory.memsw.usage_in_bytes"),
                        max: num(p, "memory.memsw.max_usage_in_bytes"),
                        failcnt: num(p, "memory.memsw.failcnt"),
                    };
                    s.memory.raw = keyed(p, "memory.stat");
                    s.memory.cache = s.memory.raw.get("cache").copied().unwrap_or(0);
                }
                if has("pids") {
                    s.pids.current = num(p, "pids.current");
                    s.pids.limit = num(p, "pids.max");
                }
            }
            Version::V2 => {
                if has("cpu") || d.controllers.is_empty() {
                    // cpu.stat's usage fields exist even without the controller.
                    let st = keyed(p, "cpu.stat");
                    let us = |k: &str| st.get(k).copied().unwrap_or(0) * 1000;
                    s.cpu.usage.total = us("usage_usec");
                    s.cpu.usage.user = us("user_usec");
                    s.cpu.usage.kernel = us("system_usec");
                    s.cpu.throttling = Throttling {
                        periods: st.get("nr_periods").copied().unwrap_or(0),
                        throttled_periods: st.get("nr_throttled").copied().unwrap_or(0),
                        throttled_time: us("throttled_usec"),
                    };
                }
                if has("memory") {
                    let events = keyed(p, "memory.events");
                    s.memory.usage = MemoryEntry {
                        limit: num(p, "memory.max"),
                        usage: num(p, "memory.current"),
                        max: num(p, "memory.peak"),
                        failcnt: events.get("max").copied().unwrap_or(0),
                    };
                    s.memory.swap = MemoryEntry {
                        limit: num(p, "memory.swap.max"),
                        usage: num(p, "memory.swap.current"),
                        max: num(p, "memory.swap.peak"),
                        failcnt: 0,
                    };
                    s.memory.raw = keyed(p, "memory.stat");
                    s.memory.cache = s.memory.raw.get("file").copied().unwrap_or(0);
                }
                if has("pids") {
                    s.pids.current = num(p, "pids.current");
                    s.pids.limit = num(p, "pids.max");
                }
            }
        }
    }
    s
}

pub(super) fn collect(cg: &Cgroup) -> anyhow::Result<Stats> {
    if let Some(d) = cg.dirs.iter().find(|d| !d.path.is_dir()) {
        anyhow::bail!("cgroup {} does not exist", d.path.display());
    }
    Ok(read_stats(cg))
}

/// How many processes the kernel's OOM killer killed in the cgroup
/// (`oom_kill` of v2's `memory.events`, of v1's `memory.oom_control`);
/// None without a memory controller or when the cgroup is gone.
pub(super) fn oom_kills(cg: &Cgroup) -> Option<u64> {
    let d = cg.dirs.iter().find(|d| d.controllers.contains(&"memory"))?;
    let file = match d.version {
        Version::V1 => "memory.oom_control",
        Version::V2 => "memory.events",
    };
    read(&d.path, file).ok()?;
    Some(keyed(&d.path, file).get("oom_kill").copied().unwrap_or(0))
}
