//! OCI `linux.sysctl` and `linux.namespaces` for the sandbox.
//!
//! The sandbox's kernel is the sentry: every namespace the workload sees
//! (pid, ipc, uts, mount, net, cgroup, user) is the sentry's own emulated
//! one, never a host kernel namespace. So:
//!
//! - **sysctl**: the keys runc accepts for a container with its own
//!   namespaces are accepted (the IPC ones, `fs.mqueue.*`, `net.*`,
//!   `kernel.domainname`), always, since the sandbox never shares the
//!   host's; the sentry writes them to its `/proc/sys` at boot. Everything
//!   else gets runc's error.
//! - **namespaces with a path**: `network` is joined by the sentry (its
//!   host netns, where the sandbox's network will live); any other type
//!   cannot be shared with a host process or another sandbox: the path is
//!   checked (runc's error when it is missing) and ignored with a warning.

use oci_spec::runtime::{LinuxNamespace, LinuxNamespaceType};
use std::collections::HashMap;

/// The IPC sysctls runc allows with an IPC namespace.
const IPC: [&str; 8] = [
    "kernel.msgmax",
    "kernel.msgmnb",
    "kernel.msgmni",
    "kernel.sem",
    "kernel.shmall",
    "kernel.shmmax",
    "kernel.shmmni",
    "kernel.shm_rmid_forced",
];

/// runc's validation of one `linux.sysctl` key for a container with its
/// own ipc, net and uts namespaces (which the sandbox always has).
pub fn check_sysctl(key: &str) -> anyhow::Result<()> {
    if IPC.contains(&key)
        || key.starts_with("fs.mqueue.")
        || key.starts_with("net.")
        || key == "kernel.domainname"
    {
        return Ok(());
    }
    if key == "kernel.hostname" {
        anyhow::bail!(
            "sysctl {key:?} is not allowed as it conflicts with the OCI \"hostname\" field"
        );
    }
    anyhow::bail!("sysctl {key:?} is not in a separate kernel namespace")
}

/// `linux.sysctl` checked, in key order (the sentry writes them in this
/// order).
pub fn sysctls(map: Option<&HashMap<String, String>>) -> anyhow::Result<Vec<(String, String)>> {
    let mut v: Vec<(String, String)> = map
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    v.sort();
    for (k, _) in &v {
        check_sysctl(k)?;
    }
    Ok(v)
}

fn type_name(t: LinuxNamespaceType) -> &'static str {
    match t {
        LinuxNamespaceType::Mount => "mount",
        LinuxNamespaceType::Cgroup => "cgroup",
        LinuxNamespaceType::Uts => "uts",
        LinuxNamespaceType::Ipc => "ipc",
        LinuxNamespaceType::User => "user",
        LinuxNamespaceType::Pid => "pid",
        LinuxNamespaceType::Network => "network",
        LinuxNamespaceType::Time => "time",
    }
}

/// An io error as Go prints it (runc's messages): "no such file or
/// directory".
fn go_error(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(n) => nix::errno::Errno::from_raw(n).desc().to_lowercase(),
        None => e.to_string(),
    }
}

/// `linux.namespaces`: the network namespace path to join, if any. Paths
/// must exist (runc: `namespace path: lstat P: ...`); paths of other
/// types are logged (once, here) and ignored.
pub fn namespaces(list: Option<&Vec<LinuxNamespace>>) -> anyhow::Result<Option<String>> {
    let mut netns = None;
    for ns in list.into_iter().flatten() {
        let Some(p) = ns.path() else { continue };
        let shown = p.display();
        if p.as_os_str().is_empty() {
            continue;
        }
        if let Err(e) = std::fs::symlink_metadata(p) {
            anyhow::bail!("namespace path: lstat {shown}: {}", go_error(&e));
        }
        let name = type_name(ns.typ());
        if ns.typ() == LinuxNamespaceType::Network {
            if netns.is_some() {
                anyhow::bail!("malformed spec file: duplicated ns \"{name}\"");
            }
            netns = Some(p.to_string_lossy().into_owned());
            continue;
        }
        tracing::warn!(
            "{name} namespace path {shown} ignored: the sandbox has its own emulated {name} \
             namespace and cannot join a host kernel namespace"
        );
    }
    Ok(netns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sysctl_validation_is_runcs() {
        for ok in [
            "kernel.msgmax",
            "kernel.shm_rmid_forced",
            "kernel.sem",
            "fs.mqueue.queues_max",
            "net.ipv4.ip_unprivileged_port_start",
            "net.ipv4.ping_group_range",
            "net.core.somaxconn",
            "kernel.domainname",
        ] {
            assert!(check_sysctl(ok).is_ok(), "{ok}");
        }
        let e = check_sysctl("kernel.pid_max").unwrap_err().to_string();
        assert_eq!(
            e,
            "sysctl \"kernel.pid_max\" is not in a separate kernel namespace"
        );
        assert!(check_sysctl("vm.overcommit_memory").is_err());
        assert!(check_sysctl("kernel.msgmaxx").is_err());
        assert!(check_sysctl("fs.file-max").is_err());
        assert!(check_sysctl("net/ipv4/ip_forward").is_err());
        let e = check_sysctl("kernel.hostname").unwrap_err().to_string();
        assert!(
            e.contains("conflicts with the OCI \"hostname\" field"),
            "{e}"
        );
        let m: HashMap<String, String> = [
            ("net.b".to_string(), "1".to_string()),
            ("kernel.sem".to_string(), "1 2 3 4".to_string()),
        ]
        .into();
        let v = sysctls(Some(&m)).unwrap();
        assert_eq!(v[0].0, "kernel.sem");
        assert_eq!(v[1].0, "net.b");
        let bad: HashMap<String, String> = [("kernel.panic".to_string(), "1".to_string())].into();
        assert!(sysctls(Some(&bad)).is_err());
        assert!(sysctls(None).unwrap().is_empty());
    }

    fn ns(json: &str) -> Vec<LinuxNamespace> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn namespace_paths() {
        // No paths: nothing to join.
        let l = ns(r#"[{"type": "network"}, {"type": "pid"}]"#);
        assert_eq!(namespaces(Some(&l)).unwrap(), None);
        // A network path is joined; other types are ignored.
        let l = ns(r#"[{"type": "network", "path": "/proc/self/ns/net"},
                       {"type": "ipc", "path": "/proc/self/ns/ipc"}]"#);
        assert_eq!(
            namespaces(Some(&l)).unwrap().as_deref(),
            Some("/proc/self/ns/net")
        );
        // Missing paths: runc's error, whatever the type.
        for t in ["network", "pid", "uts"] {
            let l = ns(&format!(r#"[{{"type": "{t}", "path": "/no/such/ns"}}]"#));
            let e = namespaces(Some(&l)).unwrap_err().to_string();
            assert_eq!(
                e,
                "namespace path: lstat /no/such/ns: no such file or directory"
            );
        }
        let l = ns(r#"[{"type": "network", "path": "/proc/self/ns/net"},
                       {"type": "network", "path": "/proc/self/ns/net"}]"#);
        assert!(namespaces(Some(&l)).is_err());
    }
}
