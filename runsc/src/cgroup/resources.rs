//! OCI `linux.resources` (the subset that limits a sandbox: memory, cpu,
//! cpuset, pids, blockIO, hugepageLimits) and how each value maps to v1
//! and v2 files. Other members (devices, network, rdma, unified) are
//! accepted and not applied: the sandbox has no host devices (its /dev is
//! the sentry's emulation, and the sentry and gofer open no device node of
//! the host after they confined themselves), and the rest are not
//! implemented yet.

use super::blkio::{BlockIo, HugepageLimit};
use super::{read, write, Dir, Version};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resources {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Memory>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Cpu>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pids: Option<Pids>,
    #[serde(default, rename = "blockIO", skip_serializing_if = "Option::is_none")]
    pub block_io: Option<BlockIo>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hugepage_limits: Vec<HugepageLimit>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Memory {
    /// Bytes; -1 = unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// Soft limit in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reservation: Option<i64>,
    /// Memory + swap in bytes (v1 semantics, converted for v2); -1 = unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swap: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swappiness: Option<u64>,
    #[serde(
        default,
        rename = "disableOOMKiller",
        skip_serializing_if = "Option::is_none"
    )]
    pub disable_oom_killer: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cpu {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shares: Option<u64>,
    /// Microseconds per period; -1 or 0 = unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpus: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mems: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pids {
    /// Maximum number of tasks; 0 or -1 = unlimited.
    pub limit: i64,
}

impl Resources {
    /// Merge `other` over `self` (what `runsc update` does: only the given
    /// values change).
    #[allow(dead_code)]
    pub fn merge(&mut self, other: &Resources) {
        if let Some(m) = &other.memory {
            let mine = self.memory.get_or_insert_with(Default::default);
            mine.limit = m.limit.or(mine.limit);
            mine.reservation = m.reservation.or(mine.reservation);
            mine.swap = m.swap.or(mine.swap);
            mine.swappiness = m.swappiness.or(mine.swappiness);
            mine.disable_oom_killer = m.disable_oom_killer.or(mine.disable_oom_killer);
        }
        if let Some(c) = &other.cpu {
            let mine = self.cpu.get_or_insert_with(Default::default);
            mine.shares = c.shares.or(mine.shares);
            mine.quota = c.quota.or(mine.quota);
            mine.period = c.period.or(mine.period);
            mine.cpus = c.cpus.clone().or(mine.cpus.take());
            mine.mems = c.mems.clone().or(mine.mems.take());
        }
        if let Some(p) = &other.pids {
            self.pids = Some(p.clone());
        }
        if let Some(b) = &other.block_io {
            self.block_io = Some(b.clone());
        }
        if !other.hugepage_limits.is_empty() {
            self.hugepage_limits = other.hugepage_limits.clone();
        }
    }

    /// Whether an optional controller ([`super::OPTIONAL`]) has anything
    /// to apply: its cgroup directory is only made then.
    pub fn needs(&self, controller: &str) -> bool {
        match controller {
            "blkio" | "io" => self.block_io.as_ref().is_some_and(|b| !b.is_empty()),
            "hugetlb" => !self.hugepage_limits.is_empty(),
            _ => true,
        }
    }
}

/// blockIO and hugepageLimits, where `d` serves them.
fn apply_optional(d: &Dir, res: &Resources) -> anyhow::Result<()> {
    let blk = if d.version == Version::V1 {
        "blkio"
    } else {
        "io"
    };
    if let (true, Some(b)) = (has(d, blk), &res.block_io) {
        super::blkio::apply_blkio(d, b)?;
    }
    if has(d, "hugetlb") && !res.hugepage_limits.is_empty() {
        super::blkio::apply_hugetlb(d, &res.hugepage_limits)?;
    }
    Ok(())
}

fn has(d: &Dir, c: &str) -> bool {
    d.controllers.contains(&c)
}

/// Apply `res` to one directory of the cgroup (only its controllers).
pub(super) fn apply(d: &Dir, res: &Resources) -> anyhow::Result<()> {
    match d.version {
        Version::V1 => apply_v1(d, res),
        Version::V2 => apply_v2(d, res),
    }
}

