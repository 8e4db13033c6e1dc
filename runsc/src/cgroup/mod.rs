//! The sandbox's cgroup: OCI `linux.resources` applied to one cgroup that
//! holds the whole sandbox (sentry, gofer and every stub process, which are
//! forked from the sentry and so start in its cgroup).
//!
//! Works on cgroup v2, v1 and hybrids (each controller is looked up where the
//! host mounts it: on this kind of machine memory, cpu, cpuacct, cpuset, pids
//! and freezer are v1 hierarchies and the v2 tree has no resource
//! controllers). Paths follow runc's `linux.cgroupsPath` rules: an absolute
//! path is taken from the root of each hierarchy, a relative one from the
//! cgroup runsc itself is in, none means `<id>` relative; a systemd-style
//! `slice:prefix:name` is mapped to the plain path
//! `/<slice hierarchy>/<prefix>-<name>.scope` (we create it ourselves; no
//! systemd unit is registered).
//!
//! Lifecycle: [`Cgroup::create`] → [`Cgroup::add_pid`] for the sentry and the
//! gofer right after they start → [`Cgroup::update`] (`runsc update`),
//! [`Cgroup::stats`] (`runsc events --stats`), [`Cgroup::freeze`] →
//! [`Cgroup::remove`] once the caller has waited for every process (no
//! polling here: rmdir of a cgroup that still has tasks fails with EBUSY).

pub mod blkio;
pub mod resources;
mod stats;

pub use resources::Resources;
pub use stats::Stats;

use anyhow::Context;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Controllers runsc uses.
pub const CONTROLLERS: &[&str] = &[
    "memory", "cpu", "cpuacct", "cpuset", "pids", "freezer", "blkio", "io", "hugetlb",
];

/// Controllers whose directory is only made when `linux.resources` has
/// something for them (blockIO, hugepageLimits): a sandbox without them
/// touches no more hierarchies than before.
pub const OPTIONAL: &[&str] = &["blkio", "io", "hugetlb"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V1,
    V2,
}

/// One directory of the sandbox's cgroup: a v1 hierarchy (one or more
/// co-mounted controllers) or the v2 tree.
#[derive(Debug, Clone)]
pub struct Dir {
    pub path: PathBuf,
    pub version: Version,
    /// The controllers of [`CONTROLLERS`] this directory serves.
    pub controllers: Vec<&'static str>,
}

impl Dir {
    /// Only optional controllers ([`OPTIONAL`]): made on demand.
    pub fn optional(&self) -> bool {
        !self.controllers.is_empty() && self.controllers.iter().all(|c| OPTIONAL.contains(c))
    }
}

/// The sandbox's cgroup (one directory per hierarchy used).
#[derive(Debug, Clone)]
pub struct Cgroup {
    pub dirs: Vec<Dir>,
}

/// Where each hierarchy is mounted and where this process is in it.
#[derive(Debug, Default)]
struct Hierarchies {
    /// v1: controller → (mount point, our cgroup in that hierarchy).
    v1: BTreeMap<&'static str, (PathBuf, String)>,
    /// v2: (mount point, our cgroup, available controllers).
    v2: Option<(PathBuf, String, Vec<String>)>,
}

