//! The bundle: `config.json` read with the `oci-spec` crate and mapped to
//! what the sentry needs ([`Bundle`] → [`crate::cmd::boot::BootSpec`]).
//!
//! Mounts: the sandbox always has its own /proc, /dev (with pts and shm),
//! /sys and /tmp; OCI `tmpfs`, `proc`, `sysfs`, `devpts` and `mqueue`
//! mounts are applied to them or made by the sentry (`mounts`), `cgroup`
//! entries are skipped. Bind mounts of a host
//! directory get a gofer each; bind mounts of host regular files (Docker's
//! /etc/hosts, /etc/hostname, /etc/resolv.conf, Kubernetes'
//! /dev/termination-log) are all served by one files gofer. Anything else
//! (binds of sockets or devices, other file system types) is recorded in
//! the state and logged as not mounted.

use anyhow::Context;
use oci_spec::runtime::{Capabilities, Process, Spec};
use sentry::kernel::boot::{CapSpec, UserSpec};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Linux's capability names, by number.
const CAP_NAMES: [&str; 41] = [
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "KILL",
    "SETGID",
    "SETUID",
    "SETPCAP",
    "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_ADMIN",
    "NET_RAW",
    "IPC_LOCK",
    "IPC_OWNER",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_CHROOT",
    "SYS_PTRACE",
    "SYS_PACCT",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_NICE",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "MKNOD",
    "LEASE",
    "AUDIT_WRITE",
    "AUDIT_CONTROL",
    "SETFCAP",
    "MAC_OVERRIDE",
    "MAC_ADMIN",
    "SYSLOG",
    "WAKE_ALARM",
    "BLOCK_SUSPEND",
    "AUDIT_READ",
    "PERFMON",
    "BPF",
    "CHECKPOINT_RESTORE",
];

/// A capability name ("CAP_CHOWN" or "chown") to its number.
pub fn cap_number(name: &str) -> Option<u32> {
    let n = name.to_ascii_uppercase();
    let n = n.strip_prefix("CAP_").unwrap_or(&n);
    CAP_NAMES.iter().position(|c| *c == n).map(|i| i as u32)
}

fn cap_bits(set: &Option<Capabilities>) -> anyhow::Result<u64> {
    let mut bits = 0u64;
    for c in set.iter().flatten() {
        let name = serde_json::to_value(c)?
            .as_str()
            .map(str::to_string)
            .unwrap_or_default();
        let n = cap_number(&name).with_context(|| format!("unknown capability {name}"))?;
        bits |= 1 << n;
    }
    Ok(bits)
}

/// A mount the sandbox does not provide yet.
#[derive(Debug, Clone)]
pub struct Unmounted {
    pub destination: String,
    pub typ: String,
    pub source: String,
}

/// A bind mount of a host directory, served by a gofer of its own (like
/// `runsc do --volume`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindMount {
    pub source: PathBuf,
    pub destination: String,
    pub readonly: bool,
    /// The other per-mount flags the options asked for (`MS_NOSUID`,
    /// `MS_NODEV`, `MS_NOEXEC` and the atime flags).
    pub flags: u64,
}

/// The per-mount flags a bind takes from its options besides `ro`.
const BIND_FLAGS: u64 = libc::MS_NOSUID
    | libc::MS_NODEV
    | libc::MS_NOEXEC
    | libc::MS_NOATIME
    | libc::MS_NODIRATIME
    | libc::MS_STRICTATIME;