fn apply_v1(d: &Dir, res: &Resources) -> anyhow::Result<()> {
    let p = &d.path;
    apply_optional(d, res)?;
    if let (true, Some(m)) = (has(d, "memory"), &res.memory) {
        let limit = m.limit.map(|v| v.to_string());
        let swap = m.swap.map(|v| v.to_string());
        // memsw.limit must stay >= limit: raising needs memsw first,
        // lowering needs the limit first. Try one order, then the other.
        let set = |first: bool| -> anyhow::Result<()> {
            let order: [(&str, &Option<String>); 2] = if first {
                [
                    ("memory.limit_in_bytes", &limit),
                    ("memory.memsw.limit_in_bytes", &swap),
                ]
            } else {
                [
                    ("memory.memsw.limit_in_bytes", &swap),
                    ("memory.limit_in_bytes", &limit),
                ]
            };
            for (f, v) in order {
                if let Some(v) = v {
                    if f.contains("memsw") && !p.join(f).exists() {
                        anyhow::bail!(
                            "memory.swap is set but the host has no swap accounting (memory.memsw)"
                        );
                    }
                    write(p, f, v)?;
                }
            }
            Ok(())
        };
        if set(true).is_err() {
            set(false)?;
        }
        if let Some(r) = m.reservation {
            write(p, "memory.soft_limit_in_bytes", &r.to_string())?;
        }
        if let Some(s) = m.swappiness {
            write(p, "memory.swappiness", &s.to_string())?;
        }
        if let Some(true) = m.disable_oom_killer {
            write(p, "memory.oom_control", "1")?;
        }
    }
    if let Some(c) = &res.cpu {
        if has(d, "cpu") {
            if let Some(s) = c.shares {
                write(p, "cpu.shares", &s.to_string())?;
            }
            if let Some(per) = c.period {
                write(p, "cpu.cfs_period_us", &per.to_string())?;
            }
            if let Some(q) = c.quota {
                write(
                    p,
                    "cpu.cfs_quota_us",
                    &(if q <= 0 { -1 } else { q }).to_string(),
                )?;
            }
        }
        if has(d, "cpuset") {
            if let Some(cpus) = &c.cpus {
                write(p, "cpuset.cpus", cpus)?;
            }
            if let Some(mems) = &c.mems {
                write(p, "cpuset.mems", mems)?;
            }
        }
    }
    if let (true, Some(pids)) = (has(d, "pids"), &res.pids) {
        write(p, "pids.max", &pids_max(pids.limit))?;
    }
    Ok(())
}

fn pids_max(limit: i64) -> String {
    if limit > 0 {
        limit.to_string()
    } else {
        "max".into()
    }
}

fn v2_bytes(v: i64) -> String {
    if v < 0 {
        "max".into()
    } else {
        v.to_string()
    }
}

/// runc's conversion of cpu.shares (2..262144) to cpu.weight (1..10000).
pub fn shares_to_weight(shares: u64) -> u64 {
    if shares == 0 {
        return 0;
    }
    1 + (shares.clamp(2, 262_144) - 2) * 9999 / 262_142
}

fn apply_v2(d: &Dir, res: &Resources) -> anyhow::Result<()> {
    let p = &d.path;
    apply_optional(d, res)?;
    if let (true, Some(m)) = (has(d, "memory"), &res.memory) {
        // v2's memory.swap.max is swap alone; OCI's swap is memory+swap.
        if let Some(swap) = m.swap {
            let v = match (swap, m.limit) {
                (s, _) if s < 0 => "max".to_string(),
                (s, Some(l)) if l >= 0 && s >= l => (s - l).to_string(),
                (_, Some(l)) if l >= 0 => {
                    anyhow::bail!("memory.swap ({swap}) is lower than memory.limit ({l})")
                }
                _ => anyhow::bail!("memory.swap needs memory.limit on cgroup v2"),
            };
            if p.join("memory.swap.max").exists() {
                write(p, "memory.swap.max", &v)?;
            } else if swap >= 0 {
                anyhow::bail!("memory.swap is set but the host has no swap accounting");
            }
        }
        if let Some(l) = m.limit {
            write(p, "memory.max", &v2_bytes(l))?;
        }
        if let Some(r) = m.reservation {
            write(p, "memory.low", &v2_bytes(r))?;
        }
        if let Some(true) = m.disable_oom_killer {
            anyhow::bail!("memory.disableOOMKiller is not supported on cgroup v2");
        }
    }
    if let Some(c) = &res.cpu {
        if has(d, "cpu") {
            if let Some(s) = c.shares {
                write(p, "cpu.weight", &shares_to_weight(s).to_string())?;
            }
            if c.quota.is_some() || c.period.is_some() {
                // Keep the half that is not given.
                let cur = read(p, "cpu.max").unwrap_or_else(|_| "max 100000".into());
                let mut it = cur.split_whitespace();
                let (cq, cp) = (it.next().unwrap_or("max"), it.next().unwrap_or("100000"));
                let q = match c.quota {
                    Some(q) if q > 0 => q.to_string(),
                    Some(_) => "max".into(),
                    None => cq.to_string(),
                };
                let per = c
                    .period
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| cp.to_string());
                write(p, "cpu.max", &format!("{q} {per}"))?;
            }
        }
        if has(d, "cpuset") {
            if let Some(cpus) = &c.cpus {
                write(p, "cpuset.cpus", cpus)?;
            }
            if let Some(mems) = &c.mems {
                write(p, "cpuset.mems", mems)?;
            }
        }
    }
    if let (true, Some(pids)) = (has(d, "pids"), &res.pids) {
        write(p, "pids.max", &pids_max(pids.limit))?;
    }
    Ok(())
}