fn hierarchies() -> anyhow::Result<Hierarchies> {
    let mountinfo =
        std::fs::read_to_string("/proc/self/mountinfo").context("/proc/self/mountinfo")?;
    let own = std::fs::read_to_string("/proc/self/cgroup").context("/proc/self/cgroup")?;
    // /proc/self/cgroup: "ID:controllers:path"; v2 is "0::path".
    let mut own_v1: BTreeMap<String, String> = BTreeMap::new();
    let mut own_v2 = None;
    for l in own.lines() {
        let mut f = l.splitn(3, ':');
        let (_, ctl, path) = match (f.next(), f.next(), f.next()) {
            (Some(a), Some(b), Some(c)) => (a, b, c),
            _ => continue,
        };
        if ctl.is_empty() {
            own_v2 = Some(path.to_string());
        }
        for c in ctl.split(',') {
            own_v1.insert(c.to_string(), path.to_string());
        }
    }
    let mut h = Hierarchies::default();
    for l in mountinfo.lines() {
        // "... mountpoint opts - fstype source superopts"
        let (pre, post) = match l.split_once(" - ") {
            Some(x) => x,
            None => continue,
        };
        let pre: Vec<&str> = pre.split(' ').collect();
        let post: Vec<&str> = post.split(' ').collect();
        let (Some(mnt), Some(fstype), Some(superopts)) = (pre.get(4), post.first(), post.get(2))
        else {
            continue;
        };
        let mnt = PathBuf::from(mnt.replace("\\040", " "));
        match *fstype {
            "cgroup" => {
                for c in superopts.split(',') {
                    if let Some(name) = CONTROLLERS.iter().find(|n| **n == c) {
                        let ours = own_v1.get(c).cloned().unwrap_or_else(|| "/".into());
                        h.v1.entry(name).or_insert((mnt.clone(), ours));
                    }
                }
            }
            "cgroup2" if h.v2.is_none() => {
                let ctls =
                    std::fs::read_to_string(mnt.join("cgroup.controllers")).unwrap_or_default();
                let ctls = ctls.split_whitespace().map(str::to_string).collect();
                h.v2 = Some((mnt, own_v2.clone().unwrap_or_else(|| "/".into()), ctls));
            }
            _ => {}
        }
    }
    Ok(h)
}

/// Map runc's systemd form `slice:prefix:name` to a plain path; other paths
/// are returned unchanged.
pub fn plain_path(cgroups_path: &str) -> String {
    let parts: Vec<&str> = cgroups_path.split(':').collect();
    if parts.len() != 3 || cgroups_path.starts_with('/') {
        return cgroups_path.to_string();
    }
    let (slice, prefix, name) = (parts[0], parts[1], parts[2]);
    // "a-b-c.slice" lives in a.slice/a-b.slice/a-b-c.slice.
    let mut path = String::new();
    let slice = if slice.is_empty() {
        "system.slice"
    } else {
        slice
    };
    if slice != "-.slice" {
        let stem = slice.trim_end_matches(".slice");
        let mut acc = String::new();
        for (i, part) in stem.split('-').enumerate() {
            if i > 0 {
                acc.push('-');
            }
            acc.push_str(part);
            path.push('/');
            path.push_str(&acc);
            path.push_str(".slice");
        }
    }
    let unit = if name.ends_with(".slice") {
        name.to_string()
    } else if prefix.is_empty() {
        format!("{name}.scope")
    } else {
        format!("{prefix}-{name}.scope")
    };
    format!("{path}/{unit}")
}

fn join(mount: &Path, base: &str, path: &str) -> anyhow::Result<PathBuf> {
    if path.split('/').any(|c| c == "..") {
        anyhow::bail!("cgroupsPath {path:?} must not contain \"..\"");
    }
    let rel = if path.is_empty() {
        base.to_string()
    } else if path.starts_with('/') {
        path.trim_start_matches('/').to_string()
    } else {
        format!("{}/{}", base.trim_matches('/'), path)
    };
    Ok(mount.join(rel.trim_start_matches('/')))
}

impl Cgroup {
    /// Where the sandbox's cgroup is (without creating anything).
    /// `cgroups_path` is linux.cgroupsPath (None: `<id>` relative). The
    /// directories of optional controllers are left out unless they exist
    /// (create made them).
    pub fn locate(cgroups_path: Option<&str>, id: &str) -> anyhow::Result<Cgroup> {
        let mut cg = Cgroup::locate_all(cgroups_path, id)?;
        cg.dirs.retain(|d| !d.optional() || d.path.is_dir());
        Ok(cg)
    }