/// The parts of a bundle the runtime uses.
#[derive(Debug, Clone)]
pub struct Bundle {
    pub dir: PathBuf,
    pub rootfs: PathBuf,
    pub readonly: bool,
    pub argv: Vec<String>,
    pub env: Vec<String>,
    pub cwd: String,
    pub user: UserSpec,
    pub terminal: bool,
    /// (rows, cols).
    pub console_size: Option<(u16, u16)>,
    pub hostname: String,
    pub annotations: BTreeMap<String, String>,
    pub unmounted: Vec<Unmounted>,
    /// Mounts of file systems the sentry makes (tmpfs, proc, sysfs,
    /// devpts, mqueue), in config order.
    pub mounts: Vec<sentry::kernel::boot::FsMount>,
    /// Bind mounts of host directories.
    pub binds: Vec<BindMount>,
    /// Bind mounts of host regular files.
    pub file_binds: Vec<BindMount>,
    /// linux.maskedPaths and linux.readonlyPaths.
    pub masked_paths: Vec<String>,
    pub readonly_paths: Vec<String>,
    /// linux.cgroupsPath and linux.resources (a cgroup is made for the
    /// sandbox when either is given).
    pub cgroups_path: Option<String>,
    pub resources: Option<crate::cgroup::Resources>,
    pub hooks: crate::oci::hooks::Hooks,
    /// linux.sysctl (validated, in key order), OCI domainname, and the
    /// network namespace path of linux.namespaces ([`super::kernel_ns`]).
    pub sysctl: Vec<(String, String)>,
    pub domainname: Option<String>,
    pub netns: Option<String>,
    /// linux.seccomp, compiled.
    pub seccomp: Option<crate::oci::seccomp::ContainerSeccomp>,
}

/// Mounts that are not made: cgroup file systems (the sandbox shows an
/// empty /sys/fs/cgroup; its cgroups are the host's, applied from outside).
fn skipped(_dest: &str, typ: &str) -> bool {
    matches!(typ, "cgroup" | "cgroup2")
}

/// An OCI `process` object mapped for the sentry.
#[derive(Debug, Clone)]
pub struct ProcessPart {
    pub argv: Vec<String>,
    pub env: Vec<String>,
    pub cwd: String,
    pub user: UserSpec,
    pub terminal: bool,
    pub console_size: Option<(u16, u16)>,
}

/// Map `process` (config.json's, or `exec --process`'s).
pub fn from_process(p: &Process) -> anyhow::Result<ProcessPart> {
    let argv = p.args().clone().unwrap_or_default();
    if argv.is_empty() {
        anyhow::bail!("process.args must not be empty");
    }
    let cwd = p.cwd().to_string_lossy().into_owned();
    if !cwd.starts_with('/') {
        anyhow::bail!("process.cwd {cwd:?} is not an absolute path");
    }
    let u = p.user();
    let mut rlimits = Vec::new();
    for r in p.rlimits().iter().flatten() {
        rlimits.push((r.typ() as u32, r.soft(), r.hard()));
    }
    let caps = match p.capabilities() {
        Some(c) => Some(CapSpec {
            effective: cap_bits(c.effective())?,
            permitted: cap_bits(c.permitted())?,
            inheritable: cap_bits(c.inheritable())?,
            bounding: cap_bits(c.bounding())?,
        }),
        None => None,
    };
    let user = UserSpec {
        uid: u.uid(),
        gid: u.gid(),
        groups: u.additional_gids().clone().unwrap_or_default(),
        umask: u.umask(),
        caps,
        no_new_privs: p.no_new_privileges().unwrap_or(false),
        rlimits,
        oom_score_adj: p.oom_score_adj(),
    };
    let console_size = p.console_size().map(|b| {
        (
            b.height().min(u16::MAX as u64) as u16,
            b.width().min(u16::MAX as u64) as u16,
        )
    });
    Ok(ProcessPart {
        argv,
        env: p.env().clone().unwrap_or_default(),
        cwd,
        user,
        terminal: p.terminal().unwrap_or(false),
        console_size,
    })
}

/// Read and check the bundle at `dir`.
pub fn load(dir: &str) -> anyhow::Result<Bundle> {
    let dir = std::fs::canonicalize(dir).with_context(|| format!("bundle {dir}"))?;
    if !dir.is_dir() {
        anyhow::bail!("bundle {}: not a directory", dir.display());
    }
    let cfg = dir.join("config.json");
    if !cfg.exists() {
        anyhow::bail!("JSON specification file {} not found", cfg.display());
    }
    let data = std::fs::read(&cfg).with_context(|| format!("{}", cfg.display()))?;
    let spec: Spec = serde_json::from_slice(&data).with_context(|| format!("{}", cfg.display()))?;
    let mut b = from_spec(&dir, &spec)?;
    // The parts runsc's own modules read in their own types.
    let raw: serde_json::Value =
        serde_json::from_slice(&data).with_context(|| format!("{}", cfg.display()))?;
    let linux = &raw["linux"];
    b.cgroups_path = linux["cgroupsPath"].as_str().map(str::to_string);
    if !linux["resources"].is_null() {
        b.resources = Some(
            serde_json::from_value(linux["resources"].clone())
                .with_context(|| format!("{}: linux.resources", cfg.display()))?,
        );
    }
    if !raw["hooks"].is_null() {
        b.hooks = serde_json::from_value(raw["hooks"].clone())
            .with_context(|| format!("{}: hooks", cfg.display()))?;
    }
    Ok(b)
}

