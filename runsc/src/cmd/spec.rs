//! `runsc spec`: write runc's default config.json (hostname "runsc") into
//! the current directory or `--bundle`. `--rootless` applies runc's rootless
//! changes (a user namespace mapping the caller to root, no network
//! namespace, /sys bind-mounted, no uid=/gid= mount options, no cgroup
//! resources).

use anyhow::Context;
use clap::Args;
use std::path::PathBuf;

/// runc 1.1's `runc spec` output, with our hostname.
const DEFAULT_SPEC: &str = include_str!("spec_default.json");

#[derive(Args, Debug)]
pub struct SpecArgs {
    /// Directory to write config.json into (default: the current directory).
    #[arg(long, short = 'b')]
    pub bundle: Option<PathBuf>,
    /// A spec for an unprivileged (rootless) container.
    #[arg(long)]
    pub rootless: bool,
}

pub fn run(a: &SpecArgs) -> anyhow::Result<i32> {
    let dir = a.bundle.clone().unwrap_or_else(|| PathBuf::from("."));
    let path = dir.join("config.json");
    if path.exists() {
        anyhow::bail!("File {} exists. Remove it first", path.display());
    }
    let text = if a.rootless {
        let euid = nix::unistd::geteuid().as_raw();
        let egid = nix::unistd::getegid().as_raw();
        rootless(euid, egid)?
    } else {
        DEFAULT_SPEC.to_string()
    };
    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(0)
}

/// The default spec with runc's rootless changes (runc's specconv.ToRootless).
pub fn rootless(uid: u32, gid: u32) -> anyhow::Result<String> {
    use serde_json::{json, Value};
    let mut v: Value = serde_json::from_str(DEFAULT_SPEC)?;
    let linux = v["linux"].as_object_mut().context("linux")?;
    let mut ns: Vec<Value> = linux
        .get("namespaces")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|n| n["type"] != "network" && n["type"] != "user")
        .collect();
    ns.push(json!({"type": "user"}));
    linux.insert("namespaces".into(), Value::Array(ns));
    linux.insert(
        "uidMappings".into(),
        json!([{"containerID": 0, "hostID": uid, "size": 1}]),
    );
    linux.insert(
        "gidMappings".into(),
        json!([{"containerID": 0, "hostID": gid, "size": 1}]),
    );
    linux.remove("resources");
    let mounts = v["mounts"].as_array_mut().context("mounts")?;
    for m in mounts.iter_mut() {
        if m["destination"] == "/sys" {
            *m = json!({"destination": "/sys", "type": "none", "source": "/sys",
                        "options": ["rbind", "nosuid", "noexec", "nodev", "ro"]});
            continue;
        }
        if let Some(opts) = m.get_mut("options").and_then(Value::as_array_mut) {
            opts.retain(|o| {
                o.as_str()
                    .is_none_or(|s| !s.starts_with("uid=") && !s.starts_with("gid="))
            });
        }
    }
    let mut out = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"\t");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
    serde::Serialize::serialize(&v, &mut ser)?;
    Ok(String::from_utf8(out)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_spec_is_runcs_with_our_hostname() {
        let v: serde_json::Value = serde_json::from_str(DEFAULT_SPEC).unwrap();
        assert_eq!(v["hostname"], "runsc");
        assert_eq!(v["root"]["path"], "rootfs");
        assert_eq!(v["process"]["args"][0], "sh");
        // Compare with the installed runc when there is one.
        let dir = std::env::temp_dir().join(format!("runsc-spec-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for rootless in [false, true] {
            let mut args = vec!["spec"];
            if rootless {
                args.push("--rootless");
            }
            let _ = std::fs::remove_file(dir.join("config.json"));
            let ok = std::process::Command::new("runc")
                .args(&args)
                .current_dir(&dir)
                .status()
                .is_ok_and(|s| s.success());
            if !ok {
                eprintln!("runc not installed: comparison skipped");
                break;
            }
            let mut theirs: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(dir.join("config.json")).unwrap())
                    .unwrap();
            theirs["hostname"] = "runsc".into();
            let ours: serde_json::Value = if rootless {
                let uid = nix::unistd::geteuid().as_raw();
                let gid = nix::unistd::getegid().as_raw();
                serde_json::from_str(&rootless_spec(uid, gid)).unwrap()
            } else {
                v.clone()
            };
            assert_eq!(ours, theirs, "rootless={rootless}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn rootless_spec(uid: u32, gid: u32) -> String {
        rootless(uid, gid).unwrap()
    }

    #[test]
    fn refuses_to_overwrite() {
        let dir = std::env::temp_dir().join(format!("runsc-spec-ow-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let a = SpecArgs {
            bundle: Some(dir.clone()),
            rootless: false,
        };
        assert_eq!(run(&a).unwrap(), 0);
        assert_eq!(
            std::fs::read_to_string(dir.join("config.json")).unwrap(),
            DEFAULT_SPEC
        );
        let e = run(&a).unwrap_err().to_string();
        assert!(e.contains("exists. Remove it first"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