    /// Every directory the cgroup may have, optional ones included.
    fn locate_all(cgroups_path: Option<&str>, id: &str) -> anyhow::Result<Cgroup> {
        let path = match cgroups_path {
            Some(p) if !p.is_empty() => plain_path(p),
            _ => id.to_string(),
        };
        Cgroup::locate_path(&path)
    }

    /// The cgroup this process is in now (in the hierarchies runsc uses).
    pub fn current() -> anyhow::Result<Cgroup> {
        let mut cg = Cgroup::locate_path("")?;
        cg.dirs.retain(|d| !d.optional() || d.path.is_dir());
        Ok(cg)
    }

    fn locate_path(path: &str) -> anyhow::Result<Cgroup> {
        let h = hierarchies()?;
        let mut dirs: Vec<Dir> = Vec::new();
        for ctl in CONTROLLERS {
            if let Some((mnt, base)) = h.v1.get(ctl) {
                let p = join(mnt, base, path)?;
                match dirs.iter_mut().find(|d| d.path == p) {
                    Some(d) => d.controllers.push(ctl),
                    None => dirs.push(Dir {
                        path: p,
                        version: Version::V1,
                        controllers: vec![ctl],
                    }),
                }
            }
        }
        if let Some((mnt, base, avail)) = &h.v2 {
            let v2_ctls: Vec<&'static str> = CONTROLLERS
                .iter()
                .copied()
                .filter(|c| !h.v1.contains_key(c) && avail.iter().any(|a| a == c))
                .collect();
            // A pure v2 host (no v1 controllers at all) always gets its
            // directory: process placement and cgroup.freeze need none.
            if !v2_ctls.is_empty() || h.v1.is_empty() {
                dirs.push(Dir {
                    path: join(mnt, base, path)?,
                    version: Version::V2,
                    controllers: v2_ctls,
                });
            }
        }
        if dirs.is_empty() {
            anyhow::bail!("no cgroup hierarchy is mounted");
        }
        Ok(Cgroup { dirs })
    }

    /// Create the cgroup (every hierarchy) and apply `res`.
    pub fn create(cgroups_path: Option<&str>, id: &str, res: &Resources) -> anyhow::Result<Cgroup> {
        let mut cg = Cgroup::locate_all(cgroups_path, id)?;
        cg.dirs
            .retain(|d| !d.optional() || d.controllers.iter().any(|c| res.needs(c)));
        for d in &cg.dirs {
            let created =
                create_dir(d).with_context(|| format!("cannot create cgroup {}", d.path.display()));
            if let Err(e) = created {
                let _ = cg.remove();
                return Err(e);
            }
        }
        if let Err(e) = cg.update(res) {
            let _ = cg.remove();
            return Err(e);
        }
        Ok(cg)
    }

    /// Move process `pid` (all its threads) into the cgroup.
    pub fn add_pid(&self, pid: i32) -> anyhow::Result<()> {
        for d in &self.dirs {
            write(&d.path, "cgroup.procs", &pid.to_string())?;
        }
        Ok(())
    }

    /// Apply (or change) the resource limits.
    pub fn update(&self, res: &Resources) -> anyhow::Result<()> {
        for d in &self.dirs {
            resources::apply(d, res)?;
        }
        Ok(())
    }

    /// Freeze (true) or thaw every process of the cgroup.
    // Unused by the CLI: `runsc pause` freezes the tasks in the sentry.
    #[allow(dead_code)]
    pub fn freeze(&self, frozen: bool) -> anyhow::Result<()> {
        let mut done = false;
        for d in &self.dirs {
            match d.version {
                Version::V1 if d.controllers.contains(&"freezer") => {
                    write(
                        &d.path,
                        "freezer.state",
                        if frozen { "FROZEN" } else { "THAWED" },
                    )?;
                    done = true;
                }
                Version::V2 => {
                    write(&d.path, "cgroup.freeze", if frozen { "1" } else { "0" })?;
                    done = true;
                }
                _ => {}
            }
        }
        if !done {
            anyhow::bail!("no cgroup freezer on this host");
        }
        Ok(())
    }