fn from_spec(dir: &Path, spec: &Spec) -> anyhow::Result<Bundle> {
    let root = spec
        .root()
        .as_ref()
        .context("config.json: root is missing")?;
    let rootfs = if root.path().is_absolute() {
        root.path().clone()
    } else {
        dir.join(root.path())
    };
    let rootfs =
        std::fs::canonicalize(&rootfs).with_context(|| format!("rootfs {}", rootfs.display()))?;
    if !rootfs.is_dir() {
        anyhow::bail!("rootfs {}: not a directory", rootfs.display());
    }
    let p = spec
        .process()
        .as_ref()
        .context("config.json: process is missing")?;
    let pp = from_process(p)?;
    let mut unmounted = Vec::new();
    let mut binds = Vec::new();
    let mut file_binds = Vec::new();
    let mut mounts = Vec::new();
    for m in spec.mounts().iter().flatten() {
        let dest = m.destination().to_string_lossy().into_owned();
        let typ = m.typ().clone().unwrap_or_default();
        let opts = crate::oci::mounts::parse(m.options().as_deref().unwrap_or_default());
        let is_bind = typ == "bind" || opts.bind;
        if !is_bind && skipped(&dest, &typ) {
            continue;
        }
        let source = m
            .source()
            .as_ref()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let clean_dest = dest.starts_with('/') && !dest.split('/').any(|c| c == "." || c == "..");
        if !is_bind
            && clean_dest
            && matches!(
                typ.as_str(),
                "tmpfs" | "proc" | "sysfs" | "devpts" | "mqueue"
            )
        {
            mounts.push(sentry::kernel::boot::FsMount {
                destination: dest.into_bytes(),
                fstype: typ,
                source,
                flags: opts.flags,
                data: opts.data,
            });
            continue;
        }
        // A bind of a host directory (a gofer mount) or regular file (an
        // entry of the files gofer) to an absolute path.
        let src_path = Path::new(&source);
        let src_path = if src_path.is_absolute() {
            src_path.to_path_buf()
        } else {
            dir.join(src_path)
        };
        let (is_dir, is_file) = (src_path.is_dir(), src_path.is_file());
        if is_bind && clean_dest && dest != "/" && (is_dir || is_file) {
            let readonly = opts.flags & libc::MS_RDONLY != 0;
            let list = if is_dir { &mut binds } else { &mut file_binds };
            list.push(BindMount {
                source: std::fs::canonicalize(&src_path)
                    .with_context(|| format!("bind mount source {}", src_path.display()))?,
                destination: dest,
                readonly,
                flags: opts.flags & BIND_FLAGS,
            });
            continue;
        }
        tracing::warn!("mount {dest} ({typ} from {source}) is not supported yet: not mounted");
        unmounted.push(Unmounted {
            destination: dest,
            typ,
            source,
        });
    }
    Ok(Bundle {
        dir: dir.to_path_buf(),
        rootfs,
        readonly: root.readonly().unwrap_or(false),
        argv: pp.argv,
        env: pp.env,
        cwd: pp.cwd,
        user: pp.user,
        terminal: pp.terminal,
        console_size: pp.console_size,
        hostname: spec.hostname().clone().unwrap_or_default(),
        annotations: spec
            .annotations()
            .clone()
            .unwrap_or_default()
            .into_iter()
            .collect(),
        unmounted,
        mounts,
        binds,
        file_binds,
        masked_paths: spec
            .linux()
            .as_ref()
            .and_then(|l| l.masked_paths().clone())
            .unwrap_or_default(),
        readonly_paths: spec
            .linux()
            .as_ref()
            .and_then(|l| l.readonly_paths().clone())
            .unwrap_or_default(),
        cgroups_path: None,
        resources: None,
        hooks: Default::default(),
        sysctl: super::kernel_ns::sysctls(spec.linux().as_ref().and_then(|l| l.sysctl().as_ref()))?,
        domainname: spec.domainname().clone(),
        netns: super::kernel_ns::namespaces(
            spec.linux().as_ref().and_then(|l| l.namespaces().as_ref()),
        )?,
        seccomp: match spec.linux().as_ref().and_then(|l| l.seccomp().as_ref()) {
            Some(s) => Some(crate::oci::seccomp::compile(s)?.for_boot()),
            None => None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capability_names() {
        assert_eq!(cap_number("CAP_CHOWN"), Some(0));
        assert_eq!(cap_number("sys_admin"), Some(21));
        assert_eq!(cap_number("CAP_CHECKPOINT_RESTORE"), Some(40));
        assert_eq!(cap_number("CAP_NOPE"), None);
    }

    #[test]
    fn bundle_mapping() {
        let d = std::env::temp_dir().join(format!("runsc-bundle-{}", std::process::id()));
        std::fs::create_dir_all(d.join("rootfs")).unwrap();
        let cfg = serde_json::json!({
            "ociVersion": "1.0.2",
            "process": {"args": ["sh"], "cwd": "/", "env": ["A=b"],
                "user": {"uid": 5, "gid": 6, "additionalGids": [7], "umask": 18},
                "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 100, "soft": 50}],
                "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL", "CAP_CHOWN"]}},
            "root": {"path": "rootfs", "readonly": true},
            "hostname": "h",
            "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
                       {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup"},
                       {"destination": "/run", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "size=1m"]},
                       {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
                       {"destination": "/data", "type": "bind", "source": "rootfs", "options": ["rbind", "ro"]},
                       {"destination": "/etc/hosts", "type": "bind", "source": "config.json", "options": ["rbind", "ro", "noexec", "rw"]},
                       {"destination": "/dev/null2", "type": "bind", "source": "/dev/null", "options": ["rbind"]}],
            "annotations": {"k": "v"}
        });
        std::fs::write(d.join("config.json"), cfg.to_string()).unwrap();
        let b = load(d.to_str().unwrap()).unwrap();
        assert_eq!(b.argv, vec!["sh"]);
        assert_eq!(
            (b.user.uid, b.user.gid, b.user.groups.clone()),
            (5, 6, vec![7])
        );
        assert_eq!(b.user.umask, Some(18));
        assert_eq!(b.user.rlimits, vec![(7, 50, 100)]);
        let c = b.user.caps.unwrap();
        assert_eq!(
            (c.bounding, c.effective, c.permitted),
            (1 << 5, 1 << 5 | 1, 0)
        );
        assert!(b.readonly);
        assert_eq!(b.hostname, "h");
        // A directory bind becomes a gofer mount, a file bind an entry of
        // the files gofer; a device bind is not mounted.
        assert_eq!(
            b.binds,
            vec![BindMount {
                source: std::fs::canonicalize(d.join("rootfs")).unwrap(),
                destination: "/data".into(),
                readonly: true,
                flags: 0,
            }]
        );
        assert_eq!(
            b.file_binds,
            vec![BindMount {
                source: std::fs::canonicalize(d.join("config.json")).unwrap(),
                destination: "/etc/hosts".into(),
                readonly: false,
                flags: libc::MS_NOEXEC,
            }]
        );
        assert_eq!(b.unmounted.len(), 1);
        assert_eq!(b.unmounted[0].destination, "/dev/null2");
        // File systems the sentry makes, in config order; cgroup skipped.
        let made: Vec<_> = b
            .mounts
            .iter()
            .map(|m| {
                (
                    m.fstype.as_str(),
                    m.destination.as_slice(),
                    m.flags,
                    m.data.as_str(),
                )
            })
            .collect();
        assert_eq!(
            made,
            vec![
                ("proc", &b"/proc"[..], 0, ""),
                ("tmpfs", &b"/run"[..], libc::MS_NOSUID, "size=1m"),
                (
                    "mqueue",
                    &b"/dev/mqueue"[..],
                    libc::MS_NOSUID | libc::MS_NOEXEC | libc::MS_NODEV,
                    ""
                )
            ]
        );
        assert_eq!(b.annotations.get("k").map(String::as_str), Some("v"));
        std::fs::write(d.join("config.json"), "{\"ociVersion\": 5}").unwrap();
        assert!(load(d.to_str().unwrap()).is_err());
        std::fs::remove_dir_all(&d).unwrap();
    }
}