    /// Resource usage, in runc's `events --stats` shape.
    pub fn stats(&self) -> anyhow::Result<Stats> {
        stats::collect(self)
    }

    /// The OOM killer's kill count in the cgroup (runc's `oom` events are
    /// its increases); None without a memory controller.
    pub fn oom_kills(&self) -> Option<u64> {
        stats::oom_kills(self)
    }

    /// Remove the cgroup's directories. The caller has already waited for
    /// every process in it (a populated cgroup gives EBUSY). Missing
    /// directories are fine (a second delete).
    pub fn remove(&self) -> anyhow::Result<()> {
        let mut first_err = None;
        for d in &self.dirs {
            match std::fs::remove_dir(&d.path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    first_err.get_or_insert_with(|| {
                        anyhow::anyhow!("cannot remove cgroup {}: {e}", d.path.display())
                    });
                }
            }
        }
        first_err.map_or(Ok(()), Err)
    }
}

fn create_dir(d: &Dir) -> anyhow::Result<()> {
    match d.version {
        Version::V1 => {
            // A new cpuset has no CPUs/memory nodes and cannot take tasks:
            // copy them down from the closest ancestor, like runc.
            if d.controllers.contains(&"cpuset") {
                let mut missing = Vec::new();
                let mut p = d.path.as_path();
                while !p.exists() {
                    missing.push(p.to_path_buf());
                    p = p.parent().context("cgroup path has no parent")?;
                }
                for m in missing.iter().rev() {
                    std::fs::create_dir(m).or_else(ignore_exists)?;
                    for f in ["cpuset.cpus", "cpuset.mems"] {
                        if read(m, f)?.trim().is_empty() {
                            let parent = m.parent().context("cgroup path has no parent")?;
                            write(m, f, read(parent, f)?.trim())?;
                        }
                    }
                }
            } else {
                std::fs::create_dir_all(&d.path)?;
            }
        }
        Version::V2 => {
            // Enable our controllers on the way down (subtree_control of
            // every ancestor below the mount).
            let mut chain = Vec::new();
            let mut p = d.path.as_path();
            while !p.exists() {
                chain.push(p.to_path_buf());
                p = p.parent().context("cgroup path has no parent")?;
            }
            let mut parent = p.to_path_buf();
            for m in chain.iter().rev() {
                for c in &d.controllers {
                    let _ = write(&parent, "cgroup.subtree_control", &format!("+{c}"));
                }
                std::fs::create_dir(m).or_else(ignore_exists)?;
                parent = m.clone();
            }
            if chain.is_empty() {
                if let Some(parent) = d.path.parent() {
                    for c in &d.controllers {
                        let _ = write(parent, "cgroup.subtree_control", &format!("+{c}"));
                    }
                }
            }
        }
    }
    Ok(())
}

fn ignore_exists(e: std::io::Error) -> std::io::Result<()> {
    if e.kind() == std::io::ErrorKind::AlreadyExists {
        Ok(())
    } else {
        Err(e)
    }
}

pub(crate) fn write(dir: &Path, file: &str, value: &str) -> anyhow::Result<()> {
    std::fs::write(dir.join(file), value)
        .with_context(|| format!("cannot write {value:?} to {}", dir.join(file).display()))
}

pub(crate) fn read(dir: &Path, file: &str) -> anyhow::Result<String> {
    std::fs::read_to_string(dir.join(file))
        .with_context(|| format!("cannot read {}", dir.join(file).display()))
}

#[cfg(test)]
mod tests;

/// A pids limit (for callers outside this module).
pub fn resources_pids(limit: i64) -> resources::Pids {
    resources::Pids { limit }
}
